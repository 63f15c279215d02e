"""The summary table (analytics.cube): every figure it answers equals the live figure over the events, for
every filter it accepts, on both databases; it refuses what it cannot answer exactly; it is what the
dashboard actually reads; and it keeps a county's figures to the county."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from parcelguard.analytics import cube, indicators
from parcelguard.analytics.filters import Filters
from parcelguard.analytics.models import EventCube
from parcelguard.events.models import Case, Event, HazardType
from parcelguard.events.testing import ensure_taxonomy
from parcelguard.testing.analytics import NOW, at, ev, frozen_without_cache


@pytest.fixture(autouse=True)
def _no_cache_frozen_clock(settings):
    yield from frozen_without_cache(settings)


@pytest.fixture
def events(cast):
    a1, a2, b1 = cast.outlet_a1, cast.outlet_a2, cast.outlet_b1
    made = [
        ev(a1, closed=at(8), rectify_by=at(10)),
        ev(a1, closed=at(10), rectify_by=at(10)),  # closed exactly at its deadline
        ev(a2, closed=at(28), rectify_by=at(12), escalated=at(13), hazard="fire_safety"),
        ev(a2, closed=at(9), rectify_by=at(15), rework=2),
        ev(a1, state="reminded", rectify_by=at(20), deadline=at(20)),
        ev(a1, state="reminded", reported=at(30), rectify_by=at(25, month=11), deadline=at(25, month=11)),
        ev(a1, state="rejected", closed=at(6)),
        ev(a1, reported=at(20, month=9), closed=at(2), rectify_by=at(3)),
        ev(b1, reported=at(20), closed=at(5, month=11), rectify_by=at(4, month=11)),
        # deadline at local midnight ending 31 October: due for October
        ev(b1, state="verified", reported=at(3), rectify_by=timezone.make_aware(dt.datetime(2026, 11, 1)),
           deadline=at(19, month=11)),
        ev(b1, state="escalated", rectify_by=at(10), escalated=at(11), deadline=at(26), hazard="fire_safety"),
        ev(b1, closed=at(12), rectify_by=at(14)),
        ev(a2, state="investigating", reported=at(2, month=11), escalated=at(4, month=11), rework=1),
        ev(a1, reported=at(10, month=11), closed=at(18, month=11), rectify_by=at(30, month=11)),
    ]
    # moved from Licheng (B) to Hanjiang (A): the path follows, the county column does not
    Event.objects.filter(pk=made[-3].pk).update(site=a1, enterprise=a1.enterprise, jurisdiction_path=a1.jurisdiction_path)
    # a public tip-off: no site, no enterprise, placed at the county
    ensure_taxonomy()
    Event.objects.create(hazard_type=HazardType.objects.get(code="fire_safety"), severity="medium",
                         description="群众举报", county=cast.county_b, jurisdiction_path=cast.county_b.path,
                         source="public", state="verified", reported_at=at(7), updated_at=at(7),
                         rectify_by=at(9), deadline=at(9))
    # cases: a fine decided in October, an admonition in November, a fine a year earlier (the comparison)
    Case.objects.create(event=made[2], opened_at=at(14), decide_by=at(14) + dt.timedelta(days=90),
                        decided_at=at(27), outcome="fine", amount=Decimal("5000.00"))
    Case.objects.create(event=made[10], opened_at=at(12), decide_by=at(12) + dt.timedelta(days=90),
                        decided_at=at(3, month=11), outcome="admonition")
    old = ev(b1, reported=at(1, month=9) - dt.timedelta(days=365), closed=at(20, month=10) - dt.timedelta(days=365),
             escalated=at(2, month=9) - dt.timedelta(days=365), hazard="fire_safety")
    Case.objects.create(event=old, opened_at=at(3, month=9) - dt.timedelta(days=365),
                        decide_by=at(3, month=9) + dt.timedelta(days=90 - 365),
                        decided_at=at(15, month=10) - dt.timedelta(days=365), outcome="fine", amount=Decimal("20000"))
    return made


PERIODS = {
    "to_today": (dt.date(2026, 9, 1), dt.date(2026, 11, 20)),
    "october": (dt.date(2026, 10, 1), dt.date(2026, 10, 31)),
    "sep_oct": (dt.date(2026, 9, 1), dt.date(2026, 10, 31)),
    "beyond_today": (dt.date(2026, 10, 1), dt.date(2026, 12, 31)),
}


def filter_sets(cast):
    yield {}
    yield {"county": cast.county_a.code}
    yield {"county": cast.county_b.code, "tier": "county"}
    yield {"grid": cast.grid_a1.code}
    yield {"grid": cast.grid_a2.code, "tier": "city"}
    yield {"brand": cast.enterprise_x.brand_id}
    yield {"type": "fire_safety"}
    yield {"type": "address_mismatch", "county": cast.county_a.code, "tier": "county"}
    yield {"tier": "city"}


def canonical(name, value):
    if name == "brands":
        return sorted(value, key=lambda r: (r["code"], r["value"]))
    return value


def test_every_figure_the_cube_answers_equals_the_live_figure(cast, events):
    built = cube.rebuild()
    assert sum(built["rows"].values()) == EventCube.objects.count() > 0
    answered = set()
    for user in (cast.city_bureau, cast.centre_a, cast.procurator):
        for period, (start, end) in PERIODS.items():
            for extra in filter_sets(cast):
                f = Filters(start=start, end=end, **extra)
                for name in cube.ANSWERS:
                    got = cube.answer(name, user, f)
                    if got is None:
                        continue
                    answered.add((name, period, tuple(sorted(extra))))
                    live = indicators.FIGURES[name](user, f)
                    assert canonical(name, got) == canonical(name, live), (name, user.username, period, extra)
    # the cube really answered every figure in both modes and under every kind of filter
    for name in cube.ANSWERS:
        for period in PERIODS:
            assert (name, period, ()) in answered, (name, period)
    assert ("loop", "october", ("county",)) in answered and ("loop", "to_today", ("grid",)) in answered
    assert ("types", "sep_oct", ("brand",)) in answered and ("trend", "october", ("type",)) in answered
    assert ("states", "october", ("county", "tier", "type")) in answered
    assert ("areas", "october", ("brand",)) in answered and ("areas", "to_today", ("type",)) in answered
    assert ("trend", "to_today", ("grid",)) in answered and ("trend", "sep_oct", ("brand",)) in answered
    assert ("enforcement", "to_today", ("grid",)) in answered and ("enforcement", "october", ("tier",)) in answered
    enforcement = cube.answer("enforcement", cast.city_bureau, Filters(start=dt.date(2026, 9, 1), end=dt.date(2026, 11, 20)))
    assert (enforcement["current"]["cases"], enforcement["current"]["fines"]) == (3, 1)
    assert enforcement["current"]["fine_amount"] == 5000.0 and enforcement["current"]["admonitions"] == 1
    assert (enforcement["previous"]["cases"], enforcement["previous"]["fine_amount"]) == (1, 20000.0)


def test_it_pins_the_past_month_by_hand(cast, events):
    """October taken at its end: 12 reported (the tip-off included); 5 closed by 1 November; due: those 5,
    three open ones past their October deadline and the one due at the midnight ending 31 October."""
    cube.rebuild()
    got = cube.answer("loop", cast.city_bureau, Filters(start=dt.date(2026, 10, 1), end=dt.date(2026, 10, 31)))
    assert (got["total"], got["closed"], got["due"], got["rejected"]) == (12, 5, 9, 1)
    assert got["ontime"] == 3 and got["closed_county"] == 4 and got["rework_total"] == 2


def test_it_refuses_what_it_cannot_answer_exactly(cast, events, settings):
    cube.rebuild()
    october = Filters(start=dt.date(2026, 10, 1), end=dt.date(2026, 10, 31))
    assert cube.answer("loop", cast.city_bureau, october) is not None
    # periods that do not start on the 1st, or end in the past mid-month (trend is kept by day: it answers)
    mid = Filters(start=dt.date(2026, 10, 3), end=dt.date(2026, 10, 31))
    assert cube.answer("loop", cast.city_bureau, mid) is None
    assert cube.answer("trend", cast.city_bureau, mid) is not None
    assert cube.answer("trend", cast.city_bureau, mid.with_(grid=cast.grid_a1.code, type="fire_safety")) is None
    assert cube.answer("areas", cast.city_bureau, october.with_(brand="ZTO", type="fire_safety")) is None
    assert cube.answer("types", cast.city_bureau, october.with_(end=dt.date(2026, 10, 20))) is None
    # drill-down filters, and a grid with a brand (the grid grain has no brand)
    for extra in ({"group": "closed"}, {"segment": "due"}, {"site": str(cast.outlet_a1.pk)}):
        assert cube.answer("states", cast.city_bureau, october.with_(**extra)) is None
    assert cube.answer("loop", cast.city_bureau, october.with_(grid=cast.grid_a1.code, brand="ZTO")) is None
    # enterprises and grid workers read live (the cube has no enterprise column; their rows are few)
    assert cube.answer("loop", cast.officer_x, october) is None
    assert cube.answer("loop", cast.grid_a1, october) is None
    # figures it does not hold
    assert cube.answer("map", cast.city_bureau, october) is None
    # switched off
    settings.ANALYTICS_CUBE = 0
    assert cube.answer("loop", cast.city_bureau, october) is None
    settings.ANALYTICS_CUBE = 1
    # stale: not rebuilt within ANALYTICS_SNAPSHOT_MAX_AGE
    with time_machine.travel(NOW + dt.timedelta(seconds=901), tick=False):
        assert cube.answer("loop", cast.city_bureau, october) is None


def test_the_dashboard_reads_the_cube_until_the_next_rebuild(cast, events):
    f = Filters(start=dt.date(2026, 9, 1), end=dt.date(2026, 11, 20))
    cube.rebuild()
    before = indicators.figure("states", cast.city_bureau, f)
    Event.objects.filter(state="reminded").update(state="closed", closed_at=NOW)
    # the figure still comes from the table built before the change ...
    assert indicators.figure("states", cast.city_bureau, f) == before
    assert indicators.by_state(cast.city_bureau, f) != before
    # ... and follows after the job rebuilt it
    cube.rebuild()
    assert indicators.figure("states", cast.city_bureau, f) == indicators.by_state(cast.city_bureau, f)


def test_a_county_sees_only_its_county_in_the_cube(cast, events):
    cube.rebuild()
    f = Filters(start=dt.date(2026, 9, 1), end=dt.date(2026, 11, 20))
    raw = Event.objects.filter(jurisdiction_path__startswith=cast.county_a.path,
                               reported_at__gte=f.since, reported_at__lt=f.until)
    loop = cube.answer("loop", cast.centre_a, f)
    assert loop["total"] == raw.count()
    areas = cube.answer("areas", cast.centre_a, f)
    assert {r["code"] for r in areas["counties"]} == {cast.county_a.code}
    assert all(r["county"] == cast.county_a.code for r in areas["grids"])
    types = cube.answer("types", cast.centre_a, f)
    assert sum(r["value"] for r in types) == raw.count()
    # asking for the other county through the filter gives nothing, not its figures
    other = cube.answer("loop", cast.centre_a, f.with_(county=cast.county_b.code))
    assert other["total"] == 0


def test_rebuild_replaces_the_table(cast, events):
    first = cube.rebuild()
    again = cube.rebuild()
    assert first["rows"] == again["rows"] and EventCube.objects.count() == sum(again["rows"].values())


def test_a_city_without_events_has_an_empty_cube_and_reads_live(cast):
    assert set(cube.rebuild()["rows"].values()) == {0}
    october = Filters(start=dt.date(2026, 10, 1), end=dt.date(2026, 10, 31))
    assert cube.answer("loop", cast.city_bureau, october) is None
    assert indicators.figure("loop", cast.city_bureau, october)["total"] == 0


def test_the_refresh_job_rebuilds_the_cube_and_the_default_figures(cast, events):
    from io import StringIO

    from django.core.management import call_command

    from parcelguard.analytics.models import FigureSnapshot

    out = StringIO()
    call_command("analytics_refresh", stdout=out)
    assert "summary table rebuilt" in out.getvalue()
    assert EventCube.objects.filter(grain="c").exists() and EventCube.objects.filter(grain="y").exists()
    assert FigureSnapshot.objects.filter(name="loop").count() == 3  # the city and its two counties


@pytest.mark.parametrize("start,end", [((10, 3), (10, 31)), ((9, 30), (11, 2)), ((10, 6), (10, 11)),
                                       ((10, 7), (10, 8)), ((9, 1), (11, 20))])
def test_the_trend_takes_any_period_from_segments_and_edge_days(cast, events, start, end):
    cube.rebuild()
    f = Filters(start=dt.date(2026, *start), end=dt.date(2026, *end))
    for extra in ({}, {"county": cast.county_b.code}, {"type": "fire_safety", "tier": "county"},
                  {"grid": cast.grid_a1.code}, {"grid": cast.grid_a2.code, "tier": "city"},
                  {"brand": cast.enterprise_x.brand_id}, {"brand": cast.enterprise_y.brand_id, "county": cast.county_b.code}):
        got = cube.answer("trend", cast.city_bureau, f.with_(**extra))
        assert got is not None and got == indicators.trend(cast.city_bureau, f.with_(**extra)), extra


def test_segments_cut_weeks_at_month_ends():
    # Saturday 31 October 2026: its week began Monday 26 October; Sunday 1 November starts a new segment
    assert cube.segment_of(dt.date(2026, 10, 31)) == (dt.date(2026, 10, 26), dt.date(2026, 10, 31))
    assert cube.segment_of(dt.date(2026, 11, 1)) == (dt.date(2026, 11, 1), dt.date(2026, 11, 1))
    assert cube.segment_of(dt.date(2026, 11, 4)) == (dt.date(2026, 11, 2), dt.date(2026, 11, 8))


def test_each_figure_says_when_its_data_was_taken(cast, events, settings, client_for):
    from parcelguard.analytics.models import FigureSnapshot

    settings.ANALYTICS_CACHE_SECONDS = 60
    october = Filters(start=dt.date(2026, 10, 1), end=dt.date(2026, 10, 31))
    # live: now
    when = dt.datetime.fromisoformat
    assert when(indicators.figure_taken("types", cast.city_bureau, october)[1]) == NOW
    with time_machine.travel(NOW - dt.timedelta(minutes=3), tick=False):
        cube.rebuild()
    # from the cube: its rebuild, three minutes ago (a new filter, so not from the process cache)
    f = october.with_(type="fire_safety")
    data, taken = indicators.figure_taken("types", cast.city_bureau, f)
    assert when(taken) == NOW - dt.timedelta(minutes=3) and data == indicators.by_type(cast.city_bureau, f)
    # from a snapshot: its own moment
    g = october.with_(tier="city")
    FigureSnapshot.objects.create(name="states", scope_key=indicators.scope_key(cast.city_bureau), query=g.query(),
                                  data=[{"code": "x", "name": "x", "value": 1}],
                                  computed_at=NOW - dt.timedelta(minutes=1))
    assert when(indicators.figure_taken("states", cast.city_bureau, g)[1]) == NOW - dt.timedelta(minutes=1)
    # and through the API
    body = client_for(cast.city_bureau).get("/api/v1/analytics/figures/types",
                                            {"from": "2026-10-01", "to": "2026-10-31", "type": "fire_safety"}).json()
    assert when(body["taken_at"]) == NOW - dt.timedelta(minutes=3)
