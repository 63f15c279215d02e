"""The figures of the dashboards and the monthly report. Every number is an aggregate computed in the
database over `filters.events_for(user, filters)`; Python only sees grouped rows (never one row per
event), except the SQLite fallback of the percentiles, which reads an ordered list of durations.

Definitions are in docs/analytics.md; each figure returns plain JSON-ready data.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db import connection, models
from django.db.models import Aggregate, Count, ExpressionWrapper, F, FloatField, Func, Q, Sum
from django.db.models.functions import Cast, Coalesce, NullIf, TruncDate, TruncMonth
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from parcelguard.accounts.models import Jurisdiction, Level
from parcelguard.accounts.roles import Perm, has_perm
from parcelguard.accounts.scoping import scope
from parcelguard.analytics.conf import conf_int
from parcelguard.analytics.filters import (
    STATE_GROUPS,
    Filters,
    dimension_filter,
    events_for,
    overdue_count,
    place_filter,
    segment_filter,
)
from parcelguard.core import clock
from parcelguard.events.models import Case, Event, Outcome
from parcelguard.events.states import State
from parcelguard.parcels.models import (
    EarlyWarning,
    OutletDayMetric,
    OutletRisk,
    WarningKind,
    WarningSeverity,
    WarningStatus,
)
from parcelguard.registry.models import Brand, Site

# Names on screen (English msgids, translated by the .po); the Chinese report uses GROUP_LABELS.
GROUP_NAMES = {"open": _("Awaiting verification"), "county": _("At the county centre"),
               "escalated": _("Escalated to the city bureau"), "case": _("In a case"),
               "closed": pgettext_lazy("event state", "Closed"), "rejected": pgettext_lazy("event state", "Rejected")}
GROUP_LABELS = {"open": "待核实", "county": "县区处置中", "escalated": "已转报市局", "case": "立案处理中",
                "closed": "已办结", "rejected": "不予受理"}
TIER_LABELS = {"county": "县区层级", "city": "市局层级"}


class HoursBetween(Func):
    """(later - earlier) in hours, as a float, on PostgreSQL and SQLite."""

    arity = 2
    output_field = FloatField()

    def _parts(self, compiler: Any, connection: Any) -> tuple[str, str, list[Any]]:
        a, pa = compiler.compile(self.source_expressions[0])
        b, pb = compiler.compile(self.source_expressions[1])
        return a, b, [*pa, *pb]

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        a, b, params = self._parts(compiler, connection)
        return f"(EXTRACT(EPOCH FROM ({a} - {b}))::float8 / 3600.0)", params

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        a, b, params = self._parts(compiler, connection)
        return f"((julianday({a}) - julianday({b})) * 24.0)", params


class PercentilesCont(Aggregate):
    """PostgreSQL's ordered-set aggregate percentile_cont(ARRAY[p, …]) WITHIN GROUP (ORDER BY expr): several
    percentiles from one sort (two separate aggregates would sort the values twice)."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(ARRAY[%(fractions)s]::float8[]) WITHIN GROUP (ORDER BY %(expressions)s)%(filter)s"

    def __init__(self, expression: Any, fractions: Sequence[float], **extra: Any) -> None:
        from django.contrib.postgres.fields import ArrayField

        super().__init__(expression, fractions=", ".join(repr(float(p)) for p in fractions),
                         output_field=ArrayField(FloatField()), **extra)


def percentile_cont(ordered: Sequence[float], fraction: float) -> float | None:
    """The same interpolation as PostgreSQL's percentile_cont, over an ascending list."""
    if not ordered:
        return None
    pos = fraction * (len(ordered) - 1)
    lo, hi = math.floor(pos), math.ceil(pos)
    return float(ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo))


def scope_key(user: Any) -> str:
    """Users who see the same rows share figures: regulators by jurisdiction path, enterprises by id."""
    if getattr(user, "role", None) == "enterprise":
        return f"e:{user.enterprise_id}"
    return f"p:{getattr(user.jurisdiction, 'path', '')}"


