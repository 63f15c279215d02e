"""Every clock of the hazard workflow, computed in one place.

- **Step clocks.** Each open state of an event waits for one party (its *owner*) and has a time limit:
  the county centre verifies a report and issues the reminder, the enterprise rectifies by the reminder's
  deadline, the grid worker confirms the fix, the city bureau decides whether to open a case, decides,
  serves, and the enterprise pays. The limit of the current step is the event's `deadline` column (one
  indexed column, swept by the scheduler); `entry_deadline` says what it becomes when a step is entered.
  The limits that are not set by law are settings (`EVENT_STEP_DAYS`).
- **Escalation follows who failed.** When a step's limit passes, `sweep` escalates to the party above
  the one that missed it: a grid worker's missing confirmation goes to the county centre, a county
  centre's missing verification or reminder to the city bureau; only the enterprise's missed
  rectification goes to enforcement (`services.escalate_overdue`, the `auto_escalate` step). Each missed
  step is recorded once (`StepLapse`, unique per event, state and deadline), so the sweep is safe to run
  twice and the demo can replay it at the moments it was due (`replay`).
- **Overdue.** One definition, `overdue_q`: an open event whose current step's deadline has passed.
  The dashboard, the event list, the duty record, the monthly report and the API all count it here.
- **Case clocks** (行政处罚法, 行政强制法): decide, defence, serve, pay, then for an unpaid fine the
  surcharge (加处罚款, 3 %/day capped at the fine), the written demand (催告) and the application for
  court enforcement (within 3 months after the 6-month lawsuit period). Each has one state: running, met,
  missed or not applicable (`CaseClock`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parcelguard.accounts.roles import Role
from parcelguard.core import clock
from parcelguard.events import deadlines
from parcelguard.events.states import TERMINAL, State

# ---- step clocks ------------------------------------------------------------------------------------------

# Working days each step may take where no law or hazard type sets it (settings: EVENT_STEP_DAYS).
DEFAULT_STEP_DAYS: dict[str, int] = {
    State.REPORTED: 3,  # the county centre verifies on site
    State.VERIFIED: 2,  # ... and issues the reminder letter (or escalates)
    State.ANSWERED: 3,  # the grid worker confirms the fix on site
    State.SERVED: 5,  # no fine to pay: the grid worker confirms the fix
    State.PAID: 5,  # fine paid: the grid worker confirms the fix
}

# Who must take the next step in each open state (SERVED: the enterprise pays, or with no fine the grid
# worker confirms the fix).
OWNER: dict[str, str] = {
    State.REPORTED: Role.COUNTY_CENTRE, State.VERIFIED: Role.COUNTY_CENTRE, State.REMINDED: Role.ENTERPRISE,
    State.ANSWERED: Role.GRID_WORKER, State.ESCALATED: Role.CITY_BUREAU, State.INVESTIGATING: Role.CITY_BUREAU,
    State.NOTIFIED: Role.CITY_BUREAU, State.DECIDED: Role.CITY_BUREAU, State.SERVED: Role.ENTERPRISE,
    State.PAID: Role.GRID_WORKER,
}
# Who a missed step is escalated to. The enterprise's missed rectification goes to the city bureau for
# enforcement (the auto_escalate step); the city bureau answers to the procuratorate (the duty record).
SUPERVISOR: dict[str, str] = {
    Role.GRID_WORKER: Role.COUNTY_CENTRE, Role.COUNTY_CENTRE: Role.CITY_BUREAU, Role.ENTERPRISE: Role.CITY_BUREAU,
    Role.CITY_BUREAU: "",
}
STEP_WHAT: dict[str, str] = {  # the missed step, in the words of a notification
    State.REPORTED: "核实上报的隐患", State.VERIFIED: "发出提醒函或转报市局", State.REMINDED: "整改并反馈",
    State.ANSWERED: "现场确认整改", State.ESCALATED: "作出是否立案的决定", State.INVESTIGATING: "作出处罚决定",
    State.NOTIFIED: "作出处罚决定", State.DECIDED: "送达处罚决定书", State.SERVED: "缴纳罚款",
    State.PAID: "现场确认整改",
}
PARTY: dict[str, str] = {Role.GRID_WORKER: "网格员", Role.COUNTY_CENTRE: "县区邮政业安全中心",
                         Role.ENTERPRISE: "寄递企业", Role.CITY_BUREAU: "市邮政管理局"}


def step_days() -> dict[str, int]:
    return {**DEFAULT_STEP_DAYS, **getattr(settings, "EVENT_STEP_DAYS", {})}


def owner_of(state: str, *, fine_due: bool = True) -> str:
    if state == State.SERVED and not fine_due:
        return Role.GRID_WORKER
    return OWNER.get(state, "")


def entry_deadline(event: Any, target: str, now: dt.datetime) -> dt.datetime | None:
    """The deadline of the step an event enters, where the service does not set one itself: the step's
    limit in working days, the rectification deadline again after a failed fix, none once it ends."""
    if target in TERMINAL:
        return None
    days = step_days().get(target)
    if days is not None:
        return deadlines.deadline_after(timezone.localtime(now).date(), days, working=True)
    if target == State.REMINDED and getattr(event, "rectify_by", None):
        return event.rectify_by
    return getattr(event, "deadline", None)


def entry_changes(target: str, now: dt.datetime) -> dict[str, Any]:
    """The same as `entry_deadline`, as the column change of a transition (a failed fix goes back to the
    rectification deadline the event already carries; a step with no limit of its own keeps the deadline)."""
    if target in TERMINAL:
        return {"deadline": None}
    if target in step_days():
        return {"deadline": entry_deadline(None, target, now)}
    if target == State.REMINDED:
        return {"deadline": models.F("rectify_by")}
    return {}


# ---- overdue: the one definition -----------------------------------------------------------------------

OPEN_STATES = tuple(s for s in State.values if s not in TERMINAL)  # IN (...) uses the state index


def overdue_q(as_of: dt.datetime | None = None, prefix: str = "") -> Q:
    """Overdue (逾期未办结): open, and the current step's deadline has passed at `as_of` (default now)."""
    as_of = as_of or clock.now()
    return Q(**{f"{prefix}state__in": OPEN_STATES, f"{prefix}deadline__lte": as_of})


