"""A year of hazard events in the demo city, consistent with seed 002: hundreds of events, over 90 % closed
at county tier, a few dozen cases with fines, some rework, some overdue; and the Hanjiang story
(address mismatch → reminder, 5 days → escalated → case → 1,500 yuan fine → address filed) replayed
through the real services, with its documents, as one complete event.

Deterministic (seeded, dates laid out before the demo's anchor day) and fast: the history is written
in bulk, one trail entry seals it; only the Hanjiang story goes step by step.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from parcelguard.accounts.models import User
from parcelguard.core import clock
from parcelguard.events import clocks, deadlines
from parcelguard.events.models import (
    Case,
    Event,
    HazardType,
    LegalBasis,
    Outcome,
    Reward,
    RewardStatus,
    Source,
    TipOff,
    Transition,
    TransitionEvidence,
)
from parcelguard.events.states import STEPS_BY_ACTION, State, Tier, tier_of
from parcelguard.events.testing import pdf_bytes, png_bytes
from parcelguard.registry.models import Site, SiteKind

ANCHOR = dt.date(2026, 11, 1)  # the demo city's export day (parcelguard.demo.city.ANCHOR)
START = ANCHOR - dt.timedelta(days=365)
PINYIN = {"350302": "chengxiang", "350303": "hanjiang", "350304": "licheng", "350305": "xiuyu",
          "350322": "xianyou"}
# how often each hazard is found (weights), roughly what grid patrols see
TYPE_WEIGHTS = {"fire_safety": 14, "xray_not_done": 8, "forged_screening": 2, "realname_not_done": 12,
                "inspection_not_done": 10, "waybill_pii": 9, "parcels_thrown": 12, "address_mismatch": 8,
                "unfiled_operation": 6, "prohibited_items": 2, "video_not_working": 10, "other": 7}
CASE_BASIS = {"realname_not_done": ("realname_procedural", 5000, 10000),
              "xray_not_done": ("antiterror_20_85", 100000, 150000),
              "forged_screening": ("antiterror_20_85", 100000, 200000),
              "inspection_not_done": ("realname_procedural", 5000, 10000),
              "waybill_pii": ("postal_law_76", 10000, 30000),
              "video_not_working": ("video_missing", 2000, 10000),
              "address_mismatch": ("filing_change", 1000, 5000),
              "unfiled_operation": ("filing_change", 2000, 10000)}
DESCRIPTIONS = {
    "fire_safety": ["灭火器过期未更换", "分拣区堆放纸箱堵塞安全出口", "安全出口指示灯损坏", "电动车在营业场所内充电"],
    "xray_not_done": ["安检机关机，快件未过机直接装车", "安检机故障三天未报修"],
    "forged_screening": ["安检记录与过机时间不符，疑似补录"],
    "realname_not_done": ["收寄时未核验寄件人身份证件", "实名信息登记不全"],
    "inspection_not_done": ["收寄时未当面验视内件", "封装后收寄，未开箱验视"],
    "waybill_pii": ["面单完整显示收件人姓名和手机号", "过期面单随意堆放未销毁"],
    "parcels_thrown": ["卸车时抛扔快件", "分拣人员踩踏快件"],
    "address_mismatch": ["实际经营地址与备案地址不符"],
    "unfiled_operation": ["末端驿站开业超过20日未备案", "未取得许可擅自经营快递业务"],
    "prohibited_items": ["收寄疑似管制刀具", "收寄易燃液体"],
    "video_not_working": ["收寄台监控摄像头离线", "监控录像保存不足30日"],
    "other": ["营业场所未公示服务信息", "从业人员未经安全培训上岗"],
}


def _aware(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


@dataclass
class Plan:
    """One event's history before it is written: its row and its steps."""

    event: Event
    steps: list[tuple[str, str, str, Any, dt.datetime, str, dict[str, Any]]] = field(default_factory=list)
    case: Case | None = None
    tipoff: TipOff | None = None
    reward: Reward | None = None

    def step(self, action: str, to: str, actor: Any, at: dt.datetime, reason: str = "", **data: Any) -> None:
        frm = self.steps[-1][2] if self.steps else ""
        self.steps.append((action, frm, to, actor, at, reason, data))


@dataclass
class Summary:
    events: int
    closed: int
    closed_at_county: int
    cases: int
    fines: Decimal
    rework: int
    overdue: int
    open: int
    hanjiang_event: int


