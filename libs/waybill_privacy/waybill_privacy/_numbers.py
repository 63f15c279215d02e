"""Phone and ID numbers in free text, tolerant of OCR damage.

A *run* is a stretch of digit-like groups joined by at most a few separators (spaces, a line break, a
hyphen, brackets). Each group is read the way OCR misreads digits (full-width digits, ``O``/``o`` for
0, ``l``/``I``/``|`` for 1, ``B`` for 8; ``*``/``＊``/``●``/``×`` are mask characters). Items are then
parsed out of the run on group boundaries only, so a 15-digit waybill number never yields a mobile
number from its middle.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import date
from itertools import pairwise

from ._tables import AREA_CODES, MOBILE_PREFIXES, PREFECTURE_CODES, PROVINCE_CODES

_DIGITS = "0-9０-９"
_CONFUSABLE = "OoIlB|"
_MASK = r"*＊●•×"
_GROUP = rf"[+＋]?[{_DIGITS}{_CONFUSABLE}{_MASK}]*[{_DIGITS}{_MASK}][{_DIGITS}{_CONFUSABLE}{_MASK}Xx]*"
_SEP = r"(?:[ \t\u3000]{1,2}|[ \t\u3000]{0,2}(?:[-－—–]?\r?\n|[-－—–]|[()（）]{1,2})[ \t\u3000]{0,2})"
# Not glued to a preceding letter or digit (``SF1234...`` is a waybill number), except after "tel".
_START = rf"(?:(?<=[Tt][Ee][Ll])|(?<![A-Za-z{_DIGITS}{_MASK}]))"
# The lookahead skips, inside the regex engine, runs too short to be a phone or ID number.
_RUN_CHARS = rf"[{_DIGITS}{_CONFUSABLE}{_MASK}Xx+＋ \t\u3000\r\n\-－—–()（）]"
# Between digit groups OCR may leave a group of letters only ("15 BB 6550104", "0753-3 o 911132").
_LETTERS_GROUP = rf"[{_CONFUSABLE}]{{1,3}}(?={_SEP}[{_DIGITS}])"
RUN_RE = re.compile(rf"{_START}(?={_RUN_CHARS}{{7}}){_GROUP}(?:{_SEP}(?:{_GROUP}|{_LETTERS_GROUP}))*")
_GROUP_RE = re.compile(rf"{_GROUP}|[{_CONFUSABLE}]{{1,3}}")

_TRANSLATE = str.maketrans(
    {
        **{chr(0xFF10 + i): str(i) for i in range(10)},
        "O": "0",
        "o": "0",
        "I": "1",
        "l": "1",
        "|": "1",
        "B": "8",
        "＊": "*",
        "●": "*",
        "•": "*",
        "×": "*",
        "x": "X",
        "＋": "+",
    }
)

# Words that make a run a waybill/order/other reference number, when they come shortly before it.
_REFERENCE_RE = re.compile(
    r"(?:运单|单号|订单|快递单|面单|物流单|编号|条码|批次|工号|No\.?|NO\.?|Tracking|tracking|货号|流水号|"
    r"交易号|凭证|验证码|取件码|提货码)([^\n]{0,6})$"
)
_PHONE_WORD_RE = re.compile(r"电话|座机|固话|Tel|TEL|tel|手机|联系方式|身份证|证件")
_ID_LABEL_RE = re.compile(r"(?:身份证|证件|公民身份)[^\n]{0,6}$")
_PHONE_LABEL_RE = re.compile(r"(?:电话|座机|固话|Tel|TEL|tel|手机|联系方式)[^\n]{0,3}$")
_EXTENSION_RE = re.compile(r"[ \t]*(?:转|分机|ext\.?|EXT\.?)[ \t]*([0-9０-９]{1,5})")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_TODAY = date.today()  # fixed at import: a birth date is never today anyway


@dataclass(slots=True)
class NumberItem:
    """A phone or ID number found in a text. ``value`` is normalised: digits, ``*`` and ``X``."""

    kind: str  # "mobile", "landline", "id18", "id15", "virtual"
    start: int
    end: int
    value: str
    area: str = ""  # landline area code
    extension: str = ""


def id_check_char(first17: str) -> str:
    """The GB 11643-1999 check character (ISO 7064 MOD 11-2) for the first 17 digits."""
    total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def _valid_date(yyyymmdd: str) -> bool:
    try:
        day = date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return False
    return day.year >= 1900 and day < _TODAY


def validate_id_number(value: str) -> bool:
    """True if ``value`` is a well-formed resident ID number.

    18 characters: a known province code, a real birth date and the GB 11643 check character (``X``
    upper or lower case). 15 characters (the pre-1999 form): a known prefecture code and a real
    19YYMMDD birth date. Spaces and hyphens are ignored; OCR confusions are not repaired here.
    """
    v = value.strip().replace(" ", "").replace("-", "").upper()
    if len(v) == 18:
        if not (v[:17].isdigit() and (v[17].isdigit() or v[17] == "X")):
            return False
        return v[:2] in PROVINCE_CODES and _valid_date(v[6:14]) and id_check_char(v[:17]) == v[17]
    if len(v) == 15 and v.isdigit():
        return v[:4] in PREFECTURE_CODES and _valid_date("19" + v[6:12])
    return False


def id_number_shaped(value: str) -> bool:
    """True if ``value`` has the shape of an 18-character ID number — a known province code and a real
    birth date, 17 digits and a digit or ``X`` — whatever its check character says. A one-digit OCR
    misread breaks the checksum but not the personal data: for masking, the shape decides; the checksum
    only raises confidence (:func:`validate_id_number`)."""
    v = value.strip().replace(" ", "").replace("-", "").upper()
    return (len(v) == 18 and v[:17].isdigit() and (v[17].isdigit() or v[17] == "X")
            and v[:2] in PROVINCE_CODES and _valid_date(v[6:14]))


def is_mobile(value: str) -> bool:
    """True if ``value`` is an 11-digit mainland mobile number with a prefix in use.

    A leading ``+86``/``0086``/``86`` and spaces or hyphens are accepted.
    """
    v = value.strip().replace(" ", "").replace("-", "")
    if v.startswith("+86"):
        v = v[3:]
    elif v.startswith("0086"):
        v = v[4:]
    elif v.startswith("86") and len(v) == 13:
        v = v[2:]
    return len(v) == 11 and v.isdigit() and v[:3] in MOBILE_PREFIXES


# Masked mobile numbers as printed: 138****5678, 1******5678, *******5678, 13*******78, 138*****678.
_MASKED_MOBILE_RE = re.compile(r"(1[0-9]{0,3})?\*{3,10}[0-9]{1,4}")


def _mobile_shape(seg: str) -> bool:
    if len(seg) != 11:
        return False
    if seg.isdigit():
        return seg[:3] in MOBILE_PREFIXES
    m = _MASKED_MOBILE_RE.fullmatch(seg)
    if m is None:
        return False
    head = m.group(1) or ""
    return len(head) < 3 or head[:3] in MOBILE_PREFIXES


def _id18_shape(seg: str, labelled: bool) -> str | None:
    if len(seg) != 18 or "+" in seg:
        return None
    if seg[:17].isdigit() and (seg[17].isdigit() or seg[17] == "X"):
        return "id18" if id_number_shaped(seg) else None
    if "*" not in seg or "X" in seg[:17]:
        return None
    if seg.count("*") == 18:
        return "id18" if labelled else None
    head = seg[:2]
    return "id18" if head.isdigit() and head in PROVINCE_CODES else None


def _id15_shape(seg: str) -> bool:
    return len(seg) == 15 and seg.isdigit() and validate_id_number(seg)


def _local_ok(local: str) -> bool:
    if "X" in local or "+" in local:
        return False
    if len(local) in (5, 6) and local.count("*") >= 3 and local[-1].isdigit():
        # a masked local number printed shorter than it is (0790****73): still a landline, judged by
        # how much it shows
        return True
    if len(local) not in (7, 8):
        return False
    if local.isdigit():
        return local[0] not in "01"
    return local[0] not in "01" and local.count("*") < len(local)


def _landline_at(s: str, b: int, bounds: list[int], seps: dict[int, str]) -> tuple[int, str] | None:
    """A landline starting at ``s[b]``: (end, area code) with the end on a group boundary.

    No hyphen splits the area code and at most one splits the local number ("0571-8888-8888"), so
    dates such as ``07-16 2025-09-04`` do not read as ``0716-20250904``; spaces and line breaks, which
    OCR inserts anywhere, may.
    """
    for alen in (3, 4):
        area = s[b : b + alen]
        if area not in AREA_CODES or _hyphens_inside(b, b + alen, bounds, seps):
            continue
        for llen in (8, 7, 6, 5):
            end = b + alen + llen
            if (
                (end in seps or end == bounds[-1])
                and _local_ok(s[b + alen : end])
                and _hyphens_inside(b + alen, end, bounds, seps) <= 1
            ):
                return end, area
    return None


def _between(bounds: list[int], start: int, end: int) -> list[int]:
    """The boundaries strictly inside ``(start, end)``; ``bounds`` is sorted (bisect keeps long runs linear)."""
    return bounds[bisect_right(bounds, start) : bisect_left(bounds, end)]


def _hyphens_inside(start: int, end: int, bounds: list[int], seps: dict[int, str]) -> int:
    return sum(1 for x in _between(bounds, start, end) if any(c in "-－—–" for c in seps.get(x, "")))


def find_numbers(text: str) -> list[NumberItem]:
    """Every phone and ID number in ``text``, in order, with character offsets into ``text``."""
    items: list[NumberItem] = []
    if "S" in text:  # OCR reads 5 as S: only between two digits (never SF…, a brand's prefix)
        text = _S_FOR_5_RE.sub("5", text)  # same length: offsets still point into the caller's text
    for m in RUN_RE.finditer(text):
        if m.end() - m.start() >= 7:  # shorter runs (dates, prices, weights) are never personal data
            _parse_run(text, m.start(), m.group(), items)
    return items


_S_FOR_5_RE = re.compile(r"(?<=[0-9０-９])S(?=[0-9０-９])")
_HAS_SEP_RE = re.compile(r"[ \t\u3000\r\n\-－—–()（）]")


def _parse_run(text: str, offset: int, run: str, items: list[NumberItem]) -> None:
    if len(run) < 7:  # dates, prices, weights, service numbers: too short to be anything
        return
    before = text[max(0, offset - 12) : offset]
    ref = _REFERENCE_RE.search(before)
    if ref and not _PHONE_WORD_RE.search(ref.group(1)):  # "单号:1 电话138...": the phone label is closer
        return
    where: list[int] | range
    seps: dict[int, str] = {}
    if _HAS_SEP_RE.search(run) is None:
        s = run.translate(_TRANSLATE)
        where = range(offset, offset + len(run))
        bounds = [0, len(s)]
    else:
        norm: list[str] = []
        where = []
        bounds = [0]
        last = 0
        size = 0
        for g in _GROUP_RE.finditer(run):
            gs, ge = g.span()
            if gs > last and size:
                bounds.append(size)
                seps[size] = run[last:gs]
            norm.append(g.group())
            where.extend(range(offset + gs, offset + ge))
            size += ge - gs
            last = ge
        s = "".join(norm).translate(_TRANSLATE)
        bounds.append(len(s))
    n = len(s)
    if n < 7:
        return
    if s[0] == "*" and offset > 0 and "\u4e00" <= text[offset - 1] <= "\u9fff":
        # "李*1******5678": the name's mask glued to a masked phone (OCR drops the space)
        lead = len(s) - len(s.lstrip("*"))
        bounds = sorted(set(bounds) | {k for k in (1, 2, 3) if k <= lead})
    labelled_id = _ID_LABEL_RE.search(before) is not None
    bset = set(bounds)
    k = 0
    while k < len(bounds) - 1:
        b = bounds[k]
        found = _parse_at(s, b, bounds, bset, seps, labelled_id)
        if found is None:
            k += 1
            continue
        kind, start, end, area, ext_end = found
        value = s[start:end]
        extension = ""
        stop = end
        if ext_end:
            extension = s[end:ext_end]
            stop = ext_end
        item_end = where[stop - 1] + 1
        if kind in ("mobile", "landline") and not extension:
            ext = _EXTENSION_RE.match(text, item_end)
            if ext:
                extension = ext.group(1).translate(_TRANSLATE)
                item_end = ext.end()
                if kind == "mobile":
                    kind = "virtual"
        items.append(NumberItem(kind, where[start], item_end, value, area, extension))
        while k < len(bounds) and bounds[k] < stop:
            k += 1
    # nothing found in this run: a lone 7-8 digit local landline right after a phone label
    if (
        (not items or items[-1].start < offset)
        and 7 <= n <= 8
        and _local_ok(s)
        and s[:2] not in ("95", "96", "12", "10")
        and _PHONE_LABEL_RE.search(before)
    ):
        items.append(NumberItem("landline", where[0], where[-1] + 1, s))


def _inner_bounds(start: int, end: int, bounds: list[int], seps: dict[int, str]) -> int:
    """Real group boundaries (with a separator) strictly inside ``[start, end)``."""
    return sum(1 for x in _between(bounds, start, end) if x in seps)


# How a hyphenated mobile number is grouped (138-1234-5678, 138-12345678, 1381-234-5678 is not).
_HYPHEN_GROUPS = ((3, 4, 4), (3, 8), (4, 7), (7, 4))


def _mobile_groups(start: int, bounds: list[int], seps: dict[int, str]) -> bool:
    """Whether the groups of an 11-digit stretch read as one number, not pieces of several."""
    inner = [x for x in _between(bounds, start, start + 11) if x in seps]
    if len(inner) == 3:
        # OCR or a person spacing a number in four groups (138 123 45 678): only with spaces, the
        # prefix as the first group, and no group of one digit
        edges = [start, *inner, start + 11]
        sizes = [b - a for a, b in pairwise(edges)]
        spaced = all(seps.get(x, "").strip() == "" for x in inner)
        return spaced and sizes[0] == 3 and min(sizes) >= 2
    if len(inner) > 3:
        return False
    if not any(c in "-－—–" for x in inner for c in seps.get(x, "")):
        return True
    edges = [start, *inner, start + 11]
    return tuple(b - a for a, b in pairwise(edges)) in _HYPHEN_GROUPS


def _parse_at(
    s: str, b: int, bounds: list[int], bset: set[int], seps: dict[int, str], labelled_id: bool
) -> tuple[str, int, int, str, int] | None:
    """The longest item starting at boundary ``b``: (kind, start, end, area, extension end or 0)."""
    start = b
    if s[b] == "+":
        start = b + 1
        if s.startswith("86", start):
            start += 2
    elif s.startswith("0086", b) and _mobile_shape(s[b + 4 : b + 15]):
        start = b + 4
    elif s.startswith("86", b) and b + 13 in bset and _mobile_shape(s[b + 2 : b + 13]):
        start = b + 2
    if start >= len(s):
        return None
    # longest candidates first: 18, 15, landline (11-12 + extension), 11
    if start + 18 in bset and _inner_bounds(start, start + 18, bounds, seps) <= 3:
        kind = _id18_shape(s[start : start + 18], labelled_id)
        if kind:
            return kind, start, start + 18, "", 0
    if (
        start + 15 in bset
        and _inner_bounds(start, start + 15, bounds, seps) <= 2
        and _id15_shape(s[start : start + 15])
    ):
        return "id15", start, start + 15, "", 0
    if s[start] == "0":
        land = _landline_at(s, start, bounds, seps)
        if land:
            end, area = land
            ext_end = 0
            after = bisect_right(bounds, end)
            nxt = bounds[after] if after < len(bounds) else 0
            if (
                nxt
                and 1 <= nxt - end <= 5
                and s[end:nxt].isdigit()
                and "-" in seps.get(end, "").replace("－", "-")
            ):
                ext_end = nxt
            return "landline", start, end, area, ext_end
    if start + 11 in bset and _mobile_shape(s[start : start + 11]) and _mobile_groups(start, bounds, seps):
        return "mobile", start, start + 11, "", 0
    return None


def normalize_id_number(value: str) -> str:
    """The canonical form of an ID number: OCR confusions repaired, no spaces or hyphens, ``X`` upper case."""
    return value.strip().translate(_TRANSLATE).replace(" ", "").replace("-", "").replace("*", "").upper()


def hash_id_number(value: str, key: bytes) -> str:
    """Keyed hash (HMAC-SHA256, hex) of an ID number, as ``contracts.md`` section 1 stores senders' IDs.

    The number is normalised first (:func:`normalize_id_number`), so ``11010519491231002x`` and
    ``110105 19491231 002X`` hash alike. ``key`` comes from configuration and must not be empty.
    """
    if not key:
        raise ValueError("the HMAC key must not be empty")
    return hmac.new(key, normalize_id_number(value).encode("ascii", "replace"), hashlib.sha256).hexdigest()
