"""The analysis driver: runs every finding query over the store, chunk by chunk, on one engine.

Chunking (``AuditConfig.chunk_days``) bounds memory on stores larger than RAM. Each chunk is a run of
consecutive ``accept_date`` partitions. Queries declare their scope in a header comment:

- ``accept_date`` / ``outlet_day`` queries (outlet-day metrics, SCREENED_BEFORE_ACCEPTED, LOW_*,
  SENDER_SPREAD) read only the chunk's partitions; their groups are outlet-days and sender-days of
  ``accepted_at``, so no group crosses a chunk border.
- ``screened_at`` queries (SCREENED_WHILE_DOWN, UNKNOWN_MACHINE, OVER_CAPACITY) read every partition
  restricted to ``screened_at`` in the chunk's days (the first chunk also takes rows without
  ``screened_at``, the last one everything after), so each parcel is counted in exactly one chunk
  whichever day it was accepted. Findings are then merged across chunks: SCREENED_WHILE_DOWN and
  UNKNOWN_MACHINE by their key (counts added, examples re-drawn from both sides), and OVER_CAPACITY
  runs that meet at a chunk border (midnight) are stitched into one run.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
from tqdm import tqdm

from parcel_audit._config import AuditConfig
from parcel_audit._engine import Engine, make_engine
from parcel_audit._errors import InputError
from parcel_audit._findings import MAX_EXAMPLES, Finding, sort_findings
from parcel_audit._ingest import ingest, store_partitions
from parcel_audit._risk import RiskScore, risk_scores
from parcel_audit._sources import Source, load_registries
from parcel_audit._sql import FINDING_QUERIES, query_scope, render

__all__ = ["AuditResult", "OutletDayMetrics", "analyze", "prepared_store"]


@dataclass(frozen=True, slots=True)
class OutletDayMetrics:
    """Compliance metrics of one outlet on one day of ``accepted_at``."""

    outlet_id: str
    day: dt.date
    parcels: int
    realname_rate: float
    inspection_rate: float
    screening_rate: float
    suspect_count: int


@dataclass(frozen=True, slots=True)
class AuditResult:
    """Everything one analysis run produced, in canonical order."""

    findings: list[Finding]
    metrics: list[OutletDayMetrics]
    risk: list[RiskScore]
    engine: str
    rows_rejected: int = 0
    reject_path: Path | None = None
    """Where the rejected rows of a records FILE were written (kept after the run); None for a store."""
    fields_nulled: dict[str, int] = field(default_factory=dict)
    """Parcels analysed with a malformed optional field set to NULL, by issue."""
    field_issues_path: Path | None = None
    timings: dict[str, float] = field(default_factory=dict)
    """Seconds spent in each query (``outlet_day`` and the finding kinds), summed over chunks."""

    def metrics_table(self) -> pa.Table:
        return pa.Table.from_pylist(
            [
                {
                    "outlet_id": m.outlet_id,
                    "accept_date": m.day,
                    "parcels": m.parcels,
                    "realname_rate": m.realname_rate,
                    "inspection_rate": m.inspection_rate,
                    "screening_rate": m.screening_rate,
                    "suspect_count": m.suspect_count,
                }
                for m in self.metrics
            ]
        )


class prepared_store:
    """A store directory for ``records``: the directory itself, or a temporary store built by
    validating a single CSV/Parquet file or Arrow table (rejected rows are counted, not analysed)."""

    def __init__(self, records: Source, config: AuditConfig, reject_path: str | Path | None = None) -> None:
        self._records = records
        self._config = config
        self._tmp: Any = None
        self._reject_path = Path(reject_path) if reject_path is not None else None
        self.rows_rejected = 0
        self.reject_path: Path | None = None
        self.fields_nulled: dict[str, int] = {}
        self.field_issues_path: Path | None = None

    def __enter__(self) -> Path:
        if not isinstance(self._records, pa.Table) and Path(self._records).is_dir():
            return Path(self._records)
        import os
        import tempfile

        self._tmp = tempfile.TemporaryDirectory(prefix="parcel_audit_store_")
        store = Path(self._tmp.name) / "store"
        # The reject file outlives the temporary store: named by the caller, or a kept temporary file.
        rejects = self._reject_path
        if rejects is None:
            handle, name = tempfile.mkstemp(prefix="parcel_audit_rejects_", suffix=".csv")
            os.close(handle)
            rejects = Path(name)
        try:
            report = ingest(self._records, store, reject_path=rejects, config=self._config)
        except BaseException:
            self._tmp.cleanup()
            raise
        if not report.rows_rejected and self._reject_path is None:
            rejects.unlink(missing_ok=True)  # nothing to keep
        self.rows_rejected = report.rows_rejected
        self.reject_path = report.reject_path if report.rows_rejected or self._reject_path else None
        self.fields_nulled = report.fields_nulled
        self.field_issues_path = report.field_issues_path
        return store

    def __exit__(self, *exc: object) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()


def _chunks(partitions: list[Path], chunk_days: int | None) -> list[list[Path]]:
    if chunk_days is None:
        return [partitions]
    return [partitions[i : i + chunk_days] for i in range(0, len(partitions), chunk_days)]


def _partition_date(path: Path) -> dt.date:
    return dt.date.fromisoformat(path.name.split("=", 1)[1])


def _screened_filter(chunks: list[list[Path]], index: int) -> str | None:
    if len(chunks) == 1:
        return None
    lo = _partition_date(chunks[index][0])
    hi = _partition_date(chunks[index][-1]) + dt.timedelta(days=1)
    parts = []
    if index > 0:
        parts.append(f"screened_at >= TIMESTAMP '{lo.isoformat()} 00:00:00'")
    if index < len(chunks) - 1:
        parts.append(f"screened_at < TIMESTAMP '{hi.isoformat()} 00:00:00'")
    condition = " AND ".join(parts)
    return f"(({condition}) OR screened_at IS NULL)" if index == 0 else condition


def _examples(values: Sequence[str] | None) -> tuple[str, ...]:
    return tuple(values or ())[:MAX_EXAMPLES]


def _finding(row: tuple[Any, ...], config: AuditConfig) -> Finding:
    kind, subject_type, subject_id, start, end, count, measure, waybills = row
    severity = config.shortfall_severity(float(measure)) if kind.startswith("LOW_") else config.severity_of(kind)
    return Finding(kind, subject_type, str(subject_id), start, end, int(count), severity, _examples(waybills))


def _merge_examples(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(sorted(set(a) | set(b))[:MAX_EXAMPLES])


def _merge_chunks(findings: list[Finding]) -> list[Finding]:
    merged: dict[tuple[Any, ...], Finding] = {}
    runs: list[Finding] = []
    for f in findings:
        if f.kind == "OVER_CAPACITY":
            runs.append(f)
            continue
        key = (f.kind, f.subject_id, f.window_start, f.window_end)
        if key in merged:
            old = merged[key]
            f = Finding(f.kind, f.subject_type, f.subject_id, f.window_start, f.window_end,
                        old.count + f.count, f.severity, _merge_examples(old.waybills, f.waybills))
        merged[key] = f
    stitched: list[Finding] = []
    for f in sorted(runs, key=lambda r: (r.subject_id, r.window_start or dt.datetime.min)):
        last = stitched[-1] if stitched else None
        if last is not None and last.subject_id == f.subject_id and last.window_end == f.window_start:
            stitched[-1] = Finding(f.kind, f.subject_type, f.subject_id, last.window_start, f.window_end,
                                   last.count + f.count, f.severity, _merge_examples(last.waybills, f.waybills))
        else:
            stitched.append(f)
    return [*merged.values(), *stitched]


def _timed(timings: dict[str, float], name: str, started: float) -> None:
    timings[name] = timings.get(name, 0.0) + time.perf_counter() - started


def _run(engine: Engine, store: Path, config: AuditConfig, kinds: Iterable[str],
         timings: dict[str, float]) -> tuple[list[Finding], list[OutletDayMetrics]]:
    partitions = store_partitions(store)
    if not partitions:
        raise InputError(f"{store}: the store holds no parcel partitions")
    chunks = _chunks(partitions, config.chunk_days)
    kinds = list(kinds)
    findings: list[Finding] = []
    metrics: list[OutletDayMetrics] = []
    steps = tqdm(total=len(chunks) * (len(kinds) + 1), disable=not config.progress, unit="query",
                 desc="analyse")
    for index, chunk in enumerate(chunks):
        started = time.perf_counter()
        engine.set_parcels(chunk)
        engine.materialise("outlet_day", render("outlet_day", config))
        metrics.extend(
            OutletDayMetrics(o, d, int(n), float(r), float(i), float(s), int(sus))
            for o, d, n, r, i, s, sus in engine.rows(render("metrics", config))
        )
        _timed(timings, "outlet_day", started)
        steps.update()
        for scope in ("accept_date", "outlet_day", "screened_at"):
            if scope == "screened_at" and len(chunks) > 1:
                engine.set_parcels(partitions, _screened_filter(chunks, index))
            for kind in kinds:
                name = FINDING_QUERIES[kind]
                if query_scope(name) != scope:
                    continue
                started = time.perf_counter()
                findings.extend(_finding(row, config) for row in engine.rows(render(name, config)))
                _timed(timings, kind, started)
                steps.update()
    steps.close()
    if len(chunks) > 1:
        findings = _merge_chunks(findings)
    metrics.sort(key=lambda m: (m.outlet_id, m.day))
    return sort_findings(findings), metrics


def analyze(
    records: Source,
    *,
    machines: Source,
    machine_status: Source,
    outlets: Source | None = None,
    config: AuditConfig | None = None,
    spark: Any = None,
    kinds: Iterable[str] | None = None,
    reject_path: str | Path | None = None,
) -> AuditResult:
    """Run every finding rule, the outlet-day metrics and the risk score.

    For a records FILE, rejected rows are written to ``reject_path`` (default: a kept temporary file,
    named in ``AuditResult.reject_path`` whenever some row was rejected).

    ``records`` is a store directory written by :func:`ingest`, or a CSV/Parquet file or Arrow table
    of contract section 1 (validated on the fly; rejected rows are counted in ``rows_rejected``).
    Registries are CSV/Parquet paths or Arrow tables with the contract's columns. The engine is
    DuckDB unless ``config.engine == "spark"`` or a SparkSession is passed as ``spark``.
    """
    config = config or AuditConfig()
    selected = list(FINDING_QUERIES) if kinds is None else [k for k in FINDING_QUERIES if k in set(kinds)]
    registries = load_registries(outlets=outlets, machines=machines, machine_status=machine_status,
                                 config=config)
    prepared = prepared_store(records, config, reject_path)
    with prepared as store:
        engine = make_engine(config, spark)
        try:
            engine.set_registries(registries)
            timings: dict[str, float] = {}
            findings, metrics = _run(engine, store, config, selected, timings)
        finally:
            engine.close()
    return AuditResult(
        findings=findings,
        metrics=metrics,
        risk=risk_scores(findings, metrics, registries["machines"], config),
        engine=engine.name,
        rows_rejected=prepared.rows_rejected,
        reject_path=prepared.reject_path,
        fields_nulled=prepared.fields_nulled,
        field_issues_path=prepared.field_issues_path,
        timings=timings,
    )
