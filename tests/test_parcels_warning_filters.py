"""The early-warning list's period and grid filters (issue 6): a link from the dashboard's three-systems and
warning charts lists exactly the warnings the dashboard counted (`indicators.early_warnings` for the same
Filters), on the page, in its Excel export and over the API. Warnings in two periods (October and November,
one on each side of midnight) and two grids of Hanjiang (A), one in Licheng (B) and one about the whole city;
bad dates never give a 500; a county user cannot reach another county's grid through `grid`."""

from __future__ import annotations

import datetime as dt
import io
import os
from urllib.parse import parse_qsl, urlencode

import openpyxl
import pytest
import time_machine
from django.utils import timezone

from parcelguard.analytics import indicators
from parcelguard.analytics.filters import Filters
from parcelguard.parcels.models import EarlyWarning, WarningStatus
from parcelguard.testing.browser import wait_for_js

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # live_server + Playwright's event loop

NOW = timezone.make_aware(dt.datetime(2026, 12, 5, 10, 0))
OCTOBER = {"from": "2026-10-01", "to": "2026-10-31"}
NOVEMBER = {"from": "2026-11-01", "to": "2026-11-30"}


@pytest.fixture(autouse=True)
def _no_cache_frozen_clock(settings):
    settings.ANALYTICS_CACHE_SECONDS = 0
    with time_machine.travel(NOW, tick=False):
        yield


def at(month: int, d: int, hour: int = 9, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2026, month, d, hour, minute))


def warning(n, kind, severity, status, moment, site=None):
    return EarlyWarning.objects.create(
        key=f"f{n}", kind=kind, subject_type="outlet" if site else "sender", subject_id=site.code if site else f"s{n}",
        site=site, enterprise=site.enterprise if site else None, county=site.county if site else None,
        jurisdiction_path=site.jurisdiction_path if site else "350300/", window_start=moment, count=10 + n,
        severity=severity, status=status, first_seen_at=moment, last_seen_at=moment)


@pytest.fixture
def warnings(cast):
    a1, a2, b1 = cast.outlet_a1, cast.outlet_a2, cast.outlet_b1
    return [
        # October, grid A1
        warning(1, "LOW_SCREENING", "high", "new", at(10, 5), a1),
        warning(2, "LOW_REALNAME", "medium", "acknowledged", at(10, 31, 23, 30), a1),  # last half hour of October
        # October, grid A2
        warning(3, "LOW_SCREENING", "high", "dismissed", at(10, 1, 0, 0), a2),  # first moment of October
        warning(4, "LOW_INSPECTION", "low", "converted", at(10, 12), a2),
        # November, grid A1 and A2
        warning(5, "LOW_SCREENING", "high", "new", at(11, 1, 0, 0), a1),  # first moment of November
        warning(6, "LOW_SCREENING", "medium", "new", at(11, 20), a2),
        warning(7, "LOW_REALNAME", "high", "acknowledged", at(11, 3), a2),
        # Licheng (B) and the whole city, both months
        warning(8, "LOW_SCREENING", "high", "new", at(10, 6), b1),
        warning(9, "SCREENED_WHILE_DOWN", "high", "new", at(11, 6), b1),
        warning(10, "SENDER_SPREAD", "medium", "new", at(10, 7)),
        # before October
        warning(11, "LOW_SCREENING", "high", "new", at(9, 30, 23, 59), a1),
    ]


def dashboard_link(f: Filters, **extra) -> dict[str, str]:
    """The query of a link from the dashboard to the warning list, as dashboard.js builds it: the dashboard's
    from, to, county, grid and brand, then what the click adds."""
    dash = dict(parse_qsl(f.query()))
    params = {k: dash[k] for k in ("from", "to", "county", "grid", "brand") if dash.get(k)}
    params.update({k: v for k, v in extra.items() if v})
    return params


def listed(client, params) -> list[int]:
    response = client.get("/parcels/warnings/", params)
    assert response.status_code == 200, response.content
    assert response.context["total"] == len(response.context["page"].object_list)  # one page: every row
    return [w.pk for w in response.context["page"].object_list]


def exported(client, params) -> list[int]:
    response = client.get("/parcels/warnings/export.xlsx", params)
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(book.active.iter_rows(values_only=True))
    return [r[0] for r in rows[1:]]


def api(client, params) -> dict:
    response = client.get("/api/v1/parcels/warnings", {**params, "limit": 200})
    assert response.status_code == 200, response.content
    return response.json()


FILTERS = [
    OCTOBER, NOVEMBER,
    {**OCTOBER, "county": "350303"}, {**NOVEMBER, "county": "350303"},
    {**OCTOBER, "county": "350303", "grid": "350303001"}, {**OCTOBER, "county": "350303", "grid": "350303002"},
    {**NOVEMBER, "county": "350303", "grid": "350303001"}, {**NOVEMBER, "grid": "350303002"},
    {**OCTOBER, "brand": "ZTO"}, {**NOVEMBER, "grid": "350303002", "brand": "ZTO"},
    {"from": "2026-10-31", "to": "2026-11-01"},
]


