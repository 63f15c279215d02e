"""The documents a bureau or a centre signs, read back as a legal officer reads them: each required part
present once, in the issuer's own name and numbering, and the authority, date and seal on the page of the
last paragraph (issue 17, items 1 and 2)."""

from __future__ import annotations

import datetime as dt
import io
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.storage import default_storage
from pypdf import PdfReader

from parcelguard.documents.models import Document
from parcelguard.events import services
from parcelguard.events.testing import make_event

SH = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)


def pdf_pages(document: Document) -> list[str]:
    """The text of each page, whitespace removed (the extraction puts spaces between glyphs)."""
    with default_storage.open(document.evidence.file.name, "rb") as fh:
        reader = PdfReader(io.BytesIO(fh.read()))
    return [re.sub(r"\s+", "", page.extract_text()) for page in reader.pages]


def page_of(pages: list[str], needle: str) -> int:
    """The one page holding `needle`, which must appear exactly once in the document."""
    hits = [i for i, text in enumerate(pages) for _ in range(text.count(needle))]
    assert len(hits) == 1, (needle, len(hits))
    return hits[0]


NOTE = "在营业场所显著位置公示新经营地址，并在平台提交变更备案回执"


def _remind(cast, user: str = "centre_a", site=None, note: str = NOTE) -> Document:
    event = make_event(site or cast.outlet_a1, state="verified")
    event = services.event_remind(user=cast.users[user], event_id=event.pk, version=event.version, note=note)
    return Document.objects.get(subject=f"event:{event.pk}", doc_type="reminder")


def test_a_county_centres_reminder_is_issued_in_its_own_name_and_refers_to_the_bureau(cast):
    with time_machine.travel(at(2026, 11, 27, 10), tick=False):
        doc = _remind(cast)
        other = _remind(cast, "centre_b", cast.outlet_b1)
        second = _remind(cast)
    assert (doc.number, other.number, second.number) == (
        "涵邮安提〔2026〕1号", "荔邮安提〔2026〕1号", "涵邮安提〔2026〕2号")
    pages = pdf_pages(doc)
    text = "".join(pages)
    assert "莆邮管" not in text and "我局" not in text  # not the bureau's number, not the bureau's voice
    assert text.startswith("涵江区邮政业安全中心")
    assert text.count("涵江区邮政业安全中心") == 2  # the head and the signature
    page_of(pages, "涵邮安提〔2026〕1号")
    page_of(pages, "我中心在监督检查中发现")
    page_of(pages, NOTE)  # the officer's own note of what to fix
    page_of(pages, "5日内办理经营地址变更备案")  # and the hazard type's standing requirement
    assert page_of(pages, "逾期未整改或整改不到位的，我中心将把有关情况移交莆田市邮政管理局依法处理") == len(pages) - 1
    assert "依法予以处理" not in text
    last = page_of(pages, "特此提醒")
    assert page_of(pages, "涵江区邮政业安全中心二〇二六年十一月二十七日（印章）") == last


def test_a_long_note_does_not_leave_the_signature_alone(cast):
    note = "\n".join(f"第{i}项：整改营业场所内第{i}处不符合规定的情形，并拍照上传整改前后对比照片" for i in range(1, 15))
    with time_machine.travel(at(2026, 11, 27, 10), tick=False):
        doc = _remind(cast, note=note)
    pages = pdf_pages(doc)
    assert len(pages) >= 2
    assert page_of(pages, "特此提醒") == page_of(pages, "（印章）") == len(pages) - 1
    assert page_of(pages, "第14项：整改营业场所内第14处不符合规定的情形") is not None


DEFENCE = "当事人称已于次日办理地址变更备案，请求从轻处罚"
WEIGHED = "当事人所称变更备案系在检查发现之后，不足以免除处罚，但其主动改正，依法从轻处罚"


def test_a_penalty_decision_carries_every_part_once_and_ends_with_the_seal(cast):
    with time_machine.travel(at(2026, 11, 2, 9), tick=False) as t:
        event = make_event(cast.outlet_a1, state="escalated")
        city = cast.users["city_bureau"]
        event = services.case_open(user=city, event_id=event.pk, version=event.version, reason="涉嫌未办理变更备案")
        event = services.case_notify(user=city, event_id=event.pk, version=event.version, legal_basis="filing_change",
                                     amount=7500, reason="拟罚款")
        t.shift(dt.timedelta(days=1))
        event = services.case_defend(user=cast.users["officer_x"], event_id=event.pk, version=event.version,
                                     reason=DEFENCE)
        event = services.case_decide(user=city, event_id=event.pk, version=event.version, outcome="fine",
                                     legal_basis="filing_change", amount=7500, reason=WEIGHED)
    doc = Document.objects.get(subject=f"event:{event.pk}", doc_type="penalty_decision")
    pages = pdf_pages(doc)
    text = "".join(pages)
    assert doc.number == "莆邮管罚决〔2026〕1号"
    for part in ("莆邮管罚决〔2026〕1号", "当事人：莆田市涵江区中通快递服务有限公司", "经查，测试隐患描述",
                 "以上事实有下列证据证明", "立案审批表（莆邮管立〔2026〕1号）", "行政处罚告知书（莆邮管罚告〔2026〕1号）",
                 DEFENCE, WEIGHED, "违反了《快递暂行条例》第十条的规定", "依据《快递暂行条例》第四十条的规定",
                 "罚款人民币柒仟伍佰元整（¥7500.00）", "自收到本决定书之日起15日内通过福建省财政非税收入缴款系统",
                 "每日按罚款数额的百分之三加处罚款", "六十日内向福建省邮政管理局申请行政复议",
                 "六个月内向莆田市城厢区人民法院提起行政诉讼"):
        page_of(pages, part)
    assert text.count("罚款人民币") == 1  # the amount once, in words and figures
    assert "＿" not in text  # no blank line left to fill in by hand
    last = page_of(pages, "本处罚决定不停止执行")
    assert page_of(pages, "莆田市邮政管理局二〇二六年十一月三日（印章）") == last == len(pages) - 1


def test_the_remedies_come_from_the_bureaus_settings(cast, settings):
    from parcelguard.documents.services import document_issue

    settings.DOCUMENT_ISSUERS = {"bureau": {"reconsideration_body": "某省邮政管理局", "court": "某区人民法院"}}
    with time_machine.travel(at(2026, 11, 27, 10), tick=False):
        doc = document_issue(actor=None, doc_type="penalty_decision", context={"amount": 1500}, subject="case:1")
    text = "".join(pdf_pages(doc))
    assert "六十日内向某省邮政管理局申请行政复议" in text and "六个月内向某区人民法院提起行政诉讼" in text
