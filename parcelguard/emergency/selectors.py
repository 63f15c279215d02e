"""Reads of emergency management, always through the user's scope: plans and who has no valid one, drills
and their action items, incidents with their clocks; the figures, work and lapses the plug registers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet

from parcelguard.accounts.scoping import scope
from parcelguard.core import clock
from parcelguard.emergency import services
from parcelguard.emergency.models import (
    ActionState,
    Drill,
    DrillAction,
    Incident,
    IncidentState,
    Plan,
    PlanKind,
)
from parcelguard.registry.models import Enterprise, Status


def plans(user: Any) -> QuerySet[Plan]:
    return scope(user, Plan).select_related("enterprise", "file", "filed_by")


def valid_plans(user: Any, day: dt.date) -> QuerySet[Plan]:
    return plans(user).filter(superseded_at__isnull=True, approved_on__lte=day, review_on__gt=day)


def filter_plans(user: Any, params: dict[str, Any], day: dt.date | None = None) -> QuerySet[Plan]:
    day = day or clock.today()
    qs = plans(user)
    if params.get("kind") in PlanKind.values:
        qs = qs.filter(kind=params["kind"])
    validity = params.get("validity", "current")
    if validity == "current":
        qs = qs.filter(superseded_at__isnull=True)
    elif validity == "valid":
        qs = qs.filter(superseded_at__isnull=True, approved_on__lte=day, review_on__gt=day)
    elif validity == "expiring":
        warn = day + dt.timedelta(days=services.plan_warn_days())
        qs = qs.filter(superseded_at__isnull=True, review_on__gt=day, review_on__lte=warn)
    elif validity == "expired":
        qs = qs.filter(superseded_at__isnull=True, review_on__lte=day)
    elif validity == "superseded":
        qs = qs.filter(superseded_at__isnull=False)
    if params.get("q"):
        qs = qs.filter(Q(title__icontains=params["q"]) | Q(enterprise__name__icontains=params["q"]))
    return qs.order_by("review_on", "enterprise__name", "kind")


def without_valid_plan(user: Any, day: dt.date, kind: str = PlanKind.GENERAL) -> QuerySet[Enterprise]:
    """Active enterprises in the user's scope with no valid plan of this kind (the comprehensive one by default)."""
    covered = Plan.objects.filter(kind=kind, superseded_at__isnull=True, approved_on__lte=day,
                                  review_on__gt=day).values("enterprise_id")
    return scope(user, Enterprise).filter(status=Status.ACTIVE).exclude(pk__in=covered).order_by("name")


def plan_status(plan: Plan, day: dt.date) -> str:
    """valid | expiring | expired | superseded."""
    if plan.superseded_at is not None:
        return "superseded"
    if plan.review_on <= day:
        return "expired"
    if plan.review_on <= day + dt.timedelta(days=services.plan_warn_days()):
        return "expiring"
    return "valid"


def drills(user: Any) -> QuerySet[Drill]:
    return scope(user, Drill).select_related("enterprise", "recorded_by")


def filter_drills(user: Any, params: dict[str, Any]) -> QuerySet[Drill]:
    qs = drills(user)
    if params.get("kind") in ("city", "enterprise"):
        qs = qs.filter(kind=params["kind"])
    year = str(params.get("year") or "")
    if year.isdigit() and 1900 <= int(year) <= 2200:
        qs = qs.filter(held_on__year=int(year))
    if params.get("q"):
        qs = qs.filter(Q(title__icontains=params["q"]) | Q(enterprise__name__icontains=params["q"]))
    return qs


def actions(user: Any) -> QuerySet[DrillAction]:
    return scope(user, DrillAction).select_related("drill", "owner_enterprise", "owner_jurisdiction")


def my_open_actions(user: Any) -> QuerySet[DrillAction]:
    """Open action items this user answers for."""
    from parcelguard.accounts.roles import Role

    qs = actions(user).filter(state=ActionState.OPEN)
    if user.role == Role.ENTERPRISE:
        return qs
    if user.role == Role.CITY_BUREAU:
        return qs.filter(Q(owner_jurisdiction_id=user.jurisdiction_id) | Q(owner_jurisdiction__isnull=True,
                                                                             owner_enterprise__isnull=True))
    return qs.filter(owner_jurisdiction_id=user.jurisdiction_id)


def action_due(action: DrillAction) -> dt.datetime:
    """Due by the end of its due day, local time."""
    return dt.datetime.combine(action.due_on + dt.timedelta(days=1), dt.time(), tzinfo=services.local_tz())


def incidents(user: Any) -> QuerySet[Incident]:
    return scope(user, Incident).select_related("county", "site", "enterprise", "reported_by")


def filter_incidents(user: Any, params: dict[str, Any]) -> QuerySet[Incident]:
    qs = incidents(user)
    if params.get("state") == "open":
        qs = qs.exclude(state=IncidentState.CLOSED)
    elif params.get("state") in IncidentState.values:
        qs = qs.filter(state=params["state"])
    if params.get("kind") in services.IncidentKind.values:
        qs = qs.filter(kind=params["kind"])
    if params.get("county"):
        qs = qs.filter(county__code=params["county"])
    if params.get("q"):
        qs = qs.filter(Q(place__icontains=params["q"]) | Q(summary__icontains=params["q"])
                       | Q(enterprise__name__icontains=params["q"]))
    return qs


def waiting_incidents(user: Any) -> QuerySet[Incident]:
    """Incidents whose next step is this user's: the county forwards, the city takes charge and closes."""
    from parcelguard.accounts.roles import Role

    if user.role == Role.COUNTY_CENTRE:
        return incidents(user).filter(state=IncidentState.REPORTED)
    if user.role == Role.CITY_BUREAU:
        return incidents(user).filter(state__in=[IncidentState.FORWARDED, IncidentState.IN_CHARGE])
    return incidents(user).none()


def incidents_on_time(user: Any, start: dt.datetime, end: dt.datetime, now: dt.datetime) -> float:
    """Figure: of the incidents reported in [start, end), the share (%) handled on time at every stage so far."""
    found = list(incidents(user).filter(reported_at__gte=start, reported_at__lt=end))
    if not found:
        return 100.0
    return round(100.0 * sum(1 for i in found if services.on_time(i, now)) / len(found), 1)
