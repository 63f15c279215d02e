"""Reading contract files (CSV or Parquet) and Arrow tables into DuckDB, and the registries."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TypeAlias

import duckdb
import pyarrow as pa

from parcel_audit._config import AuditConfig
from parcel_audit._engine import duckdb_connect
from parcel_audit._errors import InputError, SchemaError

__all__ = ["Source", "describe_source", "load_registries", "relation_sql", "source_name", "source_types"]

Source: TypeAlias = str | os.PathLike[str] | pa.Table  # noqa: UP040 - usable in isinstance-free unions at runtime


def source_name(source: Source) -> str:
    return "<arrow table>" if isinstance(source, pa.Table) else str(source)


def relation_sql(conn: duckdb.DuckDBPyConnection, source: Source, alias: str, *, row_numbers: bool = False) -> str:
    """A FROM-clause for ``source``; CSV is read as text so that validation sees every raw value.

    With ``row_numbers``, Parquet and Arrow sources get a 1-based ``__source_row`` column (CSV rows are
    numbered by the caller, in file order)."""
    if isinstance(source, pa.Table):
        if row_numbers:
            source = source.append_column("__source_row", pa.array(range(1, source.num_rows + 1), pa.int64()))
        conn.register(alias, source)
        return alias
    path = Path(source)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    quoted = "'" + str(path).replace("'", "''") + "'"
    suffixes = "".join(path.suffixes[-2:]).lower()
    if suffixes.endswith((".csv", ".csv.gz", ".txt")):
        return f"read_csv({quoted}, header = true, all_varchar = true, delim = ',', quote = '\"')"
    if suffixes.endswith(".parquet"):
        if row_numbers:
            return (
                "(SELECT * EXCLUDE (file_row_number), file_row_number + 1 AS __source_row "
                f"FROM read_parquet({quoted}, file_row_number = true))"
            )
        return f"read_parquet({quoted})"
    raise InputError(f"{path}: unknown format (expected .csv or .parquet)")


def describe_source(conn: duckdb.DuckDBPyConnection, relation: str) -> list[str]:
    return list(source_types(conn, relation))


def source_types(conn: duckdb.DuckDBPyConnection, relation: str) -> dict[str, str]:
    """Column name -> DuckDB type name of a relation."""
    try:
        return {row[0]: str(row[1]) for row in conn.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()}
    except duckdb.Error as exc:
        raise InputError(f"cannot read {relation}: {exc}") from exc


def _require(name: str, columns: list[str], required: tuple[str, ...]) -> None:
    missing = [c for c in required if c not in columns]
    if missing:
        raise SchemaError(name, missing)


def _text(column: str, columns: list[str]) -> str:
    if column not in columns:
        return "CAST(NULL AS VARCHAR)"
    return f"NULLIF(TRIM(CAST(\"{column}\" AS VARCHAR)), '')"


def local_timestamp(expr: str) -> str:
    """Parse text as a timestamp: with an offset it is converted, without one it is Asia/Shanghai."""
    return f"CAST(TRY_CAST({expr} AS TIMESTAMPTZ) AS TIMESTAMP)"


def _load(conn: duckdb.DuckDBPyConnection, source: Source, kind: str) -> pa.Table:
    relation = relation_sql(conn, source, f"_{kind}_src")
    columns = describe_source(conn, relation)
    name = source_name(source)
    if kind == "outlets":
        _require(name, columns, ("outlet_id",))
        select = ", ".join(
            f"{_text(c, columns)} AS {c}"
            for c in ("outlet_id", "brand", "name", "county_code", "kind", "opens", "closes")
        )
        check = "outlet_id IS NULL"
    elif kind == "machines":
        _require(name, columns, ("machine_id", "site_id", "capacity_per_hour"))
        select = (
            f"{_text('machine_id', columns)} AS machine_id, {_text('site_id', columns)} AS site_id, "
            f"TRY_CAST({_text('capacity_per_hour', columns)} AS BIGINT) AS capacity_per_hour"
        )
        check = "machine_id IS NULL OR capacity_per_hour IS NULL OR capacity_per_hour <= 0"
    else:
        _require(name, columns, ("machine_id", "status", "start", "end"))
        select = (
            f"{_text('machine_id', columns)} AS machine_id, LOWER({_text('status', columns)}) AS status, "
            f"{local_timestamp(_text('start', columns))} AS window_start, "
            f"{local_timestamp(_text('end', columns))} AS window_end, "
            f"{_text('end', columns)} AS _end_text"
        )
        check = (
            "machine_id IS NULL OR status NOT IN ('offline', 'maintenance', 'broken') OR window_start IS NULL"
            " OR (_end_text IS NOT NULL AND window_end IS NULL) OR window_end <= window_start"
        )
    conn.execute(f"CREATE OR REPLACE TEMP TABLE _{kind} AS SELECT {select} FROM {relation}")
    bad = conn.execute(f"SELECT COUNT(*) FROM _{kind} WHERE {check}").fetchall()
    if bad[0][0]:
        raise InputError(f"{name}: {bad[0][0]} invalid {kind} row(s) (missing id, bad number, status or time)")
    if kind == "machine_status":
        conn.execute("ALTER TABLE _machine_status DROP COLUMN _end_text")
    if kind == "machines":
        dup = conn.execute(
            "SELECT machine_id FROM _machines GROUP BY machine_id HAVING COUNT(*) > 1 LIMIT 1"
        ).fetchall()
        if dup:
            raise InputError(f"{name}: machine {dup[0][0]} is listed twice")
    return conn.sql(f"SELECT * FROM _{kind}").to_arrow_table()


_EMPTY: dict[str, pa.Schema] = {
    "outlets": pa.schema([(c, pa.string()) for c in ("outlet_id", "brand", "name", "county_code", "kind",
                                                      "opens", "closes")]),
    "machines": pa.schema([("machine_id", pa.string()), ("site_id", pa.string()),
                           ("capacity_per_hour", pa.int64())]),
    "machine_status": pa.schema([("machine_id", pa.string()), ("status", pa.string()),
                                 ("window_start", pa.timestamp("us")), ("window_end", pa.timestamp("us"))]),
}


def load_registries(
    *,
    outlets: Source | None,
    machines: Source,
    machine_status: Source,
    config: AuditConfig,
) -> dict[str, pa.Table]:
    """The three registries as Arrow tables with the engines' column names and types."""
    conn = duckdb_connect(config)
    try:
        tables = {
            "outlets": _EMPTY["outlets"].empty_table() if outlets is None else _load(conn, outlets, "outlets"),
            "machines": _load(conn, machines, "machines"),
            "machine_status": _load(conn, machine_status, "machine_status"),
        }
    finally:
        conn.close()
    return {name: table.cast(_EMPTY[name]) for name, table in tables.items()}
