from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from parcelguard.registry.validators import validate_credit_code, validate_licence_no


@pytest.mark.parametrize("code", [
    "91350100M000100Y43",  # published example shape: Fujian, enterprise
    "91110000100000000P",  # hypothetical Beijing code with a correct check character
    "9135 0303 MA2X YW12 3T",
])
def test_credit_codes_with_a_correct_check_character_pass(code):
    from stdnum.cn import uscc

    compact = code.replace(" ", "")
    valid = compact[:17] + uscc.calc_check_digit(compact[:17])
    validate_credit_code(valid)


@pytest.mark.parametrize(("code", "reason"), [
    ("91350303MA2XYW123", "18"),  # 17 characters
    ("91350303MA2XYW12301", "18"),  # 19 characters
    ("9135030SMA2XYW1230", "characters"),  # S is not in the alphabet, and position 8 must be a digit
    ("91350303MA2XYZ1230", "characters"),  # Z is not in the alphabet
])
def test_malformed_credit_codes_fail_with_the_reason(code, reason):
    with pytest.raises(ValidationError) as exc:
        validate_credit_code(code)
    message = " ".join(exc.value.messages)
    assert code in message
    assert reason in message or {"18": "18位", "characters": "字符"}[reason] in message


def test_a_credit_code_with_one_changed_character_fails_its_check():
    from stdnum.cn import uscc

    body = "91350303MA2XYW123"
    good = body + uscc.calc_check_digit(body)
    validate_credit_code(good)
    wrong = "0" if good[-1] != "0" else "1"
    with pytest.raises(ValidationError) as exc:
        validate_credit_code(good[:-1] + wrong)
    assert "check" in " ".join(exc.value.messages) or "校验" in " ".join(exc.value.messages)


@pytest.mark.parametrize("number", ["闽邮20190012", "国邮20100001", "粤邮20240999", "京邮20110001"])
def test_licence_numbers_of_the_real_shape_pass(number):
    validate_licence_no(number)


@pytest.mark.parametrize("number", ["闽20190012", "闽邮2019001", "闽邮201900123", "X邮20190012", "闽邮20050012",
                                    "闽邮20990012", "", "闽邮2019OO12"])
def test_licence_numbers_of_the_wrong_shape_or_year_fail(number):
    with pytest.raises(ValidationError):
        validate_licence_no(number)
