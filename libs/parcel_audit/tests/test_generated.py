"""The generated city: every seeded anomaly is found, and nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest
from parcel_audit import FINDING_KINDS, AuditConfig, analyze, generate_city, ingest, read_findings


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    out = tmp_path_factory.mktemp("city")
    generated = generate_city(out, parcels=4000, seed=11, days=4)
    ingest(generated.records, out / "store", reject_path=out / "rejects.csv")
    return generated, out / "store"


def test_the_city_seeds_an_anomaly_of_every_kind_including_a_broken_machine_still_screening(city):
    generated, _ = city
    assert {f.kind for f in generated.expected} == set(FINDING_KINDS)
    assert any(f.kind == "SCREENED_WHILE_DOWN" and f.window_end is None for f in generated.expected)
    assert read_findings(generated.ground_truth) == generated.expected


def test_every_seeded_anomaly_is_found_and_no_other_finding(city):
    generated, store = city
    result = analyze(store, machines=generated.machines, machine_status=generated.machine_status,
                     outlets=generated.outlets)
    assert result.findings == generated.expected


def test_analysing_day_by_day_gives_the_same_findings_and_metrics(city):
    generated, store = city
    whole = analyze(store, machines=generated.machines, machine_status=generated.machine_status)
    chunked = analyze(store, machines=generated.machines, machine_status=generated.machine_status,
                      config=AuditConfig(chunk_days=1))
    assert chunked.findings == whole.findings
    assert chunked.metrics == whole.metrics


def test_generation_is_deterministic_for_a_seed(tmp_path):
    a = generate_city(tmp_path / "a", parcels=1500, seed=3, days=2)
    b = generate_city(tmp_path / "b", parcels=1500, seed=3, days=2)
    c = generate_city(tmp_path / "c", parcels=1500, seed=4, days=2)
    assert Path(a.records).read_bytes() == Path(b.records).read_bytes()
    assert a.expected == b.expected
    assert a.expected != c.expected


def test_a_csv_city_analyses_like_a_parquet_one(tmp_path):
    generated = generate_city(tmp_path, parcels=1500, seed=5, days=2, records_format="csv")
    result = analyze(generated.records, machines=generated.machines, machine_status=generated.machine_status)
    assert result.rows_rejected == 0
    assert result.findings == generated.expected
