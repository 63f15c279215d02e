"""The recommendation's flow as data (core.workflow): drafted and served by the procurator, answered by
the city bureau, followed up item by item, then closed or taken to court and checked after the judgment."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from parcelguard.accounts.roles import Role
from parcelguard.core import workflow
from parcelguard.core.errors import Conflict
from parcelguard.oversight.models import RecState as S

P, B = Role.PROCURATOR, Role.CITY_BUREAU


def _guards(rec, now):  # type: ignore[no-untyped-def]
    from parcelguard.oversight.clock import due_at

    return {
        "has_items": rec.items.exists(),
        "not_extended": rec.original_due_on is None,
        "has_tasks": rec.items.filter(tasks__isnull=False).exists(),
        "reply_overdue": rec.due_on is not None and now >= due_at(rec.due_on),
    }


RECOMMENDATION_FLOW = workflow.Flow(
    name="recommendation", label=_("Procuratorial recommendation"), model="oversight.Recommendation", states=S,
    steps=(
        workflow.step("create", _("Draft the recommendation"), [], S.DRAFT, {P},
                      note="检察建议书 with its numbered items, linked to sites, events, warnings, audit results"),
        workflow.step("serve", _("Serve"), [S.DRAFT], S.SERVED, {P}, guard="has_items",
                      note="送达 (directly, by mail, or 宣告送达); starts the reply clock: 2 months, 15 days if urgent"),
        workflow.step("extend", _("Extend the reply period"), [S.SERVED], "", {P}, reason=True,
                      guard="not_extended", note="once, for a recorded objective reason"),
        workflow.step("reply", _("Issue the written reply"), [S.SERVED], S.REPLIED, {B}, guard="has_tasks",
                      note="书面回复: numbered PDF built item by item from the bureau's records"),
        workflow.step("follow_up", _("Record the follow-up"), [S.REPLIED], S.FOLLOWED_UP, {P},
                      note="跟进调查: each item rectified, partly, or not"),
        workflow.step("follow_up_unanswered", _("Record the follow-up (no reply in time)"), [S.SERVED],
                      S.FOLLOWED_UP, {P}, guard="reply_overdue", note="the reply period ran out without a reply"),
        workflow.step("sue", _("Record the suit"), [S.FOLLOWED_UP], S.SUED, {P},
                      note="行政公益诉讼: court, case number, filing date, claims"),
        workflow.step("judge", _("Record the judgment"), [S.SUED], S.JUDGED, {P}),
        workflow.step("recheck", _("Record a compliance check"), [S.JUDGED], "", {P},
                      note="checks after the judgment, item by item, with evidence (checked by the service)"),
        workflow.step("close", _("Close"), [S.FOLLOWED_UP, S.JUDGED], S.CLOSED, {P}, reason=True),
    ),
    terminal=frozenset({S.CLOSED}),
    guards=_guards,
    guard_errors={
        "has_items": (Conflict, "no_items", "A recommendation needs at least one item."),
        "not_extended": (Conflict, "already_extended", "The reply period can be extended only once."),
        "has_tasks": (Conflict, "no_tasks",
                      "Split the recommendation into rectification tasks before replying."),
        "reply_overdue": (Conflict, "not_replied",
                          "The follow-up comes after the bureau's reply, or once the reply is overdue."),
    },
    scope_of=lambda rec: (rec.jurisdiction_path, None),
)
