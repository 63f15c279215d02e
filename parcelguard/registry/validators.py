"""Validators for the registry's official identifiers."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.cn import uscc
from stdnum.exceptions import ValidationError as StdnumError

from parcelguard.core import clock

# Province short names used at the start of an express-business licence number (e.g. 闽邮20190012);
# 国 for the licences the State Post Bureau issues itself.
_LICENCE_PREFIXES = "国京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_LICENCE = re.compile(rf"^([{_LICENCE_PREFIXES}])邮(\d{{4}})(\d{{4}})$")


def normalize_credit_code(value: str) -> str:
    return re.sub(r"\s+", "", value or "").upper()


def validate_credit_code(value: str) -> None:
    """Unified social credit code (统一社会信用代码), GB 32100-2015, with its check character."""
    try:
        uscc.validate(normalize_credit_code(value))
    except StdnumError as exc:
        reason = {
            "InvalidLength": _("it must have 18 characters"),
            "InvalidFormat": _("it contains characters a credit code cannot have"),
            "InvalidChecksum": _("its check character is wrong"),
            "InvalidComponent": _("its registration department or division code is not valid"),
        }.get(type(exc).__name__, _("it is not well formed"))
        raise ValidationError(
            _("Unified social credit code %(value)s is not valid: %(reason)s.") % {"value": value, "reason": reason},
            code="credit_code",
        ) from exc


def validate_licence_no(value: str) -> None:
    """Express-business licence number (快递业务经营许可证): issuer + 邮 + year + serial, e.g. 闽邮20190012."""
    match = _LICENCE.match((value or "").strip())
    if not match:
        raise ValidationError(
            _("Licence number %(value)s is not valid: expected the issuer, 邮, a year and a 4-digit serial, "
              "e.g. 闽邮20190012.") % {"value": value},
            code="licence_no",
        )
    year = int(match.group(2))
    if not 2009 <= year <= clock.today().year:  # licences exist since the Postal Law of 2009
        raise ValidationError(
            _("Licence number %(value)s is not valid: year %(year)s is out of range.") % {"value": value, "year": year},
            code="licence_no",
        )
