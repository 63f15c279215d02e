import pytest
from stdnum.cn import ric
from waybill_privacy import audit_text, is_mobile, validate_id_number
from waybill_privacy._numbers import id_check_char


def phones(text):
    return [(f.text, f.masked, f.meets_standard) for f in audit_text(text).findings if f.type == "phone"]


def ids(text):
    return [f.text for f in audit_text(text).findings if f.type == "id_number"]


@pytest.mark.parametrize(
    ("first17", "check"),
    [
        ("11010519491231002", "X"),
        ("44052419800101001", "3"),
        ("35030219900101123", "9"),
        ("51010019800101001", "9"),
    ],
)
def test_it_computes_the_gb11643_check_character(first17, check):
    assert id_check_char(first17) == check
    assert ric.calc_check_digit(first17 + "0") == check  # python-stdnum agrees


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("11010519491231002X", True),
        ("11010519491231002x", True),
        ("110105 19491231 002X", True),
        ("110105194912310021", False),  # wrong check character
        ("99010519491231002X", False),  # no province 99
        ("110105194913310027", False),  # month 13
        ("110105210001010021", False),  # born in the future
        ("110105491231002", True),  # 15-digit old form, 1949-12-31
        ("110105491331002", False),  # month 13
        ("990105491231002", False),  # unknown prefecture
        ("1101051949123100", False),  # 16 digits
        ("", False),
    ],
)
def test_it_validates_id_numbers(value, valid):
    assert validate_id_number(value) is valid


@pytest.mark.parametrize(
    "prefix",
    [
        "130",
        "139",
        "145",
        "149",
        "150",
        "153",
        "155",
        "162",
        "165",
        "166",
        "167",
        "170",
        "172",
        "178",
        "180",
        "189",
        "190",
        "192",
        "193",
        "195",
        "199",
    ],
)
def test_it_accepts_mobile_prefixes_in_use(prefix):
    assert is_mobile(prefix + "12345678")
    assert phones(f"电话 {prefix}12345678") == [(prefix + "12345678", False, False)]


@pytest.mark.parametrize("prefix", ["120", "140", "144", "154", "160", "168", "179", "194", "110", "100"])
def test_it_rejects_mobile_prefixes_not_allocated(prefix):
    assert not is_mobile(prefix + "12345678")
    assert phones(f"电话 {prefix}12345678") == []


@pytest.mark.parametrize(
    "value", ["+86 13812345678", "0086 138-1234-5678", "8613812345678", " 138 1234 5678 "]
)
def test_is_mobile_accepts_country_codes_and_separators(value):
    assert is_mobile(value)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("电话138 1234 5678。", "138 1234 5678"),  # spaces inside
        ("电话1381234\n5678。", "1381234\n5678"),  # line break inside
        ("电话l38l2345678。", "l38l2345678"),  # l for 1
        ("电话I3812345678。", "I3812345678"),  # I for 1
        ("电话1381234567O。", "1381234567O"),  # O for 0
        ("电话138123456o8。", "138123456o8"),  # o for 0
        ("电话13B12345678。", "13B12345678"),  # B for 8
        ("电话１３８１２３４５６７８。", "１３８１２３４５６７８"),  # full-width digits
        ("电话+86 13812345678。", "13812345678"),  # +86 prefix
        ("电话＋86-138-1234-5678。", "138-1234-5678"),
        ("电话0086 13812345678。", "13812345678"),  # 0086 prefix
        ("电话 138-1234-5678", "138-1234-5678"),
        ("电话15 BB 6550104。", "15 BB 6550104"),  # a group of misread letters only
        ("电话1570362 o 324。", "1570362 o 324"),
    ],
)
def test_it_reads_mobile_numbers_through_ocr_damage(text, found):
    assert phones(text) == [(found, False, False)]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("电话0571-88888888", "0571-88888888"),
        ("电话(0571)88888888", "0571)88888888"),
        ("电话 010 8888 8888", "010 8888 8888"),
        ("电话02188888888", "02188888888"),
        ("电话0571-8888888", "0571-8888888"),  # 7-digit local number
        ("电话0571-88888888-123", "0571-88888888-123"),  # extension
        ("电话0571-88888888转123", "0571-88888888转123"),
        ("电话0571-88888888 分机 6", "0571-88888888 分机 6"),
        ("电话O571-8B888888", "O571-8B888888"),
        ("电话05 71-8888 8888", "05 71-8888 8888"),  # OCR split inside the area code
        ("电话0753-3 o 911132", "0753-3 o 911132"),
        ("座机：8888 6666", "8888 6666"),  # no area code, after a phone label
    ],
)
def test_it_finds_landlines(text, found):
    assert phones(text) == [(found, False, False)]


