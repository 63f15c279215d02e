"""The duty record finds each kind of lapse planted in a test set, and nothing else; near misses (one day
short, decided in time, resolved before the period) stay out."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from parcelguard.analytics import duty
from parcelguard.analytics.filters import Filters
from parcelguard.core import registry
from parcelguard.events.models import Case, Event, Transition
from parcelguard.events.testing import make_event

NOW = timezone.make_aware(dt.datetime(2026, 11, 20, 10, 0))
OCTOBER = Filters(start=dt.date(2026, 10, 1), end=dt.date(2026, 10, 31))


def at(month: int, day: int, hour: int = 9) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2026, month, day, hour, 0))


@pytest.fixture(autouse=True)
def _frozen(settings):
    settings.ANALYTICS_CACHE_SECONDS = 0
    with time_machine.travel(NOW, tick=False):
        yield


def ev(site, state, *, reported=None, hazard="address_mismatch", **fields):
    event = make_event(site, state=state, hazard=hazard)
    Event.objects.filter(pk=event.pk).update(reported_at=reported or at(9, 1), **fields)
    return event.pk


def decision(pk, when, action="case_open"):
    Transition.objects.create(event_id=pk, action=action, from_state="escalated", to_state="investigating",
                              actor_role="city_bureau", at=when)


@pytest.fixture
def planted(cast):
    a1, a2, sc, b1 = cast.outlet_a1, cast.outlet_a2, cast.sorting_centre_a, cast.outlet_b1
    p = {}
    # 1. open past the current step's deadline (events.clocks.overdue)
    p["open"] = ev(a1, "investigating", rectify_by=at(10, 10), deadline=at(10, 10))
    ev(a1, "verified", rectify_by=at(11, 5), deadline=at(11, 5))  # deadline after the period: not yet
    ev(a1, "closed", rectify_by=at(10, 10), closed_at=at(10, 12))  # closed late, but closed
    # 2. escalated, case decision slow
    p["slow"] = ev(a1, "escalated", escalated_at=at(10, 1))  # 31 days by the period's end, no decision
    p["slow_decided"] = ev(a1, "investigating", escalated_at=at(9, 1))
    decision(p["slow_decided"], at(10, 5))  # 34 days, decided inside the period
    ev(a1, "escalated", escalated_at=at(10, 20))  # 12 days by the period's end: not yet
    quick = ev(a1, "investigating", escalated_at=at(9, 1))
    decision(quick, at(9, 10))  # 9 days
    before = ev(a1, "investigating", escalated_at=at(8, 1))
    decision(before, at(9, 20), "case_decline")  # late, but settled before the period
    # 3. the case clock
    p["case"] = ev(a1, "investigating")
    Case.objects.filter(event_id=p["case"]).update(opened_at=at(7, 1), decide_by=at(9, 29))
    p["case_late"] = ev(a1, "decided")
    Case.objects.filter(event_id=p["case_late"]).update(opened_at=at(6, 1), decide_by=at(9, 1),
                                                        decided_at=at(10, 10))
    in_time = ev(a1, "decided")
    Case.objects.filter(event_id=in_time).update(opened_at=at(6, 1), decide_by=at(9, 1), decided_at=at(8, 20))
    old_late = ev(a1, "decided")
    Case.objects.filter(event_id=old_late).update(opened_at=at(5, 1), decide_by=at(8, 1), decided_at=at(9, 15))
    # 4. reminder with no follow-up (both are also open past their deadline)
    p["reminded"] = ev(a1, "reminded", deadline=at(10, 20), rectify_by=at(10, 20))
    p["answered"] = ev(a1, "answered", deadline=at(10, 25), rectify_by=at(10, 25))
    ev(a1, "reminded", deadline=at(11, 10), rectify_by=at(11, 10))  # not yet due at the period's end
    # 5. the same site twice in the period
    p["site"] = [ev(a2, "closed", reported=at(10, 3), closed_at=at(10, 5)),
                 ev(a2, "closed", reported=at(10, 9), closed_at=at(10, 11))]
    ev(b1, "closed", reported=at(10, 4), closed_at=at(10, 6), hazard="waybill_pii")
    ev(b1, "rejected", reported=at(10, 7), closed_at=at(10, 8))  # rejected reports do not count
    # 6. one enterprise's waybills twice in the period (at two of its sites)
    p["waybill"] = [ev(a1, "closed", reported=at(10, 2), closed_at=at(10, 3), hazard="waybill_pii"),
                    ev(sc, "closed", reported=at(10, 6), closed_at=at(10, 7), hazard="waybill_pii")]
    return p


def ids(lines):
    return sorted(pk for line in lines for pk in line.event_ids)


def test_it_finds_each_planted_lapse_and_nothing_else(cast, planted):
    record = duty.duty_record(cast.city_bureau, OCTOBER)
    p = planted
    assert ids(record.lines["open_overdue"]) == sorted([p["open"], p["reminded"], p["answered"]])
    assert ids(record.lines["slow_case_decision"]) == sorted([p["slow"], p["slow_decided"]])
    assert ids(record.lines["case_clock"]) == sorted([p["case"], p["case_late"]])
    assert ids(record.lines["reminder_no_follow_up"]) == sorted([p["reminded"], p["answered"]])
    assert [line.event_ids for line in record.lines["repeat_site"]] == [p["site"]]
    assert [line.event_ids for line in record.lines["repeat_waybill"]] == [p["waybill"]]
    assert record.total == 3 + 2 + 2 + 2 + 1 + 1


def test_the_thresholds_are_settings(cast, planted, settings):
    settings.ANALYTICS_DUTY_CASE_DECISION_DAYS = 10
    settings.ANALYTICS_DUTY_REPEAT_AT_SITE = 3
    record = duty.duty_record(cast.city_bureau, OCTOBER)
    assert len(record.lines["slow_case_decision"]) == 3  # the 12-day wait now counts
    assert record.lines["repeat_site"] == []


def test_a_county_sees_only_its_own_lapses(cast, planted):
    record = duty.duty_record(cast.centre_b, OCTOBER)
    assert record.total == 0
    a = duty.duty_record(cast.centre_a, OCTOBER)
    assert a.total == 11


def test_the_page_pdf_excel_and_api_show_the_same_lines(cast, planted, client_for):
    import io

    import openpyxl
    from pypdf import PdfReader

    c = client_for(cast.procurator)
    q = {"from": "2026-10-01", "to": "2026-10-31"}
    page = c.get("/analytics/duty/", q).content.decode()
    for pk in ids(duty.duty_record(cast.city_bureau, OCTOBER).lines["case_clock"]):
        assert f"/events/{pk}/#timeline" in page
    api = c.get("/api/v1/analytics/duty", q).json()
    assert {k: v for k, v in api["counts"].items() if k in duty.RULES} == {
        "open_overdue": 3, "slow_case_decision": 2, "case_clock": 2, "reminder_no_follow_up": 2, "repeat_site": 1,
        "repeat_waybill": 1}
    assert {k: v for k, v in api["counts"].items() if k not in duty.RULES} == {  # the registered sources: none
        s.name: 0 for s in registry.duty_sources()}
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(c.get("/analytics/duty.xlsx", q).streaming_content))).active
    assert sheet.max_row == 1 + 11
    pdf = c.get("/analytics/duty.pdf", q)
    assert pdf["Content-Type"] == "application/pdf"
    text = "".join("".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "履职情况记录" in text and "案件超过办案期限（2项）" in text and f"#{planted['case']}" in text
    assert client_for(cast.officer_x).get("/analytics/duty/", q).status_code == 403


def test_the_page_shows_the_first_lines_of_a_long_heading_and_all_on_request(cast, planted, client_for, monkeypatch):
    import re

    from parcelguard.analytics import views

    monkeypatch.setattr(views, "DUTY_PAGE_LINES", 1)
    c = client_for(cast.city_bureau)
    q = {"from": "2026-10-01", "to": "2026-10-31"}

    def rows(page, rule):
        section = re.search(rf'<section id="duty-{rule}".*?</section>', page, re.S).group(0)
        return section.count("<tr data-events="), section

    page = c.get("/analytics/duty/", q).content.decode()
    shown, section = rows(page, "open_overdue")
    assert shown == 1 and 'data-total="3"' in section and "PDF 和 Excel 导出包含全部" in section
    shown, _ = rows(c.get("/analytics/duty/", {**q, "all": "open_overdue"}).content.decode(), "open_overdue")
    assert shown == 3
    # the exports keep every line
    api = c.get("/api/v1/analytics/duty", q).json()
    assert api["counts"]["open_overdue"] == 3


def test_the_record_names_the_authority_of_its_jurisdiction(settings):
    from parcelguard.accounts.models import Jurisdiction, Level
    from parcelguard.analytics.reports import authority_of

    settings.PARCELGUARD_AUTHORITY_NAME = "某某市邮政管理局"
    city = Jurisdiction(code="350300", name="莆田市", level=Level.CITY)
    county = Jurisdiction(code="350303", name="涵江区", level=Level.COUNTY, parent=city)
    grid = Jurisdiction(code="350303001", name="涵东街道网格", level=Level.GRID, parent=county)
    assert authority_of(city) == authority_of(None) == "某某市邮政管理局"
    assert authority_of(county) == authority_of(grid) == "涵江区邮政业安全中心"


def test_the_pdf_lists_the_first_lines_of_a_long_heading_and_says_how_many(cast, planted, client_for, settings):
    import io

    from pypdf import PdfReader

    settings.ANALYTICS_DUTY_PDF_LINES = 1
    pdf = client_for(cast.procurator).get("/analytics/duty.pdf", {"from": "2026-10-01", "to": "2026-10-31"})
    text = "".join("".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "隐患逾期未办结（3项）" in text and "以下列出前1项，全部3项见平台履职记录的Excel导出" in text
    assert "提醒函逾期无跟进（2项）" in text


def test_a_line_of_many_events_names_the_first_and_the_count(cast, planted, client_for, monkeypatch):
    from parcelguard.analytics import views

    monkeypatch.setattr(duty.Line, "LINE_IDS", 1)
    line = duty.duty_record(cast.city_bureau, OCTOBER).lines["repeat_site"][0]
    assert len(line.event_ids) > 1 and line.first_ids == line.event_ids[:1] and line.more == len(line.event_ids) - 1
    page = client_for(cast.city_bureau).get("/analytics/duty/", {"from": "2026-10-01", "to": "2026-10-31"}).content.decode()
    assert f"site={line.site_id}" in page and f"共 {len(line.event_ids)} 起" in page
    # the Excel cell names them all, up to what a cell holds
    assert views._ids_cell([1, 2, 3]) == "1,2,3"
    assert views._ids_cell(list(range(5000))).endswith("…（共5000起）") and len(views._ids_cell(list(range(5000)))) < 32767
