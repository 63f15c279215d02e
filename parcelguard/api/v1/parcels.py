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

from parcelguard.accounts.scoping import get_for, scope
from parcelguard.api.schemas import ERRORS, Error, Page
from parcelguard.parcels import services
from parcelguard.parcels.models import ParcelBatch

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
