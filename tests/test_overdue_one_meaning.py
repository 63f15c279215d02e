"""Issue 17 item 9: "overdue" has one meaning (events.clocks.overdue: open, and the current step's deadline
passed at the period's end or now, whenever reported). The dashboard (live and from the summary table), the
event list (page, API), the duty record (page API), the monthly report (its figures table and its duty
section) and the registered figure all give the same number for the same period and scope."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from parcelguard.analytics import cube, duty, indicators, reports
from parcelguard.analytics.filters import Filters
from parcelguard.core import registry
from parcelguard.events.models import Event
from parcelguard.events.testing import make_event

NOW = timezone.make_aware(dt.datetime(2026, 11, 20, 10, 0))
pytestmark = pytest.mark.django_db


def at(month: int, day: int, year: int = 2026) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, month, day, 0, 0))


@pytest.fixture(autouse=True)
def _frozen(settings):
    settings.ANALYTICS_CACHE_SECONDS = 0
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def planted(cast):
    def ev(site, state, reported, deadline=None):
        e = make_event(site, state=state)
        Event.objects.filter(pk=e.pk).update(reported_at=reported, deadline=deadline)

    ev(cast.outlet_a1, "reported", at(11, 2), at(11, 6))  # the centre never verified: overdue
    ev(cast.outlet_a1, "answered", at(11, 3), at(11, 10))  # the grid worker never confirmed: overdue
    ev(cast.outlet_a2, "reminded", at(10, 20), at(11, 1))  # reported last month, still overdue
    ev(cast.outlet_a2, "served", at(3, 1, 2025), at(4, 30, 2025))  # last year's unpaid fine: overdue
    ev(cast.outlet_a1, "reminded", at(11, 15), at(11, 25))  # not yet due
    ev(cast.outlet_a1, "closed", at(11, 1), None)
    ev(cast.outlet_b1, "verified", at(11, 4), at(11, 8))  # county B: overdue for the city, not for county A
    ev(cast.outlet_a1, "reminded", at(10, 25), at(10, 31))  # overdue since October


def _surfaces(user, client, f: Filters, *, with_list: bool) -> dict[str, int]:
    q = f"from={f.start}&to={f.end}"
    got = {
        "dashboard_live": indicators.loop(user, f)["overdue"],
        "dashboard_api": client.get(f"/api/v1/analytics/figures/loop?{q}").json()["data"]["overdue"],
        "duty_record": len(duty.duty_record(user, f).lines["open_overdue"]),
        "duty_api": client.get(f"/api/v1/analytics/duty?{q}").json()["counts"]["open_overdue"],
        "figure": registry.figure("events.open_overdue").compute(user, f.since, f.until),
        "drill_down": client.get(f"/analytics/events/?{q}&segment=overdue").context["total"],
    }
    if with_list:
        page = client.get("/events/?overdue=1")
        got["event_list"] = page.context["total"]
        got["event_list_api"] = client.get("/api/v1/events?overdue=1").json()["count"]
    return got


def test_every_surface_counts_the_same_overdue_now(cast, planted, client_for):
    cube.rebuild()  # the dashboard's summary table, as the scheduler keeps it
    november = Filters(start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 30))
    for user, expected in ((cast.city_bureau, 6), (cast.centre_a, 5)):
        got = _surfaces(user, client_for(user), november, with_list=True)
        assert set(got.values()) == {expected}, got
    city_report = reports.report_context(cast.city, dt.date(2026, 11, 1))
    assert city_report["loop"]["overdue"] == 6
    assert dict((k, n) for k, n, _lines in city_report["duty"])[duty.heading_cn("open_overdue")] == 6
    county_report = reports.report_context(cast.county_a, dt.date(2026, 11, 1))
    assert county_report["loop"]["overdue"] == 5


def test_a_past_period_counts_what_was_overdue_at_its_end(cast, planted, client_for):
    october = Filters(start=dt.date(2026, 10, 1), end=dt.date(2026, 10, 31))
    # at the end of October: last year's unpaid fine and the two reminders whose deadlines had passed
    got = _surfaces(cast.city_bureau, client_for(cast.city_bureau), october, with_list=False)
    assert set(got.values()) == {3}, got
    report = reports.report_context(cast.city, dt.date(2026, 10, 1))
    assert report["loop"]["overdue"] == 3