class _History:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.types = {h.code: h for h in HazardType.objects.all()}
        self.bases = {b.code: b for b in LegalBasis.objects.all()}
        self.users = {u.username: u for u in User.objects.all()}
        self.city = self.users.get("city")
        self.sites: dict[str, list[Site]] = {}
        for site in Site.objects.select_related("county", "enterprise").exclude(kind=SiteKind.LOCKER):
            self.sites.setdefault(site.county.code, []).append(site)

    def user(self, county: str, role: str) -> User | None:
        return self.users.get(f"{PINYIN.get(county, '')}_{role}")

    def plan(self, day: dt.date, fate: str) -> Plan:
        rng = self.rng
        county = rng.choice(sorted(self.sites))
        site = rng.choice(self.sites[county])
        code = rng.choices(list(TYPE_WEIGHTS), weights=list(TYPE_WEIGHTS.values()))[0]
        kind = self.types[code]
        grid, centre = self.user(county, "grid"), self.user(county, "centre")
        ent_user = self.user(county, "zto") if site.enterprise.brand_id == "ZTO" else None
        source = rng.choices([Source.GRID_WORKER, Source.COUNTY, Source.INSPECTION, Source.PUBLIC],
                             weights=[78, 8, 7, 7])[0]
        at = _aware(day, rng.randrange(8, 18), rng.randrange(60))
        event = Event(hazard_type=kind, severity=kind.default_severity, description=rng.choice(DESCRIPTIONS[code]),
                      site=site, enterprise=site.enterprise, county=site.county,
                      jurisdiction_path=site.jurisdiction_path, source=source, reported_at=at, updated_at=at,
                      reporter=None if source == Source.PUBLIC else grid if source == Source.GRID_WORKER else centre,
                      latitude=float(site.latitude) if site.latitude else None,
                      longitude=float(site.longitude) if site.longitude else None)
        p = Plan(event)
        if source == Source.PUBLIC:
            p.tipoff = TipOff(anonymous=rng.random() < 0.6)
            p.step("tipoff", State.REPORTED, None, at)
        else:
            p.step("report", State.REPORTED, event.reporter, at)
        if fate == "new":
            event.deadline = clocks.entry_deadline(event, State.REPORTED, at)  # the centre's days to verify
            return p
        t = at + dt.timedelta(hours=rng.randrange(3, 40))
        if fate == "rejected":
            p.step("reject", State.REJECTED, centre, t, rng.choice(["重复上报", "不属于隐患"]))
            return p
        p.step("verify", State.VERIFIED, centre, t, "现场复核属实")
        if fate == "verified":
            event.deadline = clocks.entry_deadline(event, State.VERIFIED, t)
            return p
        t += dt.timedelta(hours=rng.randrange(1, 20))
        due = deadlines.deadline_after(timezone.localtime(t).date(), kind.rectify_days, kind.working_days)
        p.step("remind", State.REMINDED, centre, t, deadline=deadlines.day_of(due).isoformat())
        event.rectify_by = due
        if fate in ("reminded", "overdue"):
            event.deadline = due
            return p
        if fate == "case":
            return self._case(p, due, grid, ent_user)
        for _ in range(2 if fate == "rework2" else 1 if fate == "rework" else 0):
            t = min(t + dt.timedelta(hours=rng.randrange(12, 60)), due - dt.timedelta(hours=6))
            p.step("answer", State.ANSWERED, ent_user, t, "已整改")
            t += dt.timedelta(hours=rng.randrange(4, 30))
            p.step("fail_fix", State.REMINDED, grid, t, "复查发现整改不到位")
            event.rework_count += 1
        t = t + dt.timedelta(hours=rng.randrange(8, 48))
        p.step("answer", State.ANSWERED, ent_user, t, "已完成整改，附整改照片")
        if fate == "answered":
            event.deadline = clocks.entry_deadline(event, State.ANSWERED, t)  # the grid worker's days to confirm
            return p
        t += dt.timedelta(hours=rng.randrange(4, 48))
        p.step("confirm_fix", State.CLOSED, grid, t, "现场确认整改到位")
        event.closed_at = t
        if p.tipoff is not None and rng.random() < 0.7:
            p.reward = Reward(amount=Decimal(rng.choice([100, 200, 200, 300, 500])), status=RewardStatus.PAID,
                              proposed_by=centre, proposed_at=t, approved_by=self.city,
                              approved_at=t + dt.timedelta(days=3), paid_at=t + dt.timedelta(days=10),
                              payment_ref=f"JL{t:%Y%m%d}{rng.randrange(1000, 9999)}")
        return p

    def _case(self, p: Plan, due: dt.datetime, grid: Any, ent_user: Any) -> Plan:
        rng, event = self.rng, p.event
        t = due + dt.timedelta(minutes=rng.randrange(1, 30))
        p.step("auto_escalate", State.ESCALATED, None, t, "整改期限届满未确认整改，自动转报市局")
        event.escalated_at = t
        t += dt.timedelta(days=rng.randrange(1, 5))
        p.step("case_open", State.INVESTIGATING, self.city, t, "经核查涉嫌违法，予以立案")
        case = Case(opened_at=t, decide_by=deadlines.deadline_after(timezone.localtime(t).date(), 90))
        p.case = case
        t += dt.timedelta(days=rng.randrange(3, 10))
        p.step("case_investigate", State.INVESTIGATING, self.city, t, "现场检查、询问笔录")
        basis_code, low, high = CASE_BASIS.get(event.hazard_type.code, ("filing_change", 1000, 5000))
        basis = self.bases[basis_code]
        admonition = rng.random() < 0.15
        amount = None if admonition else Decimal(rng.randrange(low, high + 1, 500))
        t += dt.timedelta(days=rng.randrange(7, 25))
        p.step("case_notify", State.NOTIFIED, self.city, t, "告知拟作出的行政处罚", legal_basis=basis.code)
        case.notified_at, case.legal_basis, case.proposed_amount = t, basis, amount
        case.defence_by = deadlines.deadline_after(timezone.localtime(t).date(), 5)
        t = case.defence_by + dt.timedelta(days=rng.randrange(0, 4), hours=10)
        if t.date() >= ANCHOR - dt.timedelta(days=3):  # still running on the export day
            event.deadline = case.decide_by
            return p
        p.step("case_decide", State.DECIDED, self.city, t, "事实清楚，证据确凿", outcome="admonition" if admonition
               else "fine")
        case.decided_at, case.outcome, case.amount = t, Outcome.ADMONITION if admonition else Outcome.FINE, amount
        case.serve_by = deadlines.deadline_after(timezone.localtime(t).date(), 7)
        t += dt.timedelta(days=rng.randrange(1, 4))
        p.step("case_serve", State.SERVED, self.city, t, "直接送达")
        case.served_at = t
        if amount is not None:
            case.pay_by = deadlines.deadline_after(timezone.localtime(t).date(), 15)
            if rng.random() < 0.12:  # not paid yet: the payment clock runs or has run out
                event.deadline = case.pay_by
                return p
            t += dt.timedelta(days=rng.randrange(2, 14))
            p.step("case_paid", State.PAID, self.city, t, "已缴纳罚款")
            case.paid_at = t
        t += dt.timedelta(days=rng.randrange(1, 7))
        p.step("case_confirm_fix", State.CLOSED, grid, t, "现场确认整改到位")
        event.closed_at = t
        return p


