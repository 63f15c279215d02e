"""How inspections plug into the platform's seams: the two flows, the work waiting (an inspector's
assigned inspections, results to publish), the duty record (inspections not done by the plan's end)
and the figures."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Avg
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parcelguard.core import registry, workflow
from parcelguard.inspections import selectors
from parcelguard.inspections.flow import INSPECTION_FLOW, PLAN_FLOW
from parcelguard.inspections.models import InspectionState


def work(user: Any, now: dt.datetime) -> Iterable[registry.WorkItem]:
    if getattr(user, "role", None) not in ("city_bureau", "county_centre"):
        return
    for insp in selectors.assigned_to(user)[:200]:
        yield registry.WorkItem("inspection", INSPECTION_FLOW.subject(insp),
                                _("Inspect %(site)s (%(plan)s)") % {"site": insp.site.name, "plan": insp.plan.title},
                                reverse("inspections:fill", args=[insp.pk]), insp.get_state_display(), due=insp.due_at)
    for insp in selectors.inspections(user).filter(state=InspectionState.SUBMITTED)[:200]:
        yield registry.WorkItem("inspection", INSPECTION_FLOW.subject(insp),
                                _("Publish the result of %(site)s") % {"site": insp.site.name},
                                reverse("inspections:detail", args=[insp.pk]), insp.get_state_display(),
                                since=insp.submitted_at)


def duty(user: Any, start: dt.datetime, end: dt.datetime, now: dt.datetime) -> Iterable[registry.Lapse]:
    """A drawn inspection not submitted by the end of its plan's period (late, or not yet)."""
    rows = selectors.inspections(user).exclude(state=InspectionState.CANCELLED).filter(due_at__gte=start, due_at__lt=end)
    for insp in rows:
        done = insp.submitted_at
        if (done or now) >= insp.due_at:
            yield registry.Lapse("inspection", INSPECTION_FLOW.subject(insp),
                                 _("Inspection of %(site)s (%(plan)s)") % {"site": insp.site.name,
                                                                           "plan": insp.plan.title},
                                 reverse("inspections:detail", args=[insp.pk]), insp.jurisdiction_path, insp.due_at,
                                 done_at=done)


def register_all() -> None:
    workflow.register(PLAN_FLOW)
    workflow.register(INSPECTION_FLOW)
    registry.register_work("inspection", gettext_lazy("Inspections"), work)
    registry.register_duty("inspection", gettext_lazy("Inspections not done by the plan's end"), duty)
    registry.register_figure(registry.Figure(
        key="inspections.done", label=gettext_lazy("Inspections done"), section="inspections",
        compute=lambda user, start, end, **_f: selectors.done_between(user, start, end).count(),
        help=gettext_lazy("Checklists submitted in the period.")))
    registry.register_figure(registry.Figure(
        key="inspections.average_percent", label=gettext_lazy("Average inspection score"), unit="%",
        section="inspections",
        compute=lambda user, start, end, **_f: round(float(selectors.done_between(user, start, end).aggregate(
            a=Avg("percent"))["a"] or 0), 1),
        help=gettext_lazy("Mean of the scores (percent of the applicable points) of the checklists submitted.")))
    registry.register_figure(registry.Figure(
        key="inspections.below_standard", label=gettext_lazy("Inspections below standard"), section="inspections",
        compute=lambda user, start, end, **_f: selectors.done_between(user, start, end).filter(grade="fail").count()))