@pytest.mark.parametrize("q", FILTERS, ids=lambda q: "&".join(f"{k}={v}" for k, v in q.items()))
def test_a_dashboard_link_lists_exactly_the_warnings_the_dashboard_counted(cast, warnings, client_for, q):
    f = Filters.parse(q)
    user = cast.city_bureau
    figure = indicators.early_warnings(user, f)
    want = sorted(indicators.warnings_for(user, f).values_list("pk", flat=True))
    assert want, "each case selects some warnings"
    c = client_for(user)
    # the total: the list, the export and the API hold the figure's warnings and nothing else
    everything = dashboard_link(f)
    assert sorted(listed(c, everything)) == want and len(want) == figure["total"]
    assert sorted(exported(c, everything)) == want
    body = api(c, everything)
    assert body["count"] == figure["total"] and sorted(w["id"] for w in body["items"]) == want
    # every segment of the two stacked charts: a kind (or severity) with a status
    for field, rows in (("kind", figure["kinds"]), ("severity", figure["severities"])):
        for row in rows:
            for status in WarningStatus.values:
                params = dashboard_link(f, **{field: row["code"], "status": status})
                got = listed(c, params)
                assert len(got) == row[status], (field, row["code"], status)
                assert sorted(exported(c, params)) == sorted(got)
    # a headline figure of a system: that system's warnings of the period
    low = dashboard_link(f, kind="LOW_SCREENING")
    assert len(listed(c, low)) == sum(r["total"] for r in figure["kinds"] if r["code"] == "LOW_SCREENING")


def test_the_period_is_whole_local_days_and_absent_means_every_period(cast, warnings, client_for):
    c = client_for(cast.city_bureau)
    ids = {w.key: w.pk for w in EarlyWarning.objects.all()}
    october = set(listed(c, OCTOBER))
    assert {ids["f2"], ids["f3"]} <= october and not {ids["f5"], ids["f11"]} & october
    assert set(listed(c, {"from": "2026-11-01", "to": "2026-11-01"})) == {ids["f5"]}
    assert set(listed(c, {})) == set(ids.values())  # no period: every warning, as before
    assert set(listed(c, {"from": "2026-11-01"})) == {ids[k] for k in ("f5", "f6", "f7", "f9")}  # open-ended
    assert set(listed(c, {"to": "2026-09-30"})) == {ids["f11"]}
    reversed_ = listed(c, {"from": "2026-10-31", "to": "2026-10-01"})  # swapped, like the dashboard
    assert sorted(reversed_) == sorted(october)
    # a grid: that grid's warnings only (the whole-city one is not in it)
    assert set(listed(c, {**OCTOBER, "grid": "350303002"})) == {ids["f3"], ids["f4"]}
    assert listed(c, {**OCTOBER, "grid": "nosuchgrid"}) == []


def test_the_form_shows_the_filters_and_pagination_and_export_keep_them(cast, warnings, client_for, settings):
    settings.PAGE_SIZE = 1
    c = client_for(cast.city_bureau)
    q = {**OCTOBER, "county": "350303", "grid": "350303001"}
    response = c.get("/parcels/warnings/", q)
    html = response.content.decode()
    assert 'type="date" name="from" value="2026-10-01"' in html and 'name="to" value="2026-10-31"' in html
    assert '<option value="350303001" selected>' in html
    assert 'value="350303002"' in html and 'value="350304001"' not in html  # the chosen county's grids
    query = urlencode(q).replace("&", "&amp;")
    assert f'href="/parcels/warnings/export.xlsx?{query}"' in html
    assert f'href="?{query}&amp;page=2"' in html
    second = c.get("/parcels/warnings/", {**q, "page": 2})
    assert second.context["total"] == 2 and f'href="?{query}&amp;page=1"' in second.content.decode()
    # through htmx: the table, the export link and the grid select (for the new county) are refreshed
    partial = c.get("/parcels/warnings/", {**OCTOBER, "county": "350304"}, headers={"HX-Request": "true"}).content.decode()
    assert ('id="warning-export" href="/parcels/warnings/export.xlsx?from=2026-10-01&amp;to=2026-10-31&amp;'
            'county=350304" hx-swap-oob="true"') in partial
    assert 'id="warning-grid"' in partial and 'hx-swap-oob="true"' in partial
    assert 'value="350304001"' in partial and 'value="350303001"' not in partial


@pytest.mark.parametrize("bad", ["2026-13-45", "abc", "0001-01-01", "9999-12-31", "2026-10-01T00:00:00+99:00",
                                 "１２３", "x" * 500])
