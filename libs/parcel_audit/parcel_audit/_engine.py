"""The two SQL engines behind one small interface: DuckDB (embedded default) and Spark.

Both expose the same four relations to the analysis SQL: ``parcels`` (the normalised store, possibly
restricted to a chunk), ``machines``, ``machine_status`` (with ``window_start``/``window_end`` instead
of the reserved words ``start``/``end``) and ``outlets``. Timestamps are wall-clock Asia/Shanghai
values without a zone on both engines (DuckDB ``TIMESTAMP``, Spark ``TIMESTAMP_NTZ``), so no rule
depends on a session time zone; Spark's session time zone is nevertheless pinned to Asia/Shanghai.
"""

from __future__ import annotations

import tempfile
from abc import ABC, abstractmethod
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from parcel_audit._config import AuditConfig
from parcel_audit._errors import EngineError

__all__ = ["DuckDBEngine", "Engine", "SparkEngine", "make_engine"]

TIME_ZONE = "Asia/Shanghai"
_REGISTRIES = ("outlets", "machines", "machine_status")


class Engine(ABC):
    """Runs the analysis SQL against the parcels store and the registries."""

    name: str

    @abstractmethod
    def set_registries(self, tables: dict[str, pa.Table]) -> None: ...

    @abstractmethod
    def set_parcels(self, partitions: Sequence[Path], where: str | None = None) -> None:
        """Expose the given ``accept_date=...`` partition directories as ``parcels``."""

    @abstractmethod
    def materialise(self, name: str, sql: str) -> None: ...

    @abstractmethod
    def rows(self, sql: str) -> list[tuple[Any, ...]]: ...

    @abstractmethod
    def close(self) -> None: ...


def duckdb_connect(config: AuditConfig) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with the configured memory limit, threads and local time zone."""
    conn = duckdb.connect(":memory:")
    conn.execute(f"SET TimeZone = '{TIME_ZONE}'")
    conn.execute(f"SET memory_limit = '{config.duckdb_memory_limit}'")
    conn.execute("SET preserve_insertion_order = false")
    if config.duckdb_threads is not None:
        conn.execute(f"SET threads = {int(config.duckdb_threads)}")
    # Spill files go to the system temporary directory, never into the working directory.
    temp = config.duckdb_temp_directory or str(Path(tempfile.gettempdir()) / "parcel_audit_duckdb")
    conn.execute(f"SET temp_directory = '{temp.replace(chr(39), chr(39) * 2)}'")
    return conn


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


class DuckDBEngine(Engine):
    name = "duckdb"

    def __init__(self, config: AuditConfig) -> None:
        self._conn = duckdb_connect(config)
        # Spark's slice(array, start, length); the one function the portable subset adds to DuckDB.
        self._conn.execute("CREATE OR REPLACE MACRO slice(l, s, n) AS list_slice(l, s, s + n - 1)")

    def set_registries(self, tables: dict[str, pa.Table]) -> None:
        for name in _REGISTRIES:
            self._conn.register(f"_{name}_arrow", tables[name])
            self._conn.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM _{name}_arrow")
            self._conn.unregister(f"_{name}_arrow")

    def set_parcels(self, partitions: Sequence[Path], where: str | None = None) -> None:
        if not partitions:
            raise EngineError("no parcel partitions to analyse")
        files = ", ".join(_sql_string(str(p / "*.parquet")) for p in partitions)
        query = (
            f"SELECT * FROM read_parquet([{files}], hive_partitioning = true, "
            "hive_types = {'accept_date': DATE})"
        )
        if where:
            query += f" WHERE {where}"
        self._conn.execute(f"CREATE OR REPLACE TEMP VIEW parcels AS {query}")

    def materialise(self, name: str, sql: str) -> None:
        self._run(f"CREATE OR REPLACE TEMP TABLE {name} AS {sql}")

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        try:
            return self._conn.execute(sql).fetchall()
        except duckdb.Error as exc:
            raise EngineError(f"DuckDB failed: {exc}") from exc

    def _run(self, sql: str) -> None:
        try:
            self._conn.execute(sql)
        except duckdb.Error as exc:
            raise EngineError(f"DuckDB failed: {exc}") from exc

    def close(self) -> None:
        self._conn.close()


def spark_session(master: str) -> Any:
    """A SparkSession set up the way the portable SQL needs it."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise EngineError("the Spark engine needs pyspark (pip install 'parcel-audit[spark]')") from exc
    builder: Any = SparkSession.builder
    return (
        builder.master(master)
        .appName("parcel_audit")
        .config("spark.sql.session.timeZone", TIME_ZONE)
        .config("spark.sql.timestampType", "TIMESTAMP_NTZ")
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )


class SparkEngine(Engine):
    name = "spark"

    def __init__(self, config: AuditConfig, session: Any = None) -> None:
        self._spark = session if session is not None else spark_session(config.spark_master)
        # Whoever created the session, the SQL needs these two settings.
        self._spark.conf.set("spark.sql.session.timeZone", TIME_ZONE)
        self._spark.conf.set("spark.sql.timestampType", "TIMESTAMP_NTZ")
        self._tmp = tempfile.TemporaryDirectory(prefix="parcel_audit_spark_")
        self._cached: list[Any] = []

    def set_registries(self, tables: dict[str, pa.Table]) -> None:
        # Through Parquet, so that zone-less Arrow timestamps arrive as TIMESTAMP_NTZ.
        for name in _REGISTRIES:
            path = Path(self._tmp.name) / f"{name}.parquet"
            pq.write_table(tables[name], path)
            self._spark.read.parquet(str(path)).createOrReplaceTempView(name)

    def set_parcels(self, partitions: Sequence[Path], where: str | None = None) -> None:
        if not partitions:
            raise EngineError("no parcel partitions to analyse")
        base = str(partitions[0].parent)
        df = self._spark.read.option("basePath", base).parquet(*(str(p) for p in partitions))
        if where:
            df = df.where(where)
        df.createOrReplaceTempView("parcels")

    def materialise(self, name: str, sql: str) -> None:
        df = self._spark.sql(sql).cache()
        df.count()
        self._cached.append(df)
        df.createOrReplaceTempView(name)

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        try:
            return [tuple(row) for row in self._spark.sql(sql).collect()]
        except Exception as exc:
            raise EngineError(f"Spark failed: {exc}") from exc

    def close(self) -> None:
        for df in self._cached:
            df.unpersist()
        self._tmp.cleanup()


def make_engine(config: AuditConfig, spark: Any = None) -> Engine:
    if spark is not None or config.engine == "spark":
        return SparkEngine(config, spark)
    return DuckDBEngine(config)
