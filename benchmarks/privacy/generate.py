"""Synthetic, labelled waybill data for the waybill_privacy benchmark.

Built on the library's own administrative-division and surname tables (not Faker: its phone prefixes
are old and its addresses random combinations). Every text comes with gold spans
``(type, start, end)``; PII-free texts are logistics messages full of numbers and place names that are
*not* personal data. ``--out DIR`` writes ``clean.jsonl``, ``ocr.jsonl``, ``pii_free.jsonl``,
``unseen.jsonl`` (held-out layouts) and ``records.jsonl``.

    python benchmarks/privacy/generate.py --n 2000 --out /tmp/privacy-data
"""

from __future__ import annotations

import argparse
import json
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

from waybill_privacy._numbers import id_check_char  # the benchmark lives in the same repository
from waybill_privacy._tables import AREA_CODES, COMPOUND_SURNAMES, DIVISIONS, MOBILE_PREFIXES

COMMON_SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN_CHARS = list(
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红梅玉兰文辉鹏飞宇浩然子涵欣怡梓萱"
    "一诺依晨思远嘉怡俊熙博文雨泽佳琪晓东海燕春梅立新永成德华振宇美玲丹丹婷婷亮晶慧敏雪峰凤英宏伟"
)
ROAD_CHARS = list(
    "文三中山人民解放建设和平新华长江黄河东风胜利青年学院延安北京南京迎宾光明幸福科技创业振兴育才"
)
ROAD_SUFFIX = ["路", "路", "路", "街", "大道", "大街", "巷"]
ESTATES = ["阳光", "金色", "翠苑", "锦绣", "碧桂园", "万科", "绿城", "华星", "紫金", "香樟", "御景", "滨江"]
ESTATE_SUFFIX = ["小区", "花园", "公寓", "家园", "苑", "大厦", "广场", "新村"]
BRANDS = ["SF", "JT", "YT", "JD", "DPK", "EMS"]
SERVICE = [
    "95338",
    "95311",
    "95543",
    "95554",
    "95546",
    "11183",
    "12305",
    "12345",
    "400-811-1111",
    "400-820-8820",
    "800-820-8820",
    "4001-111-111",
    "10086",
    "95311",
]
ITEMS = ["文件", "衣服", "书籍", "电子产品", "日用品", "食品", "茶叶", "药品", "配件", "鞋子"]
FULLWIDTH = {str(i): chr(0xFF10 + i) for i in range(10)}


@dataclass
class Sample:
    text: str
    spans: list[tuple[str, int, int]] = field(default_factory=list)


