"""Ingestion: validate parcel records, reject bad rows with a reason, append good rows to the store.

The store is a directory of Parquet files partitioned by ``accept_date`` (``accept_date=YYYY-MM-DD/``),
written by DuckDB with a bloom filter on ``waybill_no`` and rows sorted by waybill number, so that
tracing one parcel reads a few row groups. Ingestion is idempotent by ``waybill_no``: a waybill that
is already in the store is skipped (counted, not rejected), so the same batch sent twice adds nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from parcel_audit._config import AuditConfig
from parcel_audit._engine import duckdb_connect
from parcel_audit._errors import BatchRefused, InputError, SchemaError
from parcel_audit._schema import RECORD_COLUMNS, REQUIRED_RECORD_COLUMNS
from parcel_audit._sources import Source, local_timestamp, relation_sql, source_name, source_types

__all__ = ["IngestReport", "ingest", "store_partitions"]

_TRUE = "('true', 't', '1', 'yes', 'y')"
_HASH_OK = "regexp_full_match(LOWER(raw_sender_id_hash), '[0-9a-f]{64}')"
_RESULT_OK = "LOWER(raw_screening_result) IN ('pass', 'suspect', 'reject')"
_COUNTY_OK = "regexp_full_match(raw_dest_county_code, '[0-9]{6}')"
_FALSE = "('false', 'f', '0', 'no', 'n')"


@dataclass(frozen=True, slots=True)
class IngestReport:
    """What one ingestion did. ``dates`` are the ``accept_date`` partitions that received rows."""

    source: str
    rows_read: int
    rows_written: int
    rows_rejected: int
    rows_already_present: int
    reject_path: Path
    rejects_by_reason: dict[str, int] = field(default_factory=dict)
    dates: tuple[dt.date, ...] = ()
    fields_nulled: dict[str, int] = field(default_factory=dict)
    """Rows KEPT with a malformed optional field stored as NULL, by issue (``bad_sender_hash`` ...);
    each such row is listed in ``field_issues_path``."""
    field_issues_path: Path | None = None


def store_partitions(store: Path) -> list[Path]:
    """The ``accept_date=...`` directories of a store that hold Parquet files, in date order."""
    return sorted(p for p in store.glob("accept_date=*") if p.is_dir() and any(p.glob("*.parquet")))


@contextlib.contextmanager
def _store_lock(store: Path) -> Iterator[None]:
    store.mkdir(parents=True, exist_ok=True)
    with (store / ".ingest.lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _staging_sql(relation: str, types: dict[str, str]) -> str:
    """Raw text of every contract column (for the reject file and text parsing) and, where the source
    column is already typed (Parquet, Arrow), the native value, which skips parsing text."""

    def text(c: str) -> str:
        return "CAST(NULL AS VARCHAR)" if c not in types else f"NULLIF(TRIM(CAST(\"{c}\" AS VARCHAR)), '')"

    def timestamp(c: str) -> str:
        if types.get(c, "").startswith("TIMESTAMP"):
            return f'CAST("{c}" AS TIMESTAMP)'  # a TIMESTAMPTZ is converted to Asia/Shanghai here
        return local_timestamp(text(c))

    def boolean(c: str) -> str:
        if types.get(c) == "BOOLEAN":
            return f'"{c}"'
        low = f"LOWER({text(c)})"
        return f"CASE WHEN {low} IN {_TRUE} THEN true WHEN {low} IN {_FALSE} THEN false END"

    raw = ",\n".join(f"{text(c)} AS raw_{c}" for c in RECORD_COLUMNS)
    # Parquet and Arrow sources carry their row number; CSV rows are numbered in file order, a
    # window that buffers the batch (CSV batches are the small ones).
    row = "__source_row" if "__source_row" in types else "row_number() OVER ()"
    return f"""SELECT {row} AS source_row, {raw},
        {timestamp('accepted_at')} AS nat_accepted_at, {timestamp('screened_at')} AS nat_screened_at,
        {boolean('realname_verified')} AS nat_realname_verified, {boolean('inspected')} AS nat_inspected
    FROM {relation}"""


def _typed_sql(config: AuditConfig) -> str:
    known = ", ".join("'" + b + "'" for b in sorted(config.known_brands))
    brand_ok = f"brand IN ({known})"
    if config.allow_other_brands:
        brand_ok = f"({brand_ok} OR regexp_full_match(brand, '[A-Z0-9]{{2,8}}'))"

    reasons = [
        *(f"CASE WHEN raw_{c} IS NULL THEN 'missing_value:{c}' END" for c in REQUIRED_RECORD_COLUMNS),
        "CASE WHEN raw_accepted_at IS NOT NULL AND accepted_at IS NULL THEN 'bad_timestamp:accepted_at' END",
        "CASE WHEN raw_realname_verified IS NOT NULL AND realname_verified IS NULL "
        "THEN 'bad_boolean:realname_verified' END",
        "CASE WHEN raw_inspected IS NOT NULL AND inspected IS NULL THEN 'bad_boolean:inspected' END",
        f"CASE WHEN brand IS NOT NULL AND NOT {brand_ok} THEN 'unknown_brand' END",
    ]
    # A malformed OPTIONAL field never drops the parcel: the field is stored as NULL and reported.
    issues = [
        "CASE WHEN raw_screened_at IS NOT NULL AND nat_screened_at IS NULL THEN 'bad_timestamp:screened_at' END",
        f"CASE WHEN raw_screening_result IS NOT NULL AND NOT {_RESULT_OK} THEN 'bad_screening_result' END",
        f"CASE WHEN raw_dest_county_code IS NOT NULL AND NOT {_COUNTY_OK} THEN 'bad_county_code' END",
        f"CASE WHEN raw_sender_id_hash IS NOT NULL AND NOT {_HASH_OK} THEN 'bad_sender_hash' END",
    ]
    return f"""
    WITH typed AS (
        SELECT
            source_row, raw_waybill_no AS waybill_no, UPPER(raw_brand) AS brand, raw_outlet_id AS outlet_id,
            nat_accepted_at AS accepted_at,
            CASE WHEN {_HASH_OK} THEN LOWER(raw_sender_id_hash) END AS sender_id_hash,
            nat_realname_verified AS realname_verified,
            nat_inspected AS inspected,
            raw_inspector_id AS inspector_id,
            raw_screening_machine_id AS screening_machine_id,
            nat_screened_at AS screened_at,
            CASE WHEN {_RESULT_OK} THEN LOWER(raw_screening_result) END AS screening_result,
            raw_item_category AS item_category,
            CASE WHEN {_COUNTY_OK} THEN raw_dest_county_code END AS dest_county_code,
            staged.*
        FROM staged
    )
    SELECT *, concat_ws(';', {", ".join(reasons)}) AS reasons,
        concat_ws(';', {", ".join(issues)}) AS field_issues FROM typed
    """


_STORE_SELECT = """
    waybill_no, brand, outlet_id, accepted_at, sender_id_hash, realname_verified, inspected,
    inspector_id, screening_machine_id, screened_at, screening_result, item_category, dest_county_code,
    CAST(hour(accepted_at) AS INTEGER) AS accept_hour, CAST(accepted_at AS DATE) AS accept_date
