"""The indicators a county is assessed on, each computed from the platform's own records with the platform's
own definitions, and each able to list the records behind its numbers.

An indicator is a rate `num / den` per county for a period [start, end) taken at `as_of` (the period's end,
or now if sooner):

- the grid-loop indicators are the dashboard's (`analytics.filters.segment_filter`: due, closed, on time,
  closed at county tier) over the hazard events reported in the period;
- overdue is the one definition (`events.clocks.overdue_q`): the open events past their step's deadline at
  `as_of`, whenever reported, out of the events open then;
- inspections: the drawn inspections falling due in the period (not cancelled by a redraw) and those
  submitted by their due moment (`inspections`);
- self-report timeliness: the monthly duty reports falling due in the period (every enterprise with an
  active outlet in the county owes one a month) and those filed by the due day (`selfcheck.selectors`).

The counts are grouped in the database by the county part of the jurisdiction path (`analytics.cube.CountyPrefix`):
one query per indicator for all the counties of a city, never one row per record in Python.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from parcelguard.accounts.scoping import scope
from parcelguard.analytics.cube import CountyPrefix
from parcelguard.analytics.filters import segment_filter
from parcelguard.events import clocks
from parcelguard.events.models import Event
from parcelguard.events.states import OPEN_STATES

Counts = dict[str, tuple[int, int]]  # county path → (numerator, denominator)


@dataclass(frozen=True)
class Row:
    """One record behind an indicator: in the denominator, and `counted` when in the numerator too."""

    subject: str
    title: str
    url: str
    when: dt.datetime | None
    counted: bool


@dataclass(frozen=True)
class Indicator:
    code: str
    label: Any
    num_label: Any
    den_label: Any
    help: Any
    counts: Callable[[Any, dt.datetime, dt.datetime, dt.datetime], Counts]
    rows: Callable[[Any, str, dt.datetime, dt.datetime, dt.datetime], list[Row]]


def _grouped(qs: QuerySet[Any], num: Q, den: Q | None = None) -> Counts:
    rows = (qs.annotate(cp=CountyPrefix("jurisdiction_path")).values("cp")
            .annotate(n=Count("pk", filter=num), d=Count("pk", filter=den) if den is not None else Count("pk"))
            .order_by())
    return {r["cp"]: (r["n"], r["d"]) for r in rows}


def _flag(cond: Q) -> ExpressionWrapper:
    return ExpressionWrapper(cond, output_field=BooleanField())


# ---- hazard events ---------------------------------------------------------------------------------------

def _events(user: Any, start: dt.datetime, end: dt.datetime) -> QuerySet[Event]:
    return scope(user, Event).filter(reported_at__gte=start, reported_at__lt=end)


_MEMO: ContextVar[dict[Any, Any] | None] = ContextVar("assessment_memo", default=None)
LOOP_SEGMENTS = ("due", "closed", "ontime", "closed_county")


@contextlib.contextmanager
def shared_queries() -> Iterator[None]:
    """Inside, the loop indicators share one grouped query over the period's events (compute uses it)."""
    token = _MEMO.set({})
    try:
        yield
    finally:
        _MEMO.reset(token)


def loop_segments(user: Any, start: dt.datetime, end: dt.datetime, as_of: dt.datetime) -> dict[str, dict[str, int]]:
    """County path → the count of each loop segment among the events reported in [start, end): one query."""
    key = ("loop", getattr(user, "pk", None), start, end, as_of)
    memo = _MEMO.get()
    if memo is not None and key in memo:
        return memo[key]  # type: ignore[no-any-return]
    rows = (_events(user, start, end).annotate(cp=CountyPrefix("jurisdiction_path")).values("cp")
            .annotate(**{name: Count("pk", filter=segment_filter(name, as_of, as_of)) for name in LOOP_SEGMENTS})
            .order_by())
    found = {r["cp"]: {name: r[name] for name in LOOP_SEGMENTS} for r in rows}
    if memo is not None:
        memo[key] = found
    return found


def _loop(num_segment: str, den_segment: str) -> tuple[Callable[..., Counts], Callable[..., list[Row]]]:
    def counts(user: Any, start: dt.datetime, end: dt.datetime, as_of: dt.datetime) -> Counts:
        return {cp: (r[num_segment], r[den_segment])
                for cp, r in loop_segments(user, start, end, as_of).items()}

    def rows(user: Any, county_path: str, start: dt.datetime, end: dt.datetime, as_of: dt.datetime) -> list[Row]:
        qs = (_events(user, start, end).filter(jurisdiction_path__startswith=county_path)
              .filter(segment_filter(den_segment, as_of, as_of))
              .annotate(hit=_flag(segment_filter(num_segment, as_of, as_of)))
              .select_related("hazard_type", "site").order_by("reported_at", "pk"))
        return [_event_row(e, bool(e.hit)) for e in qs[:2000]]

    return counts, rows


def _event_row(e: Event, counted: bool) -> Row:
    where = e.site.name if e.site_id else ""
    return Row(f"event:{e.pk}", f"#{e.pk} {e.hazard_type.name} {where}".strip(), reverse("events:detail", args=[e.pk]),
               e.reported_at, counted)


def _open_at(user: Any, as_of: dt.datetime) -> QuerySet[Event]:
    return scope(user, Event).filter(state__in=OPEN_STATES, reported_at__lt=as_of)


