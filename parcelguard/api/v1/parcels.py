"""Parcel records over REST: enterprise systems push batches of contract records (contracts.md §1).

`POST /api/v1/parcels/batches` takes a JSON list of records (at most 5,000). Idempotent by waybill
number: a waybill already stored counts as a duplicate and adds nothing. A batch naming an outlet that is
not the pushing enterprise's own is refused whole (403 `outlet_not_allowed`). Rows that fail validation
are rejected one by one with stable codes (`missing_value:<column>`, `bad_timestamp:<column>`,
`bad_boolean:<column>`, `unknown_brand`, `bad_screening_result`, `bad_county_code`, `bad_sender_hash`,
`raw_id_number`, `duplicate_waybill`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Body, Query, Router, Schema, Status
from pydantic import Field

from parcelguard.accounts.scoping import get_for, scope
from parcelguard.api.schemas import ERRORS, Error, Page
from parcelguard.parcels import selectors, services
from parcelguard.parcels.models import EarlyWarning, ParcelBatch

router = Router(tags=["parcels"])


class RowError(Schema):
    row: int
    waybill_no: str | None
    codes: list[str]


class BatchOut(Schema):
    id: int
    status: str
    source: str
    submitted_at: dt.datetime
    rows: int
    accepted: int
    duplicates: int
    rejected: int
    dates: list[str]
    errors: list[RowError]

    @staticmethod
    def of(b: ParcelBatch) -> BatchOut:
        return BatchOut(id=b.pk, status=b.status, source=b.source, submitted_at=b.submitted_at, rows=b.rows,
                        accepted=b.accepted, duplicates=b.duplicates, rejected=b.rejected, dates=list(b.dates),
                        errors=[RowError(**e) for e in b.errors])


@router.post("/parcels/batches", response={201: BatchOut, 400: Error, **ERRORS}, summary="Push parcel records")
def batch_push(request: HttpRequest, records: list[dict[str, Any]] = Body(...)) -> Any:  # noqa: B008
    batch = services.batch_push(user=request.user, records=records)
    return Status(201, BatchOut.of(batch))


@router.get("/parcels/batches", response={200: Page[BatchOut], **ERRORS}, summary="Batches pushed")
def batch_list(request: HttpRequest, limit: int = Query(50, ge=1, le=200),
               offset: int = Query(0, ge=0, le=1_000_000)) -> Any:
    qs = scope(request.user, ParcelBatch)
    return {"count": qs.count(), "items": [BatchOut.of(b) for b in qs[offset:offset + limit]]}


@router.get("/parcels/batches/{batch_id}", response={200: BatchOut, **ERRORS}, summary="One batch")
def batch_get(request: HttpRequest, batch_id: int) -> Any:
    return BatchOut.of(get_for(request.user, ParcelBatch, pk=batch_id))


class WarningOut(Schema):
    id: int
    kind: str
    subject_type: str
    subject_id: str
    site_code: str | None
    county: str | None
    window_start: dt.datetime
    window_end: dt.datetime | None
    count: int
    severity: str
    waybills: list[str]
    risk_points: float
    status: str
    event_id: int | None

    @staticmethod
    def of(w: EarlyWarning) -> WarningOut:
        return WarningOut(id=w.pk, kind=w.kind, subject_type=w.subject_type, subject_id=w.subject_id,
                          site_code=w.site.code if w.site else None, county=w.county.code if w.county else None,
                          window_start=w.window_start, window_end=w.window_end, count=w.count, severity=w.severity,
                          waybills=list(w.waybills), risk_points=w.risk_points, status=w.status, event_id=w.event_id)


class WarningFilters(Schema):
    date_from: str = Field("", alias="from", description="first day of the window start, YYYY-MM-DD, local "
                           "time (default: no bound, every period)")
    date_to: str = Field("", alias="to", description="last day of the window start, YYYY-MM-DD, inclusive "
                         "(default: no bound)")
    kind: str = ""
    severity: str = ""
    county: str = Field("", description="county division code, on the warning's jurisdiction path")
    grid: str = Field("", description="grid code, on the warning's jurisdiction path")
    brand: str = ""
    status: str = ""

    def filters(self) -> dict[str, str]:
        """The warning list's filters (the page's query parameters), NUL bytes removed."""
        values = {"from": self.date_from, "to": self.date_to, "kind": self.kind, "severity": self.severity,
                  "county": self.county, "grid": self.grid, "brand": self.brand, "status": self.status}
        return {k: v.replace("\x00", "").strip() for k, v in values.items()}


@router.get("/parcels/warnings", response={200: Page[WarningOut], **ERRORS}, summary="Early warnings")
def warning_list(request: HttpRequest, filters: Query[WarningFilters],
                 limit: int = Query(50, ge=1, le=200), offset: int = Query(0, ge=0, le=1_000_000)) -> Any:
    """The early warnings the caller may see, newest window first, with the page's filters: `from` / `to`
    on the window start (the dashboard's period; a bad date is 422 `bad_date`), county and grid on the
    warning's jurisdiction path, kind, severity, brand, status."""
    qs = selectors.warning_list(user=request.user, filters=filters.filters())
    return {"count": qs.count(), "items": [WarningOut.of(w) for w in qs[offset:offset + limit]]}
