"""Every dashboard indicator equals a direct count over a small hand-built set of events, edge cases
included: closed exactly at the deadline, rework, rejected, an event moved to another county, an event
reported before the period and one closed after the period's end."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from parcelguard.analytics import indicators
from parcelguard.analytics.filters import Filters
from parcelguard.events.models import Case, Event
from parcelguard.testing.analytics import NOW, at, ev, frozen_without_cache

START, END = dt.date(2026, 10, 1), dt.date(2026, 10, 31)


@pytest.fixture(autouse=True)
def _no_cache_frozen_clock(settings):
    yield from frozen_without_cache(settings)


@pytest.fixture
def events(cast):
    a1, a2, b1 = cast.outlet_a1, cast.outlet_a2, cast.outlet_b1
    made = {
        "ontime": ev(a1, closed=at(8), rectify_by=at(10)),
        "at_deadline": ev(a1, closed=at(10), rectify_by=at(10)),  # closed exactly at the deadline: late
        "late_city": ev(a2, closed=at(28), rectify_by=at(12), escalated=at(13), hazard="fire_safety"),
        "rework": ev(a2, closed=at(9), rectify_by=at(15), rework=2),
        "open_due": ev(a1, state="reminded", rectify_by=at(20), deadline=at(20)),
        "open_not_due": ev(a1, state="reminded", reported=at(30), rectify_by=at(25, month=11),
                           deadline=at(25, month=11)),
        "rejected": ev(a1, state="rejected", closed=at(6)),
        "reported_before": ev(a1, reported=at(20, month=9), closed=at(2), rectify_by=at(3)),
        "closed_after_period": ev(b1, reported=at(20), closed=at(5, month=11), rectify_by=at(4, month=11)),
        "b_open_overdue": ev(b1, state="escalated", rectify_by=at(10), escalated=at(11), deadline=at(26),
                             hazard="fire_safety"),
        "moved": ev(b1, closed=at(12), rectify_by=at(14)),
    }
    # Moved from Licheng (B) to Hanjiang (A) when the centre attached the right site: the path follows.
    Event.objects.filter(pk=made["moved"].pk).update(site=a1, enterprise=a1.enterprise,
                                                      jurisdiction_path=a1.jurisdiction_path)
    return {k: Event.objects.get(pk=v.pk) for k, v in made.items()}


def direct(rows, as_of):
    """The definitions of docs/analytics.md, written out plainly over event objects."""
    in_period = [e for e in rows if timezone.make_aware(dt.datetime(2026, 10, 1)) <= e.reported_at
                 < timezone.make_aware(dt.datetime(2026, 11, 1))]
    closed = [e for e in in_period if e.state == "closed" and e.closed_at < as_of]
    due = [e for e in in_period if e.state != "rejected" and (e in closed or (e.rectify_by and e.rectify_by <= as_of))]
    ontime = [e for e in closed if e.rectify_by and e.closed_at < e.rectify_by]
    return {"total": len(in_period), "closed": len(closed), "due": len(due), "ontime": len(ontime),
            "closed_county": len([e for e in closed if e.escalated_at is None]),
            "rework_total": sum(e.rework_count for e in in_period),
            "rework_events": len([e for e in in_period if e.rework_count]),
            "overdue": len([e for e in in_period if e.state not in ("closed", "rejected") and e.deadline
                            and e.deadline <= NOW]),
            "rejected": len([e for e in in_period if e.state == "rejected"]),
            "hours": sorted((e.closed_at - e.reported_at).total_seconds() / 3600 for e in closed)}


def test_it_counts_every_loop_indicator_like_a_direct_count(cast, events):
    f = Filters(start=START, end=END)
    got = indicators.loop(cast.city_bureau, f)
    want = direct(list(Event.objects.all()), f.as_of)
    for key in ("total", "closed", "due", "ontime", "closed_county", "rework_total", "rework_events", "overdue",
                "rejected"):
        assert got[key] == want[key], key
    assert got["closure_rate"] == round(want["closed"] / want["due"], 4)
    assert got["ontime_rate"] == round(want["ontime"] / want["due"], 4)
    assert got["county_share"] == round(want["closed_county"] / want["closed"], 4)
    # by hand, so the definitions themselves are pinned: of 10 reported in October, 5 closed by its end,
    # 7 due (the 5, and 2 open past their deadline), 3 closed before their deadline
    assert (got["closed"], got["due"], got["ontime"], got["total"]) == (5, 7, 3, 10)


def test_it_treats_closing_exactly_at_the_deadline_as_late(cast, events):
    f = Filters(start=START, end=END, segment="ontime")
    from parcelguard.analytics.filters import events_for

    ontime = set(events_for(cast.city_bureau, f).values_list("pk", flat=True))
    assert events["ontime"].pk in ontime and events["rework"].pk in ontime
    assert events["at_deadline"].pk not in ontime


def test_it_computes_median_and_90th_percentile_of_time_to_close_by_tier(cast, events):
    f = Filters(start=START, end=END)
    hours = indicators.loop(cast.city_bureau, f)["close_hours"]
    county = sorted((e.closed_at - e.reported_at).total_seconds() / 3600 for e in events.values()
                    if e.state == "closed" and e.escalated_at is None
                    and at(1) <= e.reported_at < at(1, month=11) and e.closed_at < f.as_of)
    assert hours["county"]["n"] == len(county) == 4
    assert hours["county"]["p50"] == pytest.approx((county[1] + county[2]) / 2, abs=0.01)
    p90 = county[2] + (county[3] - county[2]) * 0.7  # position 0.9 * 3 = 2.7
    assert hours["county"]["p90"] == pytest.approx(p90, abs=0.01)
    assert hours["city"] == {"n": 1, "p50": 23 * 24.0, "p90": 23 * 24.0}


def test_it_takes_the_indicators_at_the_end_of_a_past_period(cast, events):
    """closed_after_period (deadline 4 November, closed 5 November) is neither due nor closed for October,
    taken at 1 November; for October–November, taken now (20 November), it is both, and late."""
    october = indicators.loop(cast.city_bureau, Filters(start=START, end=END))
    both = indicators.loop(cast.city_bureau, Filters(start=START, end=dt.date(2026, 11, 30)))
    assert both["total"] == october["total"] == 10
    assert both["closed"] == october["closed"] + 1
    assert both["due"] == october["due"] + 1
    assert both["ontime"] == october["ontime"]


def test_distributions_add_up_and_follow_the_moved_event(cast, events):
    f = Filters(start=START, end=END)
    user = cast.city_bureau
    areas = indicators.by_area(user, f)
    counties = {r["code"]: r["value"] for r in areas["counties"]}
    raw_a = Event.objects.filter(jurisdiction_path__startswith=cast.county_a.path, reported_at__gte=at(1, 0),
                                 reported_at__lt=at(1, 0, month=11)).count()
    assert counties == {"350303": raw_a, "350304": 10 - raw_a}
    assert counties["350303"] == 8  # the moved event counts in Hanjiang now
    grids = {r["code"]: r["value"] for r in areas["grids"]}
    assert sum(grids.values()) == 10
    types = {r["code"]: r["value"] for r in indicators.by_type(user, f)}
    assert types == {"address_mismatch": 8, "fire_safety": 2}
    brands = {r["code"]: r["value"] for r in indicators.by_brand(user, f)}
    assert brands == {"ZTO": 8, "YTO": 2}
    states = {r["code"]: r["value"] for r in indicators.by_state(user, f)}
    assert states == {"open": 0, "county": 2, "escalated": 1, "case": 0, "closed": 6, "rejected": 1}
    trend = indicators.trend(user, f)
    assert sum(r["reported"] for r in trend["month"]) == sum(r["reported"] for r in trend["week"]) == 10
    closed_in_october = Event.objects.filter(state="closed", closed_at__gte=at(1, 0), closed_at__lt=at(1, 0, month=11))
    assert sum(r["closed"] for r in trend["month"]) == closed_in_october.count()


def test_filters_by_tier_type_brand_and_grid_match_direct_counts(cast, events):
    user = cast.city_bureau
    base = Filters(start=START, end=END)
    assert indicators.loop(user, base.with_(tier="city"))["total"] == 2
    assert indicators.loop(user, base.with_(tier="county"))["total"] == 8
    assert indicators.loop(user, base.with_(type="fire_safety"))["total"] == 2
    assert indicators.loop(user, base.with_(brand="YTO"))["total"] == 2
    assert indicators.loop(user, base.with_(grid=cast.grid_a2.code))["total"] == 2
    assert indicators.loop(user, base.with_(county=cast.county_b.code))["total"] == 2


def test_enforcement_compares_with_the_year_before(cast, events):
    def case(event, opened, decided, outcome, amount=None):
        Case.objects.create(event=event, opened_at=opened, decide_by=opened + dt.timedelta(days=90),
                            decided_at=decided, outcome=outcome, amount=amount)

    case(events["late_city"], at(14), at(20), "fine", Decimal("1500"))
    case(events["b_open_overdue"], at(15), at(25), "admonition")
    old = ev(cast.outlet_a1, reported=at(1, month=9).replace(year=2025), closed=at(1).replace(year=2025))
    case(old, at(10).replace(year=2025), at(12).replace(year=2025), "fine", Decimal("5000"))
    got = indicators.enforcement(cast.city_bureau, Filters(start=START, end=END))
    assert (got["current"]["cases"], got["current"]["fines"], got["current"]["fine_amount"],
            got["current"]["admonitions"]) == (2, 1, 1500.0, 1)
    assert (got["previous"]["cases"], got["previous"]["fines"], got["previous"]["fine_amount"],
            got["previous"]["admonitions"]) == (1, 1, 5000.0, 0)
    county_b = indicators.enforcement(cast.centre_b, Filters(start=START, end=END))
    assert county_b["current"]["cases"] == 1 and county_b["previous"]["cases"] == 0


def test_the_api_serves_each_figure_with_the_same_numbers(cast, events, client_for):
    c = client_for(cast.city_bureau)
    body = c.get("/api/v1/analytics/figures/loop", {"from": "2026-10-01", "to": "2026-10-31"}).json()
    assert body["data"]["closed"] == 5 and body["data"]["due"] == 7
    for name in ("types", "areas", "brands", "states", "trend", "enforcement", "map"):
        assert c.get(f"/api/v1/analytics/figures/{name}", {"from": "2026-10-01", "to": "2026-10-31"}).status_code == 200
    assert c.get("/api/v1/analytics/figures/nope").status_code == 422


def test_the_summary_job_stores_the_default_figures_and_the_dashboard_reads_them(cast, events, settings):
    from django.core.cache import cache

    from parcelguard.analytics.models import FigureSnapshot
    from parcelguard.analytics.reports import refresh_snapshots

    settings.ANALYTICS_CACHE_SECONDS = 60
    cache.clear()
    assert refresh_snapshots() == 3 * len(indicators.FIGURES)  # the city and two counties
    default = Filters.parse({})
    live = indicators.loop(cast.centre_a, default)
    assert indicators.figure("loop", cast.centre_a, default) == live
    FigureSnapshot.objects.filter(name="types", scope_key=f"p:{cast.county_b.path}").update(data=["from the table"])
    assert indicators.figure("types", cast.centre_b, default) == ["from the table"]
    assert indicators.figure("types", cast.officer_y, default) != ["from the table"]  # enterprises compute live
    cache.clear()
