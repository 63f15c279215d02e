"""The monthly report: generated on demand, by the command and by the task; kept as a Report with its PDF;
the PDF opens and holds the right figures in Chinese, with the comparison to the previous month."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone
from pypdf import PdfReader

from parcelguard.analytics import reports, svg
from parcelguard.analytics.models import Report
from parcelguard.events.models import Event
from parcelguard.events.testing import make_event

NOW = timezone.make_aware(dt.datetime(2026, 11, 3, 10, 0))


def at(month: int, day: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2026, month, day, 9, 0))


@pytest.fixture(autouse=True)
def _frozen(settings):
    settings.ANALYTICS_CACHE_SECONDS = 0
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def events(cast):
    def ev(site, state, reported, hazard="address_mismatch", **fields):
        e = make_event(site, state=state, hazard=hazard)
        Event.objects.filter(pk=e.pk).update(reported_at=reported, **fields)

    for day in (2, 5, 9):  # October: 3 closed on time, 1 open past its deadline, 1 fire hazard in Licheng
        ev(cast.outlet_a1, "closed", at(10, day), closed_at=at(10, day + 2), rectify_by=at(10, day + 5))
    ev(cast.outlet_a2, "reminded", at(10, 12), rectify_by=at(10, 20), deadline=at(10, 20))
    ev(cast.outlet_b1, "closed", at(10, 14), hazard="fire_safety", closed_at=at(10, 16), rectify_by=at(10, 19))
    ev(cast.outlet_a1, "closed", at(9, 10), closed_at=at(9, 12), rectify_by=at(9, 15))  # September: 1


def text_of(data: bytes) -> str:
    return "".join("".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(data)).pages)


def test_the_city_report_holds_the_figures_and_the_comparison_in_chinese(cast, events):
    report = reports.report_generate(jurisdiction=cast.city, month=dt.date(2026, 10, 1))
    text = text_of(report.pdf.read())
    assert "莆田市寄递安全监管2026年10月分析报告" in text
    assert "期内共上报隐患5起，应结案5起，已结案4起，结案率80%" in text
    assert "上报隐患（起）51+4" in text  # this month, last month, change
    assert "备案地址与实际经营地址不符4起（上月1起）" in text
    assert "涵江区" in text and "荔城区" in text
    assert "隐患逾期未办结" in text
    assert report.figures["loop"]["closed"] == 4 and report.figures["previous_total"] == 1
    report.pdf.seek(0)
    assert report.size == len(report.pdf.read()) > 10_000


@pytest.fixture
def quick_pdf(monkeypatch):
    """For tests of the wiring, not of the document: skip WeasyPrint."""
    monkeypatch.setattr(reports, "render_pdf", lambda template, context: b"%PDF-1.4 stub")


def test_regenerating_replaces_the_report(cast, events, quick_pdf):
    first = reports.report_generate(jurisdiction=cast.county_a, month=dt.date(2026, 10, 1))
    second = reports.report_generate(jurisdiction=cast.county_a, month=dt.date(2026, 10, 15))
    assert first.pk == second.pk and Report.objects.count() == 1


def test_the_command_and_the_task_make_last_months_reports_of_the_city_and_every_county(cast, events, quick_pdf):
    call_command("monthly_reports", stdout=io.StringIO())
    assert set(Report.objects.values_list("jurisdiction__code", "month")) == {
        (cast.city.code, dt.date(2026, 10, 1)), (cast.county_a.code, dt.date(2026, 10, 1)),
        (cast.county_b.code, dt.date(2026, 10, 1))}
    from parcelguard.analytics.tasks import monthly_reports_task

    result = monthly_reports_task.enqueue("2026-09")  # the immediate backend in tests
    assert result.return_value == 3
    assert Report.objects.filter(month=dt.date(2026, 9, 1)).count() == 3


def test_the_reports_page_lists_downloads_and_exports(cast, events, client_for, quick_pdf):
    import openpyxl

    reports.report_generate(jurisdiction=cast.city, month=dt.date(2026, 10, 1))
    c = client_for(cast.city_bureau)
    page = c.get("/analytics/reports/").content.decode()
    assert "莆田市寄递安全监管2026年10月分析报告" in page
    pdf = c.get(f"/analytics/reports/{Report.objects.get().pk}.pdf")
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(c.get("/analytics/reports/export.xlsx").streaming_content)))
    assert sheet.active.max_row == 2


def test_svg_charts_are_well_formed():
    import xml.etree.ElementTree as ET

    for chart in (svg.bars([("涵江区", 3), ("荔城区", 0)], compare=[1, 2], legend=("10月", "9月")),
                  svg.pie([("消防", 3), ("地址", 1)]), svg.pie([("全部", 5)]), svg.bars([])):
        ET.fromstring(chart)
