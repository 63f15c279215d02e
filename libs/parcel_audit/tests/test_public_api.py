"""The public surface of parcel_audit is pinned: changing it is a deliberate act."""

from __future__ import annotations

import inspect

import parcel_audit
from parcel_audit import cli


def test_the_package_exports_exactly_its_public_api():
    assert sorted(parcel_audit.__all__) == sorted([
        "DEFAULT_BRANDS", "FINDING_KINDS", "AuditConfig", "AuditResult", "BatchRefused", "ConfigError", "EngineError",
        "Finding", "GeneratedCity", "IngestReport", "InputError", "OutletDayMetrics", "ParcelAuditError",
        "RiskContribution", "RiskScore", "SchemaError", "Severity", "WaybillTrace", "analyze",
        "generate_city", "ingest", "read_findings", "trace_sender", "trace_waybill", "write_findings",
    ])
    for name in parcel_audit.__all__:
        assert hasattr(parcel_audit, name)


def test_every_exported_member_is_defined_in_a_private_module():
    for name in parcel_audit.__all__:
        module = getattr(getattr(parcel_audit, name), "__module__", "parcel_audit._x")
        if module.startswith("typing"):
            continue
        assert module.startswith("parcel_audit._"), (name, module)


def test_every_error_derives_from_the_one_base_class():
    for name in ("ConfigError", "EngineError", "InputError", "SchemaError", "BatchRefused"):
        assert issubclass(getattr(parcel_audit, name), parcel_audit.ParcelAuditError)
    assert issubclass(parcel_audit.SchemaError, parcel_audit.InputError)


def test_the_entry_points_keep_their_signatures():
    assert str(inspect.signature(parcel_audit.analyze)) == (
        "(records: 'Source', *, machines: 'Source', machine_status: 'Source', outlets: 'Source | None' = None, "
        "config: 'AuditConfig | None' = None, spark: 'Any' = None, kinds: 'Iterable[str] | None' = None, "
        "reject_path: 'str | Path | None' = None) -> 'AuditResult'"
    )
    assert str(inspect.signature(parcel_audit.ingest)) == (
        "(source: 'Source', store: 'str | Path', *, reject_path: 'str | Path | None' = None, "
        "config: 'AuditConfig | None' = None) -> 'IngestReport'"
    )
    assert str(inspect.signature(cli.main)) == (
        "(argv: 'list[str] | None' = None, prog: 'str' = 'parcel-audit') -> 'int'"
    )
    assert cli.__all__ == ["main"]


def test_the_finding_fields_are_the_contracts():
    fields = [f.name for f in parcel_audit.Finding.__dataclass_fields__.values()]
    assert fields == ["kind", "subject_type", "subject_id", "window_start", "window_end", "count", "severity",
                      "waybills"]
