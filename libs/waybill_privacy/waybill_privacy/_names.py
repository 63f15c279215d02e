"""Personal names, found from context: a label (收件人：, 寄件人, 联系人, 姓名 ...) or a phone number next
to them. Names are never guessed from a surname alone; that keeps false positives on ordinary text rare.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from ._tables import ANCHOR_NAMES, COMPOUND_SURNAMES, SINGLE_SURNAMES, division_at

NAME_MASK = frozenset("*＊某×●")  # characters that hide part of a name
_STRONG_LABEL = (
    r"收件人|寄件人|收货人|发货人|发件人|联系人|签收人|取件人|提货人|收方|寄方|收件|寄件|姓名|户名|Name|name"
)
_WEAK_LABEL = r"收|寄|客户|用户|顾客"
LABEL_RE = re.compile(
    rf"(?:({_STRONG_LABEL})|({_WEAK_LABEL}))[ \t\u3000]*([:：]?)[ \t\u3000]*([\u4e00-\u9fff*＊×●·]{{1,12}})"
)
# The candidate stops where one of these begins.
_BOUNDARY_WORDS = (
    "电话",
    "手机",
    "联系",
    "地址",
    "寄件",
    "收件",
    "先生",
    "女士",
    "小姐",
    "身份",
    "Tel",
    "TEL",
    "寄",
    "收",
    "省",
    "市",
    "区",
    "县",
    "路",
    "街",
    "号",
)
_HONORIFICS = ("先生", "女士", "小姐", "老师", "师傅", "经理", "总")
# Not names, though they may follow a label or sit next to a phone number.
_STOP_NAMES = frozenset(
    [
        "地址",
        "信息",
        "电话",
        "手机",
        "姓名",
        "签名",
        "签字",
        "联系",
        "详情",
        "须知",
        "查询",
        "本人",
        "未知",
        "匿名",
        "客服",
        "热线",
        "号码",
        "时间",
        "日期",
        "方式",
        "电话号码",
        "服务",
        "网点",
        "快递",
        "快件",
        "包裹",
        "公司",
        "门卫",
        "前台",
        "代收",
        "驿站",
        "物业",
        "保安",
        "业务员",
        "快递员",
        "同事",
        "家人",
        "朋友",
        "邻居",
        "老板",
        "自提",
        "人员",
        "单位",
        "员工",
        "用户",
        "客户",
        "顾客",
        "会员",
        "先生",
        "女士",
        "小姐",
        "人",
        "件",
        "到",
        "货",
        "方式",
        "致电",
        "拨打",
        "请拨",
        "座机",
        "固话",
        "转接",
    ]
)
_STOP_PREFIXES = tuple(sorted(_STOP_NAMES, key=len, reverse=True))
_CJK_LO, _CJK_HI = "\u4e00", "\u9fff"
_PHONE_WORD_TAIL = tuple(
    sorted(
        ("电话", "手机", "联系电话", "手机号", "Tel", "tel", "TEL", "电话号码", "联系方式", "号码"),
        key=len,
        reverse=True,
    )
)
_LEFT_BOUNDARY = frozenset("室号楼层座户房幢栋元厦区园苑村组市县镇乡路街道巷弄")


@dataclass(slots=True)
class NameItem:
    """A name found in a text: its span and how many leading characters are the surname."""

    start: int
    end: int
    surname_len: int  # characters the standard policy keeps (1, or 2 for 欧阳, 司马 ...)
    honorific: bool = False
    source: str = "labelled"


def _cjk(ch: str) -> bool:
    return _CJK_LO <= ch <= _CJK_HI


def surname_length(name: str) -> int:
    """Characters of ``name`` that are its surname: 2 for 欧阳/司马..., 1 otherwise."""
    return 2 if name[:2] in COMPOUND_SURNAMES and len(name) > 2 else 1


_HONORIFIC_HEAD = SINGLE_SURNAMES | NAME_MASK  # 张先生, *女士
# A masked name may keep only the first character of a compound surname: 闾***, 亓***.
_SURNAME_FIRST = SINGLE_SURNAMES | {c[0] for c in COMPOUND_SURNAMES}


def _masked_after_first(name: str) -> bool:
    return len(name) >= 2 and name[0] in _SURNAME_FIRST and all(c in NAME_MASK for c in name[1:])


def _has_surname(name: str) -> bool:
    return (
        name[:2] in COMPOUND_SURNAMES
        or name[0] in SINGLE_SURNAMES
        or name[0] in NAME_MASK
        or _masked_after_first(name[:2])
    )


def _trim(cand: str, strong: bool) -> tuple[int, int, bool] | None:
    """(name length, surname length, honorific) of the name at the start of ``cand``."""
    if not cand or cand.startswith(_STOP_PREFIXES):
        return None
    sl = 2 if cand[:2] in COMPOUND_SURNAMES else 1
    if not _has_surname(cand) and not strong:
        return None
    for h in _HONORIFICS:
        if cand.startswith(h, sl) and cand[0] in _HONORIFIC_HEAD:
            return sl + len(h), sl, True
    if strong and "·" in cand:  # 买买提·艾力: the whole dotted name
        return len(cand.rstrip("·")), 1, False
    # given name: up to 2 characters, or up to 3 mask characters
    length = sl
    while length < len(cand) and cand[length] in NAME_MASK and length < sl + 3:
        length += 1
    while length < len(cand) and length < sl + 2:
        if length > sl and (
            cand.startswith(_BOUNDARY_WORDS, length) or division_at(cand, length, ANCHOR_NAMES)
        ):
            break
        if length == sl and cand.startswith(("电话", "手机", "地址", "先生", "女士"), length):
            break
        length += 1
    if length == sl:
        return None
    if length < len(cand) and not (
        cand[length] in NAME_MASK
        or cand.startswith(_BOUNDARY_WORDS, length)
        or division_at(cand, length, ANCHOR_NAMES)
    ):
        return None  # the words go on: "收件人：请填写真实姓名", "寄件人：顺丰速运有限公司" are not names
    if cand[:length] in _STOP_NAMES:
        return None
    return length, sl, False


_NOT_GIVEN = frozenset({"先生", "女士", "小姐", "老师", "师傅", "总", "经理", "收", "寄", "电话", "手机", "地址",
                        "联系", "签收", "代收", "本人", "家人", "同事", "朋友"})
# After a lone surname: one space (OCR's) and a 1-2 character given name, then no more Chinese.
_SPLIT_GIVEN_RE = re.compile(r"[ \u3000]([\u4e00-\u9fff]{1,2})(?![\u4e00-\u9fff])")


def find_names(text: str, phone_spans: list[tuple[int, int]], taken: list[tuple[int, int]]) -> list[NameItem]:
    """Names after labels and names right before or after a phone number."""
    out: list[NameItem] = []
    for m in LABEL_RE.finditer(text):
        strong = m.group(1) is not None
        colon = bool(m.group(3))
        # "收"/"寄" without a colon: only at the start of a line, followed by a surname
        if not strong and not colon and m.start() > 0 and text[m.start() - 1] not in "\n \t|":
            continue
        cand = m.group(4)
        split = _SPLIT_GIVEN_RE.match(text, m.end(4)) if len(cand) in (1, 2) else None
        if split and split.group(1) in _NOT_GIVEN:
            split = None
        if split and surname_length(cand + "名") == len(cand) and cand[0] in _SURNAME_FIRST and (
                (len(cand) == 1 and cand in SINGLE_SURNAMES) or cand in COMPOUND_SURNAMES):
            # OCR split a name after its surname ("收件人：朱 飞思"): one name, space included
            out.append(NameItem(m.start(4), split.end(1), len(cand), False, "labelled"))
            continue
        # a strong label set off by a colon or a space may be followed by a name outside the surname table
        got = _trim(cand, strong and (colon or m.start(4) > m.end(1 if strong else 2)))
        if got is None:
            continue
        length, sl, hon = got
        s = m.start(4)
        out.append(NameItem(s, s + length, sl, hon, "labelled"))
    labelled_ends = [n.end for n in out]  # in text order
    for ps, pe in phone_spans:
        j = bisect_right(labelled_ends, ps)
        if j > 0 and labelled_ends[j - 1] >= ps - 6:
            continue  # "收件人：张三 138...": the name is already known
        item = _name_before(text, ps) or _name_after(text, pe)
        if item:
            out.append(item)
    out.sort(key=lambda n: n.start)
    kept: list[NameItem] = []
    starts = [s for s, _ in taken]
    for n in out:
        i = bisect_left(starts, n.end)  # taken spans before n.end; only the last can reach into n
        if i > 0 and taken[i - 1][1] > n.start:
            continue
        if kept and n.start < kept[-1].end:
            continue
        kept.append(n)
    return kept


_PHONE_PREFIXES = ("(+86)", "（+86）", "+86-", "+86 ", "+86", "＋86", "0086 ", "0086-", "0086")


def _reversed_words(words: tuple[str, ...]) -> str:
    return "|".join(re.escape(w[::-1]) for w in sorted(words, key=len, reverse=True))


# Read right to left from a phone number: prefix (+86), a phone word (电话), separators, then the name.
# Matching the reversed text with a forward pattern keeps this one regex call.
_BEFORE_PHONE_RE = re.compile(
    rf"[ \t\u3000]*(?:(?:{_reversed_words(_PHONE_PREFIXES)})[ \t\u3000]*)?[ \t:：]*"
    rf"(?:(?:{_reversed_words(_PHONE_WORD_TAIL)})[ \t\u3000:：,，]*)?[ \t\u3000,，/(（]*"
    r"(?:[)）](?:收|寄)[(（][ \t\u3000]*|[】\]][ \t\u3000]*)?"  # "张三(收) 138...", "【张三】138..."
    r"([\u4e00-\u9fff*＊某×●]{2,8})"
)


def _name_before(text: str, pos: int) -> NameItem | None:
    rev = text[max(0, pos - 24) : pos][::-1]
    m = _BEFORE_PHONE_RE.match(rev)
    if m is None:
        return None
    end = pos - m.start(1)
    run = m.group(1)[::-1]
    for k in (3, 2, 4):
        if k > len(run):
            continue
        if k < len(run) and run[-k - 1] not in _LEFT_BOUNDARY:
            continue
        cand = run[-k:]
        got = _plausible(cand)
        if got:
            return NameItem(end - k, end, got, False, "near_phone")
    return None


def _name_after(text: str, pos: int) -> NameItem | None:
    i = pos
    while i < len(text) and i - pos < 2 and text[i] in " \t/(（":
        i += 1
    j = i
    while j < len(text) and j - i < 5 and (_cjk(text[j]) or text[j] in NAME_MASK):
        j += 1
    run = text[i:j]
    if not 2 <= len(run) <= 4:
        return None
    got = _plausible(run)
    return NameItem(i, j, got, False, "near_phone") if got else None


def _plausible(cand: str) -> int:
    """Surname length if ``cand`` (the whole string) reads as a name, else 0."""
    if (
        cand in _STOP_NAMES
        or cand.startswith(_PHONE_WORD_TAIL)
        or (cand[0] not in SINGLE_SURNAMES and division_at(cand, 0, ANCHOR_NAMES))
    ):
        return 0
    if cand[:2] in COMPOUND_SURNAMES and 3 <= len(cand) <= 4:
        return 2
    if cand[0] in SINGLE_SURNAMES and 2 <= len(cand) <= 3 and not any(c in _LEFT_BOUNDARY for c in cand[1:]):
        return 1
    if len(cand) <= 4 and _masked_after_first(cand):
        return 1  # a masked name, perhaps of a compound surname: 宗***, 亓**
    return 0
