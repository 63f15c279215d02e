"""Chinese official-style numerals: dates (二〇二六年十一月二十七日) and amounts (壹仟伍佰元整)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

_DIGITS = "〇一二三四五六七八九"
_UPPER = "零壹贰叁肆伍陆柒捌玖"


def _small(n: int) -> str:
    """1..31 as written in dates: 十, 十一, 二十, 二十七, 三十一."""
    tens, units = divmod(n, 10)
    if tens == 0:
        return _DIGITS[units]
    return (_DIGITS[tens] if tens > 1 else "") + "十" + (_DIGITS[units] if units else "")


def chinese_date(day: dt.date | dt.datetime | None) -> str:
    if day is None:
        return "　　年　　月　　日"
    year = "".join(_DIGITS[int(c)] for c in str(day.year))
    return f"{year}年{_small(day.month)}月{_small(day.day)}日"


def _section(n: int) -> str:
    """0..9999 in capital numerals, with 零 for internal gaps."""
    out, zero = "", False
    for value, unit in ((1000, "仟"), (100, "佰"), (10, "拾"), (1, "")):
        digit, n = divmod(n, value)
        if digit:
            if zero and out:
                out += "零"
            out += _UPPER[digit] + unit
            zero = False
        else:
            zero = True
    return out


def amount_in_words(amount: Decimal | int | float | str | None) -> str:
    """Yuan in capital numerals as on a penalty decision: 1500 → 壹仟伍佰元整."""
    if amount in (None, ""):
        return ""
    fen = int((Decimal(str(amount)) * 100).quantize(Decimal(1)))
    yuan, cents = divmod(fen, 100)
    parts, unit_names, n, need_zero = [], ["", "万", "亿"], yuan, False
    for unit in unit_names:
        n, section = divmod(n, 10000)
        if section:
            text = _section(section) + unit
            if need_zero:
                text += "零"
            parts.insert(0, text)
            need_zero = section < 1000
        elif parts:
            need_zero = True
        if not n:
            break
    words = ("".join(parts) or "零") + "元"
    jiao, fen_ = divmod(cents, 10)
    if not cents:
        return words + "整"
    if jiao:
        words += _UPPER[jiao] + "角"
    elif yuan:
        words += "零"
    if fen_:
        words += _UPPER[fen_] + "分"
    return words
