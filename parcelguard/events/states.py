"""The hazard workflow as data (`EVENT_FLOW`, run by `parcelguard.core.workflow`): states, and per action
who may take it from which states, at which tier, and whether a reason and evidence (佐证材料) are
required; the terminal states; the refusals of the named conditions and the flow's wording of the
engine's refusals.

Services do the side effects; this table only says what is allowed. docs/workflow.md draws its state
diagram from this table (`manage.py events_diagram`), so the picture cannot drift from the code.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop, pgettext_lazy

from parcelguard.accounts.roles import Role
from parcelguard.core import workflow
from parcelguard.core.errors import Conflict
from parcelguard.core.workflow import PUBLIC, SYSTEM, Step, Verdict

__all__ = ["AUTO_ESCALATE_FROM", "CITY_STATES", "EVENT_FLOW", "GUARD_ERRORS", "MESSAGES", "OPEN_STATES", "PUBLIC",
           "REWARD_FLOW", "STEPS", "STEPS_BY_ACTION", "SYSTEM", "TERMINAL", "RewardStatus", "State", "Step", "Tier",
           "Verdict", "actions_from", "can_transition", "mermaid", "rules_table", "states_waiting_for", "step",
           "tier_of"]


class State(models.TextChoices):
    REPORTED = "reported", pgettext_lazy("event state", "Reported")  # 已上报, waits for the county centre
    VERIFIED = "verified", _("Verified on site")  # 已核实
    REJECTED = "rejected", pgettext_lazy("event state", "Rejected")  # 不予受理 (duplicate, not a hazard, outside jurisdiction)
    REMINDED = "reminded", _("Reminder letter issued")  # 已发提醒函, the enterprise must rectify
    ANSWERED = "answered", _("Rectification reported")  # 企业已反馈整改, waits for the grid worker
    ESCALATED = "escalated", _("Escalated to the city bureau")  # 已转报市局
    INVESTIGATING = "investigating", _("Case opened, investigating")  # 立案调查
    NOTIFIED = "notified", _("Proposed penalty notified")  # 已告知 (defence / hearing period)
    DECIDED = "decided", _("Decided")  # 已作出处罚决定
    SERVED = "served", _("Decision served")  # 已送达
    PAID = "paid", _("Paid or enforced")  # 已缴纳罚款 / 强制执行
    CLOSED = "closed", pgettext_lazy("event state", "Closed")  # 已办结 (the grid worker confirmed the fix)


class Tier(models.TextChoices):
    COUNTY = "county", _("County centre")  # 县区邮政业安全中心
    CITY = "city", _("City bureau")  # 市邮政管理局


TERMINAL = frozenset({State.REJECTED, State.CLOSED})
CITY_STATES = frozenset({State.ESCALATED, State.INVESTIGATING, State.NOTIFIED, State.DECIDED, State.SERVED,
                         State.PAID})
# The enterprise's rectification deadline passed without an answer → escalated for enforcement. Only the
# enterprise's own lapse: an answer the grid worker has not confirmed is the grid worker's lapse, escalated
# to the county centre (events.clocks), never enforcement against an enterprise that answered on time.
AUTO_ESCALATE_FROM = (State.REMINDED,)


G, C, B, E = Role.GRID_WORKER, Role.COUNTY_CENTRE, Role.CITY_BUREAU, Role.ENTERPRISE
S = State

STEPS: tuple[Step, ...] = (
    workflow.step("report", _("Report a hazard"), (), S.REPORTED, {G, C, B}, Tier.COUNTY, evidence=True,
          note="grid worker (or staff) reports with photo and location"),
    workflow.step("tipoff", _("Tip-off from the public"), (), S.REPORTED, {PUBLIC}, Tier.COUNTY,
          note="public page, optionally anonymous, goes to the county centre"),
    workflow.step("verify", _("Verify on site"), (S.REPORTED,), S.VERIFIED, {C}, Tier.COUNTY, evidence=True,
          note="county centre checks on site (复核)"),
    workflow.step("reject", _("Reject"), (S.REPORTED,), S.REJECTED, {C}, Tier.COUNTY, reason=True,
          note="duplicate, not a hazard, or outside the jurisdiction"),
    workflow.step("remind", _("Issue reminder letter"), (S.VERIFIED,), S.REMINDED, {C}, Tier.COUNTY,
          note="提醒函 with a deadline per hazard type; the letter is the evidence"),
    workflow.step("answer", _("Report rectification"), (S.REMINDED,), S.ANSWERED, {E}, Tier.COUNTY, evidence=True,
          note="the enterprise answers with rectification evidence"),
    workflow.step("confirm_fix", _("Confirm the fix on site"), (S.ANSWERED,), S.CLOSED, {G}, Tier.COUNTY, evidence=True,
          note="返回网格员认证: closed at county tier"),
    workflow.step("fail_fix", _("Fix not confirmed (rework)"), (S.ANSWERED,), S.REMINDED, {G}, Tier.COUNTY, reason=True,
          evidence=True, note="返工: back to the enterprise, same deadline, rework counted"),
    workflow.step("escalate", _("Escalate to the city bureau"), (S.VERIFIED, S.REMINDED, S.ANSWERED), S.ESCALATED, {C},
          Tier.COUNTY, reason=True, note="by hand, with a reason"),
    workflow.step("auto_escalate", _("Escalated automatically (deadline passed)"), AUTO_ESCALATE_FROM, S.ESCALATED,
          {SYSTEM}, Tier.COUNTY, guard="overdue", note="background job, the enterprise's rectification deadline passed without an answer"),
    workflow.step("case_open", _("Open a case"), (S.ESCALATED,), S.INVESTIGATING, {B}, Tier.CITY, reason=True,
          note="立案, with the case-filing approval form"),
    workflow.step("case_decline", _("Decline to open a case"), (S.ESCALATED,), S.VERIFIED, {B}, Tier.CITY, reason=True,
          note="back to the county centre to keep supervising"),
    workflow.step("case_investigate", _("Add investigation evidence"), (S.INVESTIGATING,), "", {B}, Tier.CITY,
          evidence=True, note="调查取证"),
    workflow.step("case_extend", _("Extend the decision period by 30 days"), (S.INVESTIGATING, S.NOTIFIED), "", {B},
          Tier.CITY, reason=True, guard="not_extended", note="+30 days with approval, once"),
    workflow.step("case_notify", _("Notify the proposed penalty"), (S.INVESTIGATING,), S.NOTIFIED, {B}, Tier.CITY,
          reason=True, note="告知: legal basis, proposed penalty; 5 days for defence or hearing"),
    workflow.step("case_defend", _("State a defence or request a hearing"), (S.NOTIFIED,), "", {E}, Tier.CITY,
          reason=True, guard="defence_open", note="陈述申辩 / 听证申请 within 5 days"),
    workflow.step("case_decide", _("Decide"), (S.NOTIFIED,), S.DECIDED, {B}, Tier.CITY, reason=True,
          guard="defence_over", note="罚款 within the legal range, or 约谈 without penalty"),
    workflow.step("case_serve", _("Serve the decision"), (S.DECIDED,), S.SERVED, {B}, Tier.CITY, evidence=True,
          note="送达, with the proof of service; 15 days to pay"),
    workflow.step("case_paid", _("Record payment"), (S.SERVED,), S.PAID, {B}, Tier.CITY, evidence=True, guard="fine_due",
          note="缴纳罚款, with the receipt"),
    workflow.step("case_enforced", _("Record enforcement"), (S.SERVED,), S.PAID, {B}, Tier.CITY, reason=True,
          guard="fine_due", note="强制执行 when not paid"),
    workflow.step("case_confirm_fix", _("Confirm the fix on site"), (S.PAID, S.SERVED), S.CLOSED, {G}, Tier.CITY,
          evidence=True, guard="settled", note="the grid worker confirms the fix: closed at city tier"),
)

# The refusals of the named conditions (Step.guard): condition → (error, machine code, English msgid).
GUARD_ERRORS: dict[str, workflow.GuardError] = {
    "overdue": (Conflict, "not_overdue", gettext_noop("The deadline has not passed.")),
    "not_extended": (Conflict, "already_extended", gettext_noop("The decision period was extended once already.")),
    "defence_open": (Conflict, "defence_period_over",
                     gettext_noop("The period for a defence or hearing request is over.")),
    "defence_over": (Conflict, "defence_period_open",
                     gettext_noop("The party still has time to state a defence or request a hearing.")),
    "fine_due": (Conflict, "no_fine_due", gettext_noop("The decision imposes no fine.")),
    "settled": (Conflict, "not_settled", gettext_noop("The fine is not paid or enforced yet.")),
}

# The engine's refusals in the event's words (the codes are the engine's).
MESSAGES: dict[str, str] = {
    "state_conflict": gettext_noop("Somebody else acted on this event meanwhile; reload it."),
    "transition_not_allowed": gettext_noop("This step is not possible in the event's current state (%(state)s)."),
}


def tier_of(state: str) -> str:
    return Tier.CITY if state in CITY_STATES else Tier.COUNTY


# The side effects live in services (guards read the case, the hook writes the event's own history and
# the notifications); they are looked up when called so that this table imports no model.
def _guards(event: Any, now: Any) -> dict[str, bool]:
    from parcelguard.events.services import guards_of

    return guards_of(event, now)


def _fetch(user: Any, pk: int) -> Any:
    from parcelguard.events.services import event_get_for

    return event_get_for(user, pk)


def _on_record(rec: workflow.Record) -> None:
    from parcelguard.events.services import on_record

    on_record(rec)


EVENT_FLOW = workflow.Flow(
    name="event", label=_("Hazard event"), model="events.Event", states=State, steps=STEPS, terminal=TERMINAL,
    tier_of=tier_of, tier_field="tier", guards=_guards, guard_errors=GUARD_ERRORS, fetch=_fetch,
    on_record=_on_record, scope_of=lambda event: (event.jurisdiction_path, event.enterprise_id),
    messages=MESSAGES)

STEPS_BY_ACTION: dict[str, Step] = {s.action: s for s in STEPS}
OPEN_STATES = EVENT_FLOW.open_states


def step(action: str) -> Step:
    return EVENT_FLOW.step(action)


def actions_from(state: str, role: str) -> list[Step]:
    """Steps a role may take from a state, before guards (used for queues and docs)."""
    return EVENT_FLOW.actions_from(state, role)


def states_waiting_for(role: str) -> list[str]:
    """The states in which some step belongs to this role: what lands in their work queue."""
    return EVENT_FLOW.states_waiting_for(role)


def can_transition(role: str, state: str, tier: str, action: str, guards: dict[str, bool] | None = None) -> Verdict:
    """May this role take this action now? `guards` holds the named conditions computed on the event."""
    return EVENT_FLOW.can(role, state, action, tier=tier, guards=guards)


# ---- rewards for substantiated tip-offs (举报奖励): proposed by the county centre, approved and paid by the
# city bureau. A reward is its own subject ("reward:3"); its data names the event it rewards.

class RewardStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    PAID = "paid", _("Paid")


def _reward_fetch(user: Any, pk: int) -> Any:
    from parcelguard.accounts.scoping import get_for
    from parcelguard.events.models import Reward

    return get_for(user, Reward.objects.select_related("event"), pk=pk)


def _reward_on_record(rec: workflow.Record) -> None:
    from parcelguard.events.services import reward_on_record

    reward_on_record(rec)


REWARD_FLOW = workflow.Flow(
    name="reward", label=_("Tip-off reward"), model="events.Reward", states=RewardStatus,
    steps=(
        workflow.step("propose", _("Propose a reward"), (), RewardStatus.PROPOSED, {C},
                      note="a substantiated tip-off (verified or further) earns a reward"),
        workflow.step("approve", _("Approve the reward"), (RewardStatus.PROPOSED,), RewardStatus.APPROVED, {B}),
        workflow.step("pay", _("Record the payment"), (RewardStatus.APPROVED,), RewardStatus.PAID, {B},
                      note="with the payment reference"),
    ),
    terminal=frozenset({RewardStatus.PAID}), state_field="status", fetch=_reward_fetch, on_record=_reward_on_record,
    scope_of=lambda reward: (reward.event.jurisdiction_path, reward.event.enterprise_id))


def mermaid() -> str:
    """The state diagram, generated from the table (the engine draws every flow the same way)."""
    return EVENT_FLOW.mermaid()


def rules_table() -> str:
    """The role rules as a Markdown table, generated from the table."""
    return EVENT_FLOW.rules_table()