def overdue(qs: models.QuerySet[Any], as_of: dt.datetime | None = None) -> models.QuerySet[Any]:
    """The overdue events of a queryset of events. A period does not limit it: an event reported last
    year and still past its deadline is overdue today; pass `as_of` = the end of a period to count it then."""
    as_of = as_of or clock.now()
    return qs.filter(overdue_q(as_of), reported_at__lt=as_of)


def is_overdue(event: Any, now: dt.datetime | None = None) -> bool:
    now = now or clock.now()
    return event.state in OPEN_STATES and event.deadline is not None and now >= event.deadline


# ---- the sweep: escalate each missed step to whoever is above the party that missed it -------------------

def _supervisors(event: Any, role: str) -> models.QuerySet[Any]:
    """Active users of `role` whose jurisdiction holds the event (prefixes of its path)."""
    from parcelguard.accounts.models import User

    parts = [p for p in event.jurisdiction_path.split("/") if p]
    prefixes = ["/".join(parts[:i]) + "/" for i in range(1, len(parts) + 1)]
    return User.objects.filter(is_active=True, role=role, jurisdiction__path__in=prefixes)


def _fine_due(event: Any) -> bool:
    from parcelguard.events.models import Case, Outcome

    return Case.objects.filter(event_id=event.pk, outcome=Outcome.FINE).exists()


def lapse_message(event: Any, owner: str, due: dt.datetime) -> str:
    what = STEP_WHAT.get(event.state, "办理")
    text = (f"{PARTY.get(owner, owner)}逾期未{what}（期限{deadlines.day_of(due):%Y-%m-%d}）："
            f"#{event.pk} {event.hazard_type.name} {event.where}")
    if owner == Role.ENTERPRISE and event.state == State.SERVED:
        return text + "。请依法书面催告，逾期仍不履行的，依行政强制法申请人民法院强制执行"
    if owner == Role.CITY_BUREAU:
        return text + "。请尽快办理"
    return text + "。请督促办理"


def record_lapse(event: Any, now: dt.datetime) -> Any | None:
    """Record one missed step once and tell whoever is above the party that missed it. None when it was
    recorded already (by an earlier run, or a concurrent one: the unique constraint decides)."""
    from parcelguard.events.models import Notification, NotificationKind, StepLapse
    from parcelguard.trail.services import trail_append

    owner = owner_of(event.state, fine_due=_fine_due(event))
    supervisor = SUPERVISOR.get(owner, "")
    try:
        with transaction.atomic():
            lapse = StepLapse.objects.create(event=event, state=event.state, due=event.deadline, owner_role=owner,
                                             escalated_to=supervisor, at=now)
            trail_append(actor=None, action="event.step_missed", subject=f"event:{event.pk}",
                         payload={"state": event.state, "owner": owner, "escalated_to": supervisor,
                                  "due": event.deadline.isoformat()})
            if supervisor:
                text = lapse_message(event, owner, event.deadline)[:300]
                Notification.objects.bulk_create(
                    [Notification(user=u, subject=f"event:{event.pk}", url=reverse("events:detail", args=[event.pk]),
                                  event=event, kind=NotificationKind.ESCALATED, message=text, key=f"lapse:{lapse.pk}",
                                  created_at=now) for u in _supervisors(event, supervisor)],
                    ignore_conflicts=True)
    except IntegrityError:
        return None
    return lapse


