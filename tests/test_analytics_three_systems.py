"""The three systems (三项制度) on the dashboard: parcel-weighted compliance rates equal a direct computation
over a small hand-built set of outlet-day metrics (two counties, two brands, a day without parcels, days
outside the period); early warnings by kind and severity with their status; a county user sees only its
county; the map's risk colouring is the parcel analysis's OutletRisk score."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from parcelguard.analytics import indicators
from parcelguard.analytics.filters import Filters
from parcelguard.parcels.models import EarlyWarning, OutletDayMetric, OutletRisk
from parcelguard.registry.models import Site
from parcelguard.testing.analytics import NOW, frozen_without_cache, yto_outlet_in_a
from parcelguard.testing.browser import wait_for_js

Q = {"from": "2026-10-01", "to": "2026-10-31"}
SYSTEMS = ("realname", "inspection", "screening")


@pytest.fixture(autouse=True)
def _no_cache_frozen_clock(settings):
    yield from frozen_without_cache(settings)


def day(d: int, month: int = 10) -> dt.date:
    return dt.date(2026, month, d)


@pytest.fixture
def yto_a(cast) -> Site:
    return yto_outlet_in_a(cast)


@pytest.fixture
def metrics(cast, yto_a):
    """(site, day, parcels, realname, inspection, screening): the hand-built rows, as stored."""
    rows = [
        (cast.outlet_a1, day(5), 100, 0.98, 0.95, 0.90),
        (cast.outlet_a1, day(6), 0, 0.0, 0.0, 0.0),  # a day with no parcels: no weight, no day
        (cast.outlet_a2, day(5), 40, 0.50, 0.60, 0.70),
        (yto_a, day(7), 60, 1.0, 0.90, 0.80),
        (cast.outlet_b1, day(5), 200, 0.99, 0.97, 0.85),
        (cast.outlet_b1, day(7), 50, 0.80, 0.80, 0.60),
        (cast.outlet_b1, day(2, 11), 500, 0.0, 0.0, 0.0),  # after the period
        (cast.outlet_a1, day(30, 9), 300, 0.1, 0.1, 0.1),  # before the period
    ]
    for site, d, n, r, i, s in rows:
        OutletDayMetric.objects.create(site=site, day=d, parcels=n, realname_rate=r, inspection_rate=i,
                                       screening_rate=s, suspect_count=1 if n else 0)
    return rows


def direct(rows, keep=lambda row: True):
    """The definition of docs/analytics.md written out plainly: sum(rate × parcels) / sum(parcels) over the
    outlet-days of the period (1–31 October) with parcels."""
    chosen = [r for r in rows if day(1) <= r[1] <= day(31) and keep(r)]
    parcels = sum(r[2] for r in chosen)
    out = {"parcels": parcels, "days": len([r for r in chosen if r[2]])}
    for k, name in enumerate(SYSTEMS):
        out[name] = sum(r[3 + k] * r[2] for r in chosen) / parcels if parcels else None
    return out


def same(got, want):
    assert got["parcels"] == want["parcels"] and got["days"] == want["days"]
    for name in SYSTEMS:
        if want[name] is None:
            assert got[name] is None
        else:
            assert got[name] == pytest.approx(want[name], abs=5e-5), name


def figure(client, name, **extra):
    response = client.get(f"/api/v1/analytics/figures/{name}", {**Q, **extra})
    assert response.status_code == 200, response.content
    return response.json()["data"]


def test_the_weighted_rates_equal_a_direct_computation(cast, metrics, yto_a, client_for, django_assert_max_num_queries):
    f = Filters.parse(Q)
    with django_assert_max_num_queries(6):  # total, counties, brands with their names, days: grouped in SQL
        data = indicators.compliance(cast.city_bureau, f)
    same(data["total"], direct(metrics))
    assert data["total"]["parcels"] == 450
    in_period = [r for r in metrics if day(1) <= r[1] <= day(31)]
    assert data["total"]["screening_missed"] == round(sum(r[2] * (1 - r[5]) for r in in_period)) == 84
    a, b = cast.county_a, cast.county_b
    assert [c["code"] for c in data["counties"]] == [a.code, b.code]
    same(data["counties"][0], direct(metrics, lambda r: r[0].county_id == a.pk))
    same(data["counties"][1], direct(metrics, lambda r: r[0].county_id == b.pk))
    assert [(x["code"], x["name"]) for x in data["brands"]] == [("YTO", "圆通速递"), ("ZTO", "中通快递")]
    same(data["brands"][0], direct(metrics, lambda r: r[0].enterprise.brand_id == "YTO"))
    same(data["brands"][1], direct(metrics, lambda r: r[0].enterprise.brand_id == "ZTO"))
    days = {x["day"]: x for x in data["days"]}
    assert sorted(days) == ["2026-10-05", "2026-10-06", "2026-10-07"]
    for d in (5, 6, 7):
        same(days[f"2026-10-{d:02d}"], direct(metrics, lambda r, d=d: r[1] == day(d)))
    assert days["2026-10-06"]["parcels"] == 0 and days["2026-10-06"]["screening"] is None
    # the same over the API
    assert figure(client_for(cast.city_bureau), "compliance") == data


def test_the_filters_narrow_the_rates_like_the_direct_computation(cast, metrics, yto_a):
    def rates(**q):
        return indicators.compliance(cast.city_bureau, Filters.parse({**Q, **q}))

    same(rates(county=cast.county_a.code)["total"], direct(metrics, lambda r: r[0].county_id == cast.county_a.pk))
    same(rates(grid=cast.grid_a1.code)["total"], direct(metrics, lambda r: r[0].grid_id == cast.grid_a1.pk))
    same(rates(brand="YTO")["total"], direct(metrics, lambda r: r[0].enterprise.brand_id == "YTO"))
    one_day = rates(**{"from": "2026-10-07", "to": "2026-10-07"})
    same(one_day["total"], direct(metrics, lambda r: r[1] == day(7)))
    nothing = rates(**{"from": "2026-10-06", "to": "2026-10-06"})  # only the day without parcels
    assert nothing["total"]["parcels"] == 0 and nothing["total"]["screening"] is None
    assert nothing["counties"] == [] and nothing["brands"] == []


def test_the_lowest_screening_outlets_link_to_their_site_page(cast, metrics, yto_a):
    rows = indicators.low_outlets(cast.city_bureau, Filters.parse(Q))
    want = {}
    for site in {r[0] for r in metrics}:
        d = direct(metrics, lambda r, s=site: r[0] == s)
        if d["parcels"]:
            want[site.pk] = d
    assert [r["id"] for r in rows] == sorted(want, key=lambda pk: want[pk]["screening"])
    assert rows[0]["id"] == cast.outlet_a2.pk and rows[0]["screening"] == pytest.approx(0.70)
    assert rows[0]["url"] == f"/registry/sites/{cast.outlet_a2.pk}/"
    for r in rows:
        same(r, want[r["id"]])


# ---- early warnings --------------------------------------------------------------------------------------

def warning(n, kind, severity, status, *, site=None, when=None):
    moment = timezone.make_aware(dt.datetime.combine(when or day(5), dt.time(9)))
    county = site.county if site else None
    return EarlyWarning.objects.create(
        key=f"k{n}", kind=kind, subject_type="outlet" if site else "sender", subject_id=site.code if site else f"s{n}",
        site=site, enterprise=site.enterprise if site else None, county=county,
        jurisdiction_path=site.jurisdiction_path if site else "350300/", window_start=moment, count=10,
        severity=severity, status=status, first_seen_at=moment, last_seen_at=moment)


@pytest.fixture
def warnings(cast):
    return [
        warning(1, "LOW_SCREENING", "high", "new", site=cast.outlet_a1),
        warning(2, "LOW_SCREENING", "medium", "acknowledged", site=cast.outlet_b1),
        warning(3, "SCREENED_WHILE_DOWN", "high", "converted", site=cast.outlet_b1, when=day(7)),
        warning(4, "LOW_REALNAME", "low", "dismissed", site=cast.outlet_a2, when=day(9)),
        warning(5, "SENDER_SPREAD", "medium", "new", when=day(10)),  # several outlets: the whole city
        warning(6, "LOW_SCREENING", "high", "new", site=cast.outlet_a1, when=day(2, 11)),  # after the period
    ]


def direct_warnings(rows, field):
    out = {}
    for w in rows:
        if day(1) <= timezone.localtime(w.window_start).date() <= day(31):
            row = out.setdefault(getattr(w, field), {"total": 0, "new": 0, "acknowledged": 0, "converted": 0,
                                                     "dismissed": 0})
            row["total"] += 1
            row[w.status] += 1
    return out


def test_early_warnings_by_kind_and_severity_with_their_status(cast, warnings, client_for):
    data = figure(client_for(cast.city_bureau), "warnings")
    assert data["total"] == 5 and data["open"] == 3
    for field, key in (("kind", "kinds"), ("severity", "severities")):
        got = {r["code"]: {k: r[k] for k in ("total", "new", "acknowledged", "converted", "dismissed")}
               for r in data[key]}
        assert got == direct_warnings(warnings, field)
    assert [r["code"] for r in data["severities"]] == ["high", "medium", "low"]
    brand = figure(client_for(cast.city_bureau), "warnings", brand="YTO")
    assert brand["total"] == 2


def test_a_county_user_sees_only_its_county(cast, metrics, warnings, yto_a, client_for):
    c = client_for(cast.centre_a)
    data = figure(c, "compliance")
    assert [x["code"] for x in data["counties"]] == [cast.county_a.code]
    same(data["total"], direct(metrics, lambda r: r[0].county_id == cast.county_a.pk))
    same(next(x for x in data["brands"] if x["code"] == "YTO"), direct(metrics, lambda r: r[0] == yto_a))
    assert {r["id"] for r in figure(c, "outlets")} == {cast.outlet_a1.pk, cast.outlet_a2.pk, yto_a.pk}
    # asking for the other county by its code gives nothing
    assert figure(c, "compliance", county=cast.county_b.code)["total"]["parcels"] == 0
    w = figure(c, "warnings")
    mine = direct_warnings([x for x in warnings if x.jurisdiction_path.startswith(cast.county_a.path)], "kind")
    assert w["total"] == 2 and {r["code"]: r["total"] for r in w["kinds"]} == {k: v["total"] for k, v in mine.items()}
    assert figure(c, "warnings", county=cast.county_b.code)["total"] == 0
    # a grid worker may not see early warnings at all; its rates are its grid's
    g = client_for(cast.worker_a2)
    assert figure(g, "warnings") is None
    same(figure(g, "compliance")["total"], direct(metrics, lambda r: r[0].grid_id == cast.grid_a2.pk))
    # an enterprise sees its own outlets' rates
    same(figure(client_for(cast.officer_y), "compliance")["total"],
         direct(metrics, lambda r: r[0].enterprise_id == cast.enterprise_y.pk))


def test_the_dashboard_shows_the_section_and_its_empty_state(cast, client_for):
    html = client_for(cast.centre_a).get("/analytics/", Q, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="threesys"' in html and 'data-warnings="/parcels/warnings/"' in html
    assert 'class="empty muted" hidden' in html and 'data-figure="warn_kinds"' in html
    data = figure(client_for(cast.centre_a), "compliance")
    assert data["total"]["parcels"] == 0 and data["counties"] == [] and data["days"] == []
    assert figure(client_for(cast.centre_a), "outlets") == []
    # no warnings charts (nor a link to the warning list) for a role that may not see warnings
    grid = client_for(cast.worker_a1).get("/analytics/", Q).content.decode()
    assert 'data-warnings=""' in grid and 'data-figure="warn_kinds"' not in grid


# ---- the map -----------------------------------------------------------------------------------------------

def test_the_map_colours_by_the_outlet_risk_score(cast, client_for):
    for i, site in enumerate([cast.outlet_a1, cast.outlet_a2, cast.outlet_b1]):
        site.latitude, site.longitude = Decimal("25.45") + i, Decimal("119.0")
        site.save()
    for site, score in ((cast.outlet_a1, 72.5), (cast.outlet_b1, 30.0)):
        OutletRisk.objects.create(site=site, score=score, first_day=day(1), last_day=day(31), computed_at=NOW)
    city = {s["id"]: s["risk"] for s in figure(client_for(cast.city_bureau), "map")["sites"]}
    assert city == {cast.outlet_a1.pk: 72.5, cast.outlet_a2.pk: None, cast.outlet_b1.pk: 30.0}
    county = figure(client_for(cast.centre_a), "map")
    assert {s["id"]: s["risk"] for s in county["sites"]} == {cast.outlet_a1.pk: 72.5, cast.outlet_a2.pk: None}
    assert county["scored"] == 1 and county["risk_max"] == 72.5
    # the hook itself is scoped: a county never gets another county's score
    assert indicators.site_risk(cast.centre_a, Site.objects.all()) == {cast.outlet_a1.pk: 72.5}
    html = client_for(cast.city_bureau).get("/analytics/").content.decode()
    assert 'class="mappick"' in html and 'value="risk"' in html


# ---- in the browser ----------------------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_a_click_on_a_county_bar_opens_its_screening_warnings(live_server, page, artifacts_dir, settings):
    """Debian's Chromium: the city bureau clicks Licheng's screening bar and lands on Licheng's
    LOW_SCREENING warnings (the screenshot of the section is kept as a CI artifact)."""
    from parcelguard.testing.cast import PASSWORD, make_cast

    settings.ANALYTICS_CACHE_SECONDS = 0
    cast = make_cast()
    for site, n, s in ((cast.outlet_a1, 100, 0.9), (cast.outlet_b1, 200, 0.6)):
        OutletDayMetric.objects.create(site=site, day=day(5), parcels=n, realname_rate=1.0, inspection_rate=0.95,
                                       screening_rate=s)
    warning(1, "LOW_SCREENING", "high", "new", site=cast.outlet_b1)
    warning(2, "LOW_SCREENING", "high", "new", site=cast.outlet_a1)
    page.set_viewport_size({"width": 1300, "height": 1000})
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "city_bureau")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/analytics/?from=2026-10-01&to=2026-10-31")
    wait_for_js(page, "window.pgCharts && window.pgCharts.sys_counties && window.pgCharts.warn_kinds")
    assert page.locator("#lowoutlets tbody tr").first.get_attribute("data-site") == str(cast.outlet_b1.pk)
    section = page.locator("#threesys")
    section.scroll_into_view_if_needed()
    page.wait_for_timeout(800)  # the charts' entry animation
    section.screenshot(path=str(artifacts_dir / "analytics-three-systems.png"))
    x, y = page.evaluate("""(() => { const c = window.pgCharts.sys_counties;
        const box = c.getModel().getSeriesByIndex(2).getData().getItemLayout(1);  // screening, 2nd county (B)
        return [box.x + box.width / 2, Math.min(box.y, box.y + box.height) + 5]; })()""")  # just under its top
    canvas = page.locator('[data-figure="sys_counties"] .canvas')
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.wait_for_url(f"**/parcels/warnings/?from=2026-10-01&to=2026-10-31&county={cast.county_b.code}&kind=LOW_SCREENING")
    assert page.locator("#results tbody tr").count() == 1
