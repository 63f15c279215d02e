"""Loading the analysis SQL files and filling in their parameters.

The ``.sql`` files in ``parcel_audit/sql/`` are written in a portable subset that DuckDB and Spark SQL
both run unchanged (see docs/parcel_audit.md, "The portable SQL subset"). The only templating is
``${name}`` for numeric parameters, which are rendered as typed literals here and nowhere else.
"""

from __future__ import annotations

import re
import string
from functools import cache
from importlib import resources

from parcel_audit._config import AuditConfig

__all__ = ["FINDING_QUERIES", "query_scope", "render"]

# Finding kind -> SQL file, in contract order.
FINDING_QUERIES: dict[str, str] = {
    "SCREENED_WHILE_DOWN": "screened_while_down",
    "OVER_CAPACITY": "over_capacity",
    "SCREENED_BEFORE_ACCEPTED": "screened_before_accepted",
    "UNKNOWN_MACHINE": "unknown_machine",
    "SENDER_SPREAD": "sender_spread",
    "LOW_REALNAME": "low_realname",
    "LOW_INSPECTION": "low_inspection",
    "LOW_SCREENING": "low_screening",
}

_SCOPE = re.compile(r"^-- scope: (accept_date|screened_at|outlet_day)$", re.MULTILINE)


@cache
def _text(name: str) -> str:
    return resources.files("parcel_audit").joinpath("sql", f"{name}.sql").read_text(encoding="utf-8")


def query_scope(name: str) -> str:
    """Which slice of the parcels a query reads: ``accept_date``, ``screened_at`` or ``outlet_day``."""
    match = _SCOPE.search(_text(name))
    if match is None:  # pragma: no cover - every shipped file declares its scope
        raise ValueError(f"{name}.sql declares no scope")
    return match.group(1)


def _double(value: float) -> str:
    return f"CAST({float(value)!r} AS DOUBLE)"


def render(name: str, config: AuditConfig) -> str:
    """The SQL text of ``name`` with the configured parameters filled in."""
    params = {
        "sender_min_outlets": str(int(config.sender_min_outlets)),
        "realname_target": _double(config.realname_target),
        "inspection_target": _double(config.inspection_target),
        "screening_target": _double(config.screening_target),
    }
    return string.Template(_text(name)).substitute(params)
