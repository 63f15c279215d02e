"""The duty record (履职记录): the regulator's own lapses in a period, as a procurator would look for them.

Each rule is one scoped query computed in the database; each line names the event (and through it the
timeline and the hash-chained trail). An event may appear under more than one heading: an open hazard
whose reminder went unanswered is both "open past its deadline" and "a reminder with no follow-up".
The thresholds are settings (ANALYTICS_DUTY_*), documented in docs/analytics.md.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, DateTimeField, Exists, ExpressionWrapper, F, OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _

from parcelguard.analytics.conf import conf_str
from parcelguard.analytics.filters import OPEN_STATES, Filters, events_for
from parcelguard.analytics.indicators import cases_for
from parcelguard.core import clock
from parcelguard.events.models import Transition
from parcelguard.events.states import State

CASE_DECISION_DAYS = 15  # escalation → case opened or declined
REPEAT_AT_SITE = 2  # hazards at one site in the period
REPEAT_WAYBILL = 2  # waybill-privacy hazards per enterprise in the period
WAYBILL_HAZARD = "waybill_pii"  # 面单个人信息未脱敏 (later also the privacy audits)

# Headings on screen (English msgids); RULES are the Chinese headings of the PDF and the Excel export.
RULE_NAMES = {
    "open_overdue": _("Hazards open past their deadline"),
    "slow_case_decision": _("Escalations waiting too long for a case decision"),
    "case_clock": _("Cases past the decision clock"),
    "reminder_no_follow_up": _("Reminders with no follow-up"),
    "repeat_site": _("Repeated hazards at the same site"),
    "repeat_waybill": _("Enterprises with repeated non-compliant waybills"),
}
RULES = {
    "open_overdue": "隐患逾期未办结",
    "slow_case_decision": "转报后久未作出立案决定",
    "case_clock": "案件超过办案期限",
    "reminder_no_follow_up": "提醒函逾期无跟进",
    "repeat_site": "同一网点隐患反复发生",
    "repeat_waybill": "企业面单未脱敏问题反复发生",
}


def conf(name: str, default: int | str) -> Any:
    return conf_str(f"DUTY_{name}", str(default))


@dataclass
class Line:
    rule: str
    event_ids: list[int]
    subject: str  # what the line is about (site, enterprise, hazard)
    county: str
    detail: str  # the facts in plain Chinese
    since: dt.datetime | None = None
    site_id: int | None = None  # a line about one site: its events are the drill-down of that site

    # A repeated-hazard line of a busy site can name hundreds of events: the page and the PDF name the
    # first LINE_IDS and the count (the page links to the rest), the API and the Excel export all of them.
    LINE_IDS = 10

    @property
    def first_ids(self) -> list[int]:
        return self.event_ids[: self.LINE_IDS]

    @property
    def more(self) -> int:
        return max(0, len(self.event_ids) - self.LINE_IDS)


@dataclass
class DutyRecord:
    filters: Filters
    as_of: dt.datetime
    lines: dict[str, list[Line]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(len(v) for v in self.lines.values())


def _days(delta: dt.timedelta) -> int:
    """Days begun: a case decided an hour after its deadline is one day late, not zero."""
    return math.ceil(delta.total_seconds() / 86400)


def _event_line(rule: str, e: dict[str, Any], detail: str, since: dt.datetime | None) -> Line:
    where = e.get("site__name") or e.get("place") or ""
    return Line(rule=rule, event_ids=[e["pk"]], subject=f"{e['hazard_type__name']} · {where}",
                county=e["county__name"], detail=detail, since=since)


EVENT_FIELDS = ("pk", "hazard_type__name", "site__name", "place", "county__name", "state", "deadline",
                "rectify_by", "reported_at", "escalated_at")


def open_overdue(user: Any, f: Filters, as_of: dt.datetime) -> list[Line]:
    """Reported up to the period's end, rectification deadline passed, still not closed."""
    qs = (events_for(user, f.with_(start=dt.date(1970, 1, 1))).filter(state__in=OPEN_STATES)
          .filter(rectify_by__lte=as_of).order_by("rectify_by", "pk").values(*EVENT_FIELDS))
    return [_event_line("open_overdue", e, f"整改期限{e['rectify_by']:%Y-%m-%d}已过，逾期{_days(as_of - e['rectify_by'])}天，"
                        f"当前状态：{State(e['state']).label}", e["rectify_by"]) for e in qs]


def slow_case_decision(user: Any, f: Filters, as_of: dt.datetime) -> list[Line]:
    """Escalated (before the period's end) and no case opened or declined within N days of the escalation,
    by the period's end; not settled before the period started. Two anti-joins on the transitions."""
    limit = dt.timedelta(days=int(conf("CASE_DECISION_DAYS", CASE_DECISION_DAYS)))
    decisions = Transition.objects.filter(event=OuterRef("pk"), action__in=["case_open", "case_decline"],
                                          at__gte=OuterRef("escalated_at"))
    in_time = decisions.filter(at__lte=ExpressionWrapper(OuterRef("escalated_at") + limit,
                                                         output_field=DateTimeField()))
    first = decisions.order_by("at").values("at")[:1]
    qs = (events_for(user, f.with_(start=dt.date(1970, 1, 1)))
          .filter(escalated_at__isnull=False, escalated_at__lt=min(f.until, as_of - limit))
          .exclude(Exists(in_time)).exclude(Exists(decisions.filter(at__lt=f.since)))
          .annotate(decided_at=Subquery(first, output_field=DateTimeField()))
          .order_by("escalated_at", "pk").values(*EVENT_FIELDS, "decided_at"))
    lines = []
    for e in qs:
        waited = _days((e["decided_at"] or as_of) - e["escalated_at"])
        what = f"{e['decided_at']:%Y-%m-%d}才作出决定" if e["decided_at"] else "至今未作出立案决定"
        lines.append(_event_line("slow_case_decision", e, f"{e['escalated_at']:%Y-%m-%d}转报市局，{what}，"
                                 f"历时{waited}天（时限{limit.days}天）", e["escalated_at"]))
    return lines


