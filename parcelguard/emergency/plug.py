"""How emergency management plugs into the platform's seams: its two flows; the work waiting (an incident
to forward or take charge of, a plan expiring or missing, a drill action item due); the duty record (an
incident step taken late or not yet); and its figures."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parcelguard.accounts.roles import Role
from parcelguard.core import registry, workflow
from parcelguard.emergency import selectors, services
from parcelguard.emergency.flow import ACTION_FLOW, INCIDENT_FLOW
from parcelguard.emergency.models import Incident, IncidentState, PlanKind


def _urgency(due: dt.datetime | None, now: dt.datetime, near: dt.timedelta) -> str:
    if due is None:
        return ""
    if now >= due:
        return "overdue"
    return "near" if due - now <= near else "ok"


def work(user: Any, now: dt.datetime) -> Iterable[registry.WorkItem]:
    """Incidents whose next step is mine, with the clock of that step."""
    for incident in selectors.waiting_incidents(user):
        stage = services.current_stage(incident)
        due = stage.due if stage else None
        title = _("Incident: %(kind)s at %(place)s") % {"kind": incident.get_kind_display(), "place": incident.place}
        yield registry.WorkItem("incident", INCIDENT_FLOW.subject(incident), title,
                                reverse("emergency:incident", args=[incident.pk]), incident.get_state_display(),
                                due=due, since=incident.reported_at,
                                urgency=_urgency(due, now, dt.timedelta(minutes=10)))


def plan_work(user: Any, now: dt.datetime) -> Iterable[registry.WorkItem]:
    """An enterprise without a valid comprehensive plan, or with a plan due for review within 30 days."""
    if getattr(user, "role", None) == Role.ENTERPRISE and user.enterprise_id:
        today = timezone.localtime(now).date()
        current = {p.kind: p for p in selectors.plans(user).filter(superseded_at__isnull=True)}
        general = current.get(PlanKind.GENERAL)
        if general is None or general.review_on <= today:
            yield registry.WorkItem("emergency_plan", f"plan-missing:{user.enterprise_id}",
                                    _("No valid comprehensive emergency plan: file one"),
                                    reverse("emergency:plans"), _("Missing"))
        warn = today + dt.timedelta(days=services.plan_warn_days())
        for plan in current.values():
            if today < plan.review_on <= warn:
                due = dt.datetime.combine(plan.review_on, dt.time(), tzinfo=services.local_tz())
                yield registry.WorkItem("emergency_plan", f"plan:{plan.pk}",
                                        _("Emergency plan due for review: %(title)s") % {"title": plan.title},
                                        reverse("emergency:plan", args=[plan.pk]), _("Expiring"), due=due,
                                        urgency="near")


def action_work(user: Any, now: dt.datetime) -> Iterable[registry.WorkItem]:
    """Open drill action items I answer for."""
    for action in selectors.my_open_actions(user):
        due = selectors.action_due(action)
        yield registry.WorkItem("drill_action", ACTION_FLOW.subject(action),
                                _("Drill action item: %(problem)s") % {"problem": action.problem},
                                reverse("emergency:drill", args=[action.drill_id]), action.get_state_display(),
                                due=due, since=action.created_at, urgency=_urgency(due, now, dt.timedelta(days=3)))


def duty(user: Any, start: dt.datetime, end: dt.datetime, now: dt.datetime) -> Iterable[registry.Lapse]:
    """An incident the county did not forward, or the city did not take charge of, within the limit."""
    found = selectors.incidents(user).filter(reported_at__gte=start - dt.timedelta(days=2), reported_at__lt=end)
    for incident in found:
        for stage in services.stages(incident)[1:]:
            if stage.due is None or not start <= stage.due < end:
                continue
            if stage.status(now) in ("late", "overdue"):
                yield _lapse(incident, stage)


def _lapse(incident: Incident, stage: services.Stage) -> registry.Lapse:
    assert stage.due is not None
    return registry.Lapse("incident", INCIDENT_FLOW.subject(incident),
                          _("%(stage)s: %(kind)s at %(place)s") % {"stage": stage.label,
                                                                  "kind": incident.get_kind_display(),
                                                                  "place": incident.place},
                          reverse("emergency:incident", args=[incident.pk]), incident.jurisdiction_path, stage.due,
                          done_at=stage.done_at, note=_("limit %(n)d minutes") % {"n": stage.minutes},
                          enterprise_id=incident.enterprise_id)


def register_all() -> None:
    workflow.register(INCIDENT_FLOW)
    workflow.register(ACTION_FLOW)
    registry.register_work("incident", gettext_lazy("Incidents"), work)
    registry.register_work("emergency_plan", gettext_lazy("Emergency plans"), plan_work)
    registry.register_work("drill_action", gettext_lazy("Drill action items"), action_work)
    registry.register_duty("incident", gettext_lazy("Incident steps taken late"), duty)
    registry.register_figure(registry.Figure(
        key="emergency.without_valid_plan", label=gettext_lazy("Enterprises without a valid emergency plan"),
        compute=lambda user, start, end, now=None, **_f: selectors.without_valid_plan(
            user, timezone.localtime(min(now or end, end)).date()).count(),
        section="emergency",
        help=gettext_lazy("Active enterprises with no comprehensive plan that is current and before its review date.")))
    registry.register_figure(registry.Figure(
        key="emergency.incidents_on_time", label=gettext_lazy("Incidents handled on time"),
        compute=lambda user, start, end, now=None, **_f: selectors.incidents_on_time(user, start, end, now or end),
        unit="%", section="emergency",
        help=gettext_lazy("Share of the incidents reported in the period whose report, forwarding and taking "
                          "charge all kept their time limits.")))


__all__ = ["IncidentState"]
