"""Masking of single values and of structured waybill records under a policy."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from ._addresses import mask_address_value
from ._errors import FieldKindError
from ._names import surname_length
from ._numbers import _TRANSLATE
from ._tables import AREA_CODES
from ._types import FieldKind, Policy

#: A prepared record masker (see :func:`record_masker`).
type MaskFn = Callable[[Mapping[str, str | None]], dict[str, str | None]]
_STRIP = str.maketrans("", "", " \t\u3000-－()（）\r\n")

#: Column names ``mask_record`` recognises when no ``fields`` mapping is given.
DEFAULT_FIELDS: Mapping[str, FieldKind] = {
    **{
        f"{who}_{what}": kind
        for who in ("sender", "recipient", "receiver", "consignee", "shipper")
        for what, kind in (
            ("name", FieldKind.NAME),
            ("phone", FieldKind.PHONE),
            ("mobile", FieldKind.PHONE),
            ("tel", FieldKind.PHONE),
            ("address", FieldKind.ADDRESS),
            ("id_number", FieldKind.ID_NUMBER),
            ("id_no", FieldKind.ID_NUMBER),
        )
    },
    "name": FieldKind.NAME,
    "phone": FieldKind.PHONE,
    "mobile": FieldKind.PHONE,
    "address": FieldKind.ADDRESS,
    "id_number": FieldKind.ID_NUMBER,
}


def mask_name(value: str) -> str:
    """Keep the surname (two characters for 欧阳, 司马 ...), hide every other character."""
    v = value.strip()
    if not v:
        return value
    if len(v) == 1:
        return "*"
    sl = surname_length(v)
    if "·" not in v:
        return v[:sl] + "*" * (len(v) - sl)
    return v[:sl] + "".join("·" if c == "·" else "*" for c in v[sl:])  # 阿卜杜拉·买买提


def mask_mobile_digits(digits: str, strict: bool) -> str:
    """``1******5678`` (standard) or ``*******5678`` (strict) from 11 digits or ``*``."""
    return ("*" if strict else digits[0]) + "******" + digits[7:]


def mask_landline_digits(area: str, local: str, extension: str, strict: bool) -> str:
    """``0571-******88`` (standard: area code and last 2) or ``****-****8888`` (strict: last 4)."""
    if strict:
        head = "*" * len(area)
        body = "*" * max(len(local) - 4, 0) + local[-4:]
    else:
        head = area
        body = "*" * max(len(local) - 2, 0) + local[-2:]
    out = f"{head}-{body}" if head else body
    return f"{out}-{extension}" if extension else out


def _id_chars(value: str) -> str:
    """An ID field's characters: OCR confusions repaired, separators dropped, masks kept, ``X`` upper case."""
    return value.strip().translate(_STRIP).translate(_TRANSLATE).upper()


def mask_id_digits(value: str) -> str:
    """First 4 and last 4 characters kept, the rest ``*`` (all hidden when 8 or fewer)."""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str, strict: bool) -> str:
    """Mask a phone field: mobile, landline (with area code and extension) or anything else."""
    if len(value) == 11 and value[0] == "1" and value.isdigit():  # the usual case, fast
        return mask_mobile_digits(value, strict)
    raw = value.strip()
    ext = ""
    for sep in ("转", "分机", "ext", "EXT"):
        if sep in raw:
            raw, _, ext = raw.partition(sep)
            ext = ext.strip().translate(_TRANSLATE)
            break
    d = raw.translate(_TRANSLATE).translate(_STRIP)
    if d.startswith("+86"):
        d = d[3:]
    elif d.startswith("0086"):
        d = d[4:]
    elif d.startswith("86") and len(d) == 13:
        d = d[2:]
    if len(d) == 11 and d[0] == "1":
        return mask_mobile_digits(d, strict) + (f"转{ext}" if ext else "")
    if d[:1] == "0":
        for alen in (3, 4):
            if d[:alen] in AREA_CODES and 7 <= len(d) - alen <= 8:
                return mask_landline_digits(d[:alen], d[alen:], ext, strict)
    if len(d) <= 4:
        return "*" * len(d)
    keep = 4 if strict or len(d) >= 10 else 2
    return "*" * (len(d) - keep) + d[-keep:]


