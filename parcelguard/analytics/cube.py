"""The summary table behind filtered dashboards (月度汇总表): `analytics.EventCube`.

The default view of every jurisdiction is precomputed whole (`FigureSnapshot`); any other combination of
county, grid, brand, hazard type and tier would otherwise be aggregated over the event rows, hundreds of
thousands of them at a city's size. The cube holds the counts per group of dimensions instead, rebuilt by
the background job every few minutes with one INSERT … SELECT per grain (the rows never pass through
Python), and a filtered figure sums a few thousand of its rows.

When it answers (`answer` returns None otherwise, and the figure is computed live, exactly):
- a regulator's user at city or county level (enterprises and grid workers have few rows: live);
- the period starts on the 1st of a month and ends on the last day of a month or reaches today
  (the trend and enforcement take any period);
- no drill-down filter (state group, segment, site);
- the cube was rebuilt within ANALYTICS_SNAPSHOT_MAX_AGE seconds (default 900).
A period reaching today is taken at the rebuild (up to five minutes old, like the snapshots); a past
period at its own end, exactly as the live figure, by the closing and due months of each group.
Time to close (median, 90th percentile) cannot be summed: it is computed live over the filtered events
in either case. Definitions: docs/analytics.md; the tests compare every cube figure with the live one.
"""

from __future__ import annotations

import calendar
import datetime as dt
import time
from decimal import Decimal
from typing import Any

from django.db import connection, models, transaction
from django.db.models import Case, Count, DateField, ExpressionWrapper, F, Func, Q, Sum, Value, When
from django.db.models.functions import Coalesce, TruncDay, TruncMonth

from parcelguard.accounts.models import Level
from parcelguard.accounts.roles import Role
from parcelguard.accounts.scoping import scope
from parcelguard.analytics.conf import conf_int
from parcelguard.analytics.filters import (
    OPEN_STATES,
    STATE_GROUPS,
    Filters,
    events_for,
    overdue_count,
    place_filter,
)
from parcelguard.analytics.models import EventCube
from parcelguard.core import clock
from parcelguard.events.models import Case as EventCase
from parcelguard.events.models import Event, HazardType, Outcome
from parcelguard.events.states import State

GROUP_COLUMNS = {"open": "g_open", "county": "g_county", "escalated": "g_escalated", "case": "g_case",
                 "closed": "g_closed", "rejected": "rejected"}


class LocalDate(Func):
    """A truncated local datetime (TruncMonth / TruncDay in the current time zone) as a date column value,
    so INSERT … SELECT stores it in a DateField on both databases."""

    output_field = DateField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        sql, params = compiler.compile(self.source_expressions[0])
        return f"({sql})::date", list(params)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        sql, params = compiler.compile(self.source_expressions[0])
        return f"substr({sql}, 1, 10)", list(params)


class CountyPrefix(Func):
    """The county part of a jurisdiction path ("city/county/grid/" → "city/county/"), the same folding as
    the live `by_area`; a path with fewer than two parts is kept whole."""

    output_field = models.CharField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        p, params = compiler.compile(self.source_expressions[0])
        return f"COALESCE(substring({p} from '^[^/]*/[^/]*/'), {p})", [*params, *params]

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        p, params = compiler.compile(self.source_expressions[0])
        rest = f"substr({p}, instr({p}, '/') + 1)"
        sql = (f"CASE WHEN instr({p}, '/') > 0 AND instr({rest}, '/') > 0 "
               f"THEN substr({p}, 1, instr({p}, '/') + instr({rest}, '/')) ELSE {p} END")
        return sql, [*params] * 7


class SegmentStart(Func):
    """The first day of a date's segment: its week (from Monday) cut at the month's start, so every week
    and every month is a whole number of segments."""

    output_field = DateField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        d, params = compiler.compile(self.source_expressions[0])
        return (f"GREATEST(date_trunc('week', {d})::date, date_trunc('month', {d})::date)", [*params, *params])

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        d, params = compiler.compile(self.source_expressions[0])
        return f"max(date({d}, '-6 days', 'weekday 1'), date({d}, 'start of month'))", [*params, *params]


