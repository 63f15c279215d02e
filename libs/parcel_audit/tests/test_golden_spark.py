"""Golden test: the same SQL files on DuckDB and on PySpark (local) give identical results.

One SparkSession for the module (local[1], 2 shuffle partitions, no UI). Skipped only when pyspark or
Java is missing from the machine.
"""

from __future__ import annotations

import logging
import shutil

import pytest
from parcel_audit import AuditConfig, analyze, generate_city, ingest

pyspark = pytest.importorskip("pyspark")
if shutil.which("java") is None:  # pragma: no cover - depends on the machine
    pytest.skip("Spark needs Java", allow_module_level=True)


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[1]")
        .appName("parcel_audit_golden")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "1")
        .config("spark.sql.session.timeZone", "UTC")  # the engine must pin Asia/Shanghai itself
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
    # py4j closes its gateway connection from a finaliser at interpreter exit, after pytest has closed the
    # captured streams: its INFO line would print a logging traceback
    logging.getLogger("py4j").setLevel(logging.WARNING)


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    out = tmp_path_factory.mktemp("golden")
    generated = generate_city(out, parcels=2000, seed=21, days=3)
    ingest(generated.records, out / "store", reject_path=out / "rejects.csv")
    return generated, out / "store"


def results(records, machines, status, **kwargs):
    result = analyze(records, machines=machines, machine_status=status, **kwargs)
    return result.findings, result.metrics, result.risk


def test_duckdb_and_spark_agree_on_the_generated_city_and_on_its_ground_truth(spark, city):
    generated, store = city
    duck = results(store, generated.machines, generated.machine_status)
    on_spark = results(store, generated.machines, generated.machine_status, spark=spark)
    assert on_spark == duck
    assert on_spark[0] == generated.expected


def test_duckdb_and_spark_agree_on_the_edges_whole_and_day_by_day(spark, table_builders, parcel):
    b = table_builders
    rows = [
        # status window edges: at start (in), at end (out), open window
        parcel("E1", screened_at="2026-11-01 10:00:00"),
        parcel("E2", screened_at="2026-11-01 11:00:00"),
        parcel("E3", screening_machine_id="M2", accepted_at="2026-11-02 23:00:00",
               screened_at="2026-11-02 23:30:00"),
        # over capacity in the last minute of the day and the first of the next
        *[parcel(f"C{i}", screening_machine_id="M3", accepted_at="2026-11-01 23:50:00",
                 screened_at=f"2026-11-01 23:59:{10 + i:02d}") for i in range(3)],
        *[parcel(f"D{i}", screening_machine_id="M3", accepted_at="2026-11-01 23:55:00",
                 screened_at=f"2026-11-02 00:00:{10 + i:02d}") for i in range(3)],
        # unknown machine screened after midnight; screened before accepted
        parcel("U1", screening_machine_id="GHOST", accepted_at="2026-11-01 23:59:00",
               screened_at="2026-11-02 00:01:00"),
        parcel("B1", accepted_at="2026-11-01 12:00:00", screened_at="2026-11-01 11:59:59"),
        # compliance
        parcel("R1", realname_verified=False), parcel("I1", inspected=False, screening_result="suspect"),
        parcel("S1", screening_machine_id=None, screened_at=None, screening_result=None),
        *[parcel(f"SP{i}", outlet_id=f"O{i}", sender_id_hash="e" * 64) for i in range(5)],
    ]
    records = b["records"](rows)
    machines = b["machines"](("M1", "O1", 600), ("M2", "O1", 600), ("M3", "O9", 120))
    status = b["status"](("M1", "offline", "2026-11-01 10:00:00", "2026-11-01 11:00:00"),
                         ("M2", "broken", "2026-11-02 00:00:00", None))
    for config in (AuditConfig(), AuditConfig(chunk_days=1)):
        duck = results(records, machines, status, config=config)
        on_spark = results(records, machines, status, config=config, spark=spark)
        assert on_spark == duck
        assert {f.kind for f in duck[0]} == {
            "SCREENED_WHILE_DOWN", "OVER_CAPACITY", "SCREENED_BEFORE_ACCEPTED", "UNKNOWN_MACHINE",
            "SENDER_SPREAD", "LOW_REALNAME", "LOW_INSPECTION", "LOW_SCREENING"}
