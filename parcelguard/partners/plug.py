"""How coordination plugs into the platform's seams: its flows; the work waiting (a transfer's receipt or
feedback to record, chasing when it is late; a meeting's minutes; one's own action items); the duty record
(feedback not chased in time, action items late); and its figures."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parcelguard.accounts.roles import Role
from parcelguard.core import registry, workflow
from parcelguard.events import deadlines
from parcelguard.partners import selectors
from parcelguard.partners.flow import ACTION_FLOW, FLOWS, MEETING_FLOW, TRANSFER_FLOW
from parcelguard.partners.models import ActionState, Direction


def _transfer_items(user: Any, now: dt.datetime) -> Iterable[registry.WorkItem]:
    qs = selectors.transfers(user).filter(direction=Direction.OUTGOING, state__in=selectors.WAITING)
    for t in qs.order_by("feedback_due", "pk")[:500]:
        late = t.feedback_due is not None and now >= t.feedback_due
        title = (_("Feedback on clue %(number)s from %(partner)s is late: chase it")
                 if late else _("Clue %(number)s to %(partner)s: record the receipt and the feedback"))
        yield registry.WorkItem("partners", TRANSFER_FLOW.subject(t),
                                title % {"number": t.number, "partner": t.partner.name},
                                reverse("partners:transfer", args=[t.pk]), t.get_state_display(),
                                due=t.feedback_due, since=t.sent_at, urgency=deadlines.status(t.feedback_due, now))


def work(user: Any, now: dt.datetime) -> Iterable[registry.WorkItem]:
    role = getattr(user, "role", None)
    if role == Role.CITY_BUREAU:
        yield from _transfer_items(user, now)
    if role in (Role.CITY_BUREAU, Role.COUNTY_CENTRE):
        for m in selectors.planned_past(user, now).filter(convened_by=user)[:100]:
            yield registry.WorkItem("partners", MEETING_FLOW.subject(m),
                                    _("Record the minutes of %(title)s") % {"title": m.title},
                                    reverse("partners:meeting", args=[m.pk]), m.get_state_display(), since=m.starts_at)
        for a in selectors.actions(user).filter(owner=user, state=ActionState.OPEN)[:200]:
            yield registry.WorkItem("partners", ACTION_FLOW.subject(a),
                                    _("Joint meeting decision: %(text)s") % {"text": a.text[:60]},
                                    reverse("partners:meeting", args=[a.meeting_id]), a.get_state_display(),
                                    due=a.due_at, since=a.meeting.starts_at, urgency=deadlines.status(a.due_at, now))


def duty(user: Any, start: dt.datetime, end: dt.datetime, now: dt.datetime) -> Iterable[registry.Lapse]:
    """A transfer whose feedback day passed without feedback (the bureau must chase it: 行刑衔接 is not
    done when the letter leaves), and a meeting decision done late or not yet."""
    qs = selectors.transfers(user).filter(direction=Direction.OUTGOING, feedback_due__gte=start,
                                          feedback_due__lt=end).exclude(state="withdrawn")
    for t in qs:
        if (t.feedback_at or now) >= t.feedback_due:
            note = (_("chased %(n)d times") % {"n": t.reminders}) if t.reminders else _("never chased")
            yield registry.Lapse("partners", TRANSFER_FLOW.subject(t),
                                 _("Feedback on clue %(number)s from %(partner)s")
                                 % {"number": t.number, "partner": t.partner.name},
                                 reverse("partners:transfer", args=[t.pk]), t.jurisdiction_path, t.feedback_due,
                                 done_at=t.feedback_at, note=note)
    for a in selectors.actions(user).filter(due_at__gte=start, due_at__lt=end).exclude(state=ActionState.CANCELLED):
        if (a.done_at or now) >= a.due_at:
            yield registry.Lapse("partners", ACTION_FLOW.subject(a),
                                 _("Joint meeting decision: %(text)s") % {"text": a.text[:60]},
                                 reverse("partners:meeting", args=[a.meeting_id]), a.jurisdiction_path, a.due_at,
                                 done_at=a.done_at, note=str(a.owner.display_name or a.owner.username))


def register_all() -> None:
    for flow in FLOWS:
        workflow.register(flow)
    registry.register_work("partners", gettext_lazy("Inter-department coordination"), work)
    registry.register_duty("partners", gettext_lazy("Clue feedback and joint meeting decisions"), duty)
    registry.register_figure(registry.Figure(
        key="partners.transfers_sent", label=gettext_lazy("Clues transferred to partner departments"),
        compute=lambda user, start, end, **_f: selectors.sent_in(user, start, end), section="partners",
        help=gettext_lazy("Clue transfers sent in the period (线索移送).")))
    registry.register_figure(registry.Figure(
        key="partners.feedback_late", label=gettext_lazy("Clue feedback late or missing"),
        compute=lambda user, start, end, now=None, **_f: selectors.feedback_late(user, start, end, now or end),
        section="partners",
        help=gettext_lazy("Transfers whose feedback fell due in the period and came after the day or not at all.")))
    registry.register_figure(registry.Figure(
        key="partners.actions_late", label=gettext_lazy("Joint meeting decisions late"),
        compute=lambda user, start, end, now=None, **_f: selectors.actions_late(user, start, end, now or end),
        section="partners",
        help=gettext_lazy("Action items falling due in the period that were done after the day or not yet.")))
