"""The procuratorate's stories in the demo city, through the real services at their own dates.

- A closed Shiyan-like file (seed 001): waybills not de-identified → case opened, recommendation served →
  the bureau "talked to the firms" and replied within the period → the procurators' follow-up found
  nothing changed → administrative public-interest suit → judgment: keep performing the duty → re-check
  found the firms rectified → closed.
- An open Jiayuguan-like file (seeds 000, 003): a sorting hub with fire hazards, a broken X-ray machine
  with forged screening records, six brands' waybills unmasked → on-site check, joint inspection,
  consultation, public hearing → recommendation served publicly (宣告送达) 25 days ago, mid-way through the
  reply period; the bureau has split it into tasks, one already closed through the hazard workflow."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from parcelguard.accounts.models import User
from parcelguard.core import clock
from parcelguard.events.demo import _at
from parcelguard.events.testing import pdf_bytes, png_bytes
from parcelguard.oversight import services
from parcelguard.registry.models import Site, SiteKind


def _moment(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def _photo(name: str, color: tuple[int, int, int]) -> ContentFile:
    return ContentFile(png_bytes(color, (320, 240)), name=name)


def load_demo_oversight() -> dict[str, Any]:
    users = {u.username: u for u in User.objects.filter(username__in=[
        "procurator", "city", "hanjiang_centre", "hanjiang_grid", "hanjiang_zto", "licheng_centre"])}
    if len(users) < 5:
        return {"recommendations": 0}
    today = clock.today()
    closed = _shiyan(users, today)
    open_ = _jiayuguan(users, today)
    return {"recommendations": 2, "closed": closed.number, "open": open_.number}


def _shiyan(u: dict[str, Any], today: dt.date) -> Any:
    proc, city = u["procurator"], u["city"]
    outlets = list(Site.objects.filter(kind=SiteKind.OUTLET, county__code="350303").order_by("code")[:4])
    t0 = today - dt.timedelta(days=330)
    year = t0.year
    with _at(_moment(t0, 9)):
        case = services.case_open(
            user=proc, number=f"莆检行公立〔{year}〕3号", procuratorate="莆田市涵江区人民检察院",
            matter="waybill_privacy", opened_on=t0,
            summary="专项监督发现辖区多家快递企业运单未对收寄件人姓名、电话、住址作去标识化处理，也未进行信息安全提醒，"
                    "邮政管理部门怠于履行监管职责，社会公共利益持续处于受损状态。",
            site_ids=",".join(s.code for s in outlets))
        services.investigation_record(
            user=proc, case_id=case.pk, kind="on_site", held_on=t0, place="涵江区各快递营业网点",
            findings="抽查4个营业网点寄出快件，运单完整显示收件人姓名、11位手机号与门牌号。",
            uploads=[_photo("运单照片.png", (200, 190, 170))])
    with _at(_moment(t0 + dt.timedelta(days=2), 10)):
        rec = services.recommendation_create(
            user=proc, case_id=case.pk, number=f"莆涵检行公建〔{year}〕3号", title="检察建议书",
            addressee="莆田市邮政管理局", issued_on=t0 + dt.timedelta(days=2), items=[{
                "problem": "辖区快递企业运单未对收寄人姓名、电话、住址作去标识化处理，未进行信息安全提醒",
                "request": "依法全面履行快递市场安全监管职责，督促快递企业落实隐私面单，对违法企业依法查处",
                "sites": ",".join(s.code for s in outlets)}])
        rec = services.recommendation_serve(user=proc, pk=rec.pk, version=rec.version,
                                            served_on=t0 + dt.timedelta(days=2), method="direct",
                                            received_by="市邮政管理局办公室")
    item = rec.items.get()
    with _at(_moment(t0 + dt.timedelta(days=20), 9)):
        task = services.task_create(user=city, item_id=item.pk, county_id=outlets[0].county_id,
                                    title="约谈辖区快递企业，责令改正运单信息保护", due_on=t0 + dt.timedelta(days=45))
    with _at(_moment(t0 + dt.timedelta(days=40), 15)):
        services.task_done(user=city, task_id=task.pk, note="已约谈辖区快递企业负责人，下达责令改正通知",
                           uploads=[ContentFile(pdf_bytes("interview record"), name="约谈记录.pdf")])
    with _at(_moment(t0 + dt.timedelta(days=55), 10)):
        services.reply_issue(user=city, pk=rec.pk, version=None,
                             summary="我局已通过约谈、责令改正等方式要求相关企业强化公民个人信息保护。")
    with _at(_moment(t0 + dt.timedelta(days=70), 10)):
        rec = services.follow_up(user=proc, pk=rec.pk, version=None, checked_on=t0 + dt.timedelta(days=70),
                                 results={item.pk: {"result": "not_rectified",
                                                    "note": "实地查看，部分快递企业运单仍完整显示个人信息，风险依然存在"}},
                                 uploads=[_photo("跟进调查.png", (180, 170, 160))])
    with _at(_moment(t0 + dt.timedelta(days=85), 10)):
        rec = services.suit_record(user=proc, pk=rec.pk, version=None, court="莆田市涵江区人民法院",
                                   case_number=f"（{year}）闽0303行初{17}号", filed_on=t0 + dt.timedelta(days=85),
                                   claims="判令被告对辖区快递企业未按规定保护个人信息的情形依法履行监管职责")
    with _at(_moment(t0 + dt.timedelta(days=150), 10)):
        rec = services.judgment_record(user=proc, pk=rec.pk, version=None, judged_on=t0 + dt.timedelta(days=150),
                                       judgment="责令被告对辖区快递企业个人信息保护依法继续履行监管职责")
    with _at(_moment(t0 + dt.timedelta(days=270), 10)):
        rec = services.compliance_check(
            user=proc, pk=rec.pk, version=None, checked_on=t0 + dt.timedelta(days=270),
            results={item.pk: {"result": "rectified",
                               "note": "辖区24家快递企业完成专项整治，立案查处8起，寄出快件均已采取加密、去标识化措施"}},
            uploads=[_photo("复查.png", (90, 160, 90))])
    with _at(_moment(t0 + dt.timedelta(days=271), 10)):
        rec = services.recommendation_close(user=proc, pk=rec.pk, version=None, reason="判决履行到位，复查确认整改完毕")
        services.case_close(user=proc, case_id=case.pk, reason="检察建议及诉讼均已办结")
    return rec


def _jiayuguan(u: dict[str, Any], today: dt.date) -> Any:
    from parcelguard.events import services as ev
    from parcelguard.oversight.testing import warning_at
    from parcelguard.parcels.models import EarlyWarning
    from parcelguard.privacy.models import WaybillSample

    proc, city, centre = u["procurator"], u["city"], u["hanjiang_centre"]
    grid, officer = u["hanjiang_grid"], u["hanjiang_zto"]
    hub = (Site.objects.filter(kind=SiteKind.SORTING_CENTRE, county__code="350303").order_by("code").first()
           or Site.objects.filter(kind=SiteKind.SORTING_CENTRE).order_by("code").first())
    outlet = Site.objects.filter(grid=grid.jurisdiction, enterprise=officer.enterprise,
                                 kind=SiteKind.OUTLET).order_by("code").first()
    warning = EarlyWarning.objects.filter(site=hub, kind="LOW_SCREENING").first() or warning_at(hub, 1)
    samples = list(WaybillSample.objects.filter(compliant=False).order_by("pk")
                   .values_list("pk", flat=True)[:6])
    t0 = today - dt.timedelta(days=60)
    year = today.year
    with _at(_moment(t0, 9)):
        case = services.case_open(
            user=proc, number=f"莆检行公立〔{year}〕7号", procuratorate="莆田市人民检察院", matter="hub_hazards",
            opened_on=t0, summary="快递区域集散中心存在消防安全隐患、安检设备损坏并伪造安检记录、六个品牌运单未作信息保护提醒，"
                                 "邮政管理部门未全面履行监管职责。",
            site_ids=hub.code)
    for days, kind, text, extra in (
        (0, "on_site", "集散中心消防设施未设置、未启用，易燃品随意堆放，中转仓无安全出口标识；一家企业中转仓安检机损坏，"
                       "未对快件安全检查，存在伪造安检记录情况；六个品牌运单未作信息安全保护提醒。", {}),
        (8, "joint", "会同市邮政管理局对集散中心内快递企业复查，现场确认上述隐患。", {"participants": "检察官2名、市邮政管理局3名"}),
        (12, "consultation", "召开诉前磋商会，逐项举证说明；市邮政管理局对公益损害事实无异议，提出初步整改措施。", {}),
        (20, "hearing", "邀请人民监督员与市邮政管理局负责人召开公开听证会，被监督单位当场认领问题。",
         {"supervisors_opinion": "快递安全关系民生，同意发出检察建议，希望职能部门加强日常监管，健全工作机制。"}),
    ):
        with _at(_moment(t0 + dt.timedelta(days=days), 14)):
            services.investigation_record(user=proc, case_id=case.pk, kind=kind, held_on=t0 + dt.timedelta(days=days),
                                          findings=text, place=hub.name, uploads=[_photo(f"{kind}.png", (120, 80 + days, 60))],
                                          **extra)
    served = today - dt.timedelta(days=25)
    with _at(_moment(served, 10)):
        rec = services.recommendation_create(
            user=proc, case_id=case.pk, number=f"莆检行公建〔{year}〕7号", title="检察建议书",
            addressee="莆田市邮政管理局", issued_on=served, items=[
                {"problem": "集散中心消防设施未设置、未启用，易燃品堆放，无安全出口标识",
                 "request": "加大对中转仓消防安全设施的巡查及从业人员培训", "sites": hub.code},
                {"problem": "安检设备损坏，未对快件进行安全检查，伪造安检记录",
                 "request": "严格规范快件安检制度，加强对安检设备的巡视巡查", "sites": hub.code,
                 "warnings": [warning.pk]},
                {"problem": "六个品牌快递运单未进行信息安全保护提醒",
                 "request": "依法实施寄递用户信息安全监督检查，督促企业采取有效手段保护公民个人信息",
                 "samples": samples, "sites": outlet.code if outlet else ""},
            ])
        rec = services.recommendation_serve(user=proc, pk=rec.pk, version=rec.version, served_on=served,
                                            method="announced", received_by="市邮政管理局局长（现场签收）",
                                            uploads=[_photo("宣告送达.png", (160, 40, 40))])
    items = list(rec.items.order_by("position"))
    with _at(_moment(served + dt.timedelta(days=3), 9)):
        services.task_create(user=city, item_id=items[0].pk, county_id=hub.county_id, title="集散中心消防设施整改、微型消防站建设",
                             due_on=served + dt.timedelta(days=50))
        t2 = None
        if outlet is not None:
            t2 = services.task_create(
                user=city, item_id=items[2].pk, county_id=outlet.county_id, title="营业部换用隐私面单并设置信息保护提醒",
                due_on=served + dt.timedelta(days=30),
                new_event={"site_id": outlet.code, "hazard_type": "other", "source": "inspection",
                           "description": f"{outlet.name}运单未作信息保护提醒（检察建议第3项）",
                           "uploads": [_photo("面单.png", (210, 200, 180))]})
        services.task_create(user=city, item_id=items[1].pk, county_id=hub.county_id,
                             title="安检机维修，核查安检记录并立案查处", due_on=served + dt.timedelta(days=40))
    if t2 is not None and t2.event_id:
        with _at(_moment(served + dt.timedelta(days=5), 10)):
            e = ev.event_verify(user=centre, event_id=t2.event_id, version=None, note="现场核实属实",
                                uploads=[_photo("核实.png", (30, 110, 60))])
            ev.event_remind(user=centre, event_id=e.pk, version=None, note="限期换用隐私面单")
        with _at(_moment(served + dt.timedelta(days=9), 16)):
            ev.event_answer(user=officer, event_id=t2.event_id, version=None, note="已换用隐私面单，柜台张贴信息保护提醒",
                            uploads=[_photo("隐私面单.png", (40, 160, 80))])
        with _at(_moment(served + dt.timedelta(days=11), 10)):
            ev.event_confirm_fix(user=grid, event_id=t2.event_id, version=None, note="复查合格",
                                 uploads=[_photo("复查合格.png", (60, 60, 200))])
    return rec
