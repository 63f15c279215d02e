"""Audit of free text: find every item, judge it against the de-identification standard, mask it."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from operator import attrgetter

from ._addresses import AddressItem, address_meets_standard, find_addresses, mask_address
from ._masking import mask_id_digits, mask_landline_digits, mask_mobile_digits
from ._names import NAME_MASK, NameItem, find_names
from ._numbers import NumberItem, find_numbers
from ._types import AuditResult, BatchAudit, FieldKind, Finding, Policy

_START = attrgetter("start")


def audit_text(text: str, *, policy: Policy | str = Policy.STANDARD, id: str | None = None) -> AuditResult:
    """Find the personal information in ``text`` and judge each item (``contracts.md`` section 4).

    Returns the findings in text order, the text masked under ``policy`` and, through
    :attr:`AuditResult.compliant`, whether every item meets the de-identification standard.
    """
    pol = Policy.parse(policy)
    strict = pol is Policy.STRICT
    numbers = find_numbers(text)
    num_spans = [(n.start, n.end) for n in numbers]
    phone_spans = [(n.start, n.end) for n in numbers if n.kind in ("mobile", "landline", "virtual")]
    names = find_names(text, phone_spans, num_spans)
    taken = sorted(num_spans + [(n.start, n.end) for n in names])
    addresses = find_addresses(text, taken) if _ADDRESS_HINT_RE.search(text) else []
    findings = [_number_finding(text, n, strict) for n in numbers]
    findings += [_name_finding(text, n) for n in names]
    findings += [_address_finding(text, a, strict) for a in addresses]
    findings.sort(key=_START)
    return AuditResult(
        text=text, findings=tuple(findings), masked_text=_apply(text, findings), policy=pol, id=id
    )


_ADDRESS_HINT_RE = re.compile("[路街道巷弄村组号幢栋室楼座址*＊]")


def _apply(text: str, findings: list[Finding]) -> str:
    if not findings:
        return text
    parts: list[str] = []
    pos = 0
    for f in findings:
        parts.append(text[pos : f.start])
        parts.append(f.replacement)
        pos = f.end
    parts.append(text[pos:])
    return "".join(parts)


def _number_finding(text: str, n: NumberItem, strict: bool) -> Finding:
    raw = text[n.start : n.end]
    hidden = n.value.count("*")
    if n.kind == "virtual":
        return Finding(FieldKind.PHONE, n.start, n.end, raw, True, True, "virtual", raw, "")
    if n.kind == "mobile":
        meets = hidden >= 6
        if hidden == 0:
            reason = "手机号完整显示（11位全部可见），应至少隐藏6位"
        else:
            reason = f"手机号显示11位中的{11 - hidden}位，未达到去标识化标准（至少隐藏6位）"
        return Finding(
            FieldKind.PHONE,
            n.start,
            n.end,
            raw,
            hidden > 0,
            meets,
            "mobile",
            mask_mobile_digits(n.value, strict),
            "" if meets else reason,
        )
    if n.kind == "landline":
        local = n.value[len(n.area) :]
        hidden = local.count("*")
        # A local number printed shorter than any real one (0790****73) cannot prove the 7-digit rule:
        # judged by what it hides, at least 6.
        meets = hidden >= (min(6, len(local) - 2) if len(local) >= 7 else 6)
        total = len(n.value)
        reason = (
            "固定电话完整显示"
            if hidden == 0
            else f"固定电话显示{total}位中的{total - hidden}位，未达到去标识化标准"
        )
        return Finding(
            FieldKind.PHONE,
            n.start,
            n.end,
            raw,
            hidden > 0,
            meets,
            "landline",
            mask_landline_digits(n.area, local, n.extension, strict),
            "" if meets else reason,
        )
    visible = sum(1 for c in n.value if c != "*")
    meets = visible == 0
    reason = (
        f"身份证号码完整显示（{len(n.value)}位），面单上不得出现身份证号码"
        if hidden == 0
        else f"身份证号码显示{len(n.value)}位中的{visible}位，面单上不得出现身份证号码"
    )
    return Finding(
        FieldKind.ID_NUMBER,
        n.start,
        n.end,
        raw,
        hidden > 0,
        meets,
        n.kind,
        mask_id_digits(n.value),
        "" if meets else reason,
    )


def _name_finding(text: str, n: NameItem) -> Finding:
    raw = text[n.start : n.end]
    if n.honorific:
        return Finding(FieldKind.NAME, n.start, n.end, raw, True, True, "honorific", raw, "")
    masked = any(c in NAME_MASK for c in raw)
    sl = n.surname_len
    replacement = raw[:sl] + "*" * (len(raw) - sl) if raw[0] not in NAME_MASK else "*" * len(raw)
    return Finding(
        FieldKind.NAME,
        n.start,
        n.end,
        raw,
        masked,
        masked,
        n.source,
        replacement,
        "" if masked else "姓名完整显示，应至少隐藏1个字",
    )


def _address_finding(text: str, a: AddressItem, strict: bool) -> Finding:
    raw = text[a.start : a.end]
    masked = "*" in raw or "＊" in raw
    meets = address_meets_standard(text, a)
    return Finding(
        FieldKind.ADDRESS,
        a.start,
        a.end,
        raw,
        masked,
        meets,
        "address",
        mask_address(text, a, strict),
        "" if meets else "地址显示了楼栋/单元/门牌号，应隐藏",
    )


def iter_audit(
    items: Iterable[tuple[str | None, str]], *, policy: Policy | str = Policy.STANDARD
) -> Iterator[AuditResult]:
    """Audit ``(id, text)`` pairs lazily, in order (for streams of any length)."""
    pol = Policy.parse(policy)
    for item_id, text in items:
        yield audit_text(text, policy=pol, id=item_id)


def audit_batch(
    items: Iterable[str | tuple[str | None, str]], *, policy: Policy | str = Policy.STANDARD
) -> BatchAudit:
    """Audit several texts (plain strings or ``(id, text)`` pairs) and count what is wrong.

    ``problem_counts`` counts failing findings by type (``phone``, ``name`` ...), for a report such as
    "32 of 50 samples compliant; 15 show full phone numbers".
    """
    pol = Policy.parse(policy)
    results: list[AuditResult] = []
    problems: Counter[str] = Counter()
    for item in items:
        item_id, text = (None, item) if isinstance(item, str) else item
        result = audit_text(text, policy=pol, id=item_id)
        results.append(result)
        problems.update(str(f.type) for f in result.findings if not f.meets_standard)
    return BatchAudit(results=tuple(results), problem_counts=dict(problems))
