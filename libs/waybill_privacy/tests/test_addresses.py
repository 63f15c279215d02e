import pytest
from waybill_privacy import audit_text


def addresses(text, policy="standard"):
    r = audit_text(text, policy=policy)
    return [(f.text, f.replacement, f.masked, f.meets_standard) for f in r.findings if f.type == "address"]


@pytest.mark.parametrize(
    ("text", "found", "standard"),
    [
        (
            "浙江省杭州市西湖区文三路90号华星大厦501室",
            "浙江省杭州市西湖区文三路90号华星大厦501室",
            "浙江省杭州市西湖区文三路90号****",
        ),
        (
            "收件人：张三 13812345678 广东省深圳市南山区科技园南路18号3栋2单元1801",
            "广东省深圳市南山区科技园南路18号3栋2单元1801",
            "广东省深圳市南山区科技园南路18号****",
        ),
        (
            "浙江杭州西湖区文三路90号3幢2单元501室",
            "浙江杭州西湖区文三路90号3幢2单元501室",
            "浙江杭州西湖区文三路90号****",
        ),
        (
            "北京市朝阳区建国路88号SOHO现代城5号楼1202室",
            "北京市朝阳区建国路88号SOHO现代城5号楼1202室",
            "北京市朝阳区建国路88号****",
        ),
        ("杭州市西湖区文三路90号501室", "杭州市西湖区文三路90号501室", "杭州市西湖区文三路90号****"),
        (
            "河南省周口市郸城县汲冢镇王庄村3组15号",
            "河南省周口市郸城县汲冢镇王庄村3组15号",
            "河南省周口市郸城县汲冢镇王庄村3组****",
        ),
        ("地址：文三路478号华星时代广场A座1203", "文三路478号华星时代广场A座1203", "文三路478号****"),
        (
            "四川省成都市武侯区人民南路四段1号2栋301",
            "四川省成都市武侯区人民南路四段1号2栋301",
            "四川省成都市武侯区人民南路四段1号****",
        ),
        (
            "浙江省杭州市 西湖区文三路90号 华星大厦 501室",
            "浙江省杭州市 西湖区文三路90号 华星大厦 501室",
            "浙江省杭州市 西湖区文三路90号****",
        ),
    ],
)
def test_it_finds_addresses_and_hides_building_unit_and_room(text, found, standard):
    assert addresses(text) == [(found, standard, False, False)]


@pytest.mark.parametrize(
    ("text", "strict"),
    [
        ("浙江省杭州市西湖区文三路90号华星大厦501室", "浙江省杭州市西湖区****"),
        ("北京市朝阳区建国路88号5号楼1202室", "北京市朝阳区****"),
        ("河南省周口市郸城县汲冢镇王庄村3组15号", "河南省周口市郸城县****"),
        ("杭州市西湖区文三路90号", "杭州市西湖区****"),
    ],
)
def test_the_strict_policy_cuts_addresses_after_the_county(text, strict):
    ((_, replacement, _, _),) = addresses(text, "strict")
    assert replacement == strict


@pytest.mark.parametrize(
    ("text", "masked", "meets"),
    [
        ("浙江省杭州市西湖区文三路90号****", True, True),
        ("浙江省杭州市西湖区****", True, True),
        ("湖南省长沙市岳麓区麓山南路**号****", True, True),
        ("浙江省杭州市西湖区文三路90号****501室", True, False),
        ("浙江省杭州市西湖区文三路90号", False, True),  # no building/unit/room part to hide
    ],
)
def test_it_judges_masked_addresses(text, masked, meets):
    ((_, _, got_masked, got_meets),) = addresses(text)
    assert (got_masked, got_meets) == (masked, meets)


@pytest.mark.parametrize(
    "text",
    [
        "您的快件已到达杭州市转运中心",
        "快件已从北京市朝阳区发出，下一站上海",
        "浙江省杭州市西湖区",  # divisions alone are not a personal address
        "第3号窗口办理",
        "请到2号楼取件",
        "和平路上的风景",
        "广州南站至深圳北站",
    ],
)
def test_it_does_not_report_places_that_are_not_addresses(text):
    assert addresses(text) == []


def test_an_address_stops_before_the_next_field():
    text = "地址：浙江省杭州市西湖区文三路90号501室 电话13812345678"
    assert [f.text for f in audit_text(text).findings] == ["浙江省杭州市西湖区文三路90号501室", "13812345678"]


def test_the_division_table_records_its_source_and_date():
    from importlib.resources import files

    head = files("waybill_privacy").joinpath("_data", "divisions.tsv").read_text("utf-8")[:800]
    assert "Source:" in head and "民政部" in head and "2023-04-03" in head


@pytest.mark.parametrize(
    ("code", "name", "short"),
    [
        ("330000", "浙江省", "浙江"),
        ("330100", "杭州市", "杭州"),
        ("330106", "西湖区", "西湖"),
        ("540400", "林芝市", "林芝"),
    ],
)
def test_the_division_table_knows_provinces_cities_and_counties(code, name, short):
    from waybill_privacy._tables import DIVISIONS

    assert any(d.code == code and d.name == name and d.short == short for d in DIVISIONS)


def test_no_division_name_holds_a_digit_or_a_letter():
    # masking relies on it: the street-and-number search may start at the beginning of an address
    import re

    from waybill_privacy._tables import CHAINED_NAMES

    assert not [n for n in CHAINED_NAMES if re.search(r"[0-9A-Za-z０-９*＊]", n)]


def test_placeholder_divisions_are_not_names():
    from waybill_privacy._tables import CHAINED_NAMES

    assert "省直辖行政区划" not in CHAINED_NAMES
    assert {"巴州", "巴音郭楞", "巴音郭楞蒙古自治州"} <= set(CHAINED_NAMES)


@pytest.mark.parametrize(
    ("text", "found", "standard"),
    [
        # OCR breaks a line inside the address, or before its street number (issue 19, item 5)
        ("收件地址：莆田市涵江区涵东街道\n宫口路12号3栋", "莆田市涵江区涵东街道\n宫口路12号3栋", "莆田市涵江区涵东街道\n宫口路12号****"),
        ("地址：福建省莆田市荔城区镇海街道胜利北街\n56号 电话", "福建省莆田市荔城区镇海街道胜利北街\n56号", None),
        ("莆田市城厢区龙桥街道东大路\n128号3栋", "莆田市城厢区龙桥街道东大路\n128号3栋", "莆田市城厢区龙桥街道东大路\n128号****"),
        ("莆田市城厢区龙桥街道\n东大路128号", "莆田市城厢区龙桥街道\n东大路128号", None),
        ("涵江区江口镇\n石庭村25号", "涵江区江口镇\n石庭村25号", None),
        ("地址：莆田市荔城区黄石镇东甲村8号\n2单元301室", "莆田市荔城区黄石镇东甲村8号\n2单元301室", "莆田市荔城区黄石镇东甲村8号****"),
    ],
)
def test_an_address_broken_across_lines_is_one_address(text, found, standard):
    items = [f for f in audit_text(text).findings if f.type.value == "address"]
    assert [f.text for f in items] == [found]
    if standard is not None:
        assert items[0].replacement == standard


@pytest.mark.parametrize(
    "text",
    [
        "物品：衣服\n3件 备注：易碎",
        "您的快件已到达莆田市转运中心\n请耐心等待",
        "知道\n请到2号楼取件",
        "莆田市城厢区\n第3号窗口办理",
    ],
)
def test_a_line_break_does_not_make_an_address_of_other_lines(text):
    assert addresses(text) == []
