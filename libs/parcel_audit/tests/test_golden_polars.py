"""Golden test: the benchmark's lazy Polars baseline (benchmarks/parcels/rules_polars.py) gives exactly
the library's findings, examples included, on a generated city with every kind of finding. A baseline
that drifted from the rules would make the benchmark's comparison meaningless."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from parcel_audit import FINDING_KINDS, AuditConfig, analyze, generate_city, ingest
from parcel_audit._findings import sort_findings

BASELINE = Path(__file__).resolve().parents[3] / "benchmarks" / "parcels" / "rules_polars.py"


def _baseline():
    spec = importlib.util.spec_from_file_location("rules_polars", BASELINE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_lazy_polars_baseline_finds_exactly_what_the_library_finds(tmp_path):
    generated = generate_city(tmp_path, parcels=6000, seed=23, days=5)
    ingest(generated.records, tmp_path / "store", reject_path=tmp_path / "rejects.csv")
    config = AuditConfig()
    ours = analyze(tmp_path / "store", machines=generated.machines, machine_status=generated.machine_status,
                   config=config).findings
    theirs = sort_findings(_baseline().analyze(tmp_path / "store", Path(generated.machines),
                                               Path(generated.machine_status), config))
    assert {f.kind for f in ours} == set(FINDING_KINDS)
    assert [f.to_dict() for f in theirs] == [f.to_dict() for f in ours]
