"""The hazard workflow as data: states, and per action who may take it from which states, at which tier,
and whether a reason and evidence (佐证材料) are required.

Services do the side effects; this table only says what is allowed. docs/workflow.md draws its state
diagram from this table (`manage.py events_diagram`), so the picture cannot drift from the code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from parcelguard.accounts.roles import Role

SYSTEM = "system"  # the background escalation job
PUBLIC = "public"  # a member of the public (tip-off page, no log-in)


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
# Deadline passed in these states without a confirmed fix → escalated automatically.
AUTO_ESCALATE_FROM = (State.REMINDED, State.ANSWERED)


@dataclass(frozen=True)
class Step:
    action: str
    label: Any
    sources: tuple[str, ...]  # () = creates the event
    target: str  # "" = stays where it is (adds to the record)
    roles: frozenset[str]
    tier: str | None
    reason: bool = False
    evidence: bool = False
    guard: str = ""  # a named condition on the event, checked by can_transition()
    note: str = ""  # what the step means, for the docs


def _step(action: str, label: Any, sources: tuple[str, ...], target: str, roles: set[str], tier: str | None,
          **kw: Any) -> Step:
    return Step(action, label, sources, target, frozenset(roles), tier, **kw)


G, C, B, E = Role.GRID_WORKER, Role.COUNTY_CENTRE, Role.CITY_BUREAU, Role.ENTERPRISE
S = State

STEPS: tuple[Step, ...] = (
    _step("report", _("Report a hazard"), (), S.REPORTED, {G, C, B}, Tier.COUNTY, evidence=True,
          note="grid worker (or staff) reports with photo and location"),
    _step("tipoff", _("Tip-off from the public"), (), S.REPORTED, {PUBLIC}, Tier.COUNTY,
          note="public page, optionally anonymous, goes to the county centre"),
    _step("verify", _("Verify on site"), (S.REPORTED,), S.VERIFIED, {C}, Tier.COUNTY, evidence=True,
          note="county centre checks on site (复核)"),
    _step("reject", _("Reject"), (S.REPORTED,), S.REJECTED, {C}, Tier.COUNTY, reason=True,
          note="duplicate, not a hazard, or outside the jurisdiction"),
    _step("remind", _("Issue reminder letter"), (S.VERIFIED,), S.REMINDED, {C}, Tier.COUNTY,
          note="提醒函 with a deadline per hazard type; the letter is the evidence"),
    _step("answer", _("Report rectification"), (S.REMINDED,), S.ANSWERED, {E}, Tier.COUNTY, evidence=True,
          note="the enterprise answers with rectification evidence"),
    _step("confirm_fix", _("Confirm the fix on site"), (S.ANSWERED,), S.CLOSED, {G}, Tier.COUNTY, evidence=True,
          note="返回网格员认证: closed at county tier"),
    _step("fail_fix", _("Fix not confirmed (rework)"), (S.ANSWERED,), S.REMINDED, {G}, Tier.COUNTY, reason=True,
          evidence=True, note="返工: back to the enterprise, same deadline, rework counted"),
    _step("escalate", _("Escalate to the city bureau"), (S.VERIFIED, S.REMINDED, S.ANSWERED), S.ESCALATED, {C},
          Tier.COUNTY, reason=True, note="by hand, with a reason"),
    _step("auto_escalate", _("Escalated automatically (deadline passed)"), AUTO_ESCALATE_FROM, S.ESCALATED,
          {SYSTEM}, Tier.COUNTY, guard="overdue", note="background job, deadline passed without a confirmed fix"),
    _step("case_open", _("Open a case"), (S.ESCALATED,), S.INVESTIGATING, {B}, Tier.CITY, reason=True,
          note="立案, with the case-filing approval form"),
    _step("case_decline", _("Decline to open a case"), (S.ESCALATED,), S.VERIFIED, {B}, Tier.CITY, reason=True,
          note="back to the county centre to keep supervising"),
    _step("case_investigate", _("Add investigation evidence"), (S.INVESTIGATING,), "", {B}, Tier.CITY,
          evidence=True, note="调查取证"),
    _step("case_extend", _("Extend the decision period by 30 days"), (S.INVESTIGATING, S.NOTIFIED), "", {B},
          Tier.CITY, reason=True, guard="not_extended", note="+30 days with approval, once"),
    _step("case_notify", _("Notify the proposed penalty"), (S.INVESTIGATING,), S.NOTIFIED, {B}, Tier.CITY,
          reason=True, note="告知: legal basis, proposed penalty; 5 days for defence or hearing"),
    _step("case_defend", _("State a defence or request a hearing"), (S.NOTIFIED,), "", {E}, Tier.CITY,
          reason=True, guard="defence_open", note="陈述申辩 / 听证申请 within 5 days"),
    _step("case_decide", _("Decide"), (S.NOTIFIED,), S.DECIDED, {B}, Tier.CITY, reason=True,
          guard="defence_over", note="罚款 within the legal range, or 约谈 without penalty"),
    _step("case_serve", _("Serve the decision"), (S.DECIDED,), S.SERVED, {B}, Tier.CITY, evidence=True,
          note="送达, with the proof of service; 15 days to pay"),
    _step("case_paid", _("Record payment"), (S.SERVED,), S.PAID, {B}, Tier.CITY, evidence=True, guard="fine_due",
          note="缴纳罚款, with the receipt"),
    _step("case_enforced", _("Record enforcement"), (S.SERVED,), S.PAID, {B}, Tier.CITY, reason=True,
          guard="fine_due", note="强制执行 when not paid"),
    _step("case_confirm_fix", _("Confirm the fix on site"), (S.PAID, S.SERVED), S.CLOSED, {G}, Tier.CITY,
          evidence=True, guard="settled", note="the grid worker confirms the fix: closed at city tier"),
)

STEPS_BY_ACTION: dict[str, Step] = {s.action: s for s in STEPS}
OPEN_STATES = tuple(s for s in State.values if s not in TERMINAL)


def tier_of(state: str) -> str:
    return Tier.CITY if state in CITY_STATES else Tier.COUNTY


def step(action: str) -> Step:
    return STEPS_BY_ACTION[action]


def actions_from(state: str, role: str) -> list[Step]:
    """Steps a role may take from a state, before guards (used for queues and docs)."""
    return [s for s in STEPS if state in s.sources and role in s.roles]


def states_waiting_for(role: str) -> list[str]:
    """The states in which some step belongs to this role: what lands in their work queue."""
    return [st for st in OPEN_STATES if any(s.target for s in actions_from(st, role))]


@dataclass(frozen=True)
class Verdict:
    ok: bool
    code: str = ""  # role_not_allowed | transition_not_allowed | tier_mismatch | <guard>


def can_transition(role: str, state: str, tier: str, action: str, guards: dict[str, bool] | None = None) -> Verdict:
    """May this role take this action now? `guards` holds the named conditions computed on the event."""
    s = STEPS_BY_ACTION.get(action)
    if s is None:
        return Verdict(False, "unknown_action")
    if role not in s.roles:
        return Verdict(False, "role_not_allowed")
    if state not in s.sources:
        return Verdict(False, "transition_not_allowed")
    if s.tier is not None and tier != s.tier:
        return Verdict(False, "tier_mismatch")
    if s.guard and not (guards or {}).get(s.guard, False):
        return Verdict(False, s.guard)
    return Verdict(True)


def mermaid() -> str:
    """The state diagram, generated from STEPS."""
    lines = ["stateDiagram-v2"]
    for st in State:
        lines.append(f"    {st.value}: {st.value} {st.label}")
    lines.append("    [*] --> reported")
    for s in STEPS:
        if not s.sources:
            continue
        who = "/".join(sorted(s.roles))
        extra = "".join([" ⚑reason" if s.reason else "", " 📎evidence" if s.evidence else "",
                         f" [{s.guard}]" if s.guard else ""])
        for src in s.sources:
            lines.append(f"    {src} --> {s.target or src}: {s.action} ({who}){extra}")
    lines.append("    rejected --> [*]")
    lines.append("    closed --> [*]")
    return "\n".join(lines)


def rules_table() -> str:
    """The role rules as a Markdown table, generated from STEPS."""
    rows = ["| action | from | to | who | tier | reason | evidence | condition | meaning |",
            "|---|---|---|---|---|---|---|---|---|"]
    for s in STEPS:
        rows.append("| `{}` | {} | {} | {} | {} | {} | {} | {} | {} |".format(
            s.action, ", ".join(s.sources) or "—", s.target or "(same)", ", ".join(sorted(s.roles)),
            s.tier or "any", "yes" if s.reason else "", "yes" if s.evidence else "", s.guard, s.note))
    return "\n".join(rows)