class Builder:
    """Concatenates pieces and remembers the gold span of each personal-data piece."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.spans: list[tuple[str, int, int]] = []
        self.pos = 0

    def add(self, piece: str, kind: str | None = None) -> None:
        if kind and piece:
            lead = len(piece) - len(piece.lstrip())
            core = piece.strip()
            self.spans.append((kind, self.pos + lead, self.pos + lead + len(core)))
        self.parts.append(piece)
        self.pos += len(piece)

    def done(self) -> Sample:
        return Sample("".join(self.parts), self.spans)


_COUNTIES = [
    d
    for d in DIVISIONS
    if d.level == 3 and d.code != "000000" and d.code[4:] != "99" and "直辖" not in d.name
]
_BY_CODE = {d.code: d for d in DIVISIONS}
_AREA = sorted(AREA_CODES)
_PREFIXES = sorted(MOBILE_PREFIXES)


def name(rng: random.Random) -> str:
    sur = rng.choice(sorted(COMPOUND_SURNAMES)) if rng.random() < 0.06 else rng.choice(COMMON_SURNAMES)
    return sur + "".join(rng.choice(GIVEN_CHARS) for _ in range(rng.choice((1, 2, 2))))


def mobile(rng: random.Random) -> str:
    return rng.choice(_PREFIXES) + f"{rng.randrange(10**8):08d}"


def landline(rng: random.Random) -> str:
    area = rng.choice(_AREA)
    local = str(rng.randint(2, 8)) + "".join(
        str(rng.randrange(10)) for _ in range(7 if area[:2] in ("01", "02") else rng.choice((6, 7)))
    )
    sep = rng.choice(["-", "-", "", " "])
    ext = f"-{rng.randint(1, 999)}" if rng.random() < 0.1 else ""
    return f"{area}{sep}{local}{ext}"


def id_number(rng: random.Random) -> str:
    county = rng.choice(_COUNTIES).code
    year = rng.randint(1950, 2005)
    birth = f"{year}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    first17 = f"{county}{birth}{rng.randrange(1000):03d}"
    return first17 + id_check_char(first17)


def address(rng: random.Random) -> tuple[str, int]:
    """An address and the length of its part up to the street and number."""
    county = rng.choice(_COUNTIES)
    pref = _BY_CODE.get(county.code[:4] + "00")
    prov = _BY_CODE.get(county.code[:2] + "0000")
    parts = []
    if prov and rng.random() < 0.8:
        parts.append(prov.short if prov.short and rng.random() < 0.3 else prov.name)
    if pref and "直辖" not in pref.name and pref.name != (prov.name if prov else None):
        parts.append(pref.short if pref.short and rng.random() < 0.2 else pref.name)
    parts.append(county.name)
    head = "".join(parts)
    if rng.random() < 0.2:
        town = "".join(rng.choice(ROAD_CHARS) for _ in range(2)) + rng.choice(["镇", "乡"])
        village = "".join(rng.choice(ROAD_CHARS) for _ in range(2)) + "村"
        street = f"{town}{village}{rng.randint(1, 12)}组"
        detail = f"{rng.randint(1, 99)}号"
    else:
        street = (
            "".join(rng.choice(ROAD_CHARS) for _ in range(2))
            + rng.choice(ROAD_SUFFIX)
            + f"{rng.randint(1, 999)}号"
        )
        est = rng.choice(ESTATES) + rng.choice(ESTATE_SUFFIX)
        detail = rng.choice(
            [
                f"{est}{rng.randint(1, 30)}幢{rng.randint(1, 6)}单元{rng.randint(1, 33)}{rng.randint(1, 4):02d}室",
                f"{est}{rng.randint(1, 30)}栋{rng.randint(1, 33)}{rng.randint(1, 4):02d}",
                f"{est}{rng.choice('ABCD')}座{rng.randint(1, 33)}{rng.randint(1, 20):02d}",
                f"{rng.randint(1, 30)}号楼{rng.randint(1, 6)}单元{rng.randint(101, 2604)}",
                f"{est}{rng.randint(1, 30)}-{rng.randint(1, 6)}-{rng.randint(101, 2604)}",
            ]
        )
    return head + street + detail, len(head + street)


def waybill_no(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return rng.choice(BRANDS) + "".join(str(rng.randrange(10)) for _ in range(rng.randint(10, 15)))
    return str(rng.choice([7, 3, 4, 5, 9])) + "".join(
        str(rng.randrange(10)) for _ in range(rng.randint(11, 14))
    )


def noise(rng: random.Random) -> str:
    return rng.choice(
        [
            f" 运单号：{waybill_no(rng)}",
            f" 订单号{rng.randrange(10**15, 10**18)}",
            f" 重量{rng.randint(1, 30)}.{rng.randint(0, 9)}kg",
            f" 运费￥{rng.randint(8, 99)}.{rng.randint(0, 99):02d}",
            f" {rng.randint(2023, 2026)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}",
            f" {rng.randint(100, 999)}-{rng.choice('ABCDW')}{rng.randint(1, 99):02d}-{rng.randint(1, 99):02d}",
            f" 客服{rng.choice(SERVICE)}",
            f" 件数{rng.randint(1, 5)}",
            f" 内件：{rng.choice(ITEMS)}",
            "",
        ]
    )


# --- OCR damage ---------------------------------------------------------------------------------


def damage_number(value: str, rng: random.Random) -> str:
    """Damage a phone or ID number the way OCR does (at least one kind of damage)."""
    kinds = rng.sample(["space", "break", "O", "l", "B", "full"], k=rng.randint(1, 2))
    chars = list(value)
    if "full" in kinds:
        chars = [FULLWIDTH.get(c, c) for c in chars]
    for i, c in enumerate(chars):
        if "O" in kinds and c == "0" and rng.random() < 0.5:
            chars[i] = rng.choice("Oo")
        if "l" in kinds and c == "1" and i > 0 and rng.random() < 0.5:
            chars[i] = rng.choice("lI")
        if "B" in kinds and c == "8" and rng.random() < 0.5:
            chars[i] = "B"
    digit_pos = [i for i, c in enumerate(value) if c.isdigit()]
    if "space" in kinds and len(digit_pos) > 6:
        for cut in sorted(rng.sample(digit_pos[2:-2], k=rng.randint(1, 2)), reverse=True):
            chars.insert(cut, " ")
    elif "break" in kinds and len(digit_pos) > 6:
        chars.insert(rng.choice(digit_pos[3:-3]), "\n")
    out = "".join(chars)
    return out


def damage_address(value: str, rng: random.Random) -> str:
    out = value
    if rng.random() < 0.4:
        for suffix in ("市", "区", "县"):
            k = out.find(suffix)
            if 0 < k < len(out) - 4:
                out = out[: k + 1] + " " + out[k + 1 :]
                break
    elif rng.random() < 0.5:
        # a line break inside the address: after the township, or before the street number
        m = re.search(r"(?:街道|镇|乡)(?=.{4})", out) if rng.random() < 0.5 else None
        m = m or re.search(r"(?:路|街|巷)(?=[0-9０-９])", out)
        if m:
            out = out[: m.end()] + "\n" + out[m.end() :]
    return "".join(FULLWIDTH.get(c, c) if rng.random() < 0.15 else c for c in out)


# --- texts ----------------------------------------------------------------------------------------


def labelled_text(rng: random.Random, ocr: bool = False) -> Sample:
    b = Builder()
    if rng.random() < 0.4:
        b.add(noise(rng).lstrip())
        b.add(" ")

    def num(v: str) -> str:
        if not ocr:
            return v
        d = damage_number(v, rng)
        return d

    parties = rng.choice([["收件人", "寄件人"], ["收件人"], ["寄件人"], ["收货人"], ["联系人"], ["收"], [""]])
    for label in parties:
        nm, ph = name(rng), mobile(rng) if rng.random() < 0.85 else landline(rng)
        masked_name = rng.random() < 0.15
        masked_phone = rng.random() < 0.2
        if masked_name:
            nm = nm[:1] + "*" * (len(nm) - 1)
        if masked_phone:
            ph = (
                ph[:3] + "****" + ph[7:]
                if ph[0] == "1" and rng.random() < 0.6
                else ("1******" + ph[-4:] if ph[0] == "1" else ph)
            )
        colon = rng.choice(["：", ":", "", " "]) if label else ""
        if label == "收":
            colon = "："
        b.add(label + colon)
        b.add(nm, "name")
        b.add(rng.choice([" ", " ", "", "  ", "，电话", " 手机:"]))
        if ocr and ph[0] == "1" and "*" not in ph and rng.random() < 0.15:
            b.add(rng.choice(["+86 ", "+86-", "0086 ", "(+86)"]))
        b.add(num(ph) if "*" not in ph else ph, "phone")
        b.add(rng.choice([" ", "\n", "，地址：", " "]))
        addr, keep = address(rng)
        if rng.random() < 0.15:
            addr = addr[:keep] + "****"
        b.add(damage_address(addr, rng) if ocr else addr, "address")
        if rng.random() < 0.3:
            b.add(noise(rng))
        b.add(rng.choice(["\n", " ", "；"]))
    if rng.random() < 0.12:
        b.add(rng.choice(["身份证号：", "身份证", "证件号码:"]))
        b.add(num(id_number(rng)), "id_number")
        b.add(" ")
    if rng.random() < 0.1:
        b.add(rng.choice(["座机：", "固话 ", "电话:"]))
        b.add(num(landline(rng)), "phone")
        b.add(" ")
    b.add(noise(rng))
    return b.done()


def unseen_text(rng: random.Random) -> Sample:
    """Layouts the detector was not developed against (written once, never tuned on): a held-out check."""
    b = Builder()
    nm, ph = name(rng), mobile(rng) if rng.random() < 0.8 else landline(rng)
    addr, _ = address(rng)
    layout = rng.randrange(10)
    if layout == 0:
        (
            b.add("姓名:"),
            b.add(nm, "name"),
            b.add(";电话:"),
            b.add(ph, "phone"),
            b.add(";地址:"),
            b.add(addr, "address"),
        )
        b.add(";")
    elif layout == 1:
        b.add("Name: "), b.add(nm, "name"), b.add(" Tel: "), b.add(ph, "phone"), b.add(" Addr: ")
        b.add(addr, "address")
    elif layout == 2:
        b.add(addr, "address"), b.add(" "), b.add(nm, "name"), b.add("(收) "), b.add(ph, "phone")
    elif layout == 3:
        b.add(ph, "phone"), b.add("/"), b.add(nm, "name"), b.add("\n"), b.add(addr, "address")
    elif layout == 4:
        (
            b.add("收方信息 "),
            b.add(nm, "name"),
            b.add(" "),
            b.add(ph, "phone"),
            b.add(" "),
            b.add(addr, "address"),
        )
    elif layout == 5:
        b.add("发货人："), b.add(nm, "name"), b.add("  联系方式："), b.add(ph, "phone")
        b.add(f"  发货时间 {rng.randint(2023, 2026)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}")
    elif layout == 6:
        b.add("【"), b.add(nm, "name"), b.add("】"), b.add(ph, "phone"), b.add(" "), b.add(addr, "address")
    elif layout == 7:
        b.add("联系电话："), b.add(ph, "phone"), b.add("（"), b.add(nm, "name"), b.add("）")
    elif layout == 8:
        b.add("公民身份号码 "), b.add(id_number(rng), "id_number"), b.add(" 签收人："), b.add(nm, "name")
    else:
        area = rng.choice(_AREA)
        local = str(rng.randint(2, 8)) + "".join(
            str(rng.randrange(10)) for _ in range(7 if len(area) == 3 else 6)
        )
        b.add("收件人 "), b.add(nm, "name"), b.add(" 电话："), b.add(f"({area}){local}", "phone"), b.add(" ")
        b.add(addr.replace("号", "弄", 1) if rng.random() < 0.5 else addr, "address")
    b.add(noise(rng))
    return b.done()


PII_FREE = [
    "您的快件已到达【{city}转运中心】，下一站【{city2}分拨中心】",
    "您的快件已由{city}{county}营业部揽收，运单号{wb}",
    "快件已签收，签收人：本人。如有疑问请致电{svc}",
    "【{brand}】您的包裹{wb}正在派送中，快递员电话请查看APP，客服{svc}",
    "{date} {time} 快件离开【{city}中转场】，发往【{city2}】",
    "三段码 {sort} 网点 {city}{county}营业部",
    "订单号{order}，实付￥{price}，重量{w}kg，体积30×20×10cm",
    "收件人信息请核对，地址填写至门牌号，保持电话畅通",
    "寄件须知：禁止寄递易燃易爆、管制刀具等物品。监督电话{svc}",
    "{city}{county}快递驿站：今日到件{n}件，请凭取件码{code}取件",
    "和平路口临时停车点，开放时间8:00-20:00",
    "客服热线{svc}，服务时间9:00-21:00，投诉请拨{svc2}",
    "快件在{province}{city}完成分拣，{date}预计送达",
    "张家界国家森林公园门票两张，备注：加急",
    "王府井百货大楼{n}楼服务台代收",
    "运单{wb} 件数{n} 重量{w}kg 付款方式：月结",
    "第{n}号窗口办理寄件，请排队",
    "今日{city}气温{n}度，快件时效延迟{n2}小时",
    "揽收网点：{county}高新区网点 编号{order6}",
    "{brand} 电子面单 {wb} {date}",
    "时间 {date} 状态 已揽收 操作员工号 {order6}",
    "您在{city}{county}购买的商品已出库，订单编号{order}",
    "寄件人：{company}，客服电话{svc}",
    "收件人：{company}前台代收，营业时间9:00-18:00",
    "收件人信息：请填写真实姓名和手机号码",
    "联系人：{company}客服中心 {svc}",
    "{city}{county}人民政府 地址：{county}政务服务中心{n}号窗口",
    "快递员王师傅已接单，预计{time}到达{city}{county}",
    "黄金周期间{province}部分地区快件延误{n2}小时，敬请谅解",
    "已放入{city}{county}丰巢柜，取件码{code6}，请于{date}前取件",
    "{brand}重量{w}kg 尺寸{n}×{n2}×{n}cm 保价{price}元 条码{order}",
    "批次号：{order} 工号 {order6} 扫描时间 {date} {time}",
]
COMPANIES = [
    "顺丰速运有限公司",
    "杭州华星科技有限公司",
    "京东物流",
    "中通快递",
    "阳光电器商行",
    "王府井百货",
    "张小泉刀剪店",
    "李宁体育用品",
    "周大福珠宝",
    "海尔电器",
    "马记牛肉面",
    "高德地图",
]


def pii_free_text(rng: random.Random) -> str:
    county = rng.choice(_COUNTIES)
    pref = _BY_CODE.get(county.code[:4] + "00")
    prov = _BY_CODE.get(county.code[:2] + "0000")
    city = pref.name if pref else county.name
    city2 = rng.choice(_COUNTIES).name
    return rng.choice(PII_FREE).format(
        city=city,
        city2=city2,
        county=county.name,
        province=prov.name if prov else "",
        wb=waybill_no(rng),
        svc=rng.choice(SERVICE),
        svc2=rng.choice(SERVICE),
        brand=rng.choice(BRANDS),
        date=f"{rng.randint(2023, 2026)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        time=f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}",
        sort=f"{rng.randint(100, 999)}-{rng.choice('ABCDW')}{rng.randint(1, 99):02d}-{rng.randint(1, 99):02d}",
        order=rng.randrange(10**15, 10**19),
        order6=rng.randrange(10**5, 10**7),
        price=f"{rng.randint(1, 999)}.{rng.randint(0, 99):02d}",
        w=f"{rng.randint(0, 30)}.{rng.randint(0, 9)}",
        n=rng.randint(1, 300),
        n2=rng.randint(1, 48),
        code=f"{rng.randint(1, 30)}-{rng.randint(1, 6)}-{rng.randint(1000, 9999)}",
        code6=f"{rng.randrange(10**5, 10**8)}",
        company=rng.choice(COMPANIES),
    )


def record(rng: random.Random) -> dict[str, str | None]:
    s_addr, _ = address(rng)
    r_addr, _ = address(rng)
    return {
        "waybill_no": waybill_no(rng),
        "sender_name": name(rng),
        "sender_phone": mobile(rng) if rng.random() < 0.9 else landline(rng),
        "sender_address": s_addr,
        "sender_id_number": id_number(rng) if rng.random() < 0.3 else None,
        "recipient_name": name(rng),
        "recipient_phone": mobile(rng),
        "recipient_address": r_addr,
    }


def dataset(n: int, seed: int = 20261127) -> dict[str, list]:
    rng = random.Random(seed)
    return {
        "clean": [labelled_text(rng) for _ in range(n)],
        "ocr": [labelled_text(rng, ocr=True) for _ in range(n)],
        "pii_free": [Sample(pii_free_text(rng)) for _ in range(n * 2)],
        "unseen": [unseen_text(rng) for _ in range(n // 2)],
        "records": [record(rng) for _ in range(n * 10)],
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=20261127)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    data = dataset(args.n, args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    for key in ("clean", "ocr", "pii_free", "unseen"):
        with (args.out / f"{key}.jsonl").open("w", encoding="utf-8") as fh:
            for i, s in enumerate(data[key]):
                fh.write(
                    json.dumps({"id": f"{key}-{i}", "text": s.text, "gold": s.spans}, ensure_ascii=False)
                    + "\n"
                )
    with (args.out / "records.jsonl").open("w", encoding="utf-8") as fh:
        for r in data["records"]:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