def _fates(rng: random.Random, n: int) -> list[tuple[dt.date, str]]:
    """When each event was found and how it ends; the last weeks still hold open work."""
    out = []
    for i in range(n):
        day = START + dt.timedelta(days=int(365 * i / n) + rng.randrange(0, 2))
        age = (ANCHOR - day).days
        if age <= 2:
            fate = rng.choice(["new", "new", "verified"])
        elif age <= 12:
            fate = rng.choice(["reminded", "answered", "overdue", "closed", "closed", "verified"])
        else:
            fate = rng.choices(["closed", "rework", "rework2", "rejected", "case"], weights=[80, 7, 2, 4, 7])[0]
        out.append((day, fate))
    return out


def _demo_evidence() -> dict[str, Any]:
    """A handful of files shared by the bulk history (content-addressed: stored once)."""
    from parcelguard.evidence.services import evidence_store

    files = {"photo": ContentFile(png_bytes((180, 70, 50), (320, 240)), name="现场照片.png"),
             "fix": ContentFile(png_bytes((60, 150, 80), (320, 240)), name="整改照片.png"),
             "pdf": ContentFile(pdf_bytes("demo document"), name="文书.pdf")}
    return {k: evidence_store(actor=None, upload=f, purpose="demo") for k, f in files.items()}


