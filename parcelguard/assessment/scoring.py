"""The county assessment computed (a read: nothing is written here): the period, each county's figures per
item of the method, the points, the total and the rank.

Points of an item = weight × rate, the rate = numerator / denominator of its indicator. A county with no
record in an item's denominator (nothing due, nothing missed) gets the item's full weight, and the line says
so. The total is rounded to 0.01 (half up); counties with the same total share a rank (1, 2, 2, 4), listed
by division code.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from parcelguard.accounts.models import Jurisdiction, Level
from parcelguard.assessment import indicators
from parcelguard.core import clock
from parcelguard.core.errors import Invalid

CENT = Decimal("0.01")
RATE = Decimal("0.0001")
PERIOD = re.compile(r"^(\d{4})(?:-(0[1-9]|1[0-2])|-Q([1-4]))?$")


@dataclass(frozen=True)
class Period:
    code: str  # "2026-11" | "2026-Q3" | "2026"
    kind: str  # month | quarter | year
    start: dt.date
    end: dt.date  # exclusive

    @property
    def since(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.start, dt.time.min))

    @property
    def until(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.end, dt.time.min))

    @property
    def last_day(self) -> dt.date:
        return self.end - dt.timedelta(days=1)

    @property
    def label_cn(self) -> str:
        year = self.start.year
        if self.kind == "month":
            return f"{year}年{self.start.month}月"
        if self.kind == "quarter":
            return f"{year}年第{'一二三四'[(self.start.month - 1) // 3]}季度"
        return f"{year}年度"


def _add_months(day: dt.date, months: int) -> dt.date:
    m = day.month - 1 + months
    return dt.date(day.year + m // 12, m % 12 + 1, 1)


def parse_period(value: Any, *, refuse_future: bool = True) -> Period:
    """"2026-11" (a month), "2026-Q3" (a quarter) or "2026" (a year); refused once the period has not begun."""
    text = str(value or "").strip().upper()
    found = PERIOD.match(text)
    if not found or not 2000 <= int(found.group(1)) <= 2100:
        raise Invalid(_("Give the period as YYYY-MM, YYYY-Qn or YYYY."), code="invalid_period")
    year = int(found.group(1))
    if found.group(2):
        start = dt.date(year, int(found.group(2)), 1)
        period = Period(f"{year}-{found.group(2)}", "month", start, _add_months(start, 1))
    elif found.group(3):
        start = dt.date(year, (int(found.group(3)) - 1) * 3 + 1, 1)
        period = Period(f"{year}-Q{found.group(3)}", "quarter", start, _add_months(start, 3))
    else:
        period = Period(str(year), "year", dt.date(year, 1, 1), dt.date(year + 1, 1, 1))
    if refuse_future and period.since > clock.now():
        raise Invalid(_("This period has not begun yet."), code="period_in_future")
    return period


def last_periods(today: dt.date | None = None) -> list[Period]:
    """The last finished month, quarter and year: what the city assesses next."""
    today = today or clock.today()
    month = _add_months(today.replace(day=1), -1)
    quarter = _add_months(dt.date(today.year, (today.month - 1) // 3 * 3 + 1, 1), -3)
    q = (quarter.month - 1) // 3 + 1
    # Finished by construction; computed from the calendar, so never refused (a work queue must not fail)
    return [parse_period(code, refuse_future=False)
            for code in (f"{month:%Y-%m}", f"{quarter.year}-Q{q}", str(today.year - 1))]


@dataclass
class Line:
    """One item of one county: the figures and the points."""

    code: str
    label: str
    weight: Decimal
    num: int
    den: int
    rate: Decimal | None  # None: nothing in the denominator
    points: Decimal

    def as_json(self) -> dict[str, Any]:
        return {"num": self.num, "den": self.den, "rate": None if self.rate is None else str(self.rate),
                "points": str(self.points)}


@dataclass
class CountyResult:
    county: Jurisdiction
    lines: list[Line] = field(default_factory=list)
    score: Decimal = Decimal(0)
    rank: int = 0


@dataclass
class Result:
    city: Jurisdiction
    period: Period
    as_of: dt.datetime
    method: Any
    counties: list[CountyResult]
    seconds: float = 0.0


def points_of(weight: Decimal, num: int, den: int) -> tuple[Decimal | None, Decimal]:
    if den <= 0:
        return None, weight
    rate = Decimal(num) / Decimal(den)
    return rate.quantize(RATE, rounding=ROUND_HALF_UP), (weight * rate)


def rank(results: list[CountyResult]) -> list[CountyResult]:
    """Highest total first; equal totals share a rank (competition ranking), then by division code."""
    ordered = sorted(results, key=lambda r: (-r.score, r.county.code))
    for i, r in enumerate(ordered):
        r.rank = ordered[i - 1].rank if i and r.score == ordered[i - 1].score else i + 1
    return ordered


def city_of(user: Any) -> Jurisdiction:
    node = getattr(user, "jurisdiction", None)
    while node is not None and node.level != Level.CITY:
        node = node.parent
    if node is None:
        raise Invalid(_("Your account belongs to no city."), code="no_city")
    return node


def compute(user: Any, period: Period, method: Any, *, city: Jurisdiction | None = None) -> Result:
    """Assess every county of the user's city over the period under the method. The figures are counted
    inside the user's scope (the city bureau sees the whole city)."""
    import time

    began = time.perf_counter()
    city = city or city_of(user)
    as_of = min(period.until, clock.now())
    counties = list(Jurisdiction.objects.filter(parent=city, level=Level.COUNTY).order_by("code"))
    counts: dict[str, indicators.Counts] = {}
    with indicators.shared_queries():
        for item in method.items:
            indicator = indicators.get(item["indicator"])
            if indicator is not None and item["indicator"] not in counts:
                counts[item["indicator"]] = indicator.counts(user, period.since, period.until, as_of)
    results = []
    for county in counties:
        row = CountyResult(county)
        total = Decimal(0)
        for item in method.items:
            num, den = counts.get(item["indicator"], {}).get(county.path, (0, 0))
            weight = Decimal(item["weight"])
            rate, points = points_of(weight, num, den)
            total += points
            row.lines.append(Line(item["code"], item["label"], weight, num, den, rate,
                                  points.quantize(CENT, rounding=ROUND_HALF_UP)))
        row.score = total.quantize(CENT, rounding=ROUND_HALF_UP)
        results.append(row)
    return Result(city, period, as_of, method, rank(results), round(time.perf_counter() - began, 3))