def cached(name: str, user: Any, filters: Filters, compute: Callable[[], tuple[Any, str]]) -> tuple[Any, str]:
    """A figure for (scope, filters) and the moment its data was taken (ISO): from the process cache
    (ANALYTICS_CACHE_SECONDS, 0 turns it off), else from the snapshot table if the background job refreshed
    it within ANALYTICS_SNAPSHOT_MAX_AGE seconds, else computed now."""
    seconds = conf_int("CACHE_SECONDS", 60)
    if seconds <= 0:
        return compute()
    who = scope_key(user)
    key = "analytics:v2:" + hashlib.sha256(f"{name}|{who}|{filters.query()}".encode()).hexdigest()
    value = cache.get(key)
    if value is None:
        value = snapshot_of(name, who, filters) or compute()
        cache.set(key, value, seconds)
    return value


def snapshot_of(name: str, who: str, filters: Filters) -> tuple[Any, str] | None:
    from parcelguard.analytics.models import FigureSnapshot

    fresh = clock.now() - dt.timedelta(seconds=conf_int("SNAPSHOT_MAX_AGE", 900))
    row = (FigureSnapshot.objects.filter(name=name, scope_key=who, query=filters.query(), computed_at__gte=fresh)
           .values_list("data", "computed_at").first())
    return (row[0], row[1].isoformat()) if row else None


def _rows(values: Any, label: Callable[[Any], str], key: str) -> list[dict[str, Any]]:
    return [{"code": r[key] or "", "name": label(r[key]), "value": r["n"]} for r in values]


# ---- distributions -----------------------------------------------------------------------------------------

def by_type(user: Any, f: Filters) -> list[dict[str, Any]]:
    rows = (events_for(user, f).values("hazard_type__code", "hazard_type__name").annotate(n=Count("pk"))
            .order_by("-n", "hazard_type__code"))
    return [{"code": r["hazard_type__code"], "name": r["hazard_type__name"], "value": r["n"]} for r in rows]


def _path_counts(user: Any, f: Filters) -> list[tuple[str, int]]:
    return list(events_for(user, f).values_list("jurisdiction_path").annotate(n=Count("pk")).order_by())


def by_area(user: Any, f: Filters) -> dict[str, list[dict[str, Any]]]:
    """Events per county and per grid, from the event's jurisdiction path (grouped in the database)."""
    return fold_areas(_path_counts(user, f))


def fold_areas(counts: Sequence[tuple[str, int]]) -> dict[str, list[dict[str, Any]]]:
    """Counts per jurisdiction path folded into counties and grids, with their names."""
    nodes = {j.path: j for j in Jurisdiction.objects.filter(level__in=[Level.COUNTY, Level.GRID])}
    counties: dict[str, dict[str, Any]] = {}
    grids: dict[str, dict[str, Any]] = {}
    for path, n in counts:
        if not n:
            continue
        parts = [p for p in path.split("/") if p]
        county = nodes.get("/".join(parts[:2]) + "/") if len(parts) >= 2 else None
        if county is not None:
            row = counties.setdefault(county.code, {"code": county.code, "name": county.name, "value": 0})
            row["value"] += n
        grid = nodes.get(path) if len(parts) >= 3 else None
        if grid is not None:
            row = grids.setdefault(grid.code, {"code": grid.code, "name": grid.name, "value": 0,
                                               "county": county.code if county else ""})
            row["value"] += n
    order = sorted(counties.values(), key=lambda r: (-r["value"], r["code"]))
    return {"counties": order, "grids": sorted(grids.values(), key=lambda r: (-r["value"], r["code"]))}


def by_brand(user: Any, f: Filters) -> list[dict[str, Any]]:
    names = dict(Brand.objects.values_list("code", "name"))
    rows = events_for(user, f).values("enterprise__brand_id").annotate(n=Count("pk")).order_by("-n")
    return _rows(rows, lambda code: names.get(code, code) if code else "（未关联企业）", "enterprise__brand_id")