@pytest.mark.parametrize(
    "text",
    [
        "运单号：SF1234567890123",
        "运单号 773012345678901",
        "单号:13812345678",  # a number after 单号 is a reference, not a phone
        "订单号 138123456789012345",
        "JT0012345678901",
        "YT1381234567890",
        "中通 7312345678901",
        "三段码 571-W02-01 派件",
        "2024-05-01 09:30 已签收",
        "发货时间 2024-07-16 2025-09-04 04:19",  # not the landline 0716-20250904
        "20240501 已揽收",
        "运费 12.50 元，重量 2.5kg，体积 30×20×10cm",
        "客服 95338 / 95311 / 95543 / 11183 / 12305 / 12345 / 10086",
        "客服电话 400-811-1111 或 800-820-8820",
        "取件码 8-3-2201",
        "¥138.00",
    ],
)
def test_it_does_not_report_numbers_that_are_not_personal_data(text):
    assert audit_text(text).findings == ()


@pytest.mark.parametrize(
    ("text", "masked", "meets"),
    [
        ("电话138****5678", True, False),  # 4 hidden: masked but short of the standard
        ("电话1******5678", True, True),
        ("电话*******5678", True, True),
        ("电话138*****678", True, False),
        ("电话13*******78", True, True),
        ("电话138＊＊＊＊5678", True, False),
        ("电话 0571-******88", True, True),
        ("电话 0571-8888**88", True, False),
    ],
)
def test_it_judges_masked_phone_numbers(text, masked, meets):
    (found,) = audit_text(text).findings
    assert (found.type, found.masked, found.meets_standard) == ("phone", masked, meets)


def test_a_virtual_relay_number_with_extension_meets_the_standard():
    (found,) = audit_text("联系电话 17012345678转1234").findings
    assert found.type == "phone" and found.subtype == "virtual" and found.meets_standard


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("身份证11010519491231002X", ["11010519491231002X"]),
        ("身份证 110105 19491231 002X", ["110105 19491231 002X"]),
        ("身份证11O1O519491231OO2X", ["11O1O519491231OO2X"]),
        ("身份证４４０５２４１９８００１０１００１３", ["４４０５２４１９８００１０１００１３"]),
        ("证件号 110105491231002", ["110105491231002"]),
        # A wrong check character (a one-digit OCR misread) never lowers protection: the shape decides.
        ("证件号 110105194912310021", ["110105194912310021"]),
        ("寄件人 张三 110105194912310029 莆田", ["110105194912310029"]),
        ("350303199001011235", ["350303199001011235"]),
        ("身份证 35030319900101123X", ["35030319900101123X"]),
        # Not the shape of an ID number: no such province, no such date, too short.
        ("编号 990105194912310021", []),
        ("编号 110105194913310021", []),
        ("编号 11010519491231002", []),
    ],
)
def test_it_finds_id_numbers(text, found):
    assert ids(text) == found


def test_an_id_number_with_a_wrong_check_character_is_masked_and_fails_the_standard():
    result = audit_text("收件人身份证：110105194912310021")
    (found,) = result.findings
    assert found.type == "id_number" and not found.meets_standard and not result.compliant
    assert "110105194912310021" not in result.masked_text and "1101**********0021" in result.masked_text


