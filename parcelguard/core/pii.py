"""Personal data on screen, in the API and in exports: masked unless a permitted user unmasks it."""

from __future__ import annotations

import hashlib
import hmac
import re

from django.conf import settings

_COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文",
                      "司徒", "夏侯", "令狐", "端木", "申屠", "万俟", "独孤", "南宫", "轩辕")


def mask_name(value: str) -> str:
    if not value:
        return value
    keep = 2 if value[:2] in _COMPOUND_SURNAMES and len(value) > 2 else 1
    return value[:keep] + "*" * max(len(value) - keep, 1)


def mask_phone(value: str) -> str:
    digits = re.sub(r"\D", "", value or "")
    if not digits:
        return value
    if len(digits) == 11 and digits.startswith("1"):
        return digits[0] + "*" * 6 + digits[-4:]
    return "*" * max(len(digits) - 2, 1) + digits[-2:]


def mask_id_number(value: str) -> str:
    if not value:
        return value
    return value[:4] + "*" * max(len(value) - 8, 1) + value[-4:]


def mask_field(field_name: str, value: str) -> str:
    if "phone" in field_name:
        return mask_phone(value)
    if "id_number" in field_name:
        return mask_id_number(value)
    return mask_name(value)


def id_number_hash(id_number: str) -> str:
    """Keyed hash (HMAC-SHA256, hex) of an ID number: the only form in which one is ever stored."""
    normalized = re.sub(r"\s+", "", id_number).upper()
    return hmac.new(settings.ID_HASH_KEY.encode(), normalized.encode(), hashlib.sha256).hexdigest()
