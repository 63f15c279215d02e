"""The one exception hierarchy of parcel_audit.

Every error the library raises on purpose derives from :class:`ParcelAuditError`, so callers (the
platform's background job, the CLI) can catch one class and report it.
"""

from __future__ import annotations

__all__ = ["ConfigError", "EngineError", "InputError", "ParcelAuditError", "SchemaError"]


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


class EngineError(ParcelAuditError):
    """The SQL engine (DuckDB or Spark) failed or is not available."""
