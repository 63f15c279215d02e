"""Official documents: Chinese PDFs that open and say the right thing, numbers (文号) that never repeat,
stored as evidence and recorded in the trail."""

from __future__ import annotations

import datetime as dt
import io
import re
import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.db import connection, connections, transaction
from pypdf import PdfReader

from parcelguard.core.errors import Invalid
from parcelguard.documents.chinese import amount_in_words, chinese_date
from parcelguard.documents.models import DocType, Document, DocumentCounter
from parcelguard.documents.services import document_issue, document_number_next, format_number
from parcelguard.trail.models import TrailEntry
from parcelguard.trail.services import trail_verify

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOV_27 = dt.datetime(2026, 11, 27, 10, 0, tzinfo=SHANGHAI)

REMINDER = {
    "enterprise_name": "莆田市涵江区中通快递服务有限公司",
    "site_name": "中通涵江涵东营业部",
    "site_address": "福建省莆田市涵江区涵东街道涵华东路88号",
    "hazard_description": "营业部实际经营地址与备案地址不一致",
    "legal_basis": "《快递市场管理办法》",
    "requirements": "办理经营地址变更备案\n完善收寄验视制度",
    "deadline": dt.date(2026, 12, 2),
}


def pdf_text(document: Document) -> str:
    with default_storage.open(document.evidence.file.name, "rb") as fh:
        reader = PdfReader(io.BytesIO(fh.read()))
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))


@pytest.fixture
def frozen():
    with time_machine.travel(NOV_27, tick=False) as traveller:
        yield traveller


def test_a_reminder_letter_opens_and_says_what_it_must(cast, frozen):
    doc = document_issue(actor=cast.users["centre_a"], doc_type="reminder", context=REMINDER, subject="event:1")
    text = pdf_text(doc)
    for expected in ("莆田市邮政管理局", "提醒函", "莆邮管提〔2026〕1号", "莆田市涵江区中通快递服务有限公司",
                     "中通涵江涵东营业部", "营业部实际经营地址与备案地址不一致", "办理经营地址变更备案",
                     "请于二〇二六年十二月二日前完成整改", "二〇二六年十一月二十七日"):
        assert expected in text, expected
    assert doc.evidence.content_type == "application/pdf"
    assert (doc.number, doc.year, doc.seq, doc.subject) == ("莆邮管提〔2026〕1号", 2026, 1, "event:1")


def test_the_issued_pdf_is_evidence_and_lands_in_the_trail(cast, frozen):
    doc = document_issue(actor=cast.users["centre_a"], doc_type="reminder", context=REMINDER, subject="event:1")
    entry = TrailEntry.objects.get(action="document.issue")
    assert entry.subject == "event:1"
    assert entry.evidence_hashes == [doc.evidence.sha256]
    assert entry.payload["number"] == doc.number
    assert TrailEntry.objects.filter(action="evidence.store", evidence_hashes=[doc.evidence.sha256]).exists()
    assert trail_verify(record=False).ok


@pytest.mark.parametrize("doc_type, title", [
    ("reminder", "提醒函"), ("rectification", "整改通知书"), ("case_filing", "立案审批表"),
    ("penalty_notice", "行政处罚告知书"), ("penalty_decision", "行政处罚决定书"),
])
def test_every_type_renders_gracefully_with_an_empty_context(cast, frozen, doc_type, title):
    doc = document_issue(actor=None, doc_type=doc_type, context={}, subject="case:1")
    text = pdf_text(doc)
    assert title in text
    assert doc.number in text


def test_a_penalty_decision_states_the_amount_in_figures_and_capitals_and_the_remedies(cast, frozen):
    doc = document_issue(actor=cast.users["city_bureau"], doc_type="penalty_decision", subject="case:1", context={
        "party_name": "莆田市涵江区中通快递服务有限公司", "facts": "当事人未按规定办理末端网点备案。",
        "legal_basis": "《快递暂行条例》", "penalty_basis": "《快递暂行条例》第四十条", "amount": 1500,
        "reconsideration_body": "福建省邮政管理局", "court": "莆田市涵江区人民法院"})
    text = pdf_text(doc)
    assert doc.number == "莆邮管罚决〔2026〕1号"
    for expected in ("罚款人民币壹仟伍佰元整（¥1500）", "15日内", "百分之三",
                     "六十日内向福建省邮政管理局申请行政复议", "莆田市涵江区人民法院"):
        assert expected in text, expected


