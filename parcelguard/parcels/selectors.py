"""Reads of the parcels module, always through the scoping layer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from parcel_audit import Finding, WaybillTrace, trace_sender, trace_waybill

from parcelguard.accounts.roles import Perm, has_perm
from parcelguard.accounts.scoping import require, scope
from parcelguard.analytics.filters import Filters, place_filter
from parcelguard.core.errors import Invalid, NotFound
from parcelguard.core.pii import id_number_hash
from parcelguard.parcels import store
from parcelguard.parcels.models import EarlyWarning
from parcelguard.parcels.services import RAW_ID
from parcelguard.registry.models import Site, XrayMachine
from parcelguard.trail.services import trail_append

WARNING_FILTERS = ("from", "to", "county", "grid", "brand", "kind", "severity", "status")
MAX_SENDER_DAYS = 92
MAX_SENDER_ROWS = 1000


def warning_period(filters: dict[str, str]) -> tuple[dt.date | None, dt.date | None]:
    """The `from` / `to` days of the warning list (whole local days, inclusive), None when absent: no
    bound, every period. Swapped when reversed, like the dashboard's period; Invalid when not a date."""
    days: list[dt.date | None] = []
    for name in ("from", "to"):
        text = (filters.get(name) or "").strip()
        if not text:
            days.append(None)
            continue
        try:
            day: dt.date | None = dt.date.fromisoformat(text)
        except ValueError:
            day = None
        if day is None or not 1900 <= day.year <= 2999:
            raise Invalid(_("“%(value)s” is not a date like 2026-03-01.") % {"value": text[:20]}, code="bad_date")
        days.append(day)
    start, end = days
    if start and end and end < start:
        start, end = end, start
    return start, end


def warning_list(*, user: Any, filters: dict[str, str]) -> QuerySet[EarlyWarning]:
    """The scoped early warnings these filters select. Period and place are the dashboard's
    (`analytics.indicators.warnings_for`): `window_start` in the whole local days from–to (either bound
    may be absent), county and grid on the warning's jurisdiction path (`analytics.filters.place_filter`),
    so a link from the dashboard lists exactly the warnings it counted."""
    require(user, Perm.WARNINGS_VIEW)
    start, end = warning_period(filters)
    period = Filters(start=start or end or dt.date.min, end=end or start or dt.date.min,
                     county=filters.get("county") or "", grid=filters.get("grid") or "")
    qs = scope(user, EarlyWarning).select_related("site", "machine", "county", "enterprise", "event")
    qs = qs.filter(place_filter(period))
    if start:
        qs = qs.filter(window_start__gte=period.since)
    if end:
        qs = qs.filter(window_start__lt=period.until)
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    if filters.get("severity"):
        qs = qs.filter(severity=filters["severity"])
    if filters.get("brand"):
        qs = qs.filter(enterprise__brand_id=filters["brand"])
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    return qs


def _finding(w: EarlyWarning) -> Finding:
    return Finding(w.kind, w.subject_type, w.subject_id, _naive(w.window_start), _naive(w.window_end), w.count,
                   w.severity, tuple(w.waybills))  # type: ignore[arg-type]


def _naive(value: dt.datetime | None) -> dt.datetime | None:
    return None if value is None else value.astimezone(store.SHANGHAI).replace(tzinfo=None)


@dataclass
class ParcelTrace:
    """One parcel as the platform may show it to this user."""

    trace: WaybillTrace
    site: Site
    machine: XrayMachine | None
    warnings: list[EarlyWarning] = field(default_factory=list)


def parcel_trace(*, user: Any, waybill_no: str) -> ParcelTrace:
    """Everything known about one waybill: NotFound when it is unknown or its outlet is outside the user's
    scope (a county sees its county's outlets, an enterprise its own)."""
    require(user, Perm.PARCELS_TRACE)
    waybill_no = waybill_no.strip()
    if not waybill_no or len(waybill_no) > 60 or not store.store_days():
        raise NotFound(_("No parcel with this waybill number."))
    found = trace_waybill(waybill_no, store.store_dir())
    site = None if found is None else scope(user, Site).filter(code=found.record["outlet_id"]).first()
    if found is None or site is None:
        raise NotFound(_("No parcel with this waybill number."))
    machine_code = found.record.get("screening_machine_id")
    regs = store.registries(outlet_codes=[site.code], machine_codes=[machine_code] if machine_code else [])
    candidates: list[EarlyWarning] = []
    if has_perm(user, Perm.WARNINGS_VIEW):
        subjects = [s for s in (site.code, machine_code, found.record.get("sender_id_hash")) if s]
        candidates = list(scope(user, EarlyWarning).filter(subject_id__in=subjects))
    trace = trace_waybill(waybill_no, store.store_dir(), outlets=regs["outlets"], machines=regs["machines"],
                          machine_status=regs["machine_status"], findings=[_finding(w) for w in candidates])
    assert trace is not None
    involved = {(f.kind, f.subject_id, f.window_start) for f in trace.findings}
    warnings = [w for w in candidates if (w.kind, w.subject_id, _naive(w.window_start)) in involved]
    machine = XrayMachine.objects.filter(code=machine_code).first() if machine_code else None
    return ParcelTrace(trace=trace, site=site, machine=machine, warnings=warnings)


def sender_key(value: str) -> str:
    """What the user typed as a sender: a hash as is; an ID number is hashed at once and never kept."""
    value = value.strip()
    if RAW_ID.match(value):
        return id_number_hash(value)
    if len(value) != 64 or any(c not in "0123456789abcdefABCDEF" for c in value):
        raise Invalid(_("Enter a sender's ID number or its 64-character hash."), code="bad_sender")
    return value.lower()


def sender_parcels(*, user: Any, sender: str, start: dt.date, end: dt.date) -> tuple[str, list[dict[str, Any]]]:
    """Every parcel of one sender accepted between start and end, limited to outlets in the user's scope."""
    require(user, Perm.PARCELS_TRACE)
    key = sender_key(sender)
    if end < start or (end - start).days >= MAX_SENDER_DAYS:
        raise Invalid(_("Choose a period of at most %(n)d days.") % {"n": MAX_SENDER_DAYS}, code="bad_period")
    trail_append(actor=user, action="parcels.trace_sender", subject=f"sender:{key[:16]}",
                 payload={"start": start.isoformat(), "end": end.isoformat()})
    if not store.store_days():
        return key, []
    rows = trace_sender(key, store.store_dir(), start=start, end=end).to_pylist()
    allowed = set(scope(user, Site).filter(code__in={r["outlet_id"] for r in rows}).values_list("code", flat=True))
    return key, [r for r in rows if r["outlet_id"] in allowed][:MAX_SENDER_ROWS]
