"""The flows of inter-department coordination as data (core.workflow): a clue transfer, a joint meeting
and a meeting's action item."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from parcelguard.accounts.roles import Role
from parcelguard.core import workflow
from parcelguard.partners.models import ActionState as A
from parcelguard.partners.models import MeetingState as M
from parcelguard.partners.models import TransferState as T

B, C = Role.CITY_BUREAU, Role.COUNTY_CENTRE

TRANSFER_FLOW = workflow.Flow(
    name="clue_transfer", label=_("Clue transfer"), model="partners.Transfer", states=T,
    steps=(
        workflow.step("send", _("Transfer the clue"), [], T.SENT, {B}, evidence=True,
                      note="线索移送: the transfer letter (线索移送函) is issued and the evidence attached"),
        workflow.step("register", _("Register a clue from a partner"), [], T.REGISTERED, {B, C}, evidence=True,
                      note="a partner's transfer enters as a hazard event (source: partner)"),
        workflow.step("receipt", _("Record the partner's receipt"), [T.SENT], T.RECEIVED, {B},
                      note="回执: the partner signed for the letter"),
        workflow.step("chase", _("Chase the feedback"), [T.SENT, T.RECEIVED], "", {B}, reason=True,
                      note="催办: by phone or letter, recorded"),
        workflow.step("feedback", _("Record the partner's feedback"), [T.SENT, T.RECEIVED], T.ANSWERED, {B},
                      reason=True, evidence=True, note="the partner's written feedback (反馈函)"),
        workflow.step("close", _("Close the transfer"), [T.ANSWERED], T.CLOSED, {B}),
        workflow.step("withdraw", _("Withdraw the transfer"), [T.SENT], T.WITHDRAWN, {B}, reason=True),
    ),
    terminal=frozenset({T.CLOSED, T.WITHDRAWN, T.REGISTERED}),
    scope_of=lambda t: (t.jurisdiction_path, None),
    messages={"evidence_required": "A clue is transferred with its evidence: attach at least one file."},
)

MEETING_FLOW = workflow.Flow(
    name="meeting", label=_("Joint meeting"), model="partners.Meeting", states=M,
    steps=(
        workflow.step("convene", _("Convene a joint meeting"), [], M.PLANNED, {B, C}),
        workflow.step("record", _("Record the minutes"), [M.PLANNED], M.HELD, {B, C},
                      note="minutes, and the decisions as action items"),
        workflow.step("cancel", _("Cancel the meeting"), [M.PLANNED], M.CANCELLED, {B, C}, reason=True),
    ),
    terminal=frozenset({M.HELD, M.CANCELLED}),
    scope_of=lambda m: (m.jurisdiction_path, None),
)

ACTION_FLOW = workflow.Flow(
    name="meeting_action", label=_("Meeting action item"), model="partners.ActionItem", states=A,
    steps=(
        workflow.step("assign", _("Decide an action item"), [], A.OPEN, {B, C}),
        workflow.step("complete", _("Report the action done"), [A.OPEN], A.DONE, {B, C}, reason=True, evidence=True),
        workflow.step("drop", _("Drop the action item"), [A.OPEN], A.CANCELLED, {B, C}, reason=True),
    ),
    terminal=frozenset({A.DONE, A.CANCELLED}),
    scope_of=lambda a: (a.jurisdiction_path, None),
)

FLOWS = (TRANSFER_FLOW, MEETING_FLOW, ACTION_FLOW)
