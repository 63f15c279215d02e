"""Reads of inter-department coordination, all through the one scoping layer."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, F, Q, QuerySet

from parcelguard.accounts.roles import Role
from parcelguard.accounts.scoping import scope
from parcelguard.partners.models import (
    ActionItem,
    ActionState,
    Contact,
    Direction,
    Meeting,
    MeetingState,
    Memorandum,
    Partner,
    Transfer,
    TransferState,
)

WAITING = (TransferState.SENT, TransferState.RECEIVED)  # outgoing transfers waiting for the partner's feedback


def partners(user: Any, filters: dict[str, str] | None = None) -> QuerySet[Partner]:
    f = filters or {}
    qs = scope(user, Partner).select_related("jurisdiction").annotate(
        open_transfers=Count("transfers", filter=Q(transfers__state__in=WAITING), distinct=True)).order_by(
        "jurisdiction_path", "kind", "name")
    if f.get("kind"):
        qs = qs.filter(kind=f["kind"])
    if f.get("q"):
        qs = qs.filter(name__icontains=f["q"])
    if f.get("active") != "all":
        qs = qs.filter(active=True)
    return qs


def contacts(user: Any) -> QuerySet[Contact]:
    return scope(user, Contact).select_related("partner")


def memoranda(user: Any) -> QuerySet[Memorandum]:
    return scope(user, Memorandum).select_related("document", "created_by").prefetch_related("partners")


def meetings(user: Any, filters: dict[str, str] | None = None) -> QuerySet[Meeting]:
    f = filters or {}
    qs = scope(user, Meeting).select_related("convened_by").prefetch_related("partners").annotate(
        open_actions=Count("actions", filter=Q(actions__state=ActionState.OPEN))).order_by("-starts_at", "-pk")
    if f.get("state"):
        qs = qs.filter(state=f["state"])
    if f.get("year", "").isdigit():
        qs = qs.filter(starts_at__year=int(f["year"]))
    return qs


def actions(user: Any, filters: dict[str, str] | None = None, now: dt.datetime | None = None) -> QuerySet[ActionItem]:
    f = filters or {}
    qs = scope(user, ActionItem).select_related("meeting", "owner", "partner")
    if f.get("state"):
        qs = qs.filter(state=f["state"])
    if f.get("overdue") and now is not None:
        qs = qs.filter(state=ActionState.OPEN, due_at__lte=now)
    return qs


def transfers(user: Any, filters: dict[str, str] | None = None, now: dt.datetime | None = None) -> QuerySet[Transfer]:
    f = filters or {}
    qs = scope(user, Transfer).select_related("partner", "event", "document", "sent_by")
    for name in ("direction", "state", "kind"):
        if f.get(name):
            qs = qs.filter(**{name: f[name]})
    if str(f.get("partner", "")).isdigit():
        qs = qs.filter(partner_id=int(f["partner"]))
    if f.get("overdue") and now is not None:
        qs = overdue(qs, now)
    if f.get("q"):
        qs = qs.filter(Q(number__icontains=f["q"]) | Q(summary__icontains=f["q"]) | Q(partner__name__icontains=f["q"]))
    return qs


def overdue(qs: QuerySet[Transfer], now: dt.datetime) -> QuerySet[Transfer]:
    """Outgoing transfers whose feedback is late: still waiting, the feedback day over."""
    return qs.filter(direction=Direction.OUTGOING, state__in=WAITING, feedback_due__lte=now)


def transfer(user: Any, pk: int) -> Transfer | None:
    return transfers(user).filter(pk=pk).first()


def may_transfer(user: Any) -> bool:
    return getattr(user, "role", None) == Role.CITY_BUREAU


def may_manage(user: Any) -> bool:
    return getattr(user, "role", None) in (Role.CITY_BUREAU, Role.COUNTY_CENTRE)


def planned_past(user: Any, now: dt.datetime) -> QuerySet[Meeting]:
    """Meetings that have taken place but whose minutes are not recorded."""
    return scope(user, Meeting).filter(state=MeetingState.PLANNED, starts_at__lte=now)


def counts(user: Any, now: dt.datetime) -> dict[str, int]:
    qs = scope(user, Transfer)
    return {"partners": scope(user, Partner).filter(active=True).count(),
            "waiting": qs.filter(direction=Direction.OUTGOING, state__in=WAITING).count(),
            "overdue": overdue(qs, now).count(),
            "incoming": qs.filter(direction=Direction.INCOMING).count(),
            "actions_open": scope(user, ActionItem).filter(state=ActionState.OPEN).count()}


def sent_in(user: Any, start: dt.datetime, end: dt.datetime) -> int:
    return scope(user, Transfer).filter(direction=Direction.OUTGOING, sent_at__gte=start, sent_at__lt=end).count()


def feedback_late(user: Any, start: dt.datetime, end: dt.datetime, now: dt.datetime) -> int:
    """Figure: outgoing transfers whose feedback fell due in [start, end) and came late or not yet."""
    qs = scope(user, Transfer).filter(direction=Direction.OUTGOING, feedback_due__gte=start, feedback_due__lt=end)
    qs = qs.exclude(state=TransferState.WITHDRAWN)
    return qs.filter(Q(feedback_at__gte=F("feedback_due")) | Q(feedback_at__isnull=True, feedback_due__lte=now)).count()


def actions_late(user: Any, start: dt.datetime, end: dt.datetime, now: dt.datetime) -> int:
    qs = scope(user, ActionItem).filter(due_at__gte=start, due_at__lt=end).exclude(state=ActionState.CANCELLED)
    return qs.filter(Q(done_at__gte=F("due_at")) | Q(done_at__isnull=True, due_at__lte=now)).count()