def segment_of(day: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of the segment holding `day` (see SegmentStart)."""
    monday = day - dt.timedelta(days=day.weekday())
    return max(monday, day.replace(day=1)), min(monday + dt.timedelta(days=6), _last_day(day))


def _month(field: Any) -> LocalDate:
    return LocalDate(TruncMonth(field, output_field=models.DateTimeField()))


# ---- the rebuild ---------------------------------------------------------------------------------------------

def _measures(now: dt.datetime) -> dict[str, Any]:
    out: dict[str, Any] = {"m_n": Count("pk")}
    for group, column in GROUP_COLUMNS.items():
        out[f"m_{column}"] = Count("pk", filter=Q(state__in=STATE_GROUPS[group]))
    out |= {
        "m_ontime": Count("pk", filter=Q(state=State.CLOSED, rectify_by__isnull=False,
                                         closed_at__lt=F("rectify_by"))),
        "m_rework_events": Count("pk", filter=Q(rework_count__gt=0)),
        "m_rework_total": Coalesce(Sum("rework_count"), 0),
        "m_due_now": Count("pk", filter=Q(state__in=OPEN_STATES, rectify_by__lte=now)),
        "m_overdue_now": Count("pk", filter=Q(state__in=OPEN_STATES, deadline__lte=now)),
    }
    return out


def _case_measures() -> dict[str, Any]:
    fine, admonition = Q(outcome=Outcome.FINE), Q(outcome=Outcome.ADMONITION)
    return {"m_n": Count("pk"), "m_fines": Count("pk", filter=fine),
            "m_fine_amount": Coalesce(Sum("amount", filter=fine), Value(Decimal(0)),
                                      output_field=models.DecimalField(max_digits=14, decimal_places=2)),
            "m_admonitions": Count("pk", filter=admonition)}


def _grains(now: dt.datetime) -> dict[str, tuple[models.QuerySet[Any], dict[str, Any], dict[str, Any]]]:
    """Each grain: the rows it counts, its dimensions (expressions; the others are stored as constants) and
    its measures."""
    escalated = ExpressionWrapper(Q(escalated_at__isnull=False), output_field=models.BooleanField())
    closed_month = Case(When(state=State.CLOSED, then=_month("closed_at")), default=None, output_field=DateField())
    # rectify_by <= the end of month M  <=>  the month of (rectify_by - 1 µs) <= M
    due_month = Case(When(Q(rectify_by__isnull=False) & ~Q(state=State.REJECTED),
                          then=_month(ExpressionWrapper(F("rectify_by") - dt.timedelta(microseconds=1),
                                                        output_field=models.DateTimeField()))),
                     default=None, output_field=DateField())
    county = CountyPrefix(F("jurisdiction_path"))
    events, measures = Event.objects.all(), _measures(now)
    case_dims = {"path": CountyPrefix(F("event__jurisdiction_path")),
                 "brand": Coalesce(F("event__enterprise__brand_id"), Value("")),
                 "type_id": F("event__hazard_type_id")}
    brand = Coalesce(F("enterprise__brand_id"), Value(""))
    grid = F("jurisdiction_path")
    closed = events.filter(state=State.CLOSED, closed_at__isnull=False)
    reported_seg, closed_seg = SegmentStart(_local_day("reported_at")), SegmentStart(_local_day("closed_at"))
    n = {"m_n": Count("pk")}
    return {
        "p": (events, {"day": _month("reported_at"), "path": county, "brand": brand, "type_id": F("hazard_type_id"),
                       "escalated": escalated, "closed_month": closed_month, "due_month": due_month}, measures),
        # c is p without the closing and due months: summed from the rows just inserted, not the events
        "c": (EventCube.objects.filter(grain="p"), {k: F(k) for k in ("day", "path", "brand", "type_id", "escalated")},
              {f"m_{k}": Sum(k) for k in EVENT_MEASURES}),
        "g": (events, {"day": _month("reported_at"), "path": grid, "escalated": escalated,
                       "closed_month": closed_month, "due_month": due_month}, measures),
        "gb": (events, {"day": _month("reported_at"), "path": grid, "brand": brand, "escalated": escalated}, n),
        "gt": (events, {"day": _month("reported_at"), "path": grid, "type_id": F("hazard_type_id"),
                        "escalated": escalated}, n),
        # the trend, per segment (a week cut at the month's end) of report (w) and of closing (y); by county and
        # type, by grid (…g) or by county and brand (…b)
        "w": (events, {"day": reported_seg, "path": county, "type_id": F("hazard_type_id"), "escalated": escalated}, n),
        "y": (closed, {"day": closed_seg, "path": county, "type_id": F("hazard_type_id"), "escalated": escalated}, n),
        "wg": (events, {"day": reported_seg, "path": grid, "escalated": escalated}, n),
        "yg": (closed, {"day": closed_seg, "path": grid, "escalated": escalated}, n),
        "wb": (events, {"day": reported_seg, "path": county, "brand": brand, "escalated": escalated}, n),
        "yb": (closed, {"day": closed_seg, "path": county, "brand": brand, "escalated": escalated}, n),
        "k": (EventCase.objects.all(), {"day": _local_day("opened_at"), **case_dims}, {"m_n": Count("pk")}),
        "f": (EventCase.objects.filter(decided_at__isnull=False), {"day": _local_day("decided_at"), **case_dims},
              _case_measures()),
        "kg": (EventCase.objects.all(), {"day": _local_day("opened_at"), "path": F("event__jurisdiction_path")},
               {"m_n": Count("pk")}),
        "fg": (EventCase.objects.filter(decided_at__isnull=False),
               {"day": _local_day("decided_at"), "path": F("event__jurisdiction_path")}, _case_measures()),
    }


def _local_day(field: str) -> LocalDate:
    return LocalDate(TruncDay(field, output_field=models.DateTimeField()))


EVENT_MEASURES = ("n", "rejected", "g_open", "g_county", "g_escalated", "g_case", "g_closed", "ontime",
                  "rework_events", "rework_total", "due_now", "overdue_now")
MEASURE_COLUMNS = (*EVENT_MEASURES, "fines", "fine_amount", "admonitions")
DIMENSION_COLUMNS = ("day", "path", "brand", "type_id", "escalated", "closed_month", "due_month")
CONSTANTS = {"brand": "", "escalated": False}  # a grain without the dimension; the rest NULL, measures 0


def rebuild() -> dict[str, Any]:
    """Rebuild the whole cube from the events and cases, in one transaction (readers see the old rows until
    it commits). Returns the rows per grain and the seconds taken."""
    started = time.perf_counter()
    now = clock.now()
    table = connection.ops.quote_name(EventCube._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in ("grain", "computed_at", *DIMENSION_COLUMNS,
                                                               *MEASURE_COLUMNS))
    rows: dict[str, int] = {}
    with transaction.atomic():
        EventCube.objects.all().delete()
        for grain, (base, dims, measures) in _grains(now).items():
            qs = (base.annotate(**{f"d_{k}": v for k, v in dims.items()}).order_by()
                  .values(*[f"d_{k}" for k in dims]).annotate(**measures))
            select_sql, params = qs.query.sql_with_params()
            select = ["%s", "%s"]
            values: list[Any] = [grain, connection.ops.adapt_datetimefield_value(now)]
            for column in DIMENSION_COLUMNS:
                if column in dims:
                    select.append(f"sub.d_{column}")
                else:
                    select.append("%s")
                    values.append(CONSTANTS.get(column))
            for column in MEASURE_COLUMNS:
                if f"m_{column}" in measures:
                    select.append(f"sub.m_{column}")
                else:
                    select.append("%s")
                    values.append(0)
            with connection.cursor() as cursor:
                # the SELECT list's constants come before the sub-query's placeholders
                cursor.execute(f"INSERT INTO {table} ({columns}) SELECT {', '.join(select)} "
                               f"FROM ({select_sql}) sub", [*values, *params])
                rows[grain] = cursor.rowcount
    return {"rows": rows, "seconds": round(time.perf_counter() - started, 2), "computed_at": now.isoformat()}


# ---- answering ---------------------------------------------------------------------------------------------

def _last_day(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def fresh_at() -> dt.datetime | None:
    """When the cube was rebuilt, if recently enough to answer."""
    at = EventCube.objects.order_by().values_list("computed_at", flat=True).first()
    limit = clock.now() - dt.timedelta(seconds=conf_int("SNAPSHOT_MAX_AGE", 900))
    return at if at is not None and at >= limit else None


def _user_ok(user: Any) -> bool:
    if getattr(user, "role", None) in (None, Role.ENTERPRISE) or conf_int("CUBE", 1) <= 0:
        return False
    jurisdiction = getattr(user, "jurisdiction", None)
    return jurisdiction is not None and jurisdiction.level in (Level.CITY, Level.COUNTY)


def _months_ok(f: Filters) -> bool:
    return f.start.day == 1 and (f.end >= clock.today() or f.end == _last_day(f.end))


MONTHLY = ("c", "p", "g", "gb", "gt")


class Query:
    """Rows of one grain of the cube that one user may see under these filters."""

    def __init__(self, user: Any, f: Filters, grain: str, days: Q | None = None) -> None:
        self.f, self.grain = f, grain
        qs = scope(user, EventCube).filter(grain=grain).filter(place_filter(f, "path"))
        if days is not None:
            qs = qs.filter(days)
        elif grain in MONTHLY:
            qs = qs.filter(day__gte=f.start.replace(day=1), day__lte=f.end)
        else:
            qs = qs.filter(day__gte=f.start, day__lte=f.end)
        if f.brand:
            qs = qs.filter(brand=f.brand)
        if f.type:
            qs = qs.filter(type_id=HazardType.objects.filter(code=f.type).values_list("pk", flat=True).first())
        if f.tier:
            qs = qs.filter(escalated=f.tier == "city")
        self.qs = qs

    @property
    def now_mode(self) -> bool:
        """The period reaches today: taken at the rebuild; otherwise at the end of its last month."""
        return self.f.end >= clock.today()

    def loop_sums(self, *group_by: str) -> list[dict[str, Any]]:
        """The loop counters, as of the period's end (now-mode: the rebuild), grouped by columns."""
        end_month = self.f.end.replace(day=1)
        if self.now_mode:
            closed: Any = Sum("g_closed")
            due: Any = Sum("g_closed") + Sum("due_now")
            ontime: Any = Sum("ontime")
            closed_county: Any = Sum("g_closed", filter=Q(escalated=False))
        else:
            by_end = Q(closed_month__lte=end_month)
            closed = Sum("g_closed", filter=by_end)
            due = Sum("n", filter=by_end | Q(due_month__lte=end_month))
            ontime = Sum("ontime", filter=by_end)
            closed_county = Sum("g_closed", filter=by_end & Q(escalated=False))
        aggs = {"total": Sum("n"), "rejected": Sum("rejected"), "closed": closed, "due": due, "ontime": ontime,
                "closed_county": closed_county, "rework": Sum("rework_events"),
                "rework_total": Sum("rework_total"), "overdue": Sum("overdue_now")}
        aggs |= {f"group_{g}": Sum(column) for g, column in GROUP_COLUMNS.items()}
        # aliased apart from the columns they sum ("rejected" is both)
        aliased = {f"s_{k}": v for k, v in aggs.items()}
        qs = self.qs.order_by()
        rows = list(qs.values(*group_by).annotate(**aliased)) if group_by else [qs.aggregate(**aliased)]
        return [{k.removeprefix("s_"): (v or 0) if k not in group_by else v for k, v in row.items()}
                for row in rows]

    def counts(self, column: str) -> list[tuple[Any, int]]:
        return list(self.qs.order_by().values_list(column).annotate(s=Sum("n")))


def _usable(user: Any, f: Filters) -> bool:
    return _user_ok(user) and not (f.group or f.segment or f.site) and fresh_at() is not None


def answer(name: str, user: Any, f: Filters) -> Any:
    """The figure from the cube, or None when the cube cannot answer it exactly."""
    from parcelguard.analytics import indicators

    if name not in ANSWERS or not _usable(user, f):
        return None
    return ANSWERS[name](indicators, user, f)


def _types(ind: Any, user: Any, f: Filters) -> Any:
    if f.grid or not _months_ok(f):
        return None
    counts = dict(Query(user, f, "c").counts("type_id"))
    names = {pk: (code, name) for pk, code, name in HazardType.objects.filter(pk__in=list(counts))
             .values_list("pk", "code", "name")}
    rows = [{"code": names[pk][0], "name": names[pk][1], "value": n} for pk, n in counts.items() if n]
    return sorted(rows, key=lambda r: (-r["value"], r["code"]))


def _areas(ind: Any, user: Any, f: Filters) -> Any:
    if (f.brand and f.type) or not _months_ok(f):
        return None
    grain = "gb" if f.brand else "gt" if f.type else "g"
    return ind.fold_areas(Query(user, f, grain).counts("path"))


def _brands(ind: Any, user: Any, f: Filters) -> Any:
    if f.grid or not _months_ok(f):
        return None
    from parcelguard.registry.models import Brand

    names = dict(Brand.objects.values_list("code", "name"))
    rows = [{"code": code or "", "name": names.get(code, code) if code else "（未关联企业）", "value": n}
            for code, n in Query(user, f, "c").counts("brand") if n]
    return sorted(rows, key=lambda r: -r["value"])


def _grain_for(f: Filters, *, as_of: bool = False) -> str | None:
    """c, or p for counts taken at the end of a past period (`as_of`); g when the grid is asked for (it has
    no brand or type)."""
    if not _months_ok(f):
        return None
    if f.grid:
        return None if (f.brand or f.type) else "g"
    return "p" if as_of and f.end < clock.today() else "c"


def _states(ind: Any, user: Any, f: Filters) -> Any:
    grain = _grain_for(f)
    if grain is None:
        return None
    row = Query(user, f, grain).loop_sums()[0]
    return [{"code": g, "name": str(ind.GROUP_NAMES[g]), "value": row[f"group_{g}"]} for g in STATE_GROUPS]


def _loop(ind: Any, user: Any, f: Filters) -> Any:
    grain = _grain_for(f, as_of=True)
    if grain is None:
        return None
    got = {**Query(user, f, grain).loop_sums()[0], "overdue": overdue_count(user, f)}  # one definition, live
    closed_qs = events_for(user, f).filter(state=State.CLOSED, closed_at__lt=f.as_of)
    return ind.loop_result(f.as_of, got, ind.close_times(closed_qs))


def _trend(ind: Any, user: Any, f: Filters) -> Any:
    """Whole segments from the table; the days at the period's edges (at most six at each end, where the
    period cuts a week) live from the events, through the period's indexes."""
    if sum(bool(x) for x in (f.grid, f.brand, f.type)) > 1:
        return None  # the segments are kept by type, by grid or by brand, not by two of them
    variant = "g" if f.grid else "b" if f.brand else ""
    whole, edges = [], []
    day = f.start
    while day <= f.end:
        first, last = segment_of(day)
        if first >= f.start and last <= f.end:
            whole.append(first)
            day = last
        else:
            edges.append(day)
        day += dt.timedelta(days=1)
    runs: list[list[dt.date]] = []
    for day in edges:
        if runs and runs[-1][-1] + dt.timedelta(days=1) == day:
            runs[-1].append(day)
        else:
            runs.append([day])
    series = []
    for grain in ("w", "y"):
        counts: dict[dt.date, int] = {}
        if whole:
            days = Q(day__gte=whole[0], day__lte=whole[-1])
            for key, n in Query(user, f, grain + variant, days).counts("day"):
                if n:
                    counts[key] = counts.get(key, 0) + n
        for run in runs:
            part = f.with_(start=run[0], end=run[-1])
            if grain == "w":
                live = ind.per_day(events_for(user, part), "reported_at")
            else:
                live = ind.per_day(events_for(user, f, period=False).filter(
                    state=State.CLOSED, closed_at__gte=part.since, closed_at__lt=part.until), "closed_at")
            for key, n in live.items():
                counts[key] = counts.get(key, 0) + n
        series.append(counts)
    return ind.fold_trend(*series)


def _enforcement_totals(user: Any, f: Filters) -> dict[str, Any]:
    f = f.with_(tier="")  # cases are city tier by nature: the tier filter does not apply
    variant = "g" if f.grid else ""
    opened = Query(user, f, "k" + variant).counts("day")
    decided = Query(user, f, "f" + variant).qs.order_by().aggregate(fines=Sum("fines"), amount=Sum("fine_amount"),
                                                         admonitions=Sum("admonitions"))
    months: dict[dt.date, int] = {}
    for day, n in opened:
        if n:
            months[day.replace(day=1)] = months.get(day.replace(day=1), 0) + n
    return {"cases": sum(n for _, n in opened), "fines": decided["fines"] or 0,
            "fine_amount": float(decided["amount"] or Decimal(0)), "admonitions": decided["admonitions"] or 0,
            "months": [{"bucket": k.isoformat(), "cases": n} for k, n in sorted(months.items())]}


def _enforcement(ind: Any, user: Any, f: Filters) -> Any:
    if f.grid and (f.brand or f.type):
        return None  # the cases are kept by county, brand and type, or by grid
    before = f.previous_year()
    return {"current": {"from": f.start.isoformat(), "to": f.end.isoformat(), **_enforcement_totals(user, f)},
            "previous": {"from": before.start.isoformat(), "to": before.end.isoformat(),
                         **_enforcement_totals(user, before)}}


ANSWERS = {"enforcement": _enforcement, "types": _types, "areas": _areas, "brands": _brands, "states": _states, "loop": _loop,
           "trend": _trend}
