import pytest
from waybill_privacy import (
    FieldKindError,
    Policy,
    PolicyError,
    audit_text,
    mask_record,
    mask_value,
    record_masker,
)


@pytest.mark.parametrize(
    ("value", "kind", "policy", "masked"),
    [
        ("张三", "name", "standard", "张*"),
        ("王小明", "name", "standard", "王**"),
        ("欧阳娜娜", "name", "standard", "欧阳**"),
        ("司马光", "name", "strict", "司马*"),
        ("张", "name", "standard", "*"),
        ("13812345678", "phone", "standard", "1******5678"),
        ("+86 138-1234-5678", "phone", "standard", "1******5678"),
        ("13812345678", "phone", "strict", "*******5678"),
        ("0571-88888888", "phone", "standard", "0571-******88"),
        ("(010)88888888", "phone", "standard", "010-******88"),
        ("0571-88888888", "phone", "strict", "****-****8888"),
        ("0571-88888888转123", "phone", "standard", "0571-******88-123"),
        ("17012345678转1234", "phone", "standard", "1******5678转1234"),
        ("95338", "phone", "standard", "***38"),
        ("11010519491231002X", "id_number", "standard", "1101**********002X"),
        ("11010519491231002X", "id_number", "strict", "1101**********002X"),
        ("110105491231002", "id_number", "standard", "1101*******1002"),
        (
            "浙江省杭州市西湖区文三路90号华星大厦501室",
            "address",
            "standard",
            "浙江省杭州市西湖区文三路90号****",
        ),
        ("浙江省杭州市西湖区文三路90号华星大厦501室", "address", "strict", "浙江省杭州市西湖区****"),
        ("北京市朝阳区建国路88号", "address", "standard", "北京市朝阳区建国路88号"),
        ("北京市朝阳区建国路88号", "address", "strict", "北京市朝阳区****"),
        ("阳光小区3幢501", "address", "standard", "阳光小区****"),
        ("", "name", "standard", ""),
    ],
)
def test_it_masks_values_by_kind_and_policy(value, kind, policy, masked):
    assert mask_value(value, kind, policy) == masked


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("13812345678", "phone"),
        ("0571-88888888", "phone"),
        ("张三", "name"),
        ("欧阳娜娜", "name"),
        ("浙江省杭州市西湖区文三路90号华星大厦501室", "address"),
    ],
)
@pytest.mark.parametrize("policy", ["standard", "strict"])
def test_a_masked_value_meets_the_standard(value, kind, policy):
    text = {"name": "收件人：{}", "phone": "电话 {}", "address": "{}"}[kind].format(
        mask_value(value, kind, policy)
    )
    findings = audit_text(text).findings
    assert all(f.meets_standard for f in findings)
    # a strictly masked landline (****-****8888) shows too little to be recognised at all
    assert findings or (value.startswith("0") and policy == "strict")


def test_it_masks_a_record_column_by_column_and_keeps_other_columns():
    record = {
        "waybill_no": "SF1234567890123",
        "sender_name": "欧阳娜娜",
        "sender_phone": "13812345678",
        "sender_address": "浙江省杭州市西湖区文三路90号华星大厦501室",
        "sender_id_number": "11010519491231002X",
        "recipient_name": None,
        "recipient_phone": "",
    }
    assert mask_record(record) == {
        "waybill_no": "SF1234567890123",
        "sender_name": "欧阳**",
        "sender_phone": "1******5678",
        "sender_address": "浙江省杭州市西湖区文三路90号****",
        "sender_id_number": "1101**********002X",
        "recipient_name": None,
        "recipient_phone": "",
    }
    assert record["sender_name"] == "欧阳娜娜"  # the input is not changed


def test_it_masks_the_columns_it_is_told():
    record = {"who": "张三", "tel": "13812345678", "note": "13812345678"}
    out = mask_record(record, fields={"who": "name", "tel": "phone"}, policy=Policy.STRICT)
    assert out == {"who": "张*", "tel": "*******5678", "note": "13812345678"}


def test_a_prepared_masker_takes_the_cli_column_syntax():
    mask = record_masker(fields="name=who,phone=tel")
    assert mask({"who": "李四", "tel": "13900001111"}) == {"who": "李*", "tel": "1******1111"}


@pytest.mark.parametrize("bad", ["name", "name=", "colour=x", ""])
def test_it_rejects_malformed_column_mappings(bad):
    with pytest.raises(FieldKindError):
        record_masker(fields=bad)


def test_it_rejects_unknown_policies_and_kinds():
    with pytest.raises(PolicyError):
        mask_value("张三", "name", "lenient")
    with pytest.raises(FieldKindError):
        mask_value("张三", "email")
    with pytest.raises(PolicyError):
        audit_text("x", policy="none")
