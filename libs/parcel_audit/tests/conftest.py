"""Small hand-built tables for the rule tests, as fixtures (tests import nothing from here)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyarrow as pa
import pytest
from parcel_audit import AuditConfig, Finding, analyze

RECORD_FIELDS = [
    ("waybill_no", pa.string()),
    ("brand", pa.string()),
    ("outlet_id", pa.string()),
    ("accepted_at", pa.string()),
    ("sender_id_hash", pa.string()),
    ("realname_verified", pa.bool_()),
    ("inspected", pa.bool_()),
    ("inspector_id", pa.string()),
    ("screening_machine_id", pa.string()),
    ("screened_at", pa.string()),
    ("screening_result", pa.string()),
    ("item_category", pa.string()),
    ("dest_county_code", pa.string()),
]


def parcel(waybill: str, **values: Any) -> dict[str, Any]:
    """A compliant parcel accepted at O1 at 10:00 and screened on M1 a minute later, unless told."""
    row: dict[str, Any] = {
        "waybill_no": waybill,
        "brand": "SF",
        "outlet_id": "O1",
        "accepted_at": "2026-11-01 10:00:00",
        "sender_id_hash": None,
        "realname_verified": True,
        "inspected": True,
        "inspector_id": "I1",
        "screening_machine_id": "M1",
        "screened_at": "2026-11-01 10:01:00",
        "screening_result": "pass",
        "item_category": "daily",
        "dest_county_code": "350302",
    }
    row.update(values)
    return row


def records(rows: list[dict[str, Any]]) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=pa.schema(RECORD_FIELDS))


def machines(*rows: tuple[str, str, int]) -> pa.Table:
    return pa.table({
        "machine_id": [r[0] for r in rows],
        "site_id": [r[1] for r in rows],
        "capacity_per_hour": pa.array([r[2] for r in rows], type=pa.int64()),
    })


def status(*rows: tuple[str, str, str, str | None]) -> pa.Table:
    return pa.table({
        "machine_id": pa.array([r[0] for r in rows], type=pa.string()),
        "status": pa.array([r[1] for r in rows], type=pa.string()),
        "start": pa.array([r[2] for r in rows], type=pa.string()),
        "end": pa.array([r[3] for r in rows], type=pa.string()),
    })


DEFAULT_MACHINES = (("M1", "O1", 600),)


@pytest.fixture
def audit() -> Callable[..., list[Finding]]:
    """Run the analysis on hand-built rows; returns the findings (optionally of some kinds only)."""

    def run(
        rows: list[dict[str, Any]],
        *,
        machine_rows: tuple[tuple[str, str, int], ...] = DEFAULT_MACHINES,
        status_rows: tuple[tuple[str, str, str, str | None], ...] = (),
        kinds: tuple[str, ...] | None = None,
        **config: Any,
    ) -> list[Finding]:
        result = analyze(records(rows), machines=machines(*machine_rows), machine_status=status(*status_rows),
                         config=AuditConfig(**config), kinds=kinds)
        return result.findings

    return run


@pytest.fixture
def table_builders() -> dict[str, Callable[..., Any]]:
    return {"parcel": parcel, "records": records, "machines": machines, "status": status}


@pytest.fixture(name="parcel")
def parcel_fixture() -> Callable[..., dict[str, Any]]:
    return parcel