_STEP_EVIDENCE = {"report": "photo", "verify": "photo", "remind": "pdf", "answer": "fix", "confirm_fix": "fix",
                  "fail_fix": "photo", "case_open": "pdf", "case_investigate": "photo", "case_notify": "pdf",
                  "case_decide": "pdf", "case_serve": "pdf", "case_paid": "pdf", "case_confirm_fix": "fix"}


@transaction.atomic
def load_demo_events(seed: int = 20191, count: int = 640) -> Summary:
    from parcelguard.trail.services import trail_append

    history = _History(seed)
    plans = [history.plan(day, fate) for day, fate in _fates(history.rng, count)]
    for p in plans:
        last = p.steps[-1]
        p.event.state, p.event.tier = last[2], tier_of(last[2])
        p.event.version = len(p.steps)
        p.event.updated_at = last[4]
    Event.objects.bulk_create([p.event for p in plans], batch_size=500)
    for p in plans:
        for extra in (p.case, p.tipoff, p.reward):
            if extra is not None:
                extra.event = p.event
    Case.objects.bulk_create([p.case for p in plans if p.case], batch_size=500)
    TipOff.objects.bulk_create([p.tipoff for p in plans if p.tipoff], batch_size=500)
    Reward.objects.bulk_create([p.reward for p in plans if p.reward], batch_size=500)
    rows = [Transition(event=p.event, action=a, from_state=f, to_state=to, actor=actor,
                       actor_role=actor.role if actor else sorted(STEPS_BY_ACTION[a].roles)[0], at=at,
                       reason=reason, data={**data, "demo": True})
            for p in plans for (a, f, to, actor, at, reason, data) in p.steps]
    Transition.objects.bulk_create(rows, batch_size=1000)
    files = _demo_evidence()
    TransitionEvidence.objects.bulk_create(
        [TransitionEvidence(transition=t, evidence=files[_STEP_EVIDENCE[t.action]],
                            kind="document" if _STEP_EVIDENCE[t.action] == "pdf" else "upload")
         for t in rows if t.action in _STEP_EVIDENCE], batch_size=1000)
    # one entry seals the whole imported history in the chain (one per event would cost seconds)
    digest = hashlib.sha256(json.dumps([[p.event.pk, [[st[0], st[4].isoformat(), st[5]] for st in p.steps]]
                                        for p in plans], ensure_ascii=False).encode()).hexdigest()
    trail_append(actor=None, action="event.demo_history", subject=f"events:{plans[0].event.pk}-{plans[-1].event.pk}",
                 payload={"events": len(plans), "transitions": len(rows), "digest": digest})
    story = hanjiang_story()
    closed = [p.event for p in plans if p.event.state == State.CLOSED]
    now = clock.now()
    # The platform ran all along: its sweep escalates each missed step at ten past the midnight its deadline
    # ended, from the first one still open up to now, not all at once when the server first starts.
    first = Event.objects.filter(clocks.overdue_q(now)).order_by("deadline").values_list("deadline", flat=True).first()
    if first is not None:
        clocks.replay(first, now)
    return Summary(
        events=len(plans) + 1, closed=len(closed) + 1,
        closed_at_county=sum(1 for e in closed if e.tier == Tier.COUNTY and e.escalated_at is None),
        cases=sum(1 for p in plans if p.case) + 1,
        fines=sum((p.case.amount or Decimal(0) for p in plans if p.case and p.case.paid_at), Decimal(1500)),
        rework=sum(1 for p in plans if p.event.rework_count), open=sum(1 for p in plans if p.event.is_open),
        overdue=Event.objects.filter(clocks.overdue_q(now)).count(),
        hanjiang_event=story.pk)


# ---- the Hanjiang story, through the real services at its own dates -----------------------------------------

@contextlib.contextmanager
def _at(moment: dt.datetime) -> Iterator[None]:
    """Run services as if it were `moment` (they all ask parcelguard.core.clock)."""
    saved = clock.now, clock.today
    clock.now = lambda: moment  # type: ignore[assignment]
    clock.today = lambda: timezone.localtime(moment).date()  # type: ignore[assignment]
    try:
        yield
    finally:
        clock.now, clock.today = saved  # type: ignore[assignment]


