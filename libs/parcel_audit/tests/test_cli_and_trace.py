"""The command line end to end, and tracing one waybill and one sender."""

from __future__ import annotations

import datetime as dt
import json

import pyarrow.parquet as pq
import pytest
from parcel_audit import generate_city, ingest, read_findings, trace_sender, trace_waybill
from parcel_audit.cli import main


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli")
    assert main(["generate", "--parcels", "2500", "--out", str(out / "city"), "--seed", "2", "--days", "3"]) == 0
    return out


def test_generate_ingest_analyze_writes_the_ground_truth_as_jsonl_and_parquet(city, capsys):
    c = city / "city"
    assert main(["ingest", str(c / "records.parquet"), "--store", str(city / "store")]) == 0
    assert "written 2500" in capsys.readouterr().out
    for out in ("findings.jsonl", "findings.parquet"):
        code = main(["analyze", "--records", str(city / "store"), "--outlets", str(c / "outlets.csv"),
                     "--machines", str(c / "machines.csv"), "--machine-status", str(c / "machine_status.csv"),
                     "--out", str(city / out), "--metrics", str(city / "metrics.csv"),
                     "--risk", str(city / "risk.json")])
        assert code == 0
        assert read_findings(city / out) == read_findings(c / "expected_findings.jsonl")
    line = json.loads((city / "findings.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert list(line) == ["kind", "subject_type", "subject_id", "window_start", "window_end", "count",
                          "severity", "waybills"]
    assert line["window_start"].endswith("+08:00")
    assert pq.read_schema(city / "findings.parquet").names == list(line)
    risk = json.loads((city / "risk.json").read_text(encoding="utf-8"))
    assert risk[0]["score"] > 0 and risk[0]["contributions"]


def test_trace_prints_the_parcel_and_the_findings_that_involve_it(city, capsys):
    c = city / "city"
    findings = read_findings(c / "expected_findings.jsonl")
    down = next(f for f in findings if f.kind == "SCREENED_WHILE_DOWN" and f.window_end is None)
    waybill = down.waybills[0]
    capsys.readouterr()
    assert main(["trace", waybill, "--records", str(city / "store"), "--machines", str(c / "machines.csv"),
                 "--machine-status", str(c / "machine_status.csv"), "--outlets", str(c / "outlets.csv"),
                 "--findings", str(c / "expected_findings.jsonl")]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["record"]["waybill_no"] == waybill
    assert data["machine"]["machine_id"] == down.subject_id
    assert any(w["status"] == "broken" for w in data["status_windows"])
    assert [f["kind"] for f in data["findings"]] == ["SCREENED_WHILE_DOWN"]


def test_tracing_an_unknown_waybill_fails_with_status_one(city, capsys):
    assert main(["trace", "NO-SUCH-WAYBILL", "--records", str(city / "store")]) == 1
    assert "not found" in capsys.readouterr().err


def test_bad_input_is_reported_without_a_traceback(tmp_path, capsys):
    assert main(["ingest", str(tmp_path / "missing.csv"), "--store", str(tmp_path / "s")]) == 1
    assert "error" in capsys.readouterr().err


def test_the_prog_name_can_be_the_platforms(capsys):
    with pytest.raises(SystemExit):
        main(["--help"], prog="parcelguard parcels")
    assert capsys.readouterr().out.startswith("usage: parcelguard parcels")


def test_trace_sender_returns_every_parcel_of_the_sender_in_the_period(tmp_path):
    generated = generate_city(tmp_path, parcels=1500, seed=9, days=3)
    ingest(generated.records, tmp_path / "store")
    spread = next(f for f in generated.expected if f.kind == "SENDER_SPREAD")
    assert spread.window_start is not None
    day = spread.window_start.date()
    parcels = trace_sender(spread.subject_id, tmp_path / "store", start=day, end=day)
    assert sorted(parcels.column("waybill_no").to_pylist()) == sorted(spread.waybills)
    assert len(set(parcels.column("outlet_id").to_pylist())) == spread.count
    before = trace_sender(spread.subject_id, tmp_path / "store", start=day - dt.timedelta(days=5),
                          end=day - dt.timedelta(days=1))
    assert before.num_rows == 0


def test_trace_waybill_lists_the_outlet_day_finding_of_a_non_compliant_parcel(tmp_path):
    generated = generate_city(tmp_path, parcels=1500, seed=9, days=3)
    ingest(generated.records, tmp_path / "store")
    low = next(f for f in generated.expected if f.kind == "LOW_REALNAME")
    trace = trace_waybill(low.waybills[0], tmp_path / "store", findings=generated.expected)
    assert trace is not None
    assert trace.record["realname_verified"] is False
    assert [f.kind for f in trace.findings] == ["LOW_REALNAME"]
    involved = {w for f in generated.expected for w in f.waybills}
    subjects = {f.subject_id for f in generated.expected}
    records = pq.read_table(generated.records).to_pylist()
    bystander = next(r for r in records if r["waybill_no"] not in involved and r["outlet_id"] not in subjects
                     and r["screening_machine_id"] not in subjects and r["sender_id_hash"] not in subjects)
    clean = trace_waybill(bystander["waybill_no"], tmp_path / "store", findings=generated.expected)
    assert clean is not None and clean.findings == []