@pytest.mark.parametrize(
    ("text", "masked", "meets"),
    [
        ("身份证11010519491231002X", False, False),
        ("身份证1101**********002X", True, False),
        ("身份证 110105********002X", True, False),
        ("身份证 ******************", True, True),
    ],
)
def test_an_id_number_never_meets_the_standard_unless_every_digit_is_hidden(text, masked, meets):
    (found,) = audit_text(text).findings
    assert (found.type, found.masked, found.meets_standard) == ("id_number", masked, meets)


def test_two_numbers_separated_by_a_space_stay_two_numbers():
    assert [f.text for f in audit_text("13812345678 13987654321").findings] == ["13812345678", "13987654321"]


def test_a_date_before_a_phone_does_not_swallow_it():
    assert phones("2024-05-01 13812345678") == [("13812345678", False, False)]


def test_it_hashes_id_numbers_with_a_key_after_normalising_them():
    import hashlib
    import hmac

    from waybill_privacy import hash_id_number

    expected = hmac.new(b"k", b"11010519491231002X", hashlib.sha256).hexdigest()
    assert hash_id_number("11010519491231002x", b"k") == expected
    assert hash_id_number("110105 19491231 002X", b"k") == expected
    assert hash_id_number("11O1O519491231OO2X", b"k") == expected
    assert hash_id_number("11010519491231002X", b"other") != expected
    with pytest.raises(ValueError):
        hash_id_number("11010519491231002X", b"")


def test_a_phone_label_closer_than_a_reference_label_wins():
    assert phones("单号:1 电话13812345678") == [("13812345678", False, False)]
    assert phones("单号:13812345678") == []


@pytest.mark.parametrize("text", ["电话 0790****73", "座机：0571****88", "联系电话 0790 ****73"])
def test_a_landline_masked_shorter_than_it_is_is_found_and_judged_below_the_standard(text):
    """Issue 19 item 5: a 4-digit area code and a shortened masked local number (4 digits hidden)."""
    (found,) = audit_text(text).findings
    assert (found.type, found.subtype, found.masked, found.meets_standard) == ("phone", "landline", True, False)
    assert "未达到去标识化标准" in found.reason


def test_a_landline_hiding_six_digits_in_a_short_form_meets_the_standard():
    (found,) = audit_text("电话 0790******3").findings
    assert found.meets_standard


@pytest.mark.parametrize("text", ["日期 2025****12", "编号 0790**", "价格 0790****"])
def test_star_runs_that_are_not_landlines_are_not_findings(text):
    assert not [f for f in audit_text(text).findings if f.subtype == "landline"]


@pytest.mark.parametrize("text", [
    "电话 138 123 45 678", "手机：139 12 345 678", "收件人 王** 138 1234 56 78",  # four spaced groups
    "电话 1381234S678", "手机：13S12345678", "电话 139123456S8",  # S read for 5 between digits
])
def test_an_ocr_damaged_mobile_number_is_found(text):
    found = [f for f in audit_text(text).findings if f.type == "phone"]
    assert len(found) == 1 and found[0].subtype == "mobile" and not found[0].meets_standard


@pytest.mark.parametrize("text", ["13-2-1300 2026", "138-123-45-678", "1 38 123 45678"])
def test_pieces_that_are_not_one_number_stay_apart(text):
    assert not [f for f in audit_text(text).findings if f.subtype == "mobile"]


@pytest.mark.parametrize("text", ["运单号 SF1234567890123", "SF 13812345678", "尺寸 S 码"])
def test_an_s_elsewhere_is_not_a_digit(text):
    result = audit_text(text)
    assert "SF" in result.masked_text or "S 码" in result.masked_text
    assert all(f.text.count("S") == 0 for f in result.findings)
