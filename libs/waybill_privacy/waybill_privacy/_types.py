"""Value types of the public API: policies, kinds of personal data, findings, results."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ._errors import FieldKindError, PolicyError


class Policy(StrEnum):
    """Masking policy of ``contracts.md`` section 4."""

    STANDARD = "standard"
    STRICT = "strict"

    @classmethod
    def parse(cls, value: Policy | str) -> Policy:
        """Return the policy named by ``value``; raise :class:`PolicyError` for unknown names."""
        if isinstance(value, Policy):
            return value
        try:
            return cls(str(value).strip().lower())
        except ValueError:
            raise PolicyError(f"unknown policy {value!r}; expected 'standard' or 'strict'") from None


class FieldKind(StrEnum):
    """Kind of personal data; the ``type`` of a finding."""

    NAME = "name"
    PHONE = "phone"
    ADDRESS = "address"
    ID_NUMBER = "id_number"

    @classmethod
    def parse(cls, value: FieldKind | str) -> FieldKind:
        """Return the kind named by ``value``; raise :class:`FieldKindError` for unknown names."""
        if isinstance(value, FieldKind):
            return value
        try:
            return cls(str(value).strip().lower())
        except ValueError:
            raise FieldKindError(
                f"unknown kind {value!r}; expected one of name, phone, address, id_number"
            ) from None


@dataclass(slots=True)
class Finding:
    """One item of personal data found in a text.

    ``start``/``end`` are character offsets into the audited text (end exclusive). ``subtype`` refines
    the type (``mobile``/``landline`` for phones, ``id18``/``id15`` for ID numbers, ``labelled``/``near_phone``/
    ``honorific`` for names). ``replacement`` is what the policy puts in ``masked_text``; ``reason`` says in
    plain Chinese why the item falls short of the standard (empty when it meets it).

    Read-only by convention: not frozen, because a frozen dataclass costs six times as much to build
    and an audit builds millions of these.
    """

    type: FieldKind
    start: int
    end: int
    text: str
    masked: bool
    meets_standard: bool
    subtype: str = ""
    replacement: str = ""
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The finding exactly as ``contracts.md`` section 4 shapes it."""
        return {
            "type": str(self.type),
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "masked": self.masked,
            "meets_standard": self.meets_standard,
        }


@dataclass(slots=True)
class AuditResult:
    """The audit of one text: its findings (in text order), the masked text, and compliance.

    Read-only by convention (not frozen, for speed; see :class:`Finding`).
    """

    text: str
    findings: tuple[Finding, ...]
    masked_text: str
    policy: Policy = Policy.STANDARD
    id: str | None = None

    @property
    def compliant(self) -> bool:
        """True when every finding meets the de-identification standard."""
        return all(f.meets_standard for f in self.findings)

    @property
    def reasons(self) -> tuple[str, ...]:
        """Why the text is not compliant: one plain-Chinese sentence per failing finding."""
        return tuple(f.reason for f in self.findings if not f.meets_standard)

    def summary(self) -> str:
        """One line in Chinese, e.g. ``不合规：手机号显示11位中的11位…；姓名完整显示``."""
        if self.compliant:
            return "合规：未发现未去标识化的个人信息" if not self.findings else "合规：个人信息均已去标识化"
        return "不合规：" + "；".join(self.reasons)

    def to_dict(self) -> dict[str, Any]:
        """The result exactly as ``contracts.md`` section 4 shapes it (``id`` only when known)."""
        out: dict[str, Any] = {}
        if self.id is not None:
            out["id"] = self.id
        out["findings"] = [f.to_dict() for f in self.findings]
        out["masked_text"] = self.masked_text
        out["compliant"] = self.compliant
        return out


@dataclass(frozen=True, slots=True)
class BatchAudit:
    """The audit of several texts, with the counts a compliance report needs."""

    results: tuple[AuditResult, ...]
    problem_counts: Mapping[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return len(self.results)

    @property
    def compliant_count(self) -> int:
        return sum(1 for r in self.results if r.compliant)

    @property
    def compliant_share(self) -> float:
        """Share of compliant texts (1.0 for an empty batch: nothing was found wrong)."""
        return self.compliant_count / self.total if self.results else 1.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "compliant": self.compliant_count,
            "compliant_share": round(self.compliant_share, 6),
            "problems": dict(self.problem_counts),
            "non_compliant_ids": [r.id for r in self.results if not r.compliant and r.id is not None],
        }
