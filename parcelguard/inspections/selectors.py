"""Reads of inspections, always through the scoping layer: plans, inspections, the work waiting, the
figures and the public (anonymous) lists, which carry no personal data."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.db.models import Avg, QuerySet

from parcelguard.accounts.scoping import scope
from parcelguard.inspections.models import (
    Finding,
    Inspection,
    InspectionState,
    Inspector,
    Plan,
    PlanState,
    Standard,
)

DONE = (InspectionState.SUBMITTED, InspectionState.PUBLISHED)


def standards(user: Any) -> QuerySet[Standard]:
    return scope(user, Standard)


def plans(user: Any) -> QuerySet[Plan]:
    return scope(user, Plan).select_related("standard", "created_by")


def inspections(user: Any) -> QuerySet[Inspection]:
    return scope(user, Inspection).select_related("site", "enterprise", "plan", "standard")


def pool(user: Any) -> QuerySet[Inspector]:
    return scope(user, Inspector).select_related("user")


def assigned_to(user: Any) -> QuerySet[Inspection]:
    return inspections(user).filter(state=InspectionState.ASSIGNED, inspectors__user_id=user.pk).distinct()


def plan_stats(plan: Plan) -> dict[str, Any]:
    rows = plan.inspections.exclude(state=InspectionState.CANCELLED)
    drawn = rows.count()
    done = rows.filter(state__in=DONE)
    n_done = done.count()
    passed = done.exclude(grade="fail").count()
    by_item = Counter(Finding.objects.filter(inspection__plan=plan).values_list("item_text", flat=True))
    return {"drawn": drawn, "done": n_done, "coverage": round(100 * n_done / drawn, 1) if drawn else 0,
            "pass_rate": round(100 * passed / n_done, 1) if n_done else 0,
            "average": done.aggregate(a=Avg("percent"))["a"], "by_item": by_item.most_common(10)}


def done_between(user: Any, start: dt.datetime, end: dt.datetime) -> QuerySet[Inspection]:
    return inspections(user).filter(state__in=DONE, submitted_at__gte=start, submitted_at__lt=end)


def public_plans() -> QuerySet[Plan]:
    return Plan.objects.exclude(state=PlanState.DRAFT).select_related("standard")


def public_results(plan: Plan) -> QuerySet[Inspection]:
    return plan.inspections.filter(state=InspectionState.PUBLISHED).select_related("site", "enterprise")
