"""The filters every figure, drill-down list, export and report takes, parsed once from a query string.

A period is whole days [start, end] in local time; events belong to it by the moment they were reported.
Places are matched on the event's jurisdiction path (the same path scoping uses), so an event moved to
another county counts where it is now. The tier filter means the tier that handled the event: "city" once
it was escalated (escalated_at set), "county" otherwise.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields, replace
from typing import Any
from urllib.parse import urlencode

from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from parcelguard.accounts.models import Jurisdiction, Level
from parcelguard.accounts.scoping import scope
from parcelguard.core import clock
from parcelguard.events import clocks
from parcelguard.events.models import Event
from parcelguard.events.states import OPEN_STATES, State

# The state groups of the "by state" figure (the workflow's states folded into what a bureau asks).
STATE_GROUPS: dict[str, tuple[str, ...]] = {
    "open": (State.REPORTED,),
    "county": (State.VERIFIED, State.REMINDED, State.ANSWERED),
    "escalated": (State.ESCALATED,),
    "case": (State.INVESTIGATING, State.NOTIFIED, State.DECIDED, State.SERVED, State.PAID),
    "closed": (State.CLOSED,),
    "rejected": (State.REJECTED,),
}
# The open states are the event flow's (events/states.py), listed positively: `state IN (...)` uses the
# state index, `NOT IN` would not.
# Segments a drill-down may ask for: the rows behind one number of the loop indicators.
SEGMENTS = ("due", "closed", "ontime", "closed_county", "rework", "overdue", "open")


def default_period(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The last twelve whole months up to today: from the first of the month eleven months back."""
    today = today or clock.today()
    month = today.month - 11
    year = today.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    return dt.date(year, month, 1), today


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _code(value: Any) -> str:
    text = str(value or "").strip()
    return text[:40] if all(c.isalnum() or c in "_-" for c in text) else ""


@dataclass(frozen=True)
class Filters:
    start: dt.date
    end: dt.date
    county: str = ""  # 6-digit division code
    grid: str = ""  # grid code
    brand: str = ""
    type: str = ""  # hazard type code
    tier: str = ""  # "county" | "city"
    group: str = ""  # drill-down: a state group
    segment: str = ""  # drill-down: a loop-indicator segment
    site: str = ""  # drill-down: one site id

    @classmethod
    def parse(cls, params: Any) -> Filters:
        start, end = default_period()
        start = _date(params.get("from")) or start
        end = _date(params.get("to")) or end
        if end < start:
            start, end = end, start
        tier = params.get("tier", "")
        group = params.get("group", "")
        segment = params.get("segment", "")
        site = str(params.get("site") or "")
        return cls(start=start, end=end, county=_code(params.get("county")), grid=_code(params.get("grid")),
                   brand=_code(params.get("brand")), type=_code(params.get("type")),
                   tier=tier if tier in ("county", "city") else "",
                   group=group if group in STATE_GROUPS else "",
                   segment=segment if segment in SEGMENTS else "", site=site if site.isdigit() else "")

    def with_(self, **changes: Any) -> Filters:
        return replace(self, **changes)

    def query(self, **extra: Any) -> str:
        """The query string of these filters (plus extra), for links to drill-downs and exports."""
        params = {"from": self.start.isoformat(), "to": self.end.isoformat()}
        for f in fields(self):
            if f.name not in ("start", "end") and getattr(self, f.name):
                params[f.name] = getattr(self, f.name)
        params.update({k: v for k, v in extra.items() if v not in (None, "")})
        return urlencode(params)

    @property
    def since(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.start, dt.time.min))

    @property
    def until(self) -> dt.datetime:
        """The end of the period, exclusive: local midnight after its last day."""
        return timezone.make_aware(dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min))

    @property
    def as_of(self) -> dt.datetime:
        """The moment the loop indicators are taken at: the end of the period, or now if sooner."""
        return min(self.until, clock.now())

    def previous_year(self) -> Filters:
        def back(day: dt.date) -> dt.date:
            try:
                return day.replace(year=day.year - 1)
            except ValueError:  # 29 February
                return day.replace(year=day.year - 1, day=28)

        return replace(self, start=back(self.start), end=back(self.end))


def _path_of(code: str, level: str) -> str | None:
    return Jurisdiction.objects.filter(code=code, level=level).values_list("path", flat=True).first()


def place_filter(filters: Filters, lookup: str = "jurisdiction_path") -> Q:
    """The county / grid filter as a condition on a jurisdiction path lookup."""
    cond = Q()
    for code, level in ((filters.county, Level.COUNTY), (filters.grid, Level.GRID)):
        if code:
            path = _path_of(code, level)
            cond &= Q(**{f"{lookup}__startswith": path}) if path else Q(pk__in=[])
    return cond


def dimension_filter(filters: Filters, prefix: str = "") -> Q:
    """Brand, hazard type and tier as conditions on an event (through `prefix`, e.g. "event__")."""
    cond = Q()
    if filters.brand:
        cond &= Q(**{f"{prefix}enterprise__brand_id": filters.brand})
    if filters.type:
        cond &= Q(**{f"{prefix}hazard_type__code": filters.type})
    if filters.tier:
        cond &= Q(**{f"{prefix}escalated_at__isnull": filters.tier == "county"})
    return cond


def segment_filter(segment: str, as_of: dt.datetime, now: dt.datetime | None = None) -> Q:
    """The rows behind each loop indicator (see docs/analytics.md for the definitions)."""
    now = now or clock.now()
    closed = Q(state=State.CLOSED, closed_at__lt=as_of)
    due = ~Q(state=State.REJECTED) & (closed | Q(rectify_by__lte=as_of))
    return {
        "due": due,
        "closed": closed,
        "ontime": closed & Q(rectify_by__isnull=False, closed_at__lt=F("rectify_by")),
        "closed_county": closed & Q(escalated_at__isnull=True),
        "rework": Q(rework_count__gt=0),
        "overdue": clocks.overdue_q(as_of),  # the one definition (events.clocks); not limited to the period
        "open": Q(state__in=OPEN_STATES),
    }[segment]


def overdue_count(user: Any, filters: Filters) -> int:
    """逾期未办结 for these filters: open and past the current step's deadline at the period's end (or now),
    whenever reported (events.clocks.overdue). The dashboard, the report, the duty record and the event
    list all count this."""
    return events_for(user, filters.with_(segment="overdue", group="")).count()


def events_for(user: Any, filters: Filters, *, period: bool = True) -> models.QuerySet[Event]:
    """The scoped events these filters select: the base of every figure, list and export."""
    qs = scope(user, Event).filter(place_filter(filters), dimension_filter(filters))
    if filters.segment == "overdue":  # overdue is a stock at the period's end, whenever the event was reported
        qs = clocks.overdue(qs, filters.as_of)
    elif period:
        qs = qs.filter(reported_at__gte=filters.since, reported_at__lt=filters.until)
    if filters.group:
        qs = qs.filter(state__in=STATE_GROUPS[filters.group])
    if filters.segment and filters.segment != "overdue":
        qs = qs.filter(segment_filter(filters.segment, filters.as_of))
    if filters.site:
        qs = qs.filter(site_id=int(filters.site))
    return qs
