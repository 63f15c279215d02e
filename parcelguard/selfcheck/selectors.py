"""Reads of the self-inspection mechanism: the month's table per county (filed, late, missing), the
figures, the work waiting and the county centre's lapses."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from parcelguard.accounts.models import Jurisdiction, Level
from parcelguard.accounts.roles import Role
from parcelguard.accounts.scoping import scope
from parcelguard.registry.models import Site, Status
from parcelguard.selfcheck.models import MonthlyReport, ReportState, SpotDraw
from parcelguard.selfcheck.services import CHECK_DAYS, due_at, first_of, next_month


@dataclass(frozen=True)
class Duty:
    """One (enterprise, county, month) that owes a report, and what became of it."""

    enterprise_id: int
    enterprise_name: str
    county: Jurisdiction
    month: dt.date
    due: dt.datetime
    report: MonthlyReport | None

    def status(self, now: dt.datetime) -> str:
        if self.report is not None:
            return "late" if self.report.late else "on_time"
        return "missing" if now >= self.due else "pending"


def reports(user: Any) -> QuerySet[MonthlyReport]:
    return scope(user, MonthlyReport).select_related("enterprise", "county", "submitted_by", "draw")


def months_due_in(start: dt.datetime, end: dt.datetime) -> list[dt.date]:
    """The months whose report falls due in [start, end)."""
    month = first_of(start.date()) - dt.timedelta(days=62)
    month = first_of(month)
    found = []
    while due_at(month) < end + dt.timedelta(days=1):
        if start <= due_at(month) < end:
            found.append(month)
        month = next_month(month)
    return found


def duties(user: Any, month: dt.date) -> list[Duty]:
    """Who owes a report on `month` inside the user's scope: every enterprise with an active outlet in a
    county, with its report if filed."""
    sites = scope(user, Site).filter(status=Status.ACTIVE, county__level=Level.COUNTY)
    pairs = sorted(set(sites.values_list("enterprise_id", "enterprise__name", "county_id")))
    counties = {c.pk: c for c in Jurisdiction.objects.filter(pk__in={p[2] for p in pairs})}
    filed = {(r.enterprise_id, r.county_id): r for r in reports(user).filter(month=month)}
    due = due_at(month)
    return [Duty(e, name, counties[c], month, due, filed.get((e, c))) for e, name, c in pairs]


def late_or_missing(user: Any, start: dt.datetime, end: dt.datetime, now: dt.datetime) -> int:
    """Figure: reports due in [start, end) that were filed late or are missing by now."""
    return sum(1 for month in months_due_in(start, end) for d in duties(user, month)
               if d.status(now) in ("late", "missing"))


def waiting_checks(user: Any) -> QuerySet[MonthlyReport]:
    return reports(user).filter(state=ReportState.DRAWN)


def draws(user: Any) -> QuerySet[SpotDraw]:
    return scope(user, SpotDraw).select_related("drawn_by", "county")


def check_due(report: MonthlyReport) -> dt.datetime:
    drawn_at = report.draw.drawn_at if report.draw else report.submitted_at
    return drawn_at + dt.timedelta(days=CHECK_DAYS)


def is_checker(user: Any) -> bool:
    return getattr(user, "role", None) == Role.COUNTY_CENTRE