def test_numbers_count_per_type_and_per_year(cast, frozen):
    issue = lambda t: document_issue(actor=None, doc_type=t, context={}, subject="event:1").number  # noqa: E731
    assert [issue("reminder"), issue("reminder"), issue("rectification")] == [
        "莆邮管提〔2026〕1号", "莆邮管提〔2026〕2号", "莆邮管整改〔2026〕1号"]
    frozen.move_to(dt.datetime(2027, 1, 2, 9, 0, tzinfo=SHANGHAI))
    assert issue("reminder") == "莆邮管提〔2027〕1号"
    assert DocumentCounter.objects.get(doc_type="reminder", year=2026).last == 2


def test_prefixes_and_authority_are_configurable(settings):
    settings.DOCUMENT_PREFIXES = {"reminder": "安提"}
    settings.DOCUMENT_AUTHORITY_ABBR = "闽邮管"
    assert format_number("reminder", 2026, 3) == "闽邮管安提〔2026〕3号"
    assert format_number("penalty_notice", 2026, 3) == "闽邮管罚告〔2026〕3号"


def test_a_rolled_back_issue_gives_its_number_back(cast, frozen):
    with pytest.raises(RuntimeError), transaction.atomic():
        document_issue(actor=None, doc_type="reminder", context={}, subject="event:1")
        raise RuntimeError("the transition failed")
    assert not Document.objects.exists()
    assert document_issue(actor=None, doc_type="reminder", context={}, subject="event:1").seq == 1


def test_an_unknown_type_is_refused(cast):
    with pytest.raises(Invalid) as exc:
        document_issue(actor=None, doc_type="poster", context={}, subject="event:1")
    assert exc.value.code == "unknown_document_type"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="threads share no in-memory SQLite test database")
@pytest.mark.django_db(transaction=True)
def test_two_threads_never_get_the_same_number_on_postgres():
    barrier = threading.Barrier(2)
    numbers: list[int] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            for _ in range(15):
                with transaction.atomic():
                    numbers.append(document_number_next(DocType.REMINDER, 2026))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(numbers) == list(range(1, 31))


@pytest.mark.parametrize("day, text", [
    (dt.date(2026, 11, 27), "二〇二六年十一月二十七日"), (dt.date(2026, 1, 10), "二〇二六年一月十日"),
    (dt.date(2030, 10, 31), "二〇三〇年十月三十一日"), (dt.date(2026, 12, 20), "二〇二六年十二月二十日"),
])
def test_dates_are_written_in_the_official_style(day, text):
    assert chinese_date(day) == text


@pytest.mark.parametrize("amount, text", [
    (1500, "壹仟伍佰元整"), (100000, "壹拾万元整"), (10050, "壹万零伍拾元整"), (500000, "伍拾万元整"),
    ("30000.50", "叁万元伍角"), (12.03, "壹拾贰元零叁分"),
])
def test_amounts_are_written_in_capital_numerals(amount, text):
    assert amount_in_words(amount) == text


@pytest.mark.skipif(connection.vendor != "postgresql", reason="lock order matters only with row locks (PostgreSQL)")
@pytest.mark.django_db(transaction=True)
def test_issuing_after_an_append_and_issuing_alone_do_not_deadlock_on_postgres():
    """One step appends (an uploaded photo) then issues; another issues straight away. Both take the
    trail lock before the counter row, so neither waits for the other in a cycle."""
    from parcelguard.trail.services import trail_append

    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def step(append_first: bool) -> None:
        try:
            barrier.wait()
            for _ in range(2):
                with transaction.atomic():
                    if append_first:
                        trail_append(actor=None, action="event.answer", subject="event:1", payload={})
                    document_issue(actor=None, doc_type="reminder", context={}, subject="event:1")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=step, args=(flag,)) for flag in (True, False)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(Document.objects.values_list("seq", flat=True)) == [1, 2, 3, 4]
    assert trail_verify(record=False).ok
