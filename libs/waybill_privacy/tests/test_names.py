import pytest
from waybill_privacy import audit_text


def names(text):
    return [(f.text, f.masked, f.meets_standard) for f in audit_text(text).findings if f.type == "name"]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("收件人：张三 13812345678", "张三"),
        ("收件人:张三丰 13812345678", "张三丰"),
        ("寄件人 李四", "李四"),
        ("收货人：王小明", "王小明"),
        ("联系人：赵六", "赵六"),
        ("姓名：孙悟空", "孙悟空"),
        ("发件人：周杰", "周杰"),
        ("收：吴磊\n", "吴磊"),
        ("寄:郑爽", "郑爽"),
        ("收件人张三浙江省杭州市西湖区文三路90号", "张三"),
        ("收件人：张三电话13812345678", "张三"),
        (
            "收件人：买买提 13812345678",
            "买买提",
        ),
        (
            "联系人方雪0470 60348457",
            "方雪",
        ),  # 方 is a surname, not the 方 of 收方  # not in the surname table, but after a strong label and colon
    ],
)
def test_it_finds_names_after_labels(text, found):
    assert names(text) == [(found, False, False)]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("收件人：欧阳娜娜", "欧阳娜娜"),
        ("收件人：司马光", "司马光"),
        ("收件人：上官婉儿", "上官婉儿"),
        ("收件人：诸葛亮", "诸葛亮"),
        ("收件人：东方明珠", "东方明珠"),
        ("收件人：皇甫嵩", "皇甫嵩"),
        ("收件人：尉迟恭", "尉迟恭"),
        ("收件人：公孙策", "公孙策"),
        ("收件人：慕容复", "慕容复"),
        ("收件人：长孙无忌", "长孙无忌"),
        ("收件人：宇文泰", "宇文泰"),
        ("收件人：司徒雷登", "司徒雷登"),
        ("收件人：夏侯惇", "夏侯惇"),
    ],
)
def test_it_finds_compound_surnames(text, found):
    assert names(text) == [(found, False, False)]


@pytest.mark.parametrize(
    ("text", "masked_text"),
    [
        ("收件人：欧阳娜娜", "收件人：欧阳**"),
        ("收件人：司马光", "收件人：司马*"),
        ("收件人：张三", "收件人：张*"),
        ("收件人：王小明", "收件人：王**"),
    ],
)
def test_it_masks_compound_surnames(text, masked_text):
    assert audit_text(text).masked_text == masked_text


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("张三 13812345678", "张三"),
        ("李四13900001111", "李四"),
        ("13812345678 王五", "王五"),
        ("欧阳修 13812345678", "欧阳修"),
        ("浙江省杭州市西湖区文三路90号501室张三13812345678", "张三"),
        ("【端木敏然】13777396570", "端木敏然"),
        ("文三路90号501室 严熙(收) 17493429043", "严熙"),
        ("13812345678/王五", "王五"),
    ],
)
def test_it_finds_names_next_to_a_phone(text, found):
    assert names(text) == [(found, False, False)]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("收件人：张*", "张*"),
        ("收件人：张**", "张**"),
        ("收件人：欧阳*", "欧阳*"),
        ("收件人：*三", "*三"),
        ("收件人：张某某", "张某某"),
        ("收件人：张先生", "张先生"),
        ("收件人：李女士", "李女士"),
        ("寄件人方** 手机:15164136464", "方**"),
        ("收：闾***，电话14697166837", "闾***"),  # 闾丘 with only its first character shown
        ("亓*** 14872146330", "亓***"),
    ],
)
def test_masked_names_and_honorifics_meet_the_standard(text, found):
    assert names(text) == [(found, True, True)]


@pytest.mark.parametrize(
    "text",
    [
        "收件人地址：浙江省杭州市",
        "收件人信息请核对",
        "收到快递请及时确认",
        "寄件须知：禁止寄递易燃易爆物品",
        "您的快件已到达杭州转运中心，请保持电话畅通",
        "联系电话请填写真实号码",
        "张家界国家森林公园门票",
        "王府井百货大楼促销",
        "客服热线 95338",
        "时间 2024-05-01",
        "收件人：本人",
    ],
)
def test_it_does_not_take_ordinary_words_for_names(text):
    assert names(text) == []


def test_it_reports_a_full_name_as_shown_in_full():
    (f,) = audit_text("收件人：张三").findings
    assert f.reason == "姓名完整显示，应至少隐藏1个字"


@pytest.mark.parametrize(
    "text",
    [
        "收件人：请填写真实姓名",
        "收件人：王者荣耀",
        "寄件人：顺丰速运有限公司",
        "收件人：杭州华星科技有限公司",
        "联系人：客服中心",
        "收件人：前台",
        "收：到付",
        "寄：顺丰",
    ],
)
def test_a_label_followed_by_other_words_is_not_a_name(text):
    assert names(text) == []


def test_it_takes_a_dotted_name_whole():
    assert names("收件人：买买提·艾力 13812345678") == [("买买提·艾力", False, False)]



@pytest.mark.parametrize(("text", "name"), [("收件人：朱 飞思 13812345678", "朱 飞思"),
                                            ("寄件人 欧阳 娜娜 13812345678", "欧阳 娜娜"),
                                            ("联系人：张 三", "张 三")])
def test_a_name_split_by_ocr_after_its_surname_is_one_failing_name(text, name):
    """Issue 19 item 5: OCR inserts a space after the surname."""
    found = [f for f in audit_text(text).findings if f.type == "name"]
    assert [f.text for f in found] == [name] and not found[0].meets_standard
    assert name.split()[1] not in audit_text(text).masked_text


@pytest.mark.parametrize("text", ["收件人：王 先生", "收件人：朱 飞思明天到", "收件人：李 女士 13812345678"])
def test_a_surname_and_a_following_word_are_not_forced_into_a_name(text):
    assert not [f for f in audit_text(text).findings if f.type == "name" and " " in f.text]
