import json

from hypothesis import given, settings
from hypothesis import strategies as st
from waybill_privacy import audit_batch, audit_text, iter_audit

WAYBILL = "运单号SF1234567890123 收件人：张三 13812345678 浙江省杭州市西湖区文三路90号华星大厦501室 重量2.5kg"


def test_the_result_has_exactly_the_contract_shape():
    out = audit_text("收件人：张三 13812345678", id="w1").to_dict()
    assert out == {
        "id": "w1",
        "findings": [
            {"type": "name", "start": 4, "end": 6, "text": "张三", "masked": False, "meets_standard": False},
            {
                "type": "phone",
                "start": 7,
                "end": 18,
                "text": "13812345678",
                "masked": False,
                "meets_standard": False,
            },
        ],
        "masked_text": "收件人：张* 1******5678",
        "compliant": False,
    }
    json.dumps(out)


def test_offsets_point_into_the_original_text():
    r = audit_text(WAYBILL)
    assert [f.type for f in r.findings] == ["name", "phone", "address"]
    for f in r.findings:
        assert WAYBILL[f.start : f.end] == f.text


def test_a_text_without_personal_data_is_compliant_and_unchanged():
    r = audit_text("您的快件已到达杭州转运中心，运单号SF1234567890123")
    assert r.findings == () and r.compliant and r.masked_text == r.text


def test_a_fully_masked_waybill_is_compliant():
    r = audit_text("收件人：张* 1******5678 浙江省杭州市西湖区文三路90号****")
    assert [f.masked for f in r.findings] == [True, True, True]
    assert r.compliant


def test_a_waybill_with_the_usual_masking_is_not_compliant_and_says_why():
    r = audit_text("收件人：张三 138****5678 浙江省杭州市西湖区文三路90号****")
    assert not r.compliant
    assert r.reasons == (
        "姓名完整显示，应至少隐藏1个字",
        "手机号显示11位中的7位，未达到去标识化标准（至少隐藏6位）",
    )
    assert r.summary().startswith("不合规：姓名完整显示")


def test_reasons_never_repeat_the_personal_data():
    r = audit_text(WAYBILL + " 身份证11010519491231002X")
    for reason in r.reasons:
        assert "13812345678" not in reason and "张三" not in reason and "501" not in reason


def test_masked_text_is_compliant_under_both_policies():
    for policy in ("standard", "strict"):
        masked = audit_text(WAYBILL, policy=policy).masked_text
        assert "13812345678" not in masked
        again = audit_text(masked)
        assert again.compliant, (policy, masked, again.reasons)


def test_the_strict_policy_shows_less():
    assert audit_text(WAYBILL, policy="strict").masked_text == (
        "运单号SF1234567890123 收件人：张* *******5678 浙江省杭州市西湖区**** 重量2.5kg"
    )


def test_a_batch_counts_problems_by_type():
    batch = audit_batch([("a", WAYBILL), ("b", "收件人：张* 1******5678"), "无个人信息"])
    assert (batch.total, batch.compliant_count) == (3, 2)
    assert batch.problem_counts == {"name": 1, "phone": 1, "address": 1}
    assert batch.to_dict()["non_compliant_ids"] == ["a"]


def test_iter_audit_is_lazy_and_ordered():
    it = iter_audit([("1", "张三 13812345678"), ("2", "无")])
    assert [r.id for r in it] == ["1", "2"]


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from("0123456789 -*＊张三收件人：电话浙江省杭州市西湖区路号室OlB\n+86"),
        max_size=60,
    )
)
def test_any_text_audits_with_consistent_offsets(text):
    r = audit_text(text)
    last = 0
    for f in r.findings:
        assert last <= f.start < f.end <= len(text)
        assert text[f.start : f.end] == f.text
        last = f.end
    assert r.compliant == all(f.meets_standard for f in r.findings)


def test_long_texts_and_long_digit_runs_stay_linear():
    # 40,000 one-digit groups in one run and 5,000 waybills in one text: a quadratic pass takes minutes
    assert audit_text("1 " * 40000).findings == ()
    r = audit_text("收件人：张三 13812345678 浙江省杭州市西湖区文三路90号华星大厦501室\n" * 5000)
    assert len(r.findings) == 15000 and not r.compliant


def test_every_kind_of_failure_has_its_own_reason():
    r = audit_text(
        "收件人：张三 13812345678 座机 0571-88888888 身份证1101**********002X 浙江省杭州市西湖区文三路90号****501室"
    )
    assert r.reasons == (
        "姓名完整显示，应至少隐藏1个字",
        "手机号完整显示（11位全部可见），应至少隐藏6位",
        "固定电话完整显示",
        "身份证号码显示18位中的8位，面单上不得出现身份证号码",
        "地址显示了楼栋/单元/门牌号，应隐藏",
    )
