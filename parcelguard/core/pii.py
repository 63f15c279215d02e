"""Personal data on screen, in the API and in exports: masked unless a permitted user unmasks it.

The masking itself is `waybill_privacy.mask_value` (standard policy): one implementation for waybills,
the registry, tip-offs, exports and the API. These names stay so callers keep working.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Any

from django.conf import settings
from waybill_privacy import FieldKind, mask_value


def mask_name(value: str) -> str:
    return mask_value(value, FieldKind.NAME) if value else value


def mask_phone(value: str) -> str:
    return mask_value(value, FieldKind.PHONE) if value else value


def mask_id_number(value: str) -> str:
    return mask_value(value, FieldKind.ID_NUMBER) if value else value


def mask_address(value: str) -> str:
    return mask_value(value, FieldKind.ADDRESS) if value else value


def kind_of_field(field_name: str) -> FieldKind:
    """The kind of personal data a `pii_fields` entry holds, from its name (names are the default)."""
    if "phone" in field_name or "mobile" in field_name:
        return FieldKind.PHONE
    if "id_number" in field_name:
        return FieldKind.ID_NUMBER
    if "address" in field_name:
        return FieldKind.ADDRESS
    return FieldKind.NAME


def mask_field(field_name: str, value: str) -> str:
    return mask_value(value, kind_of_field(field_name)) if value else value


def pii_model(label: str) -> Any:
    """The model a personal-data reference names: a registry kind slug ("sites") or an
    "app_label.model_name" label ("events.tipoff"). None unless that model declares `pii_fields`."""
    from django.apps import apps

    from parcelguard.registry.kinds import KINDS

    kind = KINDS.get(label)
    model: Any = kind.model if kind is not None else None
    if model is None and label.count(".") == 1:
        try:
            model = apps.get_model(label)
        except (LookupError, ValueError):
            model = None
    return model if model is not None and getattr(model, "pii_fields", None) else None


def id_number_hash(id_number: str) -> str:
    """Keyed hash (HMAC-SHA256, hex) of an ID number: the only form in which one is ever stored."""
    normalized = re.sub(r"\s+", "", id_number).upper()
    return hmac.new(settings.ID_HASH_KEY.encode(), normalized.encode(), hashlib.sha256).hexdigest()


def mask_text(text: str) -> str:
    """Free text (a description, a place, a reason) with any personal data in it masked."""
    if not text:
        return text
    from waybill_privacy import Policy, audit_text

    return audit_text(str(text), policy=Policy.STANDARD).masked_text