def overdue_free_counts(user: Any, start: dt.datetime, end: dt.datetime, as_of: dt.datetime) -> Counts:
    """Open events not past their deadline at `as_of`, out of the open events (the one overdue_q)."""
    return _grouped(_open_at(user, as_of), ~clocks.overdue_q(as_of))


def overdue_free_rows(user: Any, county_path: str, start: dt.datetime, end: dt.datetime,
                      as_of: dt.datetime) -> list[Row]:
    qs = (_open_at(user, as_of).filter(jurisdiction_path__startswith=county_path)
          .annotate(late=_flag(clocks.overdue_q(as_of)))
          .select_related("hazard_type", "site").order_by("deadline", "pk"))
    return [_event_row(e, not e.late) for e in qs[:2000]]


# ---- inspections -------------------------------------------------------------------------------------------

def _inspections(user: Any, start: dt.datetime, end: dt.datetime) -> QuerySet[Any]:
    from parcelguard.inspections.models import Inspection, InspectionState

    return (scope(user, Inspection).exclude(state=InspectionState.CANCELLED)
            .filter(due_at__gte=start, due_at__lt=end))


def _done_on_time() -> Q:
    return Q(submitted_at__isnull=False, submitted_at__lte=F("due_at"))


def inspections_counts(user: Any, start: dt.datetime, end: dt.datetime, as_of: dt.datetime) -> Counts:
    return _grouped(_inspections(user, start, end).filter(due_at__lte=as_of), _done_on_time())


def inspections_rows(user: Any, county_path: str, start: dt.datetime, end: dt.datetime,
                     as_of: dt.datetime) -> list[Row]:
    qs = (_inspections(user, start, end).filter(due_at__lte=as_of, jurisdiction_path__startswith=county_path)
          .annotate(hit=_flag(_done_on_time())).select_related("site", "plan").order_by("due_at", "pk"))
    return [Row(f"inspection:{i.pk}", f"{i.site.name}（{i.plan.title}）", reverse("inspections:detail", args=[i.pk]),
                i.due_at, bool(i.hit)) for i in qs[:2000]]


# ---- monthly duty reports ------------------------------------------------------------------------------------

def _duties(user: Any, start: dt.datetime, end: dt.datetime, as_of: dt.datetime) -> list[Any]:
    """The reports owed in the period and already due at `as_of` (a report not yet due is not counted)."""
    from parcelguard.selfcheck import selectors

    return [d for month in selectors.months_due_in(start, end) if selectors.due_at(month) <= as_of
            for d in selectors.duties(user, month)]


def _on_time(duty: Any) -> bool:
    return duty.report is not None and not duty.report.late


def selfcheck_counts(user: Any, start: dt.datetime, end: dt.datetime, as_of: dt.datetime) -> Counts:
    out: dict[str, tuple[int, int]] = {}
    for d in _duties(user, start, end, as_of):
        n, total = out.get(d.county.path, (0, 0))
        out[d.county.path] = (n + _on_time(d), total + 1)
    return out


def selfcheck_rows(user: Any, county_path: str, start: dt.datetime, end: dt.datetime,
                   as_of: dt.datetime) -> list[Row]:
    rows = []
    for d in _duties(user, start, end, as_of):
        if d.county.path != county_path:
            continue
        title = f"{d.enterprise_name} {d.month:%Y-%m}"
        if d.report is not None:
            rows.append(Row(f"selfcheck:{d.report.pk}", title, reverse("selfcheck:detail", args=[d.report.pk]),
                            d.report.submitted_at, _on_time(d)))
        else:
            rows.append(Row(f"selfcheck-due:{d.enterprise_id}:{d.county.pk}:{d.month:%Y-%m}", title,
                            reverse("selfcheck:index") + f"?month={d.month:%Y-%m}", None, False))
    return rows


# ---- the list ------------------------------------------------------------------------------------------------

_closure = _loop("closed", "due")
_ontime = _loop("ontime", "due")
_county = _loop("closed_county", "closed")

INDICATORS: dict[str, Indicator] = {i.code: i for i in (
    Indicator("closure_rate", _("Loop closure rate"), _("closed"), _("due for closure"),
              _("Hazard events reported in the period and closed, out of those due for closure (closed, or past "
                "their rectification deadline), as on the dashboard."), *_closure),
    Indicator("ontime_rate", _("On-time closure rate"), _("closed on time"), _("due for closure"),
              _("Events closed before their rectification deadline, out of those due for closure."), *_ontime),
    Indicator("county_share", _("Share closed at county level"), _("closed at county level"), _("closed"),
              _("Closed events never escalated to the city bureau, out of the closed events."), *_county),
    Indicator("overdue_free", _("Open events within their deadline"), _("within the deadline"), _("open"),
              _("Open events not past their current step's deadline at the period's end, out of the open events "
                "(the platform's one definition of overdue)."), overdue_free_counts, overdue_free_rows),
    Indicator("inspections_done", _("Inspections done on time"), _("done by the due moment"), _("due"),
              _("Drawn inspections falling due in the period (not cancelled by a redraw) and submitted by their "
                "due moment."), inspections_counts, inspections_rows),
    Indicator("selfcheck_ontime", _("Monthly duty reports on time"), _("filed on time"), _("owed"),
              _("Monthly duty reports falling due in the period, filed by the due day, out of those owed by "
                "every enterprise with an active outlet in the county."), selfcheck_counts, selfcheck_rows),
)}


def get(code: str) -> Indicator | None:
    return INDICATORS.get(code)
