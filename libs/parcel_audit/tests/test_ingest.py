"""Ingestion of parcel record files: validation, rejects with reasons, normalisation, idempotency."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from parcel_audit import AuditConfig, SchemaError, ingest

HEADER = ("waybill_no,brand,outlet_id,accepted_at,sender_id_hash,realname_verified,inspected,inspector_id,"
          "screening_machine_id,screened_at,screening_result,item_category,dest_county_code")
GOOD_HASH = "ab" * 32


def write_csv(path: Path, *lines: str, header: str = HEADER) -> Path:
    path.write_text("\n".join((header, *lines)) + "\n", encoding="utf-8")
    return path


def stored(store: Path) -> list[dict]:
    rows = duckdb.sql(
        f"SELECT * FROM read_parquet('{store}/*/*.parquet', hive_partitioning = true) ORDER BY waybill_no"
    ).fetchall()
    names = [c for c in duckdb.sql(
        f"DESCRIBE SELECT * FROM read_parquet('{store}/*/*.parquet', hive_partitioning = true)").fetchall()]
    return [dict(zip([n[0] for n in names], r, strict=True)) for r in rows]


def rejects(path: Path) -> dict[str, str]:
    with path.open(encoding="utf-8") as handle:
        return {row["waybill_no"] or f"row{row['source_row']}": row["reject_reason"]
                for row in csv.DictReader(handle)}


BAD_BATCH = (
    f"GOOD1,SF,O1,2026-11-01 10:00:00,{GOOD_HASH},true,true,I1,M1,2026-11-01 10:05:00,pass,daily,350302",
    "GOOD2,zto,O1,2026-11-01T02:00:00Z,,1,0,,,,,,",
    "BADTIME,SF,O1,2026-11-31 10:00:00,,true,true,,M1,,pass,,350302",
    "BADSCAN,SF,O1,2026-11-01 10:00:00,,true,true,,M1,yesterday,pass,,350302",
    "BADBRAND,sf express,O1,2026-11-01 10:00:00,,true,true,,M1,,pass,,350302",
    "NOOUTLET,SF,,2026-11-01 10:00:00,,true,true,,M1,,pass,,350302",
    "NOTIME,SF,O1,,,true,true,,M1,,pass,,350302",
    "GOOD1,SF,O2,2026-11-01 11:00:00,,true,true,,M1,,pass,,350302",
    "BADBOOL,SF,O1,2026-11-01 10:00:00,,maybe,true,,M1,,pass,,350302",
    "RAWID,SF,O1,2026-11-01 10:00:00,350302199001011234,true,true,,M1,,pass,,350302",
    "BADRESULT,SF,O1,2026-11-01 10:00:00,,true,true,,M1,,ok,,350302",
    "BADCOUNTY,SF,O1,2026-11-01 10:00:00,,true,true,,M1,,pass,,3503",
    ",SF,O1,2026-11-01 10:00:00,,true,true,,M1,,pass,,350302",
    "OTHERBRAND,KYE,O1,2026-11-01 23:59:59,,true,true,,M1,2026-11-02 00:00:10,pass,,350302",
)


def test_each_kind_of_bad_row_is_rejected_with_its_reason_and_the_good_rows_land(tmp_path):
    source = write_csv(tmp_path / "batch.csv", *BAD_BATCH)
    report = ingest(source, tmp_path / "store", reject_path=tmp_path / "rejects.csv")
    assert rejects(tmp_path / "rejects.csv") == {
        "BADTIME": "bad_timestamp:accepted_at",
        "BADBRAND": "unknown_brand",
        "NOOUTLET": "missing_value:outlet_id",
        "NOTIME": "missing_value:accepted_at",
        "GOOD1": "duplicate_waybill",
        "BADBOOL": "bad_boolean:realname_verified",
        "row13": "missing_value:waybill_no",
    }
    # A malformed OPTIONAL field never drops the parcel: kept, the field empty, the row reported.
    assert [r["waybill_no"] for r in stored(tmp_path / "store")] == [
        "BADCOUNTY", "BADRESULT", "BADSCAN", "GOOD1", "GOOD2", "OTHERBRAND", "RAWID"]
    assert (report.rows_read, report.rows_written, report.rows_rejected) == (14, 7, 7)
    assert report.fields_nulled == {"bad_county_code": 1, "bad_screening_result": 1, "bad_sender_hash": 1,
                                    "bad_timestamp:screened_at": 1}
    with report.field_issues_path.open(encoding="utf-8") as handle:
        issues = {row["waybill_no"]: row["nulled_fields"] for row in csv.DictReader(handle)}
    assert issues == {"BADSCAN": "bad_timestamp:screened_at", "RAWID": "bad_sender_hash",
                      "BADRESULT": "bad_screening_result", "BADCOUNTY": "bad_county_code"}
    kept = {r["waybill_no"]: r for r in stored(tmp_path / "store")}
    assert kept["RAWID"]["sender_id_hash"] is None and kept["BADSCAN"]["screened_at"] is None
    assert kept["BADRESULT"]["screening_result"] is None and kept["BADCOUNTY"]["dest_county_code"] is None
    assert report.rejects_by_reason["duplicate_waybill"] == 1
    assert report.dates == (dt.date(2026, 11, 1),)


def test_the_first_of_two_rows_with_one_waybill_number_is_kept(tmp_path):
    write_csv(tmp_path / "batch.csv", *BAD_BATCH)
    ingest(tmp_path / "batch.csv", tmp_path / "store", reject_path=tmp_path / "r.csv")
    [good1] = [r for r in stored(tmp_path / "store") if r["waybill_no"] == "GOOD1"]
    assert good1["outlet_id"] == "O1"


def test_a_raw_id_number_in_the_sender_hash_never_reaches_any_file(tmp_path):
    write_csv(tmp_path / "batch.csv", *BAD_BATCH, "RAWID2,SF,,2026-11-01 10:00:00,350302199001011234,true,true,,M1,,pass,,")
    report = ingest(tmp_path / "batch.csv", tmp_path / "store", reject_path=tmp_path / "r.csv")
    for path in (tmp_path / "r.csv", report.field_issues_path):
        text = path.read_text(encoding="utf-8")
        assert "350302199001011234" not in text
        assert "<redacted>" in text
    assert "350302199001011234" not in str(stored(tmp_path / "store"))


def test_a_file_with_too_many_bad_required_fields_is_refused_whole_and_its_rejects_are_kept(tmp_path):
    from parcel_audit import BatchRefused

    write_csv(tmp_path / "batch.csv", *BAD_BATCH)
    with pytest.raises(BatchRefused) as exc:
        ingest(tmp_path / "batch.csv", tmp_path / "store", reject_path=tmp_path / "r.csv",
               config=AuditConfig(max_reject_share=0.2))
    assert exc.value.rejected == 7 and exc.value.rows == 14 and "missing_value:outlet_id" in str(exc.value)
    assert str(tmp_path / "r.csv") in str(exc.value) and len(rejects(tmp_path / "r.csv")) == 7
    assert not list((tmp_path / "store").glob("accept_date=*"))  # nothing stored
    report = ingest(tmp_path / "batch.csv", tmp_path / "store", reject_path=tmp_path / "r2.csv",
                    config=AuditConfig(max_reject_share=0.6))
    assert report.rows_written == 7


def test_good_rows_are_normalised_to_local_time_with_accept_date_and_hour(tmp_path):
    write_csv(tmp_path / "batch.csv", *BAD_BATCH)
    ingest(tmp_path / "batch.csv", tmp_path / "store", reject_path=tmp_path / "r.csv")
    rows = {r["waybill_no"]: r for r in stored(tmp_path / "store")}
    good2 = rows["GOOD2"]
    assert good2["accepted_at"] == dt.datetime(2026, 11, 1, 10, 0)  # 02:00Z is 10:00 in Shanghai
    assert (good2["accept_date"], good2["accept_hour"]) == (dt.date(2026, 11, 1), 10)
    assert (good2["brand"], good2["realname_verified"], good2["inspected"]) == ("ZTO", True, False)
    assert good2["screening_machine_id"] is None
    late = rows["OTHERBRAND"]
    assert (late["accept_date"], late["accept_hour"]) == (dt.date(2026, 11, 1), 23)
    assert late["screened_at"] == dt.datetime(2026, 11, 2, 0, 0, 10)


def test_the_same_batch_sent_twice_adds_nothing(tmp_path):
    write_csv(tmp_path / "batch.csv", *BAD_BATCH)
    first = ingest(tmp_path / "batch.csv", tmp_path / "store", reject_path=tmp_path / "r1.csv")
    before = stored(tmp_path / "store")
    second = ingest(tmp_path / "batch.csv", tmp_path / "store", reject_path=tmp_path / "r2.csv")
    assert stored(tmp_path / "store") == before
    assert (second.rows_written, second.rows_already_present) == (0, first.rows_written)
    assert second.rows_rejected == first.rows_rejected


def test_an_overlapping_batch_adds_only_its_new_waybills(tmp_path):
    write_csv(tmp_path / "a.csv", BAD_BATCH[0], BAD_BATCH[1])
    write_csv(tmp_path / "b.csv", BAD_BATCH[1],
              "NEW,SF,O1,2026-11-03 10:00:00,,true,true,,M1,2026-11-03 10:05:00,pass,,350302")
    ingest(tmp_path / "a.csv", tmp_path / "store", reject_path=tmp_path / "r.csv")
    report = ingest(tmp_path / "b.csv", tmp_path / "store", reject_path=tmp_path / "r.csv")
    assert (report.rows_written, report.rows_already_present, report.dates) == (1, 1, (dt.date(2026, 11, 3),))
    assert [r["waybill_no"] for r in stored(tmp_path / "store")] == ["GOOD1", "GOOD2", "NEW"]


def test_a_file_missing_a_required_column_is_refused_whole(tmp_path):
    header = HEADER.replace("inspected,", "")
    write_csv(tmp_path / "batch.csv", "W1,SF,O1,2026-11-01 10:00:00,,true,,M1,,pass,,350302", header=header)
    with pytest.raises(SchemaError) as info:
        ingest(tmp_path / "batch.csv", tmp_path / "store")
    assert info.value.missing == ["inspected"]
    assert not list((tmp_path / "store").glob("accept_date=*"))


def test_optional_columns_may_be_absent(tmp_path):
    write_csv(tmp_path / "batch.csv", "W1,SF,O1,2026-11-01 10:00:00,true,true",
              header="waybill_no,brand,outlet_id,accepted_at,realname_verified,inspected")
    report = ingest(tmp_path / "batch.csv", tmp_path / "store")
    assert report.rows_written == 1
    assert stored(tmp_path / "store")[0]["screening_machine_id"] is None


def test_unknown_brands_can_be_refused_when_others_are_not_allowed(tmp_path):
    write_csv(tmp_path / "batch.csv", *BAD_BATCH)
    config = AuditConfig(allow_other_brands=False)
    ingest(tmp_path / "batch.csv", tmp_path / "store", reject_path=tmp_path / "r.csv", config=config)
    assert rejects(tmp_path / "r.csv")["OTHERBRAND"] == "unknown_brand"


def test_parquet_input_with_typed_columns_and_zoned_timestamps_is_accepted(tmp_path):
    table = pa.table({
        "waybill_no": ["P1", "P2"],
        "brand": ["SF", "JD"],
        "outlet_id": ["O1", "O1"],
        "accepted_at": pa.array([dt.datetime(2026, 11, 1, 16, 30, tzinfo=dt.UTC),
                                 dt.datetime(2026, 11, 1, 1, 0, tzinfo=dt.UTC)], pa.timestamp("us", "UTC")),
        "realname_verified": [True, True],
        "inspected": [True, None],
    })
    pq.write_table(table, tmp_path / "batch.parquet")
    report = ingest(tmp_path / "batch.parquet", tmp_path / "store", reject_path=tmp_path / "r.csv")
    assert (report.rows_written, report.rows_rejected) == (1, 1)
    [p1] = stored(tmp_path / "store")
    assert (p1["accepted_at"], p1["accept_date"]) == (dt.datetime(2026, 11, 2, 0, 30), dt.date(2026, 11, 2))
    assert rejects(tmp_path / "r.csv") == {"P2": "missing_value:inspected"}


def test_the_store_is_partitioned_by_accept_date_with_a_bloom_filter_on_waybill_no(tmp_path):
    write_csv(tmp_path / "batch.csv", *BAD_BATCH)
    ingest(tmp_path / "batch.csv", tmp_path / "store", reject_path=tmp_path / "r.csv")
    assert [p.name for p in sorted((tmp_path / "store").glob("accept_date=*"))] == ["accept_date=2026-11-01"]
    meta = duckdb.sql(
        f"SELECT bloom_filter_offset FROM parquet_metadata('{tmp_path}/store/*/*.parquet') "
        "WHERE path_in_schema = 'waybill_no'").fetchall()
    assert meta and all(offset is not None for (offset,) in meta)


def test_analyze_of_a_file_keeps_a_parcel_with_a_bad_hash_and_the_cli_is_honest_about_rejects(tmp_path, capsys):
    """Issue 19 item 14: a sender hash that is not 64 hex digits no longer makes the parcel vanish; the
    rejects of a records file survive the run and the exit status says some rows were not analysed."""
    from parcel_audit import analyze
    from parcel_audit.cli import main

    lines = [f"W{i},SF,O1,2026-11-01 10:{i:02d}:00,{'zz' if i == 0 else GOOD_HASH},true,true,,,,,," for i in range(5)]
    source = write_csv(tmp_path / "batch.csv", *lines)
    (tmp_path / "machines.csv").write_text("machine_id,site_id,capacity_per_hour\n", encoding="utf-8")
    (tmp_path / "status.csv").write_text("machine_id,status,start,end\n", encoding="utf-8")
    (tmp_path / "outlets.csv").write_text("outlet_id,brand,name,county_code,kind,opens,closes\n"
                                          "O1,SF,网点,350302,outlet,,\n", encoding="utf-8")
    registries = {"machines": tmp_path / "machines.csv", "machine_status": tmp_path / "status.csv"}
    result = analyze(source, **registries)
    assert result.rows_rejected == 0 and result.fields_nulled == {"bad_sender_hash": 1}
    assert result.reject_path is None
    (day,) = [m for m in result.metrics if m.outlet_id == "O1"]
    assert day.parcels == 5  # the parcel with the bad hash counts in every rate

    args = ["analyze", "--records", str(source), "--machines", str(tmp_path / "machines.csv"),
            "--machine-status", str(tmp_path / "status.csv"), "--outlets", str(tmp_path / "outlets.csv"), "--out", str(tmp_path / "f.jsonl")]
    assert main(args) == 0
    assert "bad_sender_hash" in capsys.readouterr().err
    write_csv(source, *lines, "W9,SF,,2026-11-01 11:00:00,,true,true,,,,,,")
    assert main([*args, "--rejects", str(tmp_path / "kept.csv")]) == 1
    err = capsys.readouterr().err
    assert "NOT analysed" in err and str(tmp_path / "kept.csv") in err
    assert "missing_value:outlet_id" in (tmp_path / "kept.csv").read_text(encoding="utf-8")
    assert main(args) == 1  # without --rejects the file is kept too, and named
    kept = err_path = capsys.readouterr().err.split(" in ")[-1].strip()
    assert Path(kept).is_file() and err_path.endswith(".csv")
    Path(kept).unlink()
