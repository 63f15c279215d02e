"""parcel_audit: the three-systems analysis of express parcel records (实名收寄、收寄验视、过机安检).

Ingest contract files into a partitioned Parquet store, run the finding rules (portable SQL on DuckDB
or Spark), score outlets and trace parcels. No framework imports; see docs/parcel_audit.md.
"""

from parcel_audit._analyze import AuditResult, OutletDayMetrics, analyze
from parcel_audit._config import DEFAULT_BRANDS, AuditConfig, Severity
from parcel_audit._errors import (
    BatchRefused,
    ConfigError,
    EngineError,
    InputError,
    ParcelAuditError,
    SchemaError,
)
from parcel_audit._findings import Finding, read_findings, write_findings
from parcel_audit._generate import GeneratedCity, generate_city
from parcel_audit._ingest import IngestReport, ingest
from parcel_audit._risk import RiskContribution, RiskScore
from parcel_audit._schema import FINDING_KINDS
from parcel_audit._trace import WaybillTrace, trace_sender, trace_waybill

__all__ = [
    "DEFAULT_BRANDS",
    "FINDING_KINDS",
    "AuditConfig",
    "AuditResult",
    "BatchRefused",
    "ConfigError",
    "EngineError",
    "Finding",
    "GeneratedCity",
    "IngestReport",
    "InputError",
    "OutletDayMetrics",
    "ParcelAuditError",
    "RiskContribution",
    "RiskScore",
    "SchemaError",
    "Severity",
    "WaybillTrace",
    "analyze",
    "generate_city",
    "ingest",
    "read_findings",
    "trace_sender",
    "trace_waybill",
    "write_findings",
]

__version__ = "0.1.0"
