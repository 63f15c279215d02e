"""Findings (contract section 3) and their JSON Lines / Parquet files."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.parquet as pq

from parcel_audit._config import Severity
from parcel_audit._errors import InputError
from parcel_audit._schema import FINDING_KINDS

__all__ = ["FINDINGS_SCHEMA", "Finding", "read_findings", "sort_findings", "write_findings"]

SHANGHAI = ZoneInfo("Asia/Shanghai")
MAX_EXAMPLES = 20

FINDINGS_SCHEMA = pa.schema(
    [
        ("kind", pa.string()),
        ("subject_type", pa.string()),
        ("subject_id", pa.string()),
        ("window_start", pa.timestamp("us")),
        ("window_end", pa.timestamp("us")),
        ("count", pa.int64()),
        ("severity", pa.string()),
        ("waybills", pa.list_(pa.string())),
    ]
)


@dataclass(frozen=True, slots=True)
class Finding:
    """One finding. Times are naive local wall-clock (Asia/Shanghai); ``window_end`` is ``None`` for a
    status window that has not ended. ``waybills`` are up to 20 examples, the smallest numbers first."""

    kind: str
    subject_type: str
    subject_id: str
    window_start: dt.datetime | None
    window_end: dt.datetime | None
    count: int
    severity: Severity
    waybills: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """The contract's JSON form: times as ISO 8601 with the +08:00 offset."""
        return {
            "kind": self.kind,
            "subject_type": self.subject_type,
            "subject_id": self.subject_id,
            "window_start": _iso(self.window_start),
            "window_end": _iso(self.window_end),
            "count": self.count,
            "severity": self.severity,
            "waybills": list(self.waybills),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        return cls(
            kind=str(data["kind"]),
            subject_type=str(data["subject_type"]),
            subject_id=str(data["subject_id"]),
            window_start=_parse(data.get("window_start")),
            window_end=_parse(data.get("window_end")),
            count=int(data["count"]),
            severity=data["severity"],
            waybills=tuple(str(w) for w in data.get("waybills") or ()),
        )


def _iso(value: dt.datetime | None) -> str | None:
    return None if value is None else value.replace(tzinfo=SHANGHAI).isoformat()


def _parse(value: Any) -> dt.datetime | None:
    if value is None:
        return None
    parsed = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(SHANGHAI).replace(tzinfo=None)
    return parsed


_KIND_ORDER = {kind: i for i, kind in enumerate(FINDING_KINDS)}


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """The canonical order: contract kind order, subject, window start."""
    return sorted(
        findings,
        key=lambda f: (
            _KIND_ORDER.get(f.kind, len(_KIND_ORDER)),
            f.subject_id,
            f.window_start or dt.datetime.min,
            f.window_end or dt.datetime.max,
        ),
    )


def write_findings(findings: Sequence[Finding], path: str | Path) -> Path:
    """Write findings as JSON Lines (``.jsonl``/``.json``) or Parquet (``.parquet``) by extension."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".json", ".ndjson"):
        with path.open("w", encoding="utf-8") as handle:
            for finding in findings:
                handle.write(json.dumps(finding.to_dict(), ensure_ascii=False) + "\n")
    elif suffix == ".parquet":
        rows = [
            {**finding.to_dict(), "window_start": finding.window_start, "window_end": finding.window_end}
            for finding in findings
        ]
        pq.write_table(pa.Table.from_pylist(rows, schema=FINDINGS_SCHEMA), path)
    else:
        raise InputError(f"{path}: findings go to .jsonl or .parquet")
    return path


def read_findings(path: str | Path) -> list[Finding]:
    """Read a findings file written by :func:`write_findings`."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    if path.suffix.lower() == ".parquet":
        return [Finding.from_dict(row) for row in pq.read_table(path).to_pylist()]
    with path.open(encoding="utf-8") as handle:
        return [Finding.from_dict(json.loads(line)) for line in handle if line.strip()]
