"""Deadlines on China's official calendar: calendar days, or working days that skip public holidays and
count the make-up working days (调休上班) that fall on weekends.

A deadline is a day: the last day on which the act is on time. It is stored as the moment that day ends
(local midnight after it), so "overdue" is simply `now >= deadline`.
"""

from __future__ import annotations

import datetime as dt

import chinese_calendar
from django.utils import timezone

# Case clocks (行政处罚法 2021): configurable here, shown on the case page.
CASE_DECIDE_DAYS = 90  # decide within 90 days of opening the case
CASE_EXTENSION_DAYS = 30  # +30 with approval
CASE_DEFENCE_DAYS = 5  # defence or hearing request within 5 days of the notice
CASE_SERVE_DAYS = 7  # serve the decision within 7 days
CASE_PAY_DAYS = 15  # pay within 15 days of service
CASE_FILING_DAYS = 15  # the bureau decides whether to open a case within 15 days of the referral
NEAR_DAYS = 2  # a deadline this close counts as "near" in queues and notifications


def is_working_day(day: dt.date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:  # outside the years the package knows: fall back to Monday–Friday
        return day.weekday() < 5


def add_working_days(start: dt.date, n: int) -> dt.date:
    """The n-th working day after `start` (start itself does not count)."""
    day = start
    counted = 0
    while counted < n:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return day


def due_date(start: dt.date, days: int, working: bool) -> dt.date:
    return add_working_days(start, days) if working else start + dt.timedelta(days=days)


def end_of(day: dt.date) -> dt.datetime:
    """The moment a due day ends: local midnight after it."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def day_of(deadline: dt.datetime) -> dt.date:
    """The due day of a stored deadline (inverse of end_of)."""
    return (timezone.localtime(deadline) - dt.timedelta(microseconds=1)).date()


def deadline_after(start: dt.date, days: int, working: bool = False) -> dt.datetime:
    return end_of(due_date(start, days, working))


def status(deadline: dt.datetime | None, now: dt.datetime) -> str:
    """ok | near | overdue ('' when there is no deadline)."""
    if deadline is None:
        return ""
    if now >= deadline:
        return "overdue"
    if deadline - now <= dt.timedelta(days=NEAR_DAYS):
        return "near"
    return "ok"
