"""The flows of inspections as data (core.workflow): a plan is announced (the seed's commitment), drawn
and locked, redrawn only with a recorded reason, closed; an inspection is assigned by the draw,
submitted from the field, and its results published."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from parcelguard.accounts.roles import Role
from parcelguard.core import workflow
from parcelguard.inspections.models import InspectionState as I
from parcelguard.inspections.models import PlanState as P

B, C = Role.CITY_BUREAU, Role.COUNTY_CENTRE

PLAN_FLOW = workflow.Flow(
    name="inspection_plan", label=_("Inspection plan"), model="inspections.Plan", states=P,
    steps=(
        workflow.step("create", _("Create the plan"), [], P.DRAFT, {B, C}),
        workflow.step("commit", _("Announce the draw"), [P.DRAFT], P.COMMITTED, {B, C},
                      note="publishes SHA-256 of a secret seed and freezes the candidate lists"),
        workflow.step("draw", _("Draw and lock"), [P.COMMITTED], P.DRAWN, {B, C},
                      note="reveals the seed; targets and inspectors follow from it"),
        workflow.step("redraw", _("Override: redraw"), [P.DRAWN], P.COMMITTED, {B}, reason=True,
                      note="only the city bureau, with a recorded reason; a new commitment is published"),
        workflow.step("close", _("Close the plan"), [P.DRAWN], P.CLOSED, {B, C}),
    ),
    terminal=frozenset({P.CLOSED}),
    scope_of=lambda plan: (plan.jurisdiction_path, None),
)

INSPECTION_FLOW = workflow.Flow(
    name="inspection", label=_("Inspection"), model="inspections.Inspection", states=I,
    steps=(
        workflow.step("assign", _("Assigned by the draw"), [], I.ASSIGNED, {B, C}),
        workflow.step("submit", _("Submit the checklist"), [I.ASSIGNED], I.SUBMITTED, {B, C},
                      note="by one of the drawn inspectors; failed items open hazard events"),
        workflow.step("publish", _("Publish the result"), [I.SUBMITTED], I.PUBLISHED, {B, C},
                      note="一公开: shown on the public page without personal data"),
        workflow.step("cancel", _("Cancelled by a redraw"), [I.ASSIGNED], I.CANCELLED, {B}, reason=True),
    ),
    terminal=frozenset({I.PUBLISHED, I.CANCELLED}),
    scope_of=lambda insp: (insp.jurisdiction_path, insp.enterprise_id),
)
