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