def test_bad_dates_are_refused_with_a_message_never_a_500(cast, warnings, client_for, bad):
    c = client_for(cast.city_bureau)
    for name in ("from", "to"):
        page = c.get("/parcels/warnings/", {name: bad})
        assert page.status_code == 422
        assert "不是有效日期" in page.content.decode() and page.context["total"] == 0
        partial = c.get("/parcels/warnings/", {name: bad}, headers={"HX-Request": "true"})
        assert partial.status_code == 200 and "不是有效日期" in partial.content.decode()
        assert c.get("/parcels/warnings/export.xlsx", {name: bad}).status_code == 422
        answer = c.get("/api/v1/parcels/warnings", {name: bad})
        assert answer.status_code == 422 and answer.json()["error"]["code"] == "bad_date"


@pytest.mark.parametrize("nul", ["\x00", "2026-10-01\x00"])
def test_nul_bytes_are_dropped_not_a_500(cast, warnings, client_for, nul):
    c = client_for(cast.city_bureau)
    for name in ("from", "to", "grid", "county", "kind"):
        assert c.get("/parcels/warnings/", {name: nul}).status_code == 200
        assert c.get("/parcels/warnings/export.xlsx", {name: nul}).status_code == 200
        assert c.get("/api/v1/parcels/warnings", {name: nul}).status_code == 200


def test_a_county_user_cannot_reach_another_countys_grid(cast, warnings, client_for):
    c = client_for(cast.centre_a)
    other = {"grid": cast.grid_b1.code}
    assert listed(c, other) == [] and listed(c, {**OCTOBER, **other}) == []
    assert exported(c, other) == [] and api(c, other)["count"] == 0
    assert listed(c, {"county": cast.county_b.code, **other}) == []
    html = c.get("/parcels/warnings/").content.decode()
    assert cast.grid_a1.code in html and cast.grid_b1.code not in html  # the select offers its own grids
    # its own grid, through the same parameter, works
    mine = listed(c, {**NOVEMBER, "grid": cast.grid_a2.code})
    f = Filters.parse({**NOVEMBER, "grid": cast.grid_a2.code})
    assert sorted(mine) == sorted(indicators.warnings_for(cast.centre_a, f).values_list("pk", flat=True))
    assert len(mine) == indicators.early_warnings(cast.centre_a, f)["total"] == 2


# ---- in the browser ----------------------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_the_dashboards_links_to_the_warning_list_carry_its_filters(live_server, page, settings):
    """Debian's Chromium: under a period, grid and brand filter, the headline figures, the warning total and
    the Excel link of the warning charts all carry from, to, county, grid and brand; a click on a segment of
    the warnings-by-kind chart lands on a list of exactly that segment's count."""
    from parcelguard.parcels.models import OutletDayMetric
    from parcelguard.testing.cast import PASSWORD, make_cast

    settings.ANALYTICS_CACHE_SECONDS = 0
    cast = make_cast()
    OutletDayMetric.objects.create(site=cast.outlet_a2, day=dt.date(2026, 10, 5), parcels=100, realname_rate=1.0,
                                   inspection_rate=0.95, screening_rate=0.9)
    warning(1, "LOW_SCREENING", "high", "new", at(10, 5), cast.outlet_a2)
    warning(2, "LOW_SCREENING", "high", "new", at(11, 5), cast.outlet_a2)  # another period
    warning(3, "LOW_SCREENING", "high", "new", at(10, 5), cast.outlet_a1)  # another grid
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "city_bureau")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    q = "from=2026-10-01&to=2026-10-31&county=350303&grid=350303002&brand=ZTO"
    page.goto(f"{live_server.url}/analytics/?{q}")
    wait_for_js(page, "window.pgCharts && window.pgCharts.warn_kinds")
    links = page.eval_on_selector_all(
        "#syskpis a.kpi, #warntotal a, [data-figure=warn_kinds] a.button, [data-figure=warn_severities] a.button",
        "els => els.map(e => e.getAttribute('href'))")
    assert len(links) == 3 + 1 + 2
    for href in links:
        assert href.split("?")[1].startswith(q), href
    assert links[-1].startswith("/parcels/warnings/export.xlsx?")
    page.goto(live_server.url + page.eval_on_selector("#warntotal a", "e => e.getAttribute('href')"))
    assert page.locator("#results tbody tr").count() == 1
    assert page.locator("input[name=from]").input_value() == "2026-10-01"
    assert page.locator("#warning-grid").input_value() == "350303002"
    # changing the county through htmx refreshes the grid select and the export link with the table
    page.select_option("select[name=county]", "350304")
    page.wait_for_selector('#warning-grid option[value="350304001"]', state="attached")
    assert page.locator('#warning-grid option[value="350303001"]').count() == 0  # Hanjiang's other grid is gone
    assert page.locator("#warning-grid").input_value() == "350303002"  # the grid filter still applies: shown
    assert "county=350304" in page.locator("#warning-export").get_attribute("href")
    assert "from=2026-10-01" in page.locator("#warning-export").get_attribute("href")