def by_state(user: Any, f: Filters, labels: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    counts = dict(events_for(user, f).values_list("state").annotate(n=Count("pk")).order_by())
    labels = labels or GROUP_NAMES
    return [{"code": g, "name": str(labels[g]), "value": sum(counts.get(s, 0) for s in states)}
            for g, states in STATE_GROUPS.items()]


# ---- the grid-loop indicators ------------------------------------------------------------------------------

def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


def close_times(qs: models.QuerySet[Event]) -> dict[str, dict[str, Any]]:
    """Median and 90th percentile of hours from report to closure, per handling tier."""
    hours = HoursBetween("closed_at", "reported_at")
    tiers = {"county": Q(escalated_at__isnull=True), "city": Q(escalated_at__isnull=False)}
    out: dict[str, dict[str, Any]] = {}
    if connection.vendor == "postgresql":
        aggs: dict[str, Any] = {}
        for tier, cond in tiers.items():
            aggs[f"{tier}_n"] = Count("reported_at", filter=cond)  # not COUNT(id): the index alone answers
            aggs[f"{tier}_p"] = PercentilesCont(hours, (0.5, 0.9), filter=cond)
        got = qs.aggregate(**aggs)
        for tier in tiers:
            p50, p90 = got[f"{tier}_p"] or (None, None)
            out[tier] = {"n": got[f"{tier}_n"], "p50": p50, "p90": p90}
    else:
        for tier, cond in tiers.items():
            ordered = list(qs.filter(cond).annotate(h=hours).order_by("h").values_list("h", flat=True))
            out[tier] = {"n": len(ordered), "p50": percentile_cont(ordered, 0.5),
                         "p90": percentile_cont(ordered, 0.9)}
    for row in out.values():
        for k in ("p50", "p90"):
            row[k] = round(row[k], 2) if row[k] is not None else None
    return out


def loop(user: Any, f: Filters) -> dict[str, Any]:
    qs = events_for(user, f)
    as_of, now = f.as_of, clock.now()
    seg = {name: segment_filter(name, as_of, now) for name in ("due", "closed", "ontime", "closed_county",
                                                                "rework")}
    got = qs.aggregate(total=Count("pk"), rejected=Count("pk", filter=Q(state=State.REJECTED)),
                       rework_total=Sum("rework_count"),
                       **{name: Count("pk", filter=cond) for name, cond in seg.items()})
    got["overdue"] = overdue_count(user, f)
    return loop_result(as_of, got, close_times(qs.filter(seg["closed"])))


def loop_result(as_of: dt.datetime, got: dict[str, Any], close_hours: dict[str, Any]) -> dict[str, Any]:
    """The loop figure from its counters (live or from the summary table) and the times to close."""
    return {
        "as_of": as_of.isoformat(), "total": got["total"], "rejected": got["rejected"], "due": got["due"],
        "closed": got["closed"], "ontime": got["ontime"], "closed_county": got["closed_county"],
        "closure_rate": _ratio(got["closed"], got["due"]), "ontime_rate": _ratio(got["ontime"], got["due"]),
        "county_share": _ratio(got["closed_county"], got["closed"]),
        "rework_events": got["rework"], "rework_total": got["rework_total"] or 0, "overdue": got["overdue"],
        "close_hours": close_hours,
    }


# ---- trends and enforcement --------------------------------------------------------------------------------

def per_day(qs: models.QuerySet[Event], field: str) -> dict[dt.date, int]:
    return dict(qs.annotate(d=TruncDate(field)).values_list("d").annotate(n=Count("pk")).order_by())


def trend(user: Any, f: Filters) -> dict[str, list[dict[str, Any]]]:
    """Reported (by report time) and closed (by closing time) per week and per month of the period: two
    grouped queries by local day, folded into weeks (from Monday) and months here."""
    reported = per_day(events_for(user, f), "reported_at")
    closed = per_day(events_for(user, f, period=False).filter(
        state=State.CLOSED, closed_at__gte=f.since, closed_at__lt=f.until), "closed_at")
    return fold_trend(reported, closed)


def fold_trend(reported: dict[dt.date, int], closed: dict[dt.date, int]) -> dict[str, list[dict[str, Any]]]:
    """Counts per local day folded into weeks (from Monday) and calendar months."""
    out: dict[str, list[dict[str, Any]]] = {}
    for name, bucket in (("week", lambda d: d - dt.timedelta(days=d.weekday())), ("month", lambda d: d.replace(day=1))):
        rows: dict[dt.date, dict[str, Any]] = {}
        for series, counts in (("reported", reported), ("closed", closed)):
            for day, n in counts.items():
                b = bucket(day)
                row = rows.setdefault(b, {"bucket": b.isoformat(), "reported": 0, "closed": 0})
                row[series] += n
        out[name] = [rows[k] for k in sorted(rows)]
    return out


def _day(value: Any) -> str:
    return value.date().isoformat() if hasattr(value, "date") else str(value)[:10]


def cases_for(user: Any, f: Filters) -> models.QuerySet[Case]:
    cond = place_filter(f, "event__jurisdiction_path") & dimension_filter(f.with_(tier=""), "event__")
    return scope(user, Case).filter(cond)


def _enforcement_totals(user: Any, f: Filters) -> dict[str, Any]:
    qs = cases_for(user, f)
    opened = qs.filter(opened_at__gte=f.since, opened_at__lt=f.until).count()
    decided = qs.filter(decided_at__gte=f.since, decided_at__lt=f.until).aggregate(
        fines=Count("pk", filter=Q(outcome=Outcome.FINE)),
        amount=Sum("amount", filter=Q(outcome=Outcome.FINE)),
        admonitions=Count("pk", filter=Q(outcome=Outcome.ADMONITION)))
    months = dict(qs.filter(opened_at__gte=f.since, opened_at__lt=f.until).annotate(b=TruncMonth("opened_at"))
                  .values_list("b").annotate(n=Count("pk")).order_by())
    return {"cases": opened, "fines": decided["fines"], "fine_amount": float(decided["amount"] or Decimal(0)),
            "admonitions": decided["admonitions"],
            "months": [{"bucket": _day(k), "cases": n} for k, n in sorted(months.items())]}


def enforcement(user: Any, f: Filters) -> dict[str, Any]:
    """Cases opened, fines and admonition interviews decided in the period, against the year before."""
    before = f.previous_year()
    return {"current": {"from": f.start.isoformat(), "to": f.end.isoformat(), **_enforcement_totals(user, f)},
            "previous": {"from": before.start.isoformat(), "to": before.end.isoformat(),
                         **_enforcement_totals(user, before)}}


# ---- the map -----------------------------------------------------------------------------------------------

def site_risk(user: Any, sites: models.QuerySet[Site]) -> dict[int, float]:
    """The parcel analysis's risk score (0–100, `parcels.OutletRisk`) of these sites, as this user may see
    it (one query, scoped). A site the analysis has not scored is absent."""
    return dict(scope(user, OutletRisk).filter(site__in=sites.values("pk")).values_list("site_id", "score"))


def site_map(user: Any, f: Filters) -> dict[str, Any]:
    """Sites with coordinates, the open hazards at each (events of the period still open) and the outlet's
    risk score from the parcel analysis (None when it has none)."""
    sites = scope(user, Site).filter(place_filter(f), latitude__isnull=False, longitude__isnull=False)
    if f.brand:
        sites = sites.filter(enterprise__brand_id=f.brand)
    open_counts = dict(events_for(user, f).filter(segment_filter("open", f.as_of))
                       .filter(site_id__isnull=False).values_list("site_id").annotate(n=Count("pk")).order_by())
    rows = list(sites.values_list("pk", "code", "name", "kind", "county__code", "latitude", "longitude"))
    risk = site_risk(user, sites)
    return {"sites": [{"id": pk, "code": code, "name": name, "kind": kind, "county": county,
                       "value": [float(lon), float(lat), open_counts.get(pk, 0)], "risk": risk.get(pk)}
                      for pk, code, name, kind, county, lat, lon in rows],
            "open_total": sum(open_counts.values()), "scored": len(risk),
            "risk_max": max(risk.values(), default=None)}


# ---- the three systems (三项制度) and the early warnings of the parcel analysis ----------------------------

SYSTEMS = ("realname", "inspection", "screening")


def metrics_for(user: Any, f: Filters) -> models.QuerySet[OutletDayMetric]:
    """The scoped outlet-day metrics these filters select: days of the period, the outlet's place (its
    jurisdiction path) and brand. Hazard type and tier do not apply to parcels."""
    qs = scope(user, OutletDayMetric).filter(place_filter(f, "site__jurisdiction_path"),
                                             day__gte=f.start, day__lte=f.end)
    if f.brand:
        qs = qs.filter(site__enterprise__brand_id=f.brand)
    if f.site:
        qs = qs.filter(site_id=int(f.site))
    return qs


def weighted_rates() -> dict[str, Any]:
    """Aggregates of a group of outlet-days: parcels, and each system's parcel-weighted rate
    sum(rate × parcels) / sum(parcels), divided in the database (NULL when the group has no parcels).
    Days without parcels are left out of both sums (their rate may be undefined)."""
    has = Q(parcels__gt=0)
    out: dict[str, Any] = {"w_parcels": Coalesce(Sum("parcels", filter=has), 0), "w_days": Count("pk", filter=has),
                           "w_suspects": Coalesce(Sum("suspect_count"), 0)}
    for name in SYSTEMS:
        out[f"w_{name}"] = ExpressionWrapper(
            Sum(F(f"{name}_rate") * F("parcels"), filter=has, output_field=FloatField())
            / NullIf(Cast(Sum("parcels", filter=has), FloatField()), 0.0), output_field=FloatField())
    return out


def _rates(row: dict[str, Any]) -> dict[str, Any]:
    """A grouped row of weighted_rates() as JSON: the rates rounded to 6 places (a city's month is ~10⁶
    parcels: one parcel missed must not round to 100 %), and per system the parcels it missed,
    parcels × (1 − rate) = sum(parcels) − sum(rate × parcels), rounded to a whole parcel."""
    parcels = row["w_parcels"] or 0
    out: dict[str, Any] = {"parcels": parcels, "days": row["w_days"] or 0, "suspects": row["w_suspects"] or 0}
    for name in SYSTEMS:
        rate = row[f"w_{name}"]
        out[name] = None if rate is None else round(float(rate), 6)
        out[f"{name}_missed"] = 0 if rate is None else round(parcels * (1 - float(rate)))
    return out


def compliance(user: Any, f: Filters) -> dict[str, Any]:
    """The three systems' parcel-weighted rates over the period: overall, per county, per brand, per day."""
    qs = metrics_for(user, f)
    aggs = weighted_rates()
    total = _rates(qs.aggregate(**aggs))
    counties = [{"code": r["site__county__code"], "name": r["site__county__name"], **_rates(r)}
                for r in qs.values("site__county__code", "site__county__name").annotate(**aggs)
                .filter(w_parcels__gt=0).order_by("site__county__code")]
    names = dict(Brand.objects.values_list("code", "name"))
    brands = [{"code": r["site__enterprise__brand_id"], "name": names.get(r["site__enterprise__brand_id"],
                                                                          r["site__enterprise__brand_id"]),
               **_rates(r)}
              for r in qs.values("site__enterprise__brand_id").annotate(**aggs).filter(w_parcels__gt=0)
              .order_by("site__enterprise__brand_id")]
    days = [{"day": r["day"].isoformat(), **_rates(r)}
            for r in qs.values("day").annotate(**aggs).order_by("day")]
    return {"from": f.start.isoformat(), "to": f.end.isoformat(), "total": total, "counties": counties,
            "brands": brands, "days": days}


LOW_OUTLETS = 20


def low_outlets(user: Any, f: Filters) -> list[dict[str, Any]]:
    """The LOW_OUTLETS outlets with the lowest parcel-weighted screening rate over the period (ties: more
    parcels first), with their other two rates; outlets without parcels are left out."""
    rows = (metrics_for(user, f)
            .values("site_id", "site__code", "site__name", "site__county__name", "site__enterprise__brand_id")
            .annotate(**weighted_rates()).filter(w_parcels__gt=0)
            .order_by(F("w_screening").asc(nulls_last=True), "-w_parcels", "site__code")[:LOW_OUTLETS])
    return [{"id": r["site_id"], "code": r["site__code"], "name": r["site__name"],
             "county": r["site__county__name"], "brand": r["site__enterprise__brand_id"],
             "url": reverse("registry:detail", args=["sites", r["site_id"]]), **_rates(r)} for r in rows]


def warnings_for(user: Any, f: Filters) -> models.QuerySet[EarlyWarning]:
    """The scoped early warnings whose window starts in the period, on the warning's jurisdiction path and
    its enterprise's brand."""
    qs = scope(user, EarlyWarning).filter(place_filter(f), window_start__gte=f.since, window_start__lt=f.until)
    if f.brand:
        qs = qs.filter(enterprise__brand_id=f.brand)
    if f.site:
        qs = qs.filter(site_id=int(f.site))
    return qs


def _by_status(qs: models.QuerySet[EarlyWarning], field: str, choices: Any) -> list[dict[str, Any]]:
    statuses = WarningStatus.values
    got = {r[field]: r for r in qs.values(field).annotate(
        total=Count("pk"), **{s: Count("pk", filter=Q(status=s)) for s in statuses}).order_by()}
    return [{"code": code, "name": str(name), "total": got[code]["total"],
             **{s: got[code][s] for s in statuses}} for code, name in choices if code in got]


def early_warnings(user: Any, f: Filters) -> dict[str, Any]:
    """Early warnings of the period by kind and by severity, each split by status."""
    qs = warnings_for(user, f)
    got = qs.aggregate(total=Count("pk"), open=Count("pk", filter=Q(status__in=[WarningStatus.NEW,
                                                                                  WarningStatus.ACKNOWLEDGED])))
    return {"total": got["total"], "open": got["open"],
            "statuses": [{"code": c, "name": str(n)} for c, n in WarningStatus.choices],
            "kinds": _by_status(qs, "kind", WarningKind.choices),
            "severities": _by_status(qs, "severity", reversed(WarningSeverity.choices))}


FIGURES: dict[str, Callable[[Any, Filters], Any]] = {
    "types": by_type, "areas": by_area, "brands": by_brand, "states": by_state, "loop": loop,
    "trend": trend, "enforcement": enforcement, "map": site_map,
    "compliance": compliance, "outlets": low_outlets, "warnings": early_warnings,
}
# Figures that need a permission beyond seeing the rows (checked before the cache, which is per scope).
FIGURE_PERMS = {"warnings": Perm.WARNINGS_VIEW}


def figure(name: str, user: Any, f: Filters) -> Any:
    return figure_taken(name, user, f)[0]


def figure_taken(name: str, user: Any, f: Filters) -> tuple[Any, str | None]:
    """A figure and the moment its data was taken (ISO): now when computed live, the rebuild of the summary
    table or the snapshot it came from, or the first computation while it sits in the process cache."""
    perm = FIGURE_PERMS.get(name)
    if perm and not has_perm(user, perm):
        return None, None
    return cached(name, user, f, lambda: compute_taken(name, user, f))


def compute(name: str, user: Any, f: Filters) -> Any:
    """A figure from the summary table (`analytics.cube`) when it can answer exactly, else live."""
    return compute_taken(name, user, f)[0]


def compute_taken(name: str, user: Any, f: Filters) -> tuple[Any, str]:
    from parcelguard.analytics import cube

    taken = clock.now()
    value = cube.answer(name, user, f)
    if value is None:
        return FIGURES[name](user, f), taken.isoformat()
    return value, (cube.fresh_at() or taken).isoformat()
