"""Where a rating's deductions come from: a small registry of sources over the platform's own records.

A source counts, for a window [start, end), the records that weigh on enterprises: each `Hit` names the
enterprise, the record (its subject, e.g. "event:12", and the id its page is found by), the moment that
placed it in the window, how many units it counts (1 for a record, the fine in units of 10,000 yuan, the
number of reworks) and where it happened (its jurisdiction path, so a county sees the details of its own
records only). A rule of the published method names a source and deducts points per unit.

Sources read the database directly, not through `scope()`: a rating is computed for the whole city by the
bureau or the nightly job, and the pages then show each user only what scoping allows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Hit:
    enterprise_id: int
    subject: str
    object_id: int | None
    at: dt.datetime
    units: Decimal
    jurisdiction_path: str
    note: str = ""


@dataclass(frozen=True)
class CreditSource:
    code: str
    label: Any
    unit: Any
    fetch: Callable[[dt.datetime, dt.datetime], Iterable[Hit]]
    link: Callable[[Hit], str | None]
    help: Any = ""


_SOURCES: dict[str, CreditSource] = {}


def register(source: CreditSource) -> CreditSource:
    _SOURCES[source.code] = source
    return source


def get(code: str) -> CreditSource | None:
    return _SOURCES.get(code)


def all_sources() -> list[CreditSource]:
    return list(_SOURCES.values())


ONE = Decimal(1)
TEN_THOUSAND = Decimal(10000)


def _event_link(hit: Hit) -> str | None:
    return reverse("events:detail", args=[hit.object_id]) if hit.object_id else None


# ---- hazard events --------------------------------------------------------------------------------------

def _events() -> Any:
    from parcelguard.events.models import Event
    from parcelguard.events.states import State

    return Event.objects.filter(enterprise_id__isnull=False).exclude(state=State.REJECTED)


def hazard_events(start: dt.datetime, end: dt.datetime) -> Iterable[Hit]:
    """Every hazard event against the enterprise reported in the window (rejected reports do not count)."""
    rows = (_events().filter(reported_at__gte=start, reported_at__lt=end)
            .values_list("pk", "enterprise_id", "reported_at", "jurisdiction_path", "hazard_type__name"))
    for pk, enterprise, at, path, kind in rows.iterator(chunk_size=5000):
        yield Hit(enterprise, f"event:{pk}", pk, at, ONE, path, kind)


def escalated_events(start: dt.datetime, end: dt.datetime) -> Iterable[Hit]:
    """Events escalated to the city bureau in the window: the enterprise did not fix it at the county tier."""
    rows = (_events().filter(escalated_at__gte=start, escalated_at__lt=end)
            .values_list("pk", "enterprise_id", "escalated_at", "jurisdiction_path", "hazard_type__name"))
    for pk, enterprise, at, path, kind in rows.iterator(chunk_size=5000):
        yield Hit(enterprise, f"event:{pk}", pk, at, ONE, path, kind)


def reworked_events(start: dt.datetime, end: dt.datetime) -> Iterable[Hit]:
    """Each rework (返工: a reported fix the grid worker found not done) of events reported in the window."""
    rows = (_events().filter(reported_at__gte=start, reported_at__lt=end, rework_count__gt=0)
            .values_list("pk", "enterprise_id", "reported_at", "jurisdiction_path", "rework_count"))
    for pk, enterprise, at, path, n in rows.iterator(chunk_size=5000):
        yield Hit(enterprise, f"event:{pk}", pk, at, Decimal(n), path, f"×{n}")


# ---- penalty cases ---------------------------------------------------------------------------------------

def _fines(start: dt.datetime, end: dt.datetime) -> Any:
    from parcelguard.events.models import Case, Outcome

    return (Case.objects.filter(outcome=Outcome.FINE, decided_at__gte=start, decided_at__lt=end,
                                event__enterprise_id__isnull=False)
            .values_list("pk", "event_id", "event__enterprise_id", "decided_at", "event__jurisdiction_path",
                         "amount"))


def penalty_cases(start: dt.datetime, end: dt.datetime) -> Iterable[Hit]:
    """Each penalty decision (a fine) made in the window."""
    for pk, event, enterprise, at, path, amount in _fines(start, end):
        yield Hit(enterprise, f"case:{pk}", event, at, ONE, path, f"{amount or 0} 元")


def fine_amounts(start: dt.datetime, end: dt.datetime) -> Iterable[Hit]:
    """The fines decided in the window, in units of 10,000 yuan."""
    for pk, event, enterprise, at, path, amount in _fines(start, end):
        if amount:
            yield Hit(enterprise, f"case:{pk}", event, at, Decimal(amount) / TEN_THOUSAND, path, f"{amount} 元")


# ---- parcel early warnings -------------------------------------------------------------------------------

def early_warnings(start: dt.datetime, end: dt.datetime) -> Iterable[Hit]:
    """Early warnings of the parcel analysis first seen in the window, unless dismissed."""
    from parcelguard.parcels.models import EarlyWarning, WarningStatus

    rows = (EarlyWarning.objects.filter(enterprise_id__isnull=False, first_seen_at__gte=start,
                                        first_seen_at__lt=end)
            .exclude(status=WarningStatus.DISMISSED)
            .values_list("pk", "enterprise_id", "first_seen_at", "jurisdiction_path", "kind"))
    for pk, enterprise, at, path, kind in rows.iterator(chunk_size=5000):
        yield Hit(enterprise, f"warning:{pk}", pk, at, ONE, path, kind)


def _warning_link(hit: Hit) -> str | None:
    return reverse("parcels:warning", args=[hit.object_id]) if hit.object_id else None


# ---- monthly duty reports (selfcheck) -----------------------------------------------------------------

def _report_link(hit: Hit) -> str | None:
    return reverse("selfcheck:detail", args=[hit.object_id]) if hit.object_id else None


def late_reports(start: dt.datetime, end: dt.datetime) -> Iterable[Hit]:
    """Monthly duty reports falling due in the window that were filed after the due moment."""
    from django.db.models import F

    from parcelguard.selfcheck.models import MonthlyReport

    rows = (MonthlyReport.objects.filter(due_at__gte=start, due_at__lt=end, submitted_at__gte=F("due_at"))
            .values_list("pk", "enterprise_id", "due_at", "jurisdiction_path", "month"))
    for pk, enterprise, at, path, month in rows:
        yield Hit(enterprise, f"selfcheck:{pk}", pk, at, ONE, path, f"{month:%Y-%m}")


def false_reports(start: dt.datetime, end: dt.datetime) -> Iterable[Hit]:
    """Monthly duty reports a spot check found false in the window."""
    from parcelguard.selfcheck.models import MonthlyReport, ReportState

    rows = (MonthlyReport.objects.filter(state=ReportState.FALSE, checked_at__gte=start, checked_at__lt=end)
            .values_list("pk", "enterprise_id", "checked_at", "jurisdiction_path", "month"))
    for pk, enterprise, at, path, month in rows:
        yield Hit(enterprise, f"selfcheck:{pk}", pk, at, ONE, path, f"{month:%Y-%m}")


def missing_reports(start: dt.datetime, end: dt.datetime) -> Iterable[Hit]:
    """Monthly duty reports due in the window (and due by its end) never filed: one per enterprise, county
    with an active outlet opened before the month ended, and month — from the first month any report is on
    file (months before the platform took reports owe nothing)."""
    from django.db.models import Min

    from parcelguard.registry.models import Site, Status
    from parcelguard.selfcheck.models import MonthlyReport
    from parcelguard.selfcheck.selectors import months_due_in
    from parcelguard.selfcheck.services import due_at, next_month

    first = MonthlyReport.objects.aggregate(m=Min("month"))["m"]  # the duty starts with the first month on file
    months = [m for m in months_due_in(start, end) if due_at(m) <= end and first is not None and m >= first]
    if not months:
        return
    sites = list(Site.objects.filter(status=Status.ACTIVE, county__level="county")
                 .values_list("enterprise_id", "county_id", "county__path", "opened_on"))
    filed = set(MonthlyReport.objects.filter(month__in=months).values_list("enterprise_id", "county_id", "month"))
    for month in months:
        owing: dict[tuple[int, int], str] = {}
        for enterprise, county, path, opened in sites:
            if opened is None or opened < next_month(month):
                owing[(enterprise, county)] = path
        for (enterprise, county), path in sorted(owing.items()):
            if (enterprise, county, month) not in filed:
                yield Hit(enterprise, f"selfcheck-missing:{enterprise}:{county}:{month:%Y-%m}", None, due_at(month),
                          ONE, path, f"{month:%Y-%m}")


def _missing_link(hit: Hit) -> str | None:
    return reverse("selfcheck:index") + f"?month={hit.note}"


def register_builtin() -> None:
    register(CreditSource("hazard_event", _("Hazard events"), _("event"), hazard_events, _event_link,
                          _("Hazard events against the enterprise reported in the window (not rejected ones).")))
    register(CreditSource("event_escalated", _("Events escalated to the city bureau"), _("event"),
                          escalated_events, _event_link,
                          _("The hazard was not fixed at the county tier in time.")))
    register(CreditSource("event_rework", _("Reworked rectifications"), _("rework"), reworked_events, _event_link,
                          _("A reported fix that the grid worker found not done, counted per rework.")))
    register(CreditSource("penalty_case", _("Penalty decisions"), _("decision"), penalty_cases, _event_link,
                          _("Each fine decided by the city bureau in the window.")))
    register(CreditSource("fine_amount", _("Fine amounts"), _("10,000 yuan"), fine_amounts, _event_link,
                          _("The fines decided in the window, per 10,000 yuan.")))
    register(CreditSource("early_warning", _("Parcel early warnings"), _("warning"), early_warnings,
                          _warning_link, _("Findings of the three-systems analysis, unless dismissed.")))
    register(CreditSource("selfcheck_late", _("Monthly duty reports filed late"), _("report"), late_reports,
                          _report_link))
    register(CreditSource("selfcheck_false", _("Monthly duty reports found false"), _("report"), false_reports,
                          _report_link))
    register(CreditSource("selfcheck_missing", _("Monthly duty reports missing"), _("report"), missing_reports,
                          _missing_link))