def missed_steps(now: dt.datetime) -> models.QuerySet[Any]:
    """Open events whose step limit passed and whose miss is not recorded yet. The enterprise's missed
    rectification (REMINDED) is escalated by the auto_escalate step instead."""
    from parcelguard.events.models import Event, StepLapse

    recorded = StepLapse.objects.filter(event=models.OuterRef("pk"), state=models.OuterRef("state"),
                                        due=models.OuterRef("deadline"))
    return (Event.objects.filter(overdue_q(now)).exclude(state=State.REMINDED)
            .exclude(models.Exists(recorded)).select_related("hazard_type", "site").order_by("deadline", "pk"))


def sweep(now: dt.datetime | None = None) -> dict[str, int]:
    """One pass of the clocks: the enterprise's missed rectifications go to enforcement, every other
    missed step to the party above, and whoever must act hears that a deadline is near or passed."""
    from parcelguard.events.services import deadline_sweep, escalate_overdue

    now = now or clock.now()
    escalated = escalate_overdue()
    lapses = sum(1 for event in missed_steps(now) if record_lapse(event, now) is not None)
    return {"escalated": escalated, "lapses": lapses, "notified": deadline_sweep()}


def replay(since: dt.datetime, until: dt.datetime) -> dict[str, int]:
    """Run the sweep as the scheduler would have, at ten past local midnight of every day from `since` to
    `until` (deadlines end at local midnight), so a history loaded in bulk escalates at the times it was
    due, not all at once when the server first starts."""
    totals = {"escalated": 0, "lapses": 0, "notified": 0}
    day = timezone.localtime(since).date()
    while True:
        moment = timezone.make_aware(dt.datetime.combine(day, dt.time(0, 10)))
        if moment > until:
            break
        if moment >= since:
            with clock.frozen_at(moment):
                for k, v in sweep(moment).items():
                    totals[k] += v
        day += dt.timedelta(days=1)
    return totals


def escalated_to_q(role: str) -> Q:
    """Events whose current step was missed and escalated to `role`: they wait in its queue."""
    return Q(lapses__escalated_to=role, lapses__state=models.F("state"), lapses__due=models.F("deadline"))


# ---- case clocks -------------------------------------------------------------------------------------------

SURCHARGE_RATE = Decimal("0.03")  # 加处罚款: 3 % of the fine per day, capped at the fine (行政处罚法 Art. 72)
LAWSUIT_MONTHS = 6  # the party may sue within 6 months of service (行政诉讼法 Art. 46)
ENFORCE_APPLY_MONTHS = 3  # then apply to the court within 3 months (行政强制法 Art. 53)
DEMAND_DAYS = 10  # the written demand (催告) precedes the application by 10 days (行政强制法 Art. 54)

RUNNING, MET, MISSED, NA = "running", "met", "missed", "na"
STATE_LABELS = {RUNNING: _("running"), MET: _("met"), MISSED: _("missed"), NA: _("not applicable")}


@dataclass(frozen=True)
class CaseClock:
    key: str
    label: Any
    state: str  # running | met | missed | na
    due: dt.date | None = None
    done_at: dt.datetime | None = None
    opens: dt.date | None = None  # a window's first day (court enforcement)
    note: str = ""
    near: bool = False

    @property
    def state_label(self) -> Any:
        return STATE_LABELS[self.state]

    def __getitem__(self, name: str) -> Any:  # the templates and the duty record read clocks as mappings
        return getattr(self, name)


def add_months(moment: dt.datetime, months: int) -> dt.datetime:
    local = timezone.localtime(moment)
    month = local.month - 1 + months
    year, month = local.year + month // 12, month % 12 + 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return local.replace(year=year, month=month, day=min(local.day, last))


