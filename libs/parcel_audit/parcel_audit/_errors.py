"""The one exception hierarchy of parcel_audit.

Every error the library raises on purpose derives from :class:`ParcelAuditError`, so callers (the
platform's background job, the CLI) can catch one class and report it.
"""

from __future__ import annotations

__all__ = ["BatchRefused", "ConfigError", "EngineError", "InputError", "ParcelAuditError", "SchemaError"]


class ParcelAuditError(Exception):
    """Base class of every error raised by parcel_audit."""


class ConfigError(ParcelAuditError):
    """An :class:`AuditConfig` value is out of range or inconsistent."""


class InputError(ParcelAuditError):
    """An input path or table cannot be used (missing file, unknown format, empty store)."""


class SchemaError(InputError):
    """A file lacks a required column of the data contract; the whole file is refused."""

    def __init__(self, source: str, missing: list[str]) -> None:
        self.source = source
        self.missing = missing
        super().__init__(f"{source}: missing required column(s): {', '.join(missing)}")


class BatchRefused(InputError):
    """Too many rows have bad required fields: nothing of the file was stored. The reject file is kept."""

    def __init__(self, source: str, rows: int, rejected: int, share: float, reasons: dict[str, int],
                 reject_path: object) -> None:
        self.source, self.rows, self.rejected, self.share = source, rows, rejected, share
        self.reasons, self.reject_path = reasons, reject_path
        listed = ", ".join(f"{k}: {v}" for k, v in reasons.items())
        super().__init__(f"{source}: {rejected} of {rows} rows have bad required fields (more than "
                         f"{share:.0%}); nothing was stored. Reasons: {listed}. Rejected rows: {reject_path}")


class EngineError(ParcelAuditError):
    """The SQL engine (DuckDB or Spark) failed or is not available."""
