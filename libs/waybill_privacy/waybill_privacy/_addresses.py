"""Postal addresses in free text and in address fields, anchored on the division table.

An address is found from a *detail anchor* (a street or village with a number ``文三路90号``, a
building/unit/room ``3幢2单元501室``, a mask after a division ``西湖区****``, or an ``地址：`` label),
then extended left to the first administrative division that starts it and right to its last
building/unit/room token. Its parts drive masking: the division chain (province, prefecture, county),
the street and number, and the detail after them (building, unit, room), which the standard hides.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

from ._tables import ANCHOR_NAMES, CHAINED_NAMES, DIVISION_PREFIX_NAMES, division_at

_D = "0-9０-９"
_STREET_NO = rf"(?:路|街|大道|道|段|巷|弄|胡同|里|村|组|屯|庄|社区|镇|乡|线)[ \t\n]?[{_D}OlIB*＊]{{1,5}}[ \t\n]?(?:号|弄|巷|组|支弄)"
_UNIT = rf"[{_D}A-Za-z*＊]{{1,5}}[ \t\n]?(?:幢|栋|单元|室|号楼|层|楼|座|户|房)"
_MASK_TAIL = r"(?:省|市|区|县|旗|镇|乡|路|街|道|号|村)[*＊]{2,}"
_LABEL = r"(?:收件地址|寄件地址|收货地址|发货地址|详细地址|联系地址|家庭住址|地址|住址)[ \t]*[:：][ \t]*"
ANCHOR_RE = re.compile(rf"({_STREET_NO})|({_UNIT})|({_MASK_TAIL})|({_LABEL})")
STREET_NO_RE = re.compile(_STREET_NO)
_UNIT_RE = re.compile(_UNIT)
_DETAIL_START_RE = re.compile(rf"[{_D}A-Za-z*＊]")
_TERMINAL_RE = re.compile(
    rf"(?:[{_D}A-Za-z*＊\-－#]+[ \t\n]?(?:幢|栋|单元|室|号楼|号|层|楼|座|户|房|弄|组)?|"
    r"大厦|小区|公寓|花园|苑|院|中心|广场|大楼|公司|村|组|楼|园|城|府|庭|湾|居|寓|舍|馆|市场|工业区|家园|新村|"
    r"[*＊]+)"
)
_VISIBLE_DETAIL_RE = re.compile(rf"[{_D}A-Za-z]")
_LABEL_BEFORE_RE = re.compile(r"(?:地址|住址)[ \t]*[:：]?[ \t]*$")
# Words at which an address stops: the next field of a waybill begins.
_STOP_WORDS = (
    "收件人",
    "寄件人",
    "收货人",
    "发件人",
    "联系人",
    "联系电话",
    "电话",
    "手机",
    "姓名",
    "签收",
    "寄件",
    "收件",
    "运单",
    "订单",
    "单号",
    "重量",
    "件数",
    "备注",
    "物品",
    "内件",
    "Tel",
    "TEL",
    "邮编",
)
_STOP_FIRST = frozenset(w[0] for w in _STOP_WORDS)
# What may separate two parts of one address: a space, or a line break (OCR breaks lines mid-address).
_GAP = " \t\u3000\n"
_MAX_LEFT = 40
_MAX_RIGHT = 60


_ADDR_CLASS = "\u4e00-\u9fff0-9A-Za-z\\-#()０-９－＃（）·*＊"
_ADDR_RUN_RE = re.compile(f"[{_ADDR_CLASS}]+")
# The last character that cannot be inside an address (a space or line break right after 省/市/区/县/街道/镇/乡
# can: OCR splits lines there).
_LAST_BREAK_RE = re.compile(f"(?s:.*)(?:[^{_ADDR_CLASS} \t\u3000\n]|(?<![省市区县州盟旗道镇乡])[ \t\u3000\n])")
_STOP_RE = re.compile("|".join(map(re.escape, _STOP_WORDS)))


@dataclass(slots=True)
class AddressItem:
    """An address: its span and the end of the part the standard policy keeps (street and number).

    The end of the division chain, which the strict policy keeps, is worked out only when asked for.
    """

    start: int
    end: int
    keep_end: int  # the standard policy keeps text[start:keep_end]


def _chain_end(text: str, start: int, limit: int) -> int:
    """End of the chain of division names beginning at ``start`` (spaces between them allowed)."""
    pos = start
    names_of = DIVISION_PREFIX_NAMES.get
    while pos < limit:
        names = names_of(text[pos : pos + 2])
        if names is None:
            break
        for name in names:
            if text.startswith(name, pos):
                pos += len(name)
                break
        else:
            break
        if pos < limit and text[pos] in " \t\u3000":
            nxt = pos
            while nxt < limit and text[nxt] in " \t\u3000":
                nxt += 1
            if nxt < limit and division_at(text, nxt, CHAINED_NAMES):
                pos = nxt
    while pos > start and text[pos - 1] in " \t\u3000":
        pos -= 1
    return min(pos, limit)


def _stretch_left(text: str, anchor: int, floor: int) -> int:
    """Leftmost index of the address-like stretch ending at ``anchor``."""
    lowest = max(floor, anchor - _MAX_LEFT)
    m = _LAST_BREAK_RE.match(text, lowest, anchor)
    return m.end() if m else lowest


def _stops_here(text: str, pos: int) -> bool:
    return text[pos] in _STOP_FIRST and text.startswith(_STOP_WORDS, pos)


def _continues(text: str, pos: int, limit: int) -> bool:
    """Whether the chunk after a space still belongs to the address (it holds a unit or street number)."""
    for _ in range(2):  # this chunk, or a building name then a space then this chunk ("华星大厦 501室")
        chunk = _ADDR_RUN_RE.match(text, pos, min(limit, pos + 16))
        stop = chunk.end() if chunk else pos
        if stop == pos or _stops_here(text, pos):
            return False
        if _UNIT_RE.search(text, pos, stop) or STREET_NO_RE.search(text, pos, stop):
            return True
        if stop >= limit or text[stop] not in _GAP:
            return False
        pos = stop + 1
    return False


def _extend_right(text: str, pos: int, ceiling: int) -> int:
    """End of the address continuing at ``pos``: its last building/unit/room or place token."""
    limit = min(ceiling, pos + _MAX_RIGHT)
    i = pos
    while i < limit:
        chunk = _ADDR_RUN_RE.match(text, i, limit)
        if chunk:
            stop = _STOP_RE.search(text, i, chunk.end())
            if stop:
                i = stop.start()
                break
            i = chunk.end()
            continue
        if text[i] in _GAP and i + 1 < limit and _continues(text, i + 1, limit):
            i += 1  # "西湖区文三路90号 华星大厦 501室", or a line break there (OCR)
            continue
        break
    end = pos
    for m in _TERMINAL_RE.finditer(text, pos, i):
        end = m.end()
    return end


def find_addresses(text: str, taken: list[tuple[int, int]]) -> list[AddressItem]:
    """Every address in ``text``; ``taken`` are spans of numbers, which an address never crosses."""
    out: list[AddressItem] = []
    floor = 0
    starts = [s for s, _ in taken]
    for m in ANCHOR_RE.finditer(text):
        a = m.start()
        if a < floor:
            continue
        label = m.lastindex == 4
        # taken spans are sorted and do not overlap: bisect finds the neighbours (linear on long texts)
        i = bisect_left(starts, m.end())
        ceiling = starts[i] if i < len(starts) else len(text)
        if i > 0 and taken[i - 1][1] > a:
            continue  # the anchor lies inside a phone or ID number
        left_floor = max(floor, taken[i - 1][1]) if i > 0 else floor
        if label:
            start = m.end()
            body_end = _extend_right(text, start, ceiling)
            if body_end <= start or not ANCHOR_RE.search(text, start, body_end):
                continue
            item = _build(text, start, body_end, labelled=True)
        else:
            lo = _stretch_left(text, a, left_floor)
            start = -1
            for p in range(lo, a):
                if division_at(text, p, ANCHOR_NAMES):
                    start = p
                    break
            if start < 0:
                if _LABEL_BEFORE_RE.search(text, max(0, lo - 8), lo) is None:
                    continue
                start = lo
            end = _extend_right(text, m.end(), ceiling)
            item = _build(text, start, max(end, m.end()), labelled=False)
        if item is None:
            continue
        out.append(item)
        floor = item.end
    return out


def _build(text: str, start: int, end: int, *, labelled: bool) -> AddressItem | None:
    while start < end and text[start] in _GAP:
        start += 1
    while end > start and text[end - 1] in " \t\u3000\n":
        end -= 1
    if end - start < 4:
        return None
    if not labelled and not division_at(text, start, ANCHOR_NAMES):
        return None
    return AddressItem(start, end, _keep_end(text, start, end))


def _keep_end(text: str, start: int, end: int) -> int:
    # No division name holds a digit or a letter, so the search may start with the address.
    street = STREET_NO_RE.search(text, start, end)
    if street:
        return street.end()
    detail = _DETAIL_START_RE.search(text, start, end)
    return detail.start() if detail else end


def address_meets_standard(text: str, item: AddressItem) -> bool:
    """True when nothing of the building/unit/room part is visible."""
    return _VISIBLE_DETAIL_RE.search(text, item.keep_end, item.end) is None


def mask_address(text: str, item: AddressItem, strict: bool) -> str:
    """The address under the standard (keep up to street and number) or strict (keep the county) policy."""
    keep = _chain_end(text, item.start, item.end) if strict else item.keep_end
    if keep >= item.end:
        return text[item.start : item.end]
    return text[item.start : keep].rstrip(_GAP) + "****"


def mask_address_value(value: str, strict: bool) -> str:
    """Mask an address field (the whole value is the address); the fast path for records."""
    v = value.strip()
    if strict:
        keep = _chain_end(v, 0, len(v))
    else:
        # No division name holds a digit or a letter, so both searches may start at 0.
        street = STREET_NO_RE.search(v)
        if street:
            keep = street.end()
        else:
            detail = _DETAIL_START_RE.search(v)
            keep = detail.start() if detail else len(v)
    if keep >= len(v):
        return v
    return v[:keep].rstrip(" \t\u3000") + "****"
