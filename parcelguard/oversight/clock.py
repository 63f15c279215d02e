"""The reply clock of a recommendation (检察建议回复期限).

A period counted in months ends on the corresponding day of the last month; when that month has no such
day (served 30 December, two months → February), it ends on that month's last day. The day of service is
not counted. The reply is due by the end of the last day, local time; urgent recommendations are answered
within 15 days. Both lengths are settings (OVERSIGHT_REPLY_MONTHS, OVERSIGHT_URGENT_DAYS)."""

from __future__ import annotations

import calendar
import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings

from parcelguard.core import clock


def reply_months() -> int:
    return int(getattr(settings, "OVERSIGHT_REPLY_MONTHS", 2))


def urgent_days() -> int:
    return int(getattr(settings, "OVERSIGHT_URGENT_DAYS", 15))


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def reply_due_on(served_on: dt.date, urgent: bool) -> dt.date:
    """The last day to reply."""
    if urgent:
        return served_on + dt.timedelta(days=urgent_days())
    return add_months(served_on, reply_months())


def due_at(due_on: dt.date) -> dt.datetime:
    """The moment a reply becomes late: the start of the day after the last day, local time."""
    return dt.datetime.combine(due_on + dt.timedelta(days=1), dt.time(), tzinfo=ZoneInfo(settings.TIME_ZONE))


def today() -> dt.date:
    return clock.now().astimezone(ZoneInfo(settings.TIME_ZONE)).date()


def days_left(due_on: dt.date | None, now: dt.datetime | None = None) -> int | None:
    """Days left including the due day itself (0 = due today); negative = days late."""
    if due_on is None:
        return None
    local = (now or clock.now()).astimezone(ZoneInfo(settings.TIME_ZONE)).date()
    return (due_on - local).days
