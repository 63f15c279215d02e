"""Reads of the remote video library, all through the scoping layer: channels with their last health
check, snapshots, patrols, and the online rate (视频在线率)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, Q, QuerySet

from parcelguard.accounts.scoping import scope
from parcelguard.video.models import Channel, HealthCheck, Patrol, Snapshot


def channels(user: Any) -> QuerySet[Channel]:
    return scope(user, Channel).select_related("camera__site__county", "camera__site__enterprise")


@dataclass(frozen=True)
class Seen:
    online: bool | None  # None: never checked
    checked_at: dt.datetime | None
    last_online: dt.datetime | None


def last_seen(channel_ids: list[int]) -> dict[int, Seen]:
    """Per channel: the latest check's answer and when it was last seen online."""
    latest = dict(HealthCheck.objects.filter(channel_id__in=channel_ids).values_list("channel_id")
                  .annotate(at=Max("at")).values_list("channel_id", "at"))
    online_at = dict(HealthCheck.objects.filter(channel_id__in=channel_ids, online=True).values_list("channel_id")
                     .annotate(at=Max("at")).values_list("channel_id", "at"))
    now_online: set[int] = set()
    if latest:
        rows = HealthCheck.objects.filter(channel_id__in=channel_ids, at__gte=min(latest.values()), online=True)
        now_online = {cid for cid, at in rows.values_list("channel_id", "at") if latest.get(cid) == at}
    return {cid: Seen(online=(cid in now_online) if cid in latest else None, checked_at=latest.get(cid),
                      last_online=online_at.get(cid)) for cid in channel_ids}


def snapshots(user: Any) -> QuerySet[Snapshot]:
    return scope(user, Snapshot).select_related("channel__camera__site", "evidence", "taken_by", "event")


def patrols(user: Any) -> QuerySet[Patrol]:
    return scope(user, Patrol).select_related("county", "officer").annotate(
        n_checks=Count("checks"), n_failed=Count("checks", filter=Q(checks__ok=False)))


def online_rate(user: Any, start: dt.datetime, end: dt.datetime, **_filters: Any) -> float:
    """视频在线率: the share of health checks in [start, end) that found the camera's stream received,
    in %, over the cameras the user may see (every check weighs the same: one look per camera per
    minute). No check in the period → 0."""
    counts = scope(user, HealthCheck).filter(at__gte=start, at__lt=end).aggregate(
        all=Count("pk"), online=Count("pk", filter=Q(online=True)))
    return round(100.0 * counts["online"] / counts["all"], 1) if counts["all"] else 0.0
