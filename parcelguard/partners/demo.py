"""The demo city's coordination with other departments, through the real services: Putian's partner
departments and their liaisons, the memorandum signed with the police and four other departments, a
quarterly joint meeting with its decisions, clues transferred to the police and the market regulator in
various states (one answered and closed, one signed for and now late, one just sent) and a clue received
from the Hanjiang police branch entered as a hazard event."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from parcelguard.accounts.models import Jurisdiction, User
from parcelguard.core import clock
from parcelguard.events.models import Event, TransitionEvidence
from parcelguard.partners import services
from parcelguard.partners.models import Partner

PARTNERS = [  # name, kind, liaison, position, phone
    ("莆田市公安局", "police", "林志强", "治安管理支队副支队长", "13905940311"),
    ("莆田市国家安全局", "state_security", "黄建华", "综合科科长", "13905940522"),
    ("莆田市市场监督管理局", "market", "陈丽萍", "网络交易监督管理科科长", "13805940633"),
    ("莆田市消防救援支队", "fire", "郑晓东", "防火监督处参谋", "13605940744"),
    ("莆田市交通运输局", "transport", "吴志明", "运输管理科副科长", "13705940855"),
]


def _pdf(name: str, text: str) -> SimpleUploadedFile:
    from parcelguard.events.testing import pdf_bytes

    return SimpleUploadedFile(name, pdf_bytes(text), content_type="application/pdf")


def _photo(name: str) -> Any:
    from parcelguard.events.testing import photo

    return photo(name, (90, 90, 120))


def _events_with_evidence(limit: int) -> list[Event]:
    ids = (TransitionEvidence.objects.filter(transition__action="report", transition__event__site__isnull=False)
           .order_by("transition__event_id").values_list("transition__event_id", flat=True).distinct())
    return list(Event.objects.filter(pk__in=list(ids[:limit])).order_by("pk"))


def load_demo_partners() -> dict[str, int]:
    city_user = User.objects.filter(username="city").first()
    hanjiang = User.objects.filter(username="hanjiang_centre").first()
    if city_user is None:
        return {"partners": 0, "transfers": 0}
    now = clock.now()
    made: dict[str, Partner] = {}
    with clock.frozen_at(now - dt.timedelta(days=200)):
        for name, kind, person, title, phone in PARTNERS:
            made[kind] = services.partner_create(user=city_user, name=name, kind=kind,
                                                 feedback_days=20 if kind == "market" else None,
                                                 feedback_working_days=False if kind == "market" else None)
            services.contact_add(user=city_user, partner_id=made[kind].pk, name=person, title=title, phone=phone,
                                 primary=True)
        if hanjiang is not None:
            made["hanjiang"] = services.partner_create(user=hanjiang, name="莆田市公安局涵江分局", kind="police",
                                                       jurisdiction_id=hanjiang.jurisdiction_id)
            services.contact_add(user=hanjiang, partner_id=made["hanjiang"].pk, name="陈伟", title="治安大队民警",
                                 phone="13805942345", primary=True)
        signed = clock.today() - dt.timedelta(days=30)
        services.memorandum_add(
            user=city_user, partner_ids=[made[p[1]].pk for p in PARTNERS],
            title="莆田市寄递渠道安全管理部门协作备忘录", signed_on=signed,
            valid_until=signed.replace(year=signed.year + 3),
            scope_text="寄递渠道涉毒涉枪涉爆、禁寄物品、诈骗线索双向移送与反馈；联合检查；联席会议每季度一次；信息共享。",
            upload=_pdf("部门协作备忘录.pdf", "MoU"))
    _meeting(city_user, hanjiang, made, now)
    transfers = _transfers(city_user, hanjiang, made, now)
    return {"partners": len(made), "transfers": transfers}


def _meeting(city_user: User, hanjiang: User | None, made: dict[str, Partner], now: dt.datetime) -> None:
    held = timezone.localtime(now - dt.timedelta(days=40)).replace(hour=9, minute=30, second=0, microsecond=0)
    with clock.frozen_at(held - dt.timedelta(days=7)):
        meeting = services.meeting_convene(
            user=city_user, title="莆田市寄递渠道安全管理联席会议（第三季度）",
            starts_at=held, place="市邮政管理局三楼会议室",
            agenda="一、通报本季度寄递渠道线索移送与反馈情况\n二、部署旺季寄递安全联合检查\n三、研究无证快递驿站整治",
            partner_ids=[made["police"].pk, made["market"].pk, made["fire"].pk, made["transport"].pk],
            attendees="林志强，市公安局治安支队，副支队长\n陈丽萍，市市场监管局，科长\n郑晓东，市消防救援支队，参谋\n"
                      "吴志明，市交通运输局，副科长")
    owner = hanjiang or city_user
    with clock.frozen_at(held + dt.timedelta(hours=3)):
        services.meeting_record(
            user=city_user, meeting_id=meeting.pk, version=None, upload=_pdf("会议纪要.pdf", "minutes"),
            minutes="会议通报了本季度向公安机关移送涉枪涉爆线索及反馈情况，议定旺季联合检查和无证驿站整治两项工作。",
            actions=[
                {"text": "会同公安、市场监管开展旺季寄递安全联合检查", "owner_id": city_user.pk,
                 "partner_id": made["police"].pk, "due_on": (held + dt.timedelta(days=60)).date()},
                {"text": "涵江区排查无证快递驿站并报送清单", "owner_id": owner.pk, "partner_id": made["market"].pk,
                 "due_on": (held + dt.timedelta(days=20)).date()},
                {"text": "分拨中心消防安全联合检查", "owner_id": city_user.pk, "partner_id": made["fire"].pk,
                 "due_on": (held + dt.timedelta(days=30)).date()},
            ])
    action = meeting.actions.order_by("due_at").first()
    if action is not None:
        with clock.frozen_at(held + dt.timedelta(days=18)):
            services.action_complete(user=owner, action_id=action.pk, version=None,
                                     note="排查驿站46家，发现无证驿站5家，已移交市场监管部门", uploads=[_photo("驿站排查.png")])


def _transfers(city_user: User, hanjiang: User | None, made: dict[str, Partner], now: dt.datetime) -> int:
    events = _events_with_evidence(3)
    count = 0
    plans = [
        (50, "police", "weapons", "网点收寄包裹过机时发现疑似仿真枪配件，寄件人拒绝开箱验视后离开，现场调取监控及面单信息。",
         "closed"),
        (35, "police", "fraud", "同一寄件人身份信息一日内在6个网点寄递，收件地址分散，疑似冒用身份实施诈骗。", "late"),
        (3, "market", "counterfeit", "网点集中收寄疑似假冒品牌运动鞋，数量较大，寄件人无法提供进货凭证。", "sent"),
    ]
    for event, (days_ago, partner, kind, facts, end) in zip(events, plans, strict=False):
        sent = now - dt.timedelta(days=days_ago)
        evidence = [te.evidence_id for te in TransitionEvidence.objects.filter(transition__event=event)]
        with clock.frozen_at(sent):
            t = services.transfer_send(user=city_user, partner_id=made[partner].pk, kind=kind, summary=facts,
                                       event_id=event.pk, evidence_ids=evidence)
        count += 1
        if end == "sent":
            continue
        with clock.frozen_at(sent + dt.timedelta(days=2)):
            t = services.transfer_receipt(user=city_user, transfer_id=t.pk, version=None,
                                          received_on=(sent + dt.timedelta(days=1)).date(),
                                          uploads=[_photo("签收回执.png")])
        if end == "closed":
            with clock.frozen_at(sent + dt.timedelta(days=12)):
                services.transfer_feedback(user=city_user, transfer_id=t.pk, version=None, outcome="case_opened",
                                           text="经审查，我局已对该线索立案侦查，查获仿真枪配件一批。",
                                           uploads=[_pdf("公安机关反馈函.pdf", "feedback")])
                services.transfer_close(user=city_user, transfer_id=t.pk, version=None, note="反馈已归档")
        elif end == "late":
            with clock.frozen_at(sent + dt.timedelta(days=28)):
                services.transfer_chase(user=city_user, transfer_id=t.pk, version=None,
                                        note="电话催办市公安局治安支队林志强，答复正在核查")
    county = Jurisdiction.objects.filter(code__startswith="350303", level="county").first()
    if hanjiang is not None and "hanjiang" in made and county is not None:
        with clock.frozen_at(now - dt.timedelta(days=6)):
            services.transfer_register(
                user=hanjiang, partner_id=made["hanjiang"].pk, number="莆公涵（治）移〔" + str(now.year) + "〕7号",
                received_on=(now - dt.timedelta(days=7)).date(), kind="drugs", hazard_type="other",
                summary="我局侦办案件中发现，嫌疑人多次通过涵江区某快递驿站寄递可疑包裹，驿站未落实实名收寄和开箱验视。",
                county_id=county.pk, place="涵江区涵东街道某快递驿站", uploads=[_pdf("涵江分局来函.pdf", "letter")])
        count += 1
    return count