"""

# DuckDB writes a bloom filter only for dictionary-encoded columns, so the dictionary limit is raised
# above the row group size: every waybill_no column chunk gets dictionary encoding and a bloom filter.
_PARQUET_OPTIONS = (
    "FORMAT parquet, PARTITION_BY (accept_date), APPEND true, FILENAME_PATTERN 'part-{uuid}', "
    "COMPRESSION snappy, ROW_GROUP_SIZE 122880, DICTIONARY_SIZE_LIMIT 200000, "
    "BLOOM_FILTER_FALSE_POSITIVE_RATIO 0.01"
)


def _reject_path(store: Path, source: Source) -> Path:
    stem = "arrow" if not isinstance(source, (str, Path)) else Path(source).name.split(".")[0]
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    return store / "_rejects" / f"{stem}-{stamp}.csv"


def ingest(
    source: Source,
    store: str | Path,
    *,
    reject_path: str | Path | None = None,
    config: AuditConfig | None = None,
) -> IngestReport:
    """Validate ``source`` (CSV, Parquet or Arrow table of contract section 1) into ``store``.

    A file missing a required column is refused whole (:class:`SchemaError`). Otherwise each row
    either lands in the store, is skipped because its waybill is already there, or is written to the
    reject file (CSV: ``source_row``, ``reject_reason``, then the raw values) with every reason that
    applies, separated by ``;``. Only REQUIRED fields reject a row: a malformed optional field
    (``sender_id_hash`` not 64 hex digits, ``screened_at``, ``screening_result``, ``dest_county_code``) is
    stored as NULL, the parcel is kept, and the row is listed in ``field_issues_path`` and counted in
    ``fields_nulled``. A malformed sender hash is never stored nor written out (it may be a raw ID
    number: ``<redacted>``). When more than ``config.max_reject_share`` of the rows are rejected, the
    whole file is refused (:class:`BatchRefused`, naming the reasons and the reject file, which is kept).
    """
    config = config or AuditConfig()
    store = Path(store)
    rejects = Path(reject_path) if reject_path is not None else _reject_path(store, source)
    conn = duckdb_connect(config)
    conn.execute("SET preserve_insertion_order = true")
    try:
        with _store_lock(store):
            return _ingest(conn, source, store, rejects, config)
    except duckdb.Error as exc:
        raise InputError(f"{source_name(source)}: {exc}") from exc
    finally:
        conn.close()


def _ingest(
    conn: duckdb.DuckDBPyConnection, source: Source, store: Path, rejects: Path, config: AuditConfig
) -> IngestReport:
    relation = relation_sql(conn, source, "_source", row_numbers=True)
    types = source_types(conn, relation)
    missing = [c for c in REQUIRED_RECORD_COLUMNS if c not in types]
    if missing:
        raise SchemaError(source_name(source), missing)
    # Views, not tables: the source is scanned a few times instead of being held in memory.
    conn.execute(f"CREATE TEMP VIEW staged AS {_staging_sql(relation, types)}")
    conn.execute(f"CREATE TEMP VIEW checked AS {_typed_sql(config)}")
    # Duplicates within the batch: the first valid occurrence wins, later ones are rejected.
    conn.execute(
        """CREATE TEMP TABLE first_of_dup AS SELECT waybill_no, MIN(source_row) AS keep FROM checked
        WHERE reasons = '' GROUP BY waybill_no HAVING COUNT(*) > 1"""
    )
    conn.execute(
        """
        CREATE TEMP VIEW judged AS
        SELECT c.*, CASE
            WHEN c.reasons <> '' THEN c.reasons
            WHEN d.keep IS NOT NULL AND c.source_row <> d.keep THEN 'duplicate_waybill'
            ELSE '' END AS reject_reason
        FROM checked c LEFT JOIN first_of_dup d ON c.waybill_no = d.waybill_no
        """
    )
    partitions = store_partitions(store)
    if partitions:
        files = ", ".join(_quote(p / "*.parquet") for p in partitions)
        conn.execute(
            f"""CREATE TEMP TABLE present AS SELECT j.waybill_no FROM judged j
            SEMI JOIN read_parquet([{files}], hive_partitioning = false) s ON j.waybill_no = s.waybill_no
            WHERE j.reject_reason = ''"""
        )
    else:
        conn.execute("CREATE TEMP TABLE present (waybill_no VARCHAR)")
    conn.execute(
        """CREATE TEMP VIEW good AS SELECT * FROM judged WHERE reject_reason = ''
        AND waybill_no NOT IN (SELECT waybill_no FROM present)"""
    )
    conn.execute(
        "CREATE TEMP TABLE rejected AS SELECT * FROM judged WHERE reject_reason <> ''"
    )
    counts = conn.execute(
        "SELECT (SELECT COUNT(*) FROM staged), (SELECT COUNT(*) FROM present), (SELECT COUNT(*) FROM rejected)"
    ).fetchall()
    rows_read, rows_present, rows_rejected = (int(v) for v in counts[0])
    rows_written = rows_read - rows_present - rows_rejected
    redacted = (f"CASE WHEN raw_sender_id_hash IS NOT NULL AND NOT {_HASH_OK} THEN '<redacted>' "
                "ELSE raw_sender_id_hash END AS sender_id_hash")  # it may be a raw ID number
    raw_columns = ", ".join(redacted if c == "sender_id_hash" else f"raw_{c} AS {c}" for c in RECORD_COLUMNS)
    # The reject file is written first and kept whatever happens next: it is how the sender learns why.
    rejects.parent.mkdir(parents=True, exist_ok=True)
    conn.execute(
        f"COPY (SELECT source_row, reject_reason, {raw_columns} FROM rejected ORDER BY source_row) TO {_quote(rejects)} (FORMAT csv, HEADER true)"
    )
    by_reason: dict[str, int] = {}
    for (reasons,) in conn.execute("SELECT reject_reason FROM rejected").fetchall():
        for reason in str(reasons).split(";"):
            by_reason[reason] = by_reason.get(reason, 0) + 1
    by_reason = dict(sorted(by_reason.items()))
    share = config.max_reject_share
    if share is not None and rows_read and rows_rejected / rows_read > share:
        raise BatchRefused(source_name(source), rows_read, rows_rejected, share, by_reason, rejects)
    nulled: dict[str, int] = {}
    for (issues,) in conn.execute("SELECT field_issues FROM good WHERE field_issues <> ''").fetchall():
        for issue in str(issues).split(";"):
            nulled[issue] = nulled.get(issue, 0) + 1
    issues_path: Path | None = None
    if nulled:
        issues_path = rejects.with_name(rejects.stem + ".fields.csv")
        conn.execute(
            f"COPY (SELECT source_row, waybill_no, field_issues AS nulled_fields, {raw_columns} FROM good "
            f"WHERE field_issues <> '' ORDER BY source_row) TO {_quote(issues_path)} (FORMAT csv, HEADER true)"
        )
    dates: tuple[dt.date, ...] = ()
    if rows_written:
        # Sorted by waybill number within each day, so that row groups hold disjoint ranges and a
        # lookup is pruned by min/max statistics before any bloom filter is read.
        conn.execute(
            f"COPY (SELECT {_STORE_SELECT} FROM good ORDER BY accept_date, waybill_no) "
            f"TO {_quote(store)} ({_PARQUET_OPTIONS})"
        )
        dates = tuple(d for (d,) in conn.execute(
            "SELECT DISTINCT CAST(accepted_at AS DATE) AS d FROM good ORDER BY d").fetchall())
    return IngestReport(
        source=source_name(source),
        rows_read=rows_read,
        rows_written=rows_written,
        rows_rejected=rows_rejected,
        rows_already_present=rows_present,
        reject_path=rejects,
        rejects_by_reason=by_reason,
        dates=dates,
        fields_nulled=dict(sorted(nulled.items())),
        field_issues_path=issues_path,
    )
