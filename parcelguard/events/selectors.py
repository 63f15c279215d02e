"""Reads of the hazard workflow: scoped lists, the work queue, the timeline, the inbox."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import F, Q

from parcelguard.accounts.roles import Role
from parcelguard.accounts.scoping import get_for, scope
from parcelguard.core import clock
from parcelguard.events.models import Event, Notification, TipOff, Transition
from parcelguard.events.states import TERMINAL, states_waiting_for

FILTERS = {"type": "hazard_type__code", "state": "state", "tier": "tier", "county": "county__code",
           "brand": "enterprise__brand_id", "source": "source"}


def event_list(*, user: Any, filters: dict[str, Any] | None = None) -> models.QuerySet[Event]:
    filters = filters or {}
    qs = scope(user, Event).select_related("hazard_type", "site", "enterprise", "county")
    for name, lookup in FILTERS.items():
        value = filters.get(name)
        if value:
            qs = qs.filter(**{lookup: value})
    if filters.get("overdue") in (True, "1", "true", "on"):
        qs = qs.filter(deadline__lte=clock.now()).exclude(state__in=TERMINAL)
    q = (filters.get("q") or "").strip()
    if q:
        cond = Q(description__icontains=q) | Q(site__name__icontains=q) | Q(place__icontains=q)
        if q.isdigit():
            cond |= Q(pk=int(q))
        qs = qs.filter(cond)
    return qs.order_by("-reported_at", "-pk")


def work_queue(user: Any) -> models.QuerySet[Event]:
    """What waits for this user: events in a state where their role takes the next step, soonest
    deadline first (no deadline last, then oldest report first). A procurator, who takes no step, sees
    the overdue work of the regulator it oversees."""
    if not getattr(user, "is_authenticated", False):
        return Event.objects.none()
    qs = scope(user, Event)
    if user.role == Role.PROCURATOR:  # oversight of the regulator: what is overdue in its area
        qs = qs.filter(deadline__lte=clock.now()).exclude(state__in=TERMINAL)
    else:
        qs = qs.filter(state__in=states_waiting_for(user.role))
    return (qs
            .select_related("hazard_type", "site", "enterprise", "county")
            .order_by(F("deadline").asc(nulls_last=True), "reported_at", "pk"))


def timeline(event: Event) -> models.QuerySet[Transition]:
    return (Transition.objects.filter(event=event).select_related("actor")
            .prefetch_related("attachments__evidence").order_by("at", "pk"))


def inbox(user: Any, *, unread_only: bool = False) -> models.QuerySet[Notification]:
    qs = Notification.objects.filter(user=user).select_related("event")
    return qs.filter(read_at__isnull=True) if unread_only else qs


def unread_count(user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def mark_read(user: Any, ids: list[int] | None = None) -> int:
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=clock.now())


def tipoff_of(user: Any, event: Event) -> TipOff:
    return get_for(user, TipOff, event=event)
