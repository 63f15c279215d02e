"""Emergency management in the demo city, through the real services at the moments things happened
(`clock.frozen_at`): most enterprises' comprehensive plans filed (some expired, a few due for review, one
superseded by a new version), special plans at the sorting centres; the city's annual industry-wide drill
with its action items (one done, one overdue) and two enterprise drills; and five incidents in every state
of their flow, one of them forwarded late."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from parcelguard.accounts.models import User
from parcelguard.accounts.roles import Role
from parcelguard.core import clock
from parcelguard.emergency import services
from parcelguard.emergency.models import Incident, Plan
from parcelguard.registry.models import Enterprise, Site, SiteKind, Status

APPROVERS = ["总经理", "安全生产第一责任人", "公司安全生产委员会"]


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=services.local_tz())


def _pdf(name: str, text: str) -> Any:
    from parcelguard.events.testing import pdf

    return pdf(name, text)


def _plans(rng: random.Random, today: dt.date, admin: User) -> int:
    officers = {u.enterprise_id: u for u in User.objects.filter(role=Role.ENTERPRISE, is_active=True).order_by("pk")}
    with_centre = set(Site.objects.filter(kind=SiteKind.SORTING_CENTRE, status=Status.ACTIVE)
                      .values_list("enterprise_id", flat=True))
    made = 0
    for enterprise in Enterprise.objects.filter(status=Status.ACTIVE).order_by("pk"):
        luck = rng.random()
        if luck < 0.12:
            continue  # no plan at all: listed as without a valid plan
        short = enterprise.name.replace("有限公司", "").replace("莆田市", "")
        if luck < 0.22:  # filed three years ago and never reviewed: expired
            approved = today - dt.timedelta(days=3 * 365 + rng.randint(10, 200))
        elif luck < 0.28:  # review due within the month
            approved = services.add_years(today, -3) + dt.timedelta(days=rng.randint(3, 25))
        else:
            approved = today - dt.timedelta(days=rng.randint(30, 700))
        kinds = ["general"] + (["suspicious", "fire"] if enterprise.pk in with_centre else [])
        for kind in kinds:
            title = {"general": f"{short}生产安全事故综合应急预案", "suspicious": f"{short}可疑快件处置专项应急预案",
                     "fire": f"{short}火灾事故专项应急预案"}[kind]
            _file_plan(enterprise, officers.get(enterprise.pk), admin, kind, title, f"{approved.year}版",
                       rng.choice(APPROVERS), approved)
            made += 1
    # One enterprise revised its plan this year: the old version stays, superseded.
    zto = officers and next(iter(officers.values()))
    if zto:
        old = Plan.objects.filter(enterprise_id=zto.enterprise_id, kind="general", superseded_at__isnull=True).first()
        if old is not None:
            approved = max(old.approved_on + dt.timedelta(days=1), today - dt.timedelta(days=20))
            _file_plan(old.enterprise, zto, admin, "general", old.title, f"{approved.year}修订版", "总经理", approved)
            made += 1
    return made


def _file_plan(enterprise: Enterprise, officer: User | None, admin: User, kind: str, title: str, version: str,
               approver: str, approved: dt.date) -> Plan:
    upload = _pdf(f"{title}.pdf", f"Emergency plan {enterprise.credit_code} {kind} {version}")
    with clock.frozen_at(_at(approved, 16) + dt.timedelta(days=2)):
        if officer is not None:
            return services.plan_file(user=officer, kind=kind, title=title, version_label=version,
                                      approved_by=approver, approved_on=approved, upload=upload)
        # enterprises without an account in the demo: the bureau keeps the copy they handed in
        return services._plan_write(user=admin, enterprise_id=enterprise.pk, kind=kind, title=title,
                                    version_label=version, approved_by=approver, approved=approved,
                                    review=services.add_years(approved, services.plan_valid_years()),
                                    upload=upload, pages=services.check_pdf(upload))


def _drills(today: dt.date) -> int:
    from parcelguard.events.testing import photo

    city = User.objects.get(username="city")
    centre = Site.objects.filter(kind=SiteKind.SORTING_CENTRE, status=Status.ACTIVE,
                                 county__code="350303").order_by("code").first() or Site.objects.order_by("pk").first()
    held = today - dt.timedelta(days=40)
    active = list(Enterprise.objects.filter(status=Status.ACTIVE).order_by("pk"))
    taking_part = sorted(active, key=lambda e: (e.brand_id != "ZTO", e.pk))[:8]  # ZTO's officers have accounts
    hanjiang = centre.county if centre else None
    with clock.frozen_at(_at(held, 17)):
        drill = services.drill_record(
            user=city, title=f"{held.year}年莆田市寄递渠道突发事件应急处置综合演练", scenario="suspicious",
            held_on=held, place=centre.name if centre else "莆田市", participants=126,
            participant_note="市邮政管理局、市公安局、市消防救援支队、各县区邮政业安全中心、8家寄递企业",
            enterprise_ids=[e.pk for e in taking_part], photos=[photo("演练现场.png", (180, 40, 40))],
            evaluation="从安检机发现可疑快件到隔离、疏散、报警用时6分钟，符合预案要求；首报信息不全，"
                       "县区中心转报市局用时42分钟，超过30分钟时限；部分企业员工对疏散路线不熟悉。",
            actions=[{"problem": "安检员发现可疑快件后先报班组长、未直接报告安全员，首报延误",
                      "measure": "修订可疑快件处置流程，开展专题培训", "due_on": held + dt.timedelta(days=30),
                      "enterprise_id": taking_part[0].pk},
                     {"problem": "分拨中心二层疏散指示标志不清", "measure": "更换疏散指示标志并复查",
                      "due_on": held + dt.timedelta(days=45), "enterprise_id": taking_part[1].pk},
                     {"problem": "县区中心值班联络表未更新，转报超时", "measure": "更新值班表并每月核对",
                      "due_on": held + dt.timedelta(days=20), "jurisdiction_id": hanjiang.pk if hanjiang else None}])
    first = drill.actions.order_by("pk").first()
    if first is not None and first.owner_enterprise_id:
        owner = User.objects.filter(role=Role.ENTERPRISE, enterprise_id=first.owner_enterprise_id).first()
        if owner is not None:
            with clock.frozen_at(_at(held + dt.timedelta(days=18), 10)):
                services.action_complete(user=owner, action_id=first.pk, version=None,
                                         note="已修订处置流程并组织全体安检员培训2次",
                                         uploads=[photo("培训签到表.png", (40, 90, 160))])
    made = 1
    for officer in User.objects.filter(role=Role.ENTERPRISE, is_active=True).order_by("pk")[:2]:
        day = today - dt.timedelta(days=12 + 7 * made)
        with clock.frozen_at(_at(day, 18)):
            services.drill_record(
                user=officer, title="分拨中心消防疏散演练", scenario="fire", held_on=day,
                place="分拣场地及二层办公区", participants=42, participant_note="全体分拣员、安检员、夜班主管",
                evaluation="全员疏散用时3分40秒；两具灭火器压力不足", photos=[photo("疏散.png", (60, 160, 60))],
                actions=[{"problem": "两具灭火器压力不足", "measure": "送检更换",
                          "due_on": day + dt.timedelta(days=14)}])
        made += 1
    return made


def _incidents(now: dt.datetime) -> int:
    from parcelguard.events.testing import pdf, photo

    city = User.objects.get(username="city")

    def site_of(code: str, kind: str = SiteKind.SORTING_CENTRE) -> Site | None:
        active = Site.objects.filter(county__code=code, status=Status.ACTIVE).order_by("code")
        return (active.filter(kind=kind, enterprise__brand_id="ZTO").first() or active.filter(kind=kind).first()
                or active.first())

    def officer(site: Site | None) -> User | None:
        return User.objects.filter(role=Role.ENTERPRISE, enterprise_id=site.enterprise_id).first() if site else None

    def report(by: User, at: dt.datetime, occurred: dt.datetime, **kw: Any) -> Incident:
        with clock.frozen_at(at):
            return services.incident_report(user=by, occurred_at=occurred, **kw)

    def step(fn: Any, at: dt.datetime, **kw: Any) -> None:
        with clock.frozen_at(at):
            fn(version=None, **kw)

    made = 0
    # 1. closed: a suspicious parcel at Hanjiang's sorting centre, handled on time, a false alarm
    hub = site_of("350303")
    reporter = officer(hub) or User.objects.get(username="hanjiang_centre")
    t = now - dt.timedelta(days=18, hours=3)
    one = report(reporter, t, t - dt.timedelta(minutes=12), kind="suspicious", site_id=hub.pk if hub else None,
                 place="二号安检机出口", summary="安检机图像显示一件寄往外省的包裹内有疑似雷管状物品",
                 first_measures="停机、隔离包裹，疏散周边30米人员，报110", uploads=[photo("安检图像.png")])
    centre = User.objects.get(username="hanjiang_centre")
    step(services.incident_forward, t + dt.timedelta(minutes=14), user=centre, incident_id=one.pk, note="已派员赶赴现场")
    step(services.incident_take_charge, t + dt.timedelta(minutes=40), user=city, incident_id=one.pk,
         note="市局应急指挥，协调公安排爆")
    step(services.incident_follow_up, t + dt.timedelta(hours=1, minutes=30), user=reporter, incident_id=one.pk,
         text="公安排爆人员开箱检查，确认为电子烟配件，无危险；已恢复作业")
    step(services.incident_close, t + dt.timedelta(hours=5), user=city, incident_id=one.pk,
         summary="误报，处置规范；收寄网点验视不到位，另行督促整改", uploads=[pdf("处置情况报告.pdf", "incident report")])
    made += 1
    # 2. closed: a fire at a Licheng outlet, reported by the county centre, forwarded late
    shop = site_of("350304", SiteKind.OUTLET)
    t = now - dt.timedelta(days=9, hours=6)
    licheng = User.objects.get(username="licheng_centre")
    two = report(licheng, t, t - dt.timedelta(minutes=35), kind="fire", site_id=shop.pk if shop else None,
                 place="营业部后门堆放区", summary="后门堆放的包装纸箱起火，过火面积约5平方米",
                 first_measures="员工用灭火器扑灭，拨打119，疏散顾客", uploads=[photo("过火现场.png", (90, 60, 30))])
    step(services.incident_forward, t + dt.timedelta(minutes=52), user=licheng, incident_id=two.pk)
    step(services.incident_take_charge, t + dt.timedelta(minutes=80), user=city, incident_id=two.pk)
    step(services.incident_close, t + dt.timedelta(days=1), user=city, incident_id=two.pk,
         summary="无人员伤亡；责令清理堆放物、补齐灭火器，纳入隐患事件跟踪", uploads=[photo("整改后.png", (30, 120, 60))])
    made += 1
    # 3. city in charge: a mass backlog in Xianyou after a sorting centre's conveyor broke
    xianyou = site_of("350322")
    t = now - dt.timedelta(days=1, hours=4)
    xianyou_centre = User.objects.get(username="xianyou_centre")
    three = report(xianyou_centre, t, t - dt.timedelta(minutes=30), kind="backlog",
                   site_id=xianyou.pk if xianyou else None, place="分拨中心卸货区及门前道路",
                   summary="分拣线故障，积压快件约4万件，车辆排队占用县道", first_measures="通知企业启用人工分拣，联系交警疏导")
    step(services.incident_forward, t + dt.timedelta(minutes=20), user=xianyou_centre, incident_id=three.pk)
    step(services.incident_take_charge, t + dt.timedelta(minutes=45), user=city, incident_id=three.pk)
    step(services.incident_follow_up, t + dt.timedelta(hours=8), user=xianyou_centre, incident_id=three.pk,
         text="已调配12名临时人员，积压降至1.5万件，预计明日清零")
    made += 1
    # 4. forwarded, the city's clock running: a data leak reported by an enterprise
    leak_site = site_of("350302", SiteKind.OUTLET)
    by = officer(leak_site) or User.objects.get(username="chengxiang_centre")
    t = now - dt.timedelta(minutes=40)
    four = report(by, t, t - dt.timedelta(minutes=25), kind="data", site_id=leak_site.pk if leak_site else None,
                  place="营业部收寄电脑", summary="员工发现收寄电脑被远程控制，疑似导出近一个月面单数据",
                  first_measures="已断网、保留日志，报公安网安部门")
    step(services.incident_forward, t + dt.timedelta(minutes=15), user=User.objects.get(username="chengxiang_centre"),
         incident_id=four.pk, note="请市局协调网安部门")
    made += 1
    # 5. just reported: an injury at a Hanjiang outlet, the county's clock running
    outlet = site_of("350303", SiteKind.OUTLET)
    by = officer(outlet) or User.objects.get(username="hanjiang_centre")
    t = now - dt.timedelta(minutes=8)
    report(by, t, t - dt.timedelta(minutes=20), kind="injury", site_id=outlet.pk if outlet else None,
           place="装卸平台", summary="一名装卸工被滑落的快件笼砸伤左脚", first_measures="已送莆田学院附属医院，现场设置警戒",
           casualties=1)
    return made + 1


def load_demo_emergency(seed: int = 20191) -> dict[str, int]:
    rng = random.Random(seed + 17)
    now = clock.now()
    today = clock.today()
    admin = User.objects.filter(role=Role.ADMIN).order_by("pk").first()
    return {"plans": _plans(rng, today, admin), "drills": _drills(today), "incidents": _incidents(now)}
