"""How oversight plugs into the platform's seams: its flow, the work waiting (the bureau's reply with its
days left, the county centre's tasks, the procurator's follow-ups), the duty record (replies late or
missing) and its figures."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parcelguard.accounts.roles import Role
from parcelguard.core import registry, workflow
from parcelguard.oversight import clock as rclock
from parcelguard.oversight import selectors
from parcelguard.oversight.flow import RECOMMENDATION_FLOW as FLOW
from parcelguard.oversight.models import RecState


def _days(rec: Any, now: dt.datetime) -> str:
    left = rclock.days_left(rec.due_on, now)
    if left is None:
        return ""
    return _("%(n)d days left") % {"n": left} if left >= 0 else _("%(n)d days late") % {"n": -left}


def work(user: Any, now: dt.datetime) -> Iterable[registry.WorkItem]:
    role = getattr(user, "role", None)
    if role == Role.CITY_BUREAU:
        for rec in selectors.waiting_reply(user):
            yield registry.WorkItem(
                "recommendation", FLOW.subject(rec),
                _("Reply to recommendation %(number)s (%(days)s)") % {"number": rec.number, "days": _days(rec, now)},
                reverse("oversight:recommendation", args=[rec.pk]), rec.get_state_display(),
                due=rclock.due_at(rec.due_on), since=rec.updated_at)
    if role in (Role.CITY_BUREAU, Role.COUNTY_CENTRE):
        for task in selectors.open_tasks(user):
            yield registry.WorkItem(
                "recommendation", f"task:{task.pk}",
                _("Rectification task: %(title)s (recommendation %(number)s, item %(n)d)")
                % {"title": task.title, "number": task.item.recommendation.number, "n": task.item.position},
                reverse("oversight:task", args=[task.pk]), _("Open"), due=rclock.due_at(task.due_on),
                since=task.created_at)
    if role == Role.PROCURATOR:
        for rec in selectors.recommendations(user).filter(state__in=(RecState.DRAFT, RecState.SERVED,
                                                                     RecState.REPLIED)):
            if rec.state == RecState.SERVED and now < rclock.due_at(rec.due_on):
                continue  # the bureau's turn
            title = {RecState.DRAFT: _("Serve recommendation %(number)s"),
                     RecState.SERVED: _("Reply to %(number)s overdue: follow up"),
                     RecState.REPLIED: _("Follow up recommendation %(number)s")}[rec.state] % {"number": rec.number}
            yield registry.WorkItem("recommendation", FLOW.subject(rec), title,
                                    reverse("oversight:recommendation", args=[rec.pk]), rec.get_state_display(),
                                    since=rec.updated_at)


def duty(user: Any, start: dt.datetime, end: dt.datetime, now: dt.datetime) -> Iterable[registry.Lapse]:
    for rec, due in selectors.reply_lapses(user, start, end, now):
        yield registry.Lapse("recommendation", FLOW.subject(rec),
                             _("Reply to procuratorial recommendation %(number)s") % {"number": rec.number},
                             reverse("oversight:recommendation", args=[rec.pk]), rec.jurisdiction_path, due,
                             done_at=rec.replied_at)


def register_all() -> None:
    workflow.register(FLOW)
    registry.register_work("recommendation", gettext_lazy("Procuratorial recommendations"), work)
    registry.register_duty("recommendation", gettext_lazy("Replies to procuratorial recommendations"), duty)
    for key, label, compute, help_text in (
        ("oversight.open", gettext_lazy("Open procuratorial recommendations"), selectors.figure_open,
         gettext_lazy("Served recommendations not yet closed.")),
        ("oversight.replies_due", gettext_lazy("Replies due"), selectors.figure_replies_due,
         gettext_lazy("Served recommendations awaiting the bureau's reply, still within the period.")),
        ("oversight.replies_late", gettext_lazy("Replies late"), selectors.figure_replies_late,
         gettext_lazy("Replies that fell due in the period and came late or not at all.")),
        ("oversight.items_rectified", gettext_lazy("Items found rectified"), selectors.figure_items_rectified,
         gettext_lazy("Recommendation items the procurator's on-site check found rectified in the period.")),
    ):
        registry.register_figure(registry.Figure(key=key, label=label, compute=compute, section="oversight",
                                                 help=help_text))
