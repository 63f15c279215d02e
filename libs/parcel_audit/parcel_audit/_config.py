"""Configuration: thresholds, targets, severities, brands and engine settings."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

from parcel_audit._errors import ConfigError

__all__ = ["DEFAULT_BRANDS", "AuditConfig", "Severity"]

Severity = Literal["low", "medium", "high"]

DEFAULT_BRANDS: frozenset[str] = frozenset({"SF", "EMS", "ZTO", "YTO", "STO", "YD", "JT", "DBL", "JD"})

# Severity of the kinds whose severity does not depend on a measured shortfall.
_DEFAULT_SEVERITIES: Mapping[str, Severity] = MappingProxyType(
    {
        "SCREENED_WHILE_DOWN": "high",
        "SCREENED_BEFORE_ACCEPTED": "high",
        "UNKNOWN_MACHINE": "high",
        "OVER_CAPACITY": "medium",
        "SENDER_SPREAD": "medium",
    }
)

# Points a finding adds to its outlet's risk score, by severity.
_DEFAULT_RISK_POINTS: Mapping[Severity, float] = MappingProxyType({"low": 5.0, "medium": 15.0, "high": 40.0})

_OTHER_BRAND = re.compile(r"^[A-Z0-9]{2,8}$")


@dataclass(frozen=True, slots=True)
class AuditConfig:
    """Everything an analysis run can be tuned with. The defaults are the contract's.

    ``low_bands``: a LOW_* finding's shortfall (target rate minus actual rate) below ``low_bands[0]``
    is ``low``, below ``low_bands[1]`` is ``medium``, else ``high``.
    ``allow_other_brands``: besides ``known_brands``, accept any code matching ``^[A-Z0-9]{2,8}$``.
    ``chunk_days``: analyse this many ``accept_date`` partitions at a time (``None``: all at once).
    ``max_reject_share``: refuse a whole file when more than this share of its rows have bad required
    fields (``None``: never refuse, store the good rows).
    """

    sender_min_outlets: int = 5
    realname_target: float = 1.0
    inspection_target: float = 1.0
    screening_target: float = 1.0
    severities: Mapping[str, Severity] = field(default_factory=lambda: dict(_DEFAULT_SEVERITIES))
    low_bands: tuple[float, float] = (0.05, 0.20)
    risk_points: Mapping[Severity, float] = field(default_factory=lambda: dict(_DEFAULT_RISK_POINTS))
    risk_compliance_weight: float = 100.0
    known_brands: frozenset[str] = DEFAULT_BRANDS
    allow_other_brands: bool = True
    engine: Literal["duckdb", "spark"] = "duckdb"
    spark_master: str = "local[*]"
    duckdb_memory_limit: str = "1GB"
    duckdb_threads: int | None = None
    duckdb_temp_directory: str | None = None
    chunk_days: int | None = None
    max_reject_share: float | None = None
    progress: bool = False

    def __post_init__(self) -> None:
        if self.sender_min_outlets < 2:
            raise ConfigError("sender_min_outlets must be at least 2")
        for name in ("realname_target", "inspection_target", "screening_target"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ConfigError(f"{name} must be within [0, 1], got {value}")
        low, medium = self.low_bands
        if not 0.0 < low <= medium <= 1.0:
            raise ConfigError("low_bands must satisfy 0 < low <= medium <= 1")
        for kind, severity in self.severities.items():
            if severity not in ("low", "medium", "high"):
                raise ConfigError(f"severity of {kind} must be low, medium or high, got {severity!r}")
        if self.engine not in ("duckdb", "spark"):
            raise ConfigError(f"engine must be 'duckdb' or 'spark', got {self.engine!r}")
        if self.max_reject_share is not None and not 0 <= self.max_reject_share <= 1:
            raise ConfigError("max_reject_share must be between 0 and 1")
        if self.chunk_days is not None and self.chunk_days < 1:
            raise ConfigError("chunk_days must be at least 1")
        if self.duckdb_threads is not None and self.duckdb_threads < 1:
            raise ConfigError("duckdb_threads must be at least 1")
        bad = [b for b in self.known_brands if not _OTHER_BRAND.match(b)]
        if bad:
            raise ConfigError(f"brand codes must match ^[A-Z0-9]{{2,8}}$: {sorted(bad)}")

    def severity_of(self, kind: str) -> Severity:
        try:
            return self.severities[kind]
        except KeyError:
            return _DEFAULT_SEVERITIES[kind]

    def shortfall_severity(self, shortfall: float) -> Severity:
        low, medium = self.low_bands
        if shortfall < low:
            return "low"
        if shortfall < medium:
            return "medium"
        return "high"
