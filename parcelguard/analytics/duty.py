"""The duty record (履职记录): the regulator's own lapses in a period, as a procurator would look for them.

Two kinds of headings, one record: the hazard workflow's rules below (each one scoped query computed in
the database over the dashboard's filters), then every duty source an app registers with
`core.registry.register_duty` (monthly-report spot checks, replies to procuratorial recommendations,
credit recomputes, and each app that joins), read through `registry.lapses_for`. Each line names its
subjects in the trail's form ("event:12", "selfcheck:5"), and through them the timeline and the
hash-chained trail. An event may appear under more than one heading: an open hazard
whose reminder went unanswered is both "open past its deadline" and "a reminder with no follow-up".
The thresholds are settings (ANALYTICS_DUTY_*), documented in docs/analytics.md.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, DateTimeField, Exists, ExpressionWrapper, F, OuterRef, Q, Subquery
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from parcelguard.accounts.models import Jurisdiction, Level
from parcelguard.analytics.conf import conf_str
from parcelguard.analytics.filters import Filters, events_for
from parcelguard.analytics.indicators import cases_for
from parcelguard.core import clock, registry
from parcelguard.events import clocks, deadlines
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
    subjects: list[str] = field(default_factory=list)  # in the trail's form; an event line's: "event:N"
    url: str = ""  # a registered source's line: the subject's page

    def __post_init__(self) -> None:
        if not self.subjects:
            self.subjects = [f"event:{pk}" for pk in self.event_ids]

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
    """Open and past the current step's deadline at the period's end (or now), whenever reported: the one
    definition of overdue (events.clocks.overdue), with the party whose step it is."""
    qs = (events_for(user, f.with_(segment="overdue", group="")).order_by("deadline", "pk")
          .values(*EVENT_FIELDS))
    lines = []
    for e in qs:
        owner = clocks.owner_of(e["state"])
        lines.append(_event_line("open_overdue", e, f"{clocks.PARTY.get(owner, '')}应于{deadlines.day_of(e['deadline']):%Y-%m-%d}前"
                                 f"{clocks.STEP_WHAT.get(e['state'], '办理')}，逾期{_days(as_of - e['deadline'])}天，"
                                 f"当前状态：{State(e['state']).label}", e["deadline"]))
    return lines


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


def heading(rule: str) -> str:
    """The heading of a rule or a registered source, in the active language."""
    if rule in RULE_NAMES:
        return str(RULE_NAMES[rule])
    source = {s.name: s for s in registry.duty_sources()}.get(rule)
    return str(source.label) if source else rule


def heading_cn(rule: str) -> str:
    """The Chinese heading (the PDF, the Excel export, the monthly report)."""
    if rule in RULES:
        return RULES[rule]
    with translation.override("zh-hans"):
        return heading(rule)


def _day(moment: dt.datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d}"


def _lapse_line(lapse: registry.Lapse, as_of: dt.datetime, counties: dict[str, str]) -> Line:
    """A registered source's lapse as a line: its subject, county, and the facts in plain Chinese."""
    late = lapse.late_days(as_of)
    if lapse.done_at is not None:
        facts = f"期限{_day(lapse.due)}，{_day(lapse.done_at)}才办理，迟{late}天"
    else:
        facts = f"期限{_day(lapse.due)}已过，至今未办理，逾期{late}天"
    parts = [p for p in lapse.jurisdiction_path.split("/") if p]
    county = next((counties[p] for p in parts if p in counties), "")
    return Line(rule=lapse.kind, event_ids=[], subject=str(lapse.title), county=county,
                detail=facts + (f"；{lapse.note}" if lapse.note else ""), since=lapse.due,
                subjects=[lapse.subject], url=lapse.url)


def _in_place_and_brand(found: dict[str, list[registry.Lapse]], f: Filters) -> dict[str, list[registry.Lapse]]:
    """The record's common filters on registered lapses: county and grid on the lapse's jurisdiction path,
    the brand on its enterprise (a lapse naming no enterprise has no brand). Hazard type and tier are the
    events' own dimensions and do not apply."""
    prefixes = []
    for code, level in ((f.county, Level.COUNTY), (f.grid, Level.GRID)):
        if code:
            prefixes.append(Jurisdiction.objects.filter(code=code, level=level).values_list("path", flat=True).first())
    brands: dict[int, str | None] = {}
    if f.brand:
        from parcelguard.registry.models import Enterprise

        ids = {lapse.enterprise_id for lapses in found.values() for lapse in lapses if lapse.enterprise_id}
        brands = dict(Enterprise.objects.filter(pk__in=ids).values_list("pk", "brand_id"))

    def keep(lapse: registry.Lapse) -> bool:
        if any(p is None or not lapse.jurisdiction_path.startswith(p) for p in prefixes):
            return False
        return not f.brand or (lapse.enterprise_id is not None and brands.get(lapse.enterprise_id) == f.brand)

    return {name: [lapse for lapse in lapses if keep(lapse)] for name, lapses in found.items()}


def registered_lines(user: Any, f: Filters, as_of: dt.datetime) -> dict[str, list[Line]]:
    """Every registered duty source's lapses falling due in the period, up to `as_of`, in the record's
    place and brand."""
    found = _in_place_and_brand(registry.lapses_for(user, f.since, f.until, as_of), f)
    codes = {p for lapses in found.values() for lapse in lapses for p in lapse.jurisdiction_path.split("/") if p}
    counties = dict(Jurisdiction.objects.filter(code__in=codes, level=Level.COUNTY).values_list("code", "name"))
    return {name: [_lapse_line(lapse, as_of, counties) for lapse in lapses] for name, lapses in found.items()}


def duty_record(user: Any, f: Filters) -> DutyRecord:
    as_of = min(f.until, clock.now())
    lines = {r: fn(user, f, as_of) for r, fn in RULE_FUNCS.items()}
    lines.update(registered_lines(user, f, as_of))
    return DutyRecord(filters=f, as_of=as_of, lines=lines)
