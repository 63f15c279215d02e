"""The early-warning page, the tracing page and the outlet block, scoped per role."""

from __future__ import annotations

import datetime as dt

import pytest

from parcelguard.parcels import services
from parcelguard.parcels.models import EarlyWarning
from parcelguard.parcels.testing import day_of_parcels, sender

DAY = dt.date(2026, 10, 20)


@pytest.fixture
def analysed(cast):
    x = day_of_parcels(1, 10, "PTZTOWD0001", DAY, machine="XRZTOFB000101")
    x[3]["realname_verified"] = False
    x[5]["sender_id_hash"] = sender("shared")
    services.batch_push(user=cast.officer_x, records=x)
    y = day_of_parcels(100, 6, "PTYTOWD0001", DAY, brand="YTO", machine="XRYTOWD000101")
    y[0]["sender_id_hash"] = sender("shared")
    services.batch_push(user=cast.officer_y, records=y)
    services.analysis_run(trigger="test")
    return cast


def test_the_city_bureau_sees_every_warning_and_a_county_centre_only_its_own(analysed, client_for):
    city = client_for(analysed.city_bureau).get("/parcels/warnings/").content.decode()
    assert "XRYTOWD000101" in city and "PTZTOWD0001" in city
    county_a = client_for(analysed.centre_a).get("/parcels/warnings/").content.decode()
    assert "PTZTOWD0001" in county_a and "XRYTOWD000101" not in county_a
    down = EarlyWarning.objects.get(kind="SCREENED_WHILE_DOWN")
    assert client_for(analysed.centre_a).get(f"/parcels/warnings/{down.pk}/").status_code == 404
    detail = client_for(analysed.centre_b).get(f"/parcels/warnings/{down.pk}/").content.decode()
    assert "YTO000000000100" in detail and "射线" not in detail  # the example waybills, the down-window
    assert "2026-10-01 08:00" in detail


def test_grid_workers_and_enterprises_do_not_see_the_warnings_page(analysed, client_for):
    for who in ("grid_a1", "officer_x"):
        assert client_for(analysed.users[who]).get("/parcels/warnings/").status_code == 403


def test_the_warnings_page_filters_paginates_and_exports(analysed, client_for):
    page = client_for(analysed.city_bureau).get("/parcels/warnings/?kind=LOW_REALNAME&severity=medium",
                                                headers={"HX-Request": "true"}).content.decode()
    assert "PTZTOWD0001" in page and "XRYTOWD000101" not in page
    by_county = client_for(analysed.city_bureau).get("/parcels/warnings/?county=350304").content.decode()
    assert "XRYTOWD000101" in by_county and "PTZTOWD0001" not in by_county
    export = client_for(analysed.centre_a).get("/parcels/warnings/export.xlsx")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxml")


def test_converting_on_the_page_creates_the_event(analysed, client_for):
    realname = EarlyWarning.objects.get(kind="LOW_REALNAME")
    answer = client_for(analysed.centre_a).post(f"/parcels/warnings/{realname.pk}/act/", {"action": "convert"})
    assert answer.status_code == 302
    realname.refresh_from_db()
    assert realname.status == "converted" and realname.event.hazard_type.code == "realname_not_done"
    assert realname.event.county == analysed.county_a


def test_only_the_bureau_starts_the_analysis_and_flips_the_switch(analysed, client_for,
                                                                django_capture_on_commit_callbacks):
    assert client_for(analysed.centre_a).post("/parcels/analysis/run/").status_code == 403
    assert client_for(analysed.centre_a).post("/parcels/analysis/auto-convert/", {"enabled": "1"}).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        assert client_for(analysed.city_bureau).post("/parcels/analysis/run/", {"all": "1"}).status_code == 302
    assert client_for(analysed.city_bureau).post("/parcels/analysis/auto-convert/", {"enabled": "1"}).status_code == 302
    from parcelguard.parcels.models import AnalysisRun, ParcelSettings

    assert ParcelSettings.current().auto_convert_high
    assert AnalysisRun.objects.first().trigger == "on_demand"
    assert EarlyWarning.objects.count() == 2


TRACE_CASES = [
    ("city_bureau", "YTO000000000100", True), ("centre_b", "YTO000000000100", True),
    ("centre_a", "YTO000000000100", False), ("officer_y", "YTO000000000100", True),
    ("officer_x", "YTO000000000100", False), ("officer_x", "ZTO000000000001", True),
    ("procurator", "ZTO000000000001", True), ("city_bureau", "NOPE", False),
]


def test_tracing_a_waybill_is_scoped(analysed, client_for):
    for who, waybill, found in TRACE_CASES:
        page = client_for(analysed.users[who]).get(f"/parcels/trace/?waybill={waybill}")
        assert page.status_code == (200 if found else 404), (who, waybill)
        assert (waybill in page.content.decode() and "收寄时间" in page.content.decode()) is found, (who, waybill)
    assert client_for(analysed.worker_a1).get("/parcels/trace/?waybill=ZTO000000000001").status_code == 403


def test_the_trace_shows_the_broken_machine_and_the_warning(analysed, client_for):
    page = client_for(analysed.centre_b).get("/parcels/trace/?waybill=YTO000000000101").content.decode()
    assert "XRYTOWD000101" in page and "2026-10-01 08:00" in page
    assert "/parcels/warnings/" in page


def test_tracing_a_sender_shows_only_parcels_in_scope(analysed, client_for):
    url = f"/parcels/trace/?sender={sender('shared')}&start=2026-10-01&end=2026-10-31"
    city = client_for(analysed.city_bureau).get(url).content.decode()
    assert "ZTO000000000006" in city and "YTO000000000100" in city
    county_a = client_for(analysed.centre_a).get(url).content.decode()
    assert "ZTO000000000006" in county_a and "YTO000000000100" not in county_a
    assert client_for(analysed.worker_a1).get(url).status_code == 403


def test_a_sender_can_be_looked_up_by_id_number_which_is_hashed_and_not_echoed(analysed, client_for):
    page = client_for(analysed.city_bureau).post("/parcels/trace/", {"sender": "35030319900101123X"}).content.decode()
    assert "35030319900101123X" not in page and "共 0 件" in page


def test_the_site_page_shows_the_compliance_trend_and_risk(analysed, client_for):
    page = client_for(analysed.centre_a).get(f"/registry/sites/{analysed.outlet_a1.pk}/").content.decode()
    assert "收寄合规情况" in page and "<svg" in page and "风险评分" in page
    quiet = client_for(analysed.centre_a).get(f"/registry/sites/{analysed.outlet_a2.pk}/").content.decode()
    assert "收寄合规情况" not in quiet


def test_the_warnings_api_is_scoped_like_the_page(analysed, client_for):
    city = client_for(analysed.city_bureau).get("/api/v1/parcels/warnings").json()
    assert city["count"] == 2
    county_b = client_for(analysed.centre_b).get("/api/v1/parcels/warnings?kind=SCREENED_WHILE_DOWN").json()
    assert [(w["subject_id"], w["county"], w["window_end"]) for w in county_b["items"]] == [
        ("XRYTOWD000101", "350304", None)]
    assert client_for(analysed.centre_a).get("/api/v1/parcels/warnings?kind=SCREENED_WHILE_DOWN").json()["count"] == 0
    assert client_for(analysed.officer_x).get("/api/v1/parcels/warnings").status_code == 403
