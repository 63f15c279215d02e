"""The emergency flows as data (core.workflow): an incident routed up the tiers against the clock, and
a drill's action item completed with evidence."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from parcelguard.accounts.roles import Role
from parcelguard.core import workflow
from parcelguard.emergency.models import ActionState as A
from parcelguard.emergency.models import IncidentState as S


def _keep_evidence(record: workflow.Record) -> None:
    """The evidence of a step is also the record's own (its page lists it); a follow-up is a row of its own."""
    evidence = [ev for ev, _kind in record.attached]
    if record.flow.name == "incident" and record.step.action == "follow_up":
        from parcelguard.emergency.models import IncidentUpdate

        update = IncidentUpdate.objects.create(incident=record.subject, at=record.change.at, author=record.actor,
                                               author_role=record.role, text=record.change.reason[:4000])
        update.evidence.add(*evidence)
    elif evidence:
        record.subject.evidence.add(*evidence)


B, C, G, E = Role.CITY_BUREAU, Role.COUNTY_CENTRE, Role.GRID_WORKER, Role.ENTERPRISE

INCIDENT_FLOW = workflow.Flow(
    name="incident", label=_("Incident"), model="emergency.Incident", states=S,
    steps=(
        workflow.step("report", _("Report an incident"), [], S.REPORTED, {E, G, C},
                      note="首报: within EMERGENCY_REPORT_MINUTES of the occurrence"),
        workflow.step("forward", _("Forward to the city"), [S.REPORTED], S.FORWARDED, {C}, tier="county",
                      note="the county centre passes it up within EMERGENCY_FORWARD_MINUTES"),
        workflow.step("take_charge", _("Take charge"), [S.FORWARDED], S.IN_CHARGE, {B}, tier="city",
                      note="the city bureau takes command within EMERGENCY_TAKE_CHARGE_MINUTES"),
        workflow.step("follow_up", _("Follow-up report"), [S.REPORTED, S.FORWARDED, S.IN_CHARGE], "",
                      {E, G, C, B}, reason=True, note="续报: adds to the record, any tier involved"),
        workflow.step("close", _("Close the incident"), [S.IN_CHARGE], S.CLOSED, {B}, tier="city", reason=True,
                      evidence=True, note="closed with the handling summary and evidence"),
    ),
    terminal=frozenset({S.CLOSED}),
    scope_of=lambda incident: (incident.jurisdiction_path, incident.enterprise_id),
    on_record=_keep_evidence,
)

ACTION_FLOW = workflow.Flow(
    name="drillaction", label=_("Drill action item"), model="emergency.DrillAction", states=A,
    steps=(
        workflow.step("create", _("Record a problem found in a drill"), [], A.OPEN, {B, E},
                      note="the drill's organiser names an owner and a due day"),
        workflow.step("complete", _("Mark as done"), [A.OPEN], A.DONE, {B, C, E}, evidence=True,
                      note="the owner shows what was done"),
        workflow.step("reopen", _("Reopen"), [A.DONE], A.OPEN, {B, C}, reason=True,
                      note="the regulator finds the fix insufficient"),
    ),
    terminal=frozenset({A.DONE}),
    scope_of=lambda action: (action.jurisdiction_path, action.owner_enterprise_id),
    on_record=_keep_evidence,
)