def mask_value(value: str, kind: FieldKind | str, policy: Policy | str = Policy.STANDARD) -> str:
    """Mask one structured value of a known kind (``name``, ``phone``, ``address``, ``id_number``).

    The value is trusted to be of that kind: a phone field that is not a recognisable number still has
    all but its last digits hidden, an address with no recognisable parts is hidden entirely after its
    division chain.
    """
    k = FieldKind.parse(kind)
    strict = Policy.parse(policy) is Policy.STRICT
    if not value or value.isspace():
        return value
    if k is FieldKind.NAME:
        return mask_name(value)
    if k is FieldKind.PHONE:
        return mask_phone(value, strict)
    if k is FieldKind.ID_NUMBER:
        return mask_id_digits(_id_chars(value))
    return mask_address_value(value, strict)


def parse_fields(spec: str | Mapping[str, FieldKind | str] | None) -> dict[str, FieldKind]:
    """Column → kind mapping from ``{"sender_name": "name"}`` or ``"name=sender_name,phone=sender_phone"``.

    In the string form each item is ``KIND=COLUMN`` (the CLI's ``--columns``).
    """
    if spec is None:
        return dict(DEFAULT_FIELDS)
    if isinstance(spec, str):
        out: dict[str, FieldKind] = {}
        for item in filter(None, (p.strip() for p in spec.split(","))):
            kind, eq, column = item.partition("=")
            if not eq or not column.strip():
                raise FieldKindError(f"column mapping {item!r} is not KIND=COLUMN")
            out[column.strip()] = FieldKind.parse(kind)
        if not out:
            raise FieldKindError("empty column mapping")
        return out
    return {col: FieldKind.parse(kind) for col, kind in spec.items()}


def mask_record(
    record: Mapping[str, str | None],
    *,
    policy: Policy | str = Policy.STANDARD,
    fields: Mapping[str, FieldKind | str] | None = None,
) -> dict[str, str | None]:
    """A copy of ``record`` with its personal-data columns masked; other columns unchanged.

    ``fields`` maps column names to kinds; by default the usual waybill column names
    (``sender_name``, ``recipient_phone``, ``receiver_address``, ``sender_id_number`` ...) are masked.
    ``None`` values stay ``None``.
    """
    mapping = DEFAULT_FIELDS if fields is None else parse_fields(fields)
    strict = Policy.parse(policy) is Policy.STRICT
    return _mask_record_fast(record, mapping, strict)


def _mask_record_fast(
    record: Mapping[str, str | None], mapping: Mapping[str, FieldKind], strict: bool
) -> dict[str, str | None]:
    out = dict(record)
    kind_of = mapping.get
    for col, v in record.items():
        kind = kind_of(col)
        if kind is None or not v:
            continue
        if kind is FieldKind.NAME:
            out[col] = mask_name(v)
        elif kind is FieldKind.PHONE:
            out[col] = mask_phone(v, strict)
        elif kind is FieldKind.ADDRESS:
            out[col] = mask_address_value(v, strict)
        else:
            out[col] = mask_id_digits(_id_chars(v))
    return out


def record_masker(
    *, policy: Policy | str = Policy.STANDARD, fields: Mapping[str, FieldKind | str] | str | None = None
) -> MaskFn:
    """A function that masks records with the given policy and columns, parsed once (for streams)."""
    mapping = parse_fields(fields)
    strict = Policy.parse(policy) is Policy.STRICT

    def mask(record: Mapping[str, str | None]) -> dict[str, str | None]:
        return _mask_record_fast(record, mapping, strict)

    return mask