def hanjiang_story() -> Event:
    """Seed 002: April, a Hanjiang grid worker finds an outlet whose filed address differs from where it
    operates → the district centre checks on site and sends a reminder letter (5 days) → nothing changes →
    escalated to the city bureau → case, investigation, fine of 1,500 yuan → on 30 April the outlet files
    the address change and the grid worker confirms it."""
    from parcelguard.events import services as s
    from parcelguard.registry.services import record_update

    users = {u.username: u for u in User.objects.filter(username__in=[
        "hanjiang_grid", "hanjiang_centre", "city"])}
    grid, centre, city = users["hanjiang_grid"], users["hanjiang_centre"], users["city"]
    sites = Site.objects.filter(grid=grid.jurisdiction, kind=SiteKind.OUTLET).select_related("enterprise")
    site = sites.filter(enterprise__brand_id="ZTO").first() or sites.first()
    actual = site.filed_address.split("号")[0] + "号旁新址"

    def photo(name: str, color: tuple[int, int, int]) -> ContentFile:
        return ContentFile(png_bytes(color, (320, 240)), name=name)

    with _at(_aware(dt.date(2026, 4, 8), 9, 40)):
        record_update(user=centre, obj=site, data={"actual_address": actual}, reason="网格员巡查发现实际经营地址变化")
        event = s.event_report(user=grid, site_id=site.pk, hazard_type="address_mismatch",
                               description=f"{site.name}实际经营地址为“{actual}”，与备案地址不符",
                               latitude=float(site.latitude or 25.459), longitude=float(site.longitude or 119.116),
                               uploads=[photo("现场照片.png", (190, 60, 40))])
    with _at(_aware(dt.date(2026, 4, 8), 15, 10)):
        event = s.event_verify(user=centre, event_id=event.pk, version=event.version, note="实地复核属实",
                               uploads=[photo("复核照片.png", (30, 110, 60))])
        event = s.event_remind(user=centre, event_id=event.pk, version=event.version,
                               note="请于5日内办理经营地址变更备案")
    with _at(_aware(dt.date(2026, 4, 14), 0, 5)):
        s.escalate_overdue()
        event.refresh_from_db()
    with _at(_aware(dt.date(2026, 4, 14), 9, 30)):
        event = s.case_open(user=city, event_id=event.pk, version=event.version,
                            reason="提醒后逾期未办理变更备案，予以立案调查")
    with _at(_aware(dt.date(2026, 4, 15), 10, 0)):
        event = s.case_investigate(user=city, event_id=event.pk, version=event.version, note="现场检查笔录",
                                   uploads=[photo("检查笔录.png", (20, 40, 120))])
        event = s.case_notify(user=city, event_id=event.pk, version=event.version, legal_basis="filing_change",
                              amount=Decimal(1500), reason="经营地址变更未按规定办理备案")
    with _at(_aware(dt.date(2026, 4, 21), 10, 0)):
        event = s.case_decide(user=city, event_id=event.pk, version=event.version, outcome=Outcome.FINE,
                              legal_basis="filing_change", amount=Decimal(1500), reason="事实清楚，证据确凿，处罚款1500元")
    with _at(_aware(dt.date(2026, 4, 22), 11, 0)):
        event = s.case_serve(user=city, event_id=event.pk, version=event.version, note="直接送达",
                             uploads=[ContentFile(pdf_bytes("service receipt"), name="送达回证.pdf")])
    with _at(_aware(dt.date(2026, 4, 27), 16, 0)):
        event = s.case_paid(user=city, event_id=event.pk, version=event.version,
                            uploads=[ContentFile(pdf_bytes("payment 1500"), name="缴款凭证.pdf")])
    with _at(_aware(dt.date(2026, 4, 30), 10, 30)):
        site.refresh_from_db()
        record_update(user=city, obj=site, data={"filed_address": actual, "filed_on": dt.date(2026, 4, 30)},
                      reason="已办理经营地址变更备案")
        event = s.event_confirm_fix(user=grid, event_id=event.pk, version=event.version,
                                    note="营业部已办理地址变更备案", uploads=[photo("备案回执.png", (40, 40, 40))])
    return event
