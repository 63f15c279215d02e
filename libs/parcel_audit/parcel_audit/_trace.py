"""Traceability: everything known about one waybill; every parcel of one sender in a period."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from parcel_audit._config import AuditConfig
from parcel_audit._engine import duckdb_connect
from parcel_audit._errors import InputError
from parcel_audit._findings import Finding
from parcel_audit._ingest import store_partitions
from parcel_audit._schema import STORE_COLUMNS
from parcel_audit._sources import Source, load_registries

__all__ = ["WaybillTrace", "finding_involves", "trace_sender", "trace_waybill"]


@dataclass(frozen=True, slots=True)
class WaybillTrace:
    """One parcel as stored, its outlet and machine (when the registries are given), the status
    windows of its machine around the scan, and the findings that involve it."""

    record: dict[str, Any]
    outlet: dict[str, Any] | None = None
    machine: dict[str, Any] | None = None
    status_windows: list[dict[str, Any]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


def _files(store: Path, days: Sequence[dt.date] | None = None) -> str:
    partitions = store_partitions(store)
    if days is not None:
        wanted = {f"accept_date={d.isoformat()}" for d in days}
        partitions = [p for p in partitions if p.name in wanted]
    if not partitions:
        return ""
    return ", ".join("'" + str(p / "*.parquet").replace("'", "''") + "'" for p in partitions)


_local = threading.local()


def _lookup_connection() -> duckdb.DuckDBPyConnection:
    """One DuckDB connection per thread for lookups, kept open so that opening a connection (tens of
    milliseconds) and re-reading Parquet footers (metadata cache) are not paid on every trace."""
    conn: duckdb.DuckDBPyConnection | None = getattr(_local, "conn", None)
    if conn is None:
        conn = duckdb.connect(":memory:")
        conn.execute("SET parquet_metadata_cache = true")
        conn.execute("SET threads = 2")
        _local.conn = conn
    return conn


def _store(records: str | Path) -> Path:
    store = Path(records)
    if not store.is_dir():
        raise InputError(f"{store}: tracing needs a store directory written by ingest()")
    return store


def _day(value: dt.datetime | None) -> dt.date | None:
    return None if value is None else value.date()


def finding_involves(finding: Finding, record: dict[str, Any]) -> bool:
    """Whether the parcel ``record`` is one of the parcels ``finding`` counts, by the kind's rule."""
    screened_at: dt.datetime | None = record.get("screened_at")
    accepted_at: dt.datetime = record["accepted_at"]
    machine = record.get("screening_machine_id")
    start, end = finding.window_start, finding.window_end

    def inside(t: dt.datetime | None) -> bool:
        return t is not None and start is not None and start <= t and (end is None or t < end)

    same_accept_day = start is not None and accepted_at.date() == start.date()
    outlet_day = finding.subject_id == record["outlet_id"] and same_accept_day
    match finding.kind:
        case "SCREENED_WHILE_DOWN" | "OVER_CAPACITY":
            return finding.subject_id == machine and inside(screened_at)
        case "UNKNOWN_MACHINE":
            day = _day(screened_at) or accepted_at.date()
            return finding.subject_id == machine and start is not None and day == start.date()
        case "SCREENED_BEFORE_ACCEPTED":
            return outlet_day and screened_at is not None and screened_at < accepted_at
        case "SENDER_SPREAD":
            return finding.subject_id == record.get("sender_id_hash") and same_accept_day
        case "LOW_REALNAME":
            return outlet_day and not record["realname_verified"]
        case "LOW_INSPECTION":
            return outlet_day and not record["inspected"]
        case "LOW_SCREENING":
            return outlet_day and machine is None
    return False


def trace_waybill(
    waybill_no: str,
    records: str | Path,
    *,
    outlets: Source | None = None,
    machines: Source | None = None,
    machine_status: Source | None = None,
    findings: Sequence[Finding] = (),
    config: AuditConfig | None = None,
) -> WaybillTrace | None:
    """Everything known about ``waybill_no`` in the store ``records``; ``None`` if it is not there.

    The lookup reads only the row groups whose bloom filter and min/max statistics admit the number.
    """
    config = config or AuditConfig()
    store = _store(records)
    if not store_partitions(store):
        return None
    pattern = str(store / "accept_date=*" / "*.parquet").replace("'", "''")
    cursor = _lookup_connection().execute(
        f"SELECT * FROM read_parquet('{pattern}', hive_partitioning = true, "
        "hive_types = {'accept_date': DATE}) WHERE waybill_no = ?",
        [waybill_no],
    )
    names = [d[0] for d in cursor.description or ()]
    rows = cursor.fetchall()
    if not rows:
        return None
    record = dict(zip(names, rows[0], strict=True))
    trace = WaybillTrace(record=record, findings=[f for f in findings if finding_involves(f, record)])
    if machines is None or machine_status is None:
        return trace
    registries = load_registries(outlets=outlets, machines=machines, machine_status=machine_status,
                                 config=config)
    machine_id = record.get("screening_machine_id")
    outlet_rows = [r for r in registries["outlets"].to_pylist() if r["outlet_id"] == record["outlet_id"]]
    machine_rows = [r for r in registries["machines"].to_pylist() if r["machine_id"] == machine_id]
    windows = [r for r in registries["machine_status"].to_pylist() if r["machine_id"] == machine_id]
    return WaybillTrace(
        record=record,
        outlet=outlet_rows[0] if outlet_rows else None,
        machine=machine_rows[0] if machine_rows else None,
        status_windows=windows,
        findings=trace.findings,
    )


def trace_sender(
    sender_id_hash: str,
    records: str | Path,
    *,
    start: dt.date,
    end: dt.date,
    config: AuditConfig | None = None,
) -> pa.Table:
    """Every parcel of ``sender_id_hash`` accepted on the days ``start`` to ``end`` (both included),
    ordered by ``accepted_at``; only those days' partitions are read."""
    config = config or AuditConfig()
    if end < start:
        raise InputError("trace_sender: end is before start")
    days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    files = _files(_store(records), days)
    conn = duckdb_connect(config)
    try:
        if not files:
            return pa.table({name: pa.array([], pa.string()) for name in STORE_COLUMNS})
        return conn.sql(
            f"SELECT * FROM read_parquet([{files}], hive_partitioning = true, "
            "hive_types = {'accept_date': DATE}) WHERE sender_id_hash = $sender ORDER BY accepted_at, waybill_no",
            params={"sender": sender_id_hash.lower()},
        ).to_arrow_table()
    finally:
        conn.close()