def _days_begun(delta: dt.timedelta) -> int:
    return max(0, -(-int(delta.total_seconds()) // 86400))


def surcharge(case: Any, now: dt.datetime | None = None) -> Decimal:
    """加处罚款 accrued on an unpaid (or late-paid) fine: 3 % per day begun after the payment deadline,
    never more than the fine itself."""
    if not case.pay_by or case.amount is None:
        return Decimal(0)
    end = case.paid_at or now or clock.now()
    days = _days_begun(end - case.pay_by)
    value = (Decimal(case.amount) * SURCHARGE_RATE * days).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return min(value, Decimal(case.amount))


def _clock(key: str, label: Any, due: dt.datetime | None, done_at: dt.datetime | None, now: dt.datetime,
           *, applies: bool = True, note: str = "") -> CaseClock:
    if not applies or due is None:
        return CaseClock(key, label, NA, note=note)
    day = deadlines.day_of(due)
    if done_at is not None:
        return CaseClock(key, label, MET if done_at < due else MISSED, day, done_at, note=note)
    if now >= due:
        return CaseClock(key, label, MISSED, day, note=note)
    return CaseClock(key, label, RUNNING, day, note=note, near=deadlines.status(due, now) == "near")


def case_clocks(case: Any, state: str, now: dt.datetime | None = None) -> list[CaseClock]:
    """The clocks of one case in the penalty procedure, each with one state."""
    from parcelguard.events.models import Outcome

    now = now or clock.now()
    rows = [_clock("decide", _("Decide (90 days, +30 with approval)"), case.decide_by, case.decided_at, now,
                   note="已延长30日" if case.extended else "")]
    rows.append(_defence(case, state, now))
    rows.append(_clock("serve", _("Serve the decision (7 days)"), case.serve_by, case.served_at, now,
                       applies=case.decided_at is not None))
    fine = case.outcome == Outcome.FINE and case.amount is not None
    rows.append(_clock("pay", _("Pay the fine (15 days)"), case.pay_by, case.paid_at, now, applies=fine,
                       note=_surcharge_note(case, now) if fine and case.pay_by else ""))
    rows.extend(_enforcement(case, now) if fine else [])
    return rows


def _defence(case: Any, state: str, now: dt.datetime) -> CaseClock:
    """陈述申辩 / 听证: a right of the party, running only while the case waits for it (NOTIFIED)."""
    label = _("Defence or hearing request (5 days)")
    if not case.defence_by:
        return CaseClock("defence", label, NA)
    day = deadlines.day_of(case.defence_by)
    if case.defence:
        return CaseClock("defence", label, MET, day, note="已申请听证" if case.hearing_requested else "已陈述申辩")
    if state == State.NOTIFIED and now < case.defence_by:
        return CaseClock("defence", label, RUNNING, day, near=deadlines.status(case.defence_by, now) == "near")
    # the period ended without a defence: the party's right lapsed; the bureau respected it
    return CaseClock("defence", label, MET, day, note="期满未陈述申辩")


def _surcharge_note(case: Any, now: dt.datetime) -> str:
    value = surcharge(case, now)
    return f"已加处罚款{value:,.2f}元（每日3%，以罚款数额为限）" if value else ""


def unpaid_past_due(case: Any, now: dt.datetime) -> bool:
    return bool(case.pay_by and case.paid_at is None and now >= case.pay_by)


def enforcement_window(case: Any) -> tuple[dt.datetime, dt.datetime] | None:
    """When the bureau may apply to the court: after the 6-month lawsuit period, within 3 months."""
    if not case.served_at:
        return None
    opens = add_months(case.served_at, LAWSUIT_MONTHS)
    return opens, add_months(opens, ENFORCE_APPLY_MONTHS)


def _enforcement(case: Any, now: dt.datetime) -> list[CaseClock]:
    """For a fine not paid on time: the written demand (催告) and the application for court enforcement."""
    window = enforcement_window(case)
    late = case.pay_by is not None and (unpaid_past_due(case, now) or
                                        (case.enforced and case.paid_at is not None))
    demand_label, court_label = _("Written demand to pay (催告)"), _("Apply for court enforcement")
    if not late or window is None:
        return [CaseClock("demand", demand_label, NA), CaseClock("court", court_label, NA)]
    opens, closes = window
    last_demand = opens - dt.timedelta(days=DEMAND_DAYS)
    done = case.paid_at if case.enforced else None
    demand = _clock("demand", demand_label, deadlines.end_of(timezone.localtime(last_demand).date()), done, now,
                    note=f"罚款逾期未缴纳，应书面催告当事人履行（催告后{DEMAND_DAYS}日仍未履行方可申请强制执行）")
    court = CaseClock("court", court_label, MET if done else (MISSED if now >= closes else RUNNING),
                      timezone.localtime(closes).date() - dt.timedelta(days=1), done,
                      opens=timezone.localtime(opens).date(),
                      note=f"当事人起诉期限届满后3个月内申请人民法院强制执行（{timezone.localtime(opens):%Y-%m-%d}起）")
    return [demand, court]


def missed_case_clocks(cases: Iterable[Any], now: dt.datetime) -> list[tuple[Any, CaseClock]]:
    return [(c, k) for c in cases for k in case_clocks(c, c.event.state, now) if k.state == MISSED]
