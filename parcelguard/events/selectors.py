"""Reads of the hazard workflow: scoped lists, the work queue, the timeline, the inbox."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import F, Q

from parcelguard.accounts.roles import Role
from parcelguard.accounts.scoping import get_for, scope
from parcelguard.events import clocks
from parcelguard.events.models import Event, Notification, TipOff, Transition
from parcelguard.events.states import states_waiting_for

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
        qs = clocks.overdue(qs)
    q = (filters.get("q") or "").strip()
    if q:
        cond = Q(description__icontains=q) | Q(site__name__icontains=q) | Q(place__icontains=q)
        if q.isdigit():
            cond |= Q(pk=int(q))
        qs = qs.filter(cond)
    return qs.order_by("-reported_at", "-pk")


def work_queue(user: Any) -> models.QuerySet[Event]:
    """What waits for this user: events in a state where their role takes the next step, and events whose
    step the party below them missed (events.clocks), soonest deadline first (no deadline last, then oldest
    report first). A procurator takes no step: nothing waits for him (his home shows what is overdue)."""
    if not getattr(user, "is_authenticated", False):
        return Event.objects.none()
    qs = scope(user, Event)
    if user.role == Role.PROCURATOR:  # takes no step: what is overdue in its area is on its oversight page
        return Event.objects.none()
    # the steps that are theirs, and the missed steps of the party below them, escalated to them
    qs = qs.filter(Q(state__in=states_waiting_for(user.role)) | clocks.escalated_to_q(user.role)).distinct()
    return (qs
            .select_related("hazard_type", "site", "enterprise", "county")
            .order_by(F("deadline").asc(nulls_last=True), "reported_at", "pk"))


def timeline(event: Event) -> models.QuerySet[Transition]:
    return (Transition.objects.filter(event=event).select_related("actor")
            .prefetch_related("attachments__evidence").order_by("at", "pk"))


def inbox(user: Any, *, unread_only: bool = False) -> models.QuerySet[Notification]:
    qs = Notification.objects.filter(user=user).select_related("event")
    return qs.filter(read_at__isnull=True) if unread_only else qs


def openable(user: Any, notifications: Any) -> list[Any]:
    """The notifications with `openable` set: whether the reader may open what each is about now. An event
    that left the reader's scope (moved to another grid, a tip-off attached to a site elsewhere) is named
    but not linked: a link would only answer "record not found"."""
    rows = list(notifications)
    ids = {n.event_id for n in rows if n.event_id}
    visible = set(scope(user, Event).filter(pk__in=ids).values_list("pk", flat=True)) if ids else set()
    for n in rows:
        n.openable = n.event_id in visible if n.event_id else bool(n.url)
    return rows


def unread_count(user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def tipoff_of(user: Any, event: Event) -> TipOff:
    return get_for(user, TipOff, event=event)