def case_clock(user: Any, f: Filters, as_of: dt.datetime) -> list[Line]:
    """Cases whose decision clock (90 days, +30 if extended) ran out before a decision."""
    qs = (cases_for(user, f.with_(type=f.type, tier="")).filter(decide_by__lte=as_of)
          .filter(Q(decided_at__isnull=True) | Q(decided_at__gte=F("decide_by")))
          .filter(Q(decided_at__isnull=True) | Q(decided_at__gte=f.since))
          .order_by("decide_by", "pk")
          .values("event_id", "event__hazard_type__name", "event__site__name", "event__county__name",
                  "opened_at", "decide_by", "decided_at", "extended"))
    lines = []
    for c in qs:
        late = _days((c["decided_at"] or as_of) - c["decide_by"])
        what = f"{c['decided_at']:%Y-%m-%d}才作出决定" if c["decided_at"] else "至今未作出处罚决定"
        lines.append(Line("case_clock", [c["event_id"]],
                          f"{c['event__hazard_type__name']} · {c['event__site__name'] or ''}",
                          c["event__county__name"],
                          f"{c['opened_at']:%Y-%m-%d}立案，办案期限{c['decide_by']:%Y-%m-%d}"
                          f"{'（已延长）' if c['extended'] else ''}，{what}，超期{late}天", c["decide_by"]))
    return lines


def reminder_no_follow_up(user: Any, f: Filters, as_of: dt.datetime) -> list[Line]:
    """A reminder letter was issued, its deadline passed, and nothing followed: no answer (still
    reminded), or an answer nobody confirmed (still answered); and it was not escalated."""
    qs = (events_for(user, f.with_(start=dt.date(1970, 1, 1)))
          .filter(state__in=[State.REMINDED, State.ANSWERED], deadline__lte=as_of)
          .order_by("deadline", "pk").values(*EVENT_FIELDS))
    lines = []
    for e in qs:
        what = "企业未反馈整改" if e["state"] == State.REMINDED else "企业已反馈但网格员未确认"
        lines.append(_event_line("reminder_no_follow_up", e, f"提醒函期限{e['deadline']:%Y-%m-%d}已过，{what}，"
                                 f"亦未转报市局", e["deadline"]))
    return lines


def repeat_site(user: Any, f: Filters, as_of: dt.datetime) -> list[Line]:
    """N or more hazards (not rejected) reported at one site in the period."""
    n = int(conf("REPEAT_AT_SITE", REPEAT_AT_SITE))
    base = events_for(user, f).exclude(state=State.REJECTED).filter(site_id__isnull=False)
    sites = (base.values("site_id", "site__name", "county__name").annotate(n=Count("pk")).filter(n__gte=n)
             .order_by("-n", "site_id"))
    ids = _ids_by(base.filter(site_id__in=[s["site_id"] for s in sites]), "site_id")
    return [Line("repeat_site", ids[s["site_id"]], s["site__name"], s["county__name"],
                 f"期内发生隐患{s['n']}起（阈值{n}起）", site_id=s["site_id"]) for s in sites]


def repeat_waybill(user: Any, f: Filters, as_of: dt.datetime) -> list[Line]:
    """N or more waybill-privacy hazards (not rejected) at one enterprise in the period."""
    n = int(conf("REPEAT_WAYBILL", REPEAT_WAYBILL))
    base = (events_for(user, f).exclude(state=State.REJECTED)
            .filter(hazard_type__code=conf("WAYBILL_HAZARD", WAYBILL_HAZARD), enterprise_id__isnull=False))
    firms = (base.values("enterprise_id", "enterprise__name").annotate(n=Count("pk")).filter(n__gte=n)
             .order_by("-n", "enterprise_id"))
    ids = _ids_by(base.filter(enterprise_id__in=[e["enterprise_id"] for e in firms]), "enterprise_id")
    county = dict(base.values_list("enterprise_id", "county__name").order_by())
    return [Line("repeat_waybill", ids[e["enterprise_id"]], e["enterprise__name"], county.get(e["enterprise_id"], ""),
                 f"期内面单个人信息未脱敏问题{e['n']}起（阈值{n}起）") for e in firms]


def _ids_by(qs: Any, key: str) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for k, pk in qs.order_by(key, "reported_at", "pk").values_list(key, "pk"):
        out.setdefault(k, []).append(pk)
    return out


RULE_FUNCS = {"open_overdue": open_overdue, "slow_case_decision": slow_case_decision, "case_clock": case_clock,
              "reminder_no_follow_up": reminder_no_follow_up, "repeat_site": repeat_site,
              "repeat_waybill": repeat_waybill}


def duty_record(user: Any, f: Filters) -> DutyRecord:
    as_of = min(f.until, clock.now())
    return DutyRecord(filters=f, as_of=as_of, lines={r: fn(user, f, as_of) for r, fn in RULE_FUNCS.items()})
