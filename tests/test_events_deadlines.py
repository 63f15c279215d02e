"""Deadlines on China's official calendar: calendar days, or working days that skip public holidays and
count make-up working days. National Day 2026: 1–7 October off; Sunday 20 September and Saturday
10 October are make-up working days."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from parcelguard.events import deadlines
from parcelguard.events.models import HazardType
from parcelguard.events.services import event_remind
from parcelguard.events.testing import make_event

SH = ZoneInfo("Asia/Shanghai")
D = dt.date


@pytest.mark.parametrize("start,days,working,due", [
    (D(2026, 9, 30), 3, True, D(2026, 10, 10)),  # Thu 8, Fri 9, make-up Sat 10
    (D(2026, 9, 30), 1, True, D(2026, 10, 8)),  # the whole holiday is skipped
    (D(2026, 9, 30), 3, False, D(2026, 10, 3)),  # calendar days run through it
    (D(2026, 9, 11), 1, True, D(2026, 9, 14)),  # Friday → Monday over a normal weekend
    (D(2026, 9, 18), 1, True, D(2026, 9, 20)),  # Friday → the make-up Sunday
    (D(2026, 9, 19), 1, True, D(2026, 9, 20)),  # Saturday → the make-up Sunday counts
    (D(2026, 9, 24), 1, True, D(2026, 9, 28)),  # Mid-autumn Friday 25 off
    (D(2026, 4, 8), 5, False, D(2026, 4, 13)),  # the Hanjiang letter: 5 days
])
def test_it_computes_the_due_day(start, days, working, due):
    assert deadlines.due_date(start, days, working) == due


def test_it_falls_back_to_weekdays_for_years_the_calendar_does_not_know():
    assert deadlines.add_working_days(D(2099, 1, 2), 1) == D(2099, 1, 5)  # Friday → Monday


def test_a_deadline_ends_at_local_midnight_after_the_due_day():
    end = deadlines.end_of(D(2026, 10, 10))
    assert end == dt.datetime(2026, 10, 11, tzinfo=SH)
    assert deadlines.day_of(end) == D(2026, 10, 10)
    assert deadlines.status(end, dt.datetime(2026, 10, 10, 23, 59, tzinfo=SH)) == "near"
    assert deadlines.status(end, dt.datetime(2026, 10, 11, 0, 0, tzinfo=SH)) == "overdue"
    assert deadlines.status(end, dt.datetime(2026, 10, 1, tzinfo=SH)) == "ok"


def test_a_reminder_letter_before_national_day_gives_working_days_after_it(cast):
    assert HazardType.objects.get(code="fire_safety").working_days
    with time_machine.travel(dt.datetime(2026, 9, 30, 10, 0, tzinfo=SH), tick=False):
        event = make_event(cast.outlet_a1, state="verified", hazard="fire_safety")
        event = event_remind(user=cast.centre_a, event_id=event.pk, version=event.version)
    assert event.due_day == D(2026, 10, 10)
    assert event.deadline == dt.datetime(2026, 10, 11, tzinfo=SH)
    assert event.transitions.last().data["deadline"] == "2026-10-10"
