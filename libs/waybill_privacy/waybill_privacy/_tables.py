"""Reference tables: surnames, mobile prefixes, landline area codes, administrative divisions.

Every table is loaded once, at import, from data shipped in the package; nothing is downloaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files

# 百家姓 plus surnames common today (闫, 覃, 付, 代 ...). Single characters.
SINGLE_SURNAMES: frozenset[str] = frozenset(
    "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜戚谢邹喻柏水窦章云苏潘葛奚范彭郎"
    "鲁韦昌马苗凤花方俞任袁柳酆鲍史唐费廉岑薛雷贺倪汤滕殷罗毕郝邬安常乐于时傅皮卞齐康伍余元卜顾孟平黄"
    "和穆萧尹姚邵湛汪祁毛禹狄米贝明臧计伏成戴谈宋茅庞熊纪舒屈项祝董梁杜阮蓝闵席季麻强贾路娄危江童颜郭"
    "梅盛林刁钟徐邱骆高夏蔡田樊胡凌霍虞万支柯昝管卢莫经房裘缪干解应宗丁宣贲邓郁单杭洪包诸左石崔吉钮龚"
    "程嵇邢滑裴陆荣翁荀羊於惠甄曲家封芮羿储靳汲邴糜松井段富巫乌焦巴弓牧隗山谷车侯宓蓬全郗班仰秋仲伊宫"
    "宁仇栾暴甘钭厉戎祖武符刘景詹束龙叶幸司韶郜黎蓟薄印宿白怀蒲邰从鄂索咸籍赖卓蔺屠蒙池乔阴郁胥能苍双"
    "闻莘党翟谭贡劳逄姬申扶堵冉宰郦雍却璩桑桂濮牛寿通边扈燕冀郏浦尚农温别庄晏柴瞿阎充慕连茹习宦艾鱼容"
    "向古易慎戈廖庾终暨居衡步都耿满弘匡国文寇广禄阙东欧殳沃利蔚越夔隆师巩厍聂晁勾敖融冷訾辛阚那简饶空"
    "曾毋沙乜养鞠须丰巢关蒯相查后荆红游竺权逯盖益桓公闫覃付代邸玉兰佟铁谌揭肖练粟原盘尧黑岳帅亢况琴"
    "佘佴商福牟年爱阳言楚法冼欧区粱植禤晋鞠"
)

# 复姓. Two characters; masking keeps both.
COMPOUND_SURNAMES: frozenset[str] = frozenset(
    [
        "万俟",
        "司马",
        "上官",
        "欧阳",
        "夏侯",
        "诸葛",
        "闻人",
        "东方",
        "赫连",
        "皇甫",
        "尉迟",
        "公羊",
        "澹台",
        "公冶",
        "宗政",
        "濮阳",
        "淳于",
        "单于",
        "太叔",
        "申屠",
        "公孙",
        "仲孙",
        "轩辕",
        "令狐",
        "钟离",
        "宇文",
        "长孙",
        "慕容",
        "鲜于",
        "闾丘",
        "司徒",
        "司空",
        "亓官",
        "司寇",
        "子车",
        "颛孙",
        "端木",
        "巫马",
        "公西",
        "漆雕",
        "乐正",
        "壤驷",
        "公良",
        "拓跋",
        "夹谷",
        "宰父",
        "谷梁",
        "段干",
        "百里",
        "东郭",
        "南门",
        "呼延",
        "归海",
        "羊舌",
        "微生",
        "梁丘",
        "左丘",
        "东门",
        "西门",
        "南宫",
        "第五",
        "独孤",
        "完颜",
        "呼延",
        "尉迟",
        "上官",
        "司马",
    ]
)

# Three-digit mobile prefixes in use (MIIT numbering plan as allocated by 2024: 13x; 145-149 data/IoT;
# 150-153, 155-159; 162/165/167 virtual operators and 166; 170-178 incl. 172 IoT and 174 satellite;
# 18x; 190-193, 195-199 incl. 192 China Broadnet). 140-144, 154, 160/161/163/164/168/169, 179, 194 are
# not allocated to public mobile service.
MOBILE_PREFIXES: frozenset[str] = frozenset(
    [f"13{d}" for d in "0123456789"]
    + [f"14{d}" for d in "56789"]
    + [f"15{d}" for d in "012356789"]
    + [f"16{d}" for d in "2567"]
    + [f"17{d}" for d in "012345678"]
    + [f"18{d}" for d in "0123456789"]
    + [f"19{d}" for d in "012356789"]
)


def _data_lines(name: str) -> list[str]:
    text = files("waybill_privacy").joinpath("_data", name).read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line and not line.startswith("#")]


AREA_CODES: frozenset[str] = frozenset(_data_lines("area_codes.txt"))


@dataclass(frozen=True, slots=True)
class Division:
    """One administrative division: 6-digit code, level (1 province, 2 prefecture, 3 county), names."""

    code: str
    level: int
    name: str
    short: str


def _load_divisions() -> tuple[Division, ...]:
    out = []
    for line in _data_lines("divisions.tsv"):
        code, level, name, short = ([*line.split("\t"), ""])[:4]
        out.append(Division(code, int(level), name, short))
    return tuple(out)


DIVISIONS: tuple[Division, ...] = _load_divisions()
PROVINCE_CODES: frozenset[str] = frozenset(d.code[:2] for d in DIVISIONS if d.level == 1)
PREFECTURE_CODES: frozenset[str] = frozenset(d.code[:4] for d in DIVISIONS if d.code != "000000")

# Names that may start an address on their own: provinces and prefectures (full or short) and county
# full names. County short forms ("朝阳", "鼓楼") only count right after their prefecture or province.
# Value: the levels the name can denote.
_ANCHOR: dict[str, set[int]] = {}
_CHAINED: dict[str, set[int]] = {}
for _d in DIVISIONS:
    if "直辖" in _d.name:  # placeholders such as 省直辖行政区划, not names that appear on labels
        continue
    for _n in (_d.name, *_d.short.split("/")):  # "巴州/巴音郭楞": two short forms
        if len(_n) < 2:
            continue
        _CHAINED.setdefault(_n, set()).add(_d.level)
        if _d.level < 3 or _n == _d.name:
            _ANCHOR.setdefault(_n, set()).add(_d.level)

# Generic county names (城区, 郊区, 矿区) are never anchors.
for _generic in ("城区", "郊区", "矿区", "市辖区", "新区"):
    _ANCHOR.pop(_generic, None)

ANCHOR_NAMES: dict[str, frozenset[int]] = {k: frozenset(v) for k, v in _ANCHOR.items()}
CHAINED_NAMES: dict[str, frozenset[int]] = {k: frozenset(v) for k, v in _CHAINED.items()}
# First two characters → the names that start with them, longest first.
_names_by_prefix: dict[str, list[str]] = {}
for _n in CHAINED_NAMES:
    _names_by_prefix.setdefault(_n[:2], []).append(_n)
DIVISION_PREFIX_NAMES: dict[str, tuple[str, ...]] = {
    k: tuple(sorted(v, key=len, reverse=True)) for k, v in _names_by_prefix.items()
}


def division_at(text: str, pos: int, names: dict[str, frozenset[int]]) -> int:
    """Length of the longest division name of ``names`` starting at ``text[pos]`` (0 if none)."""
    candidates = DIVISION_PREFIX_NAMES.get(text[pos : pos + 2])
    if candidates is None:
        return 0
    for name in candidates:
        if name in names and text.startswith(name, pos):
            return len(name)
    return 0
