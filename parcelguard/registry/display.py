"""How a registry value is shown to a person: choices by their label, dates by locale, personal data masked."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models
from django.utils import formats
from django.utils.translation import gettext as _

from parcelguard.core.pii import mask_field


def raw_value(obj: models.Model, path: str) -> Any:
    value: Any = obj
    for part in path.split("__"):
        if value is None:
            return None
        display = getattr(value, f"get_{part}_display", None)
        value = display() if callable(display) else getattr(value, part)
    return value


def is_pii(model: type[models.Model], path: str) -> bool:
    return path in getattr(model, "pii_fields", ())


def show(obj: models.Model, path: str, *, masked: bool = True) -> str:
    value = raw_value(obj, path)
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, (dt.date, dt.time)):
        return formats.localize(value)
    text = str(value)
    if masked and is_pii(type(obj), path):
        return mask_field(path, text)
    return text


def export_value(obj: models.Model, path: str) -> Any:
    """Value for an Excel cell: natural keys for relations (so an export re-imports), PII masked."""
    field = obj._meta.get_field(path.split("__")[0])
    if isinstance(field, models.ForeignKey):
        related = getattr(obj, field.name)
        if related is None:
            return None
        key = getattr(related, "credit_code", None) or getattr(related, "code", None) or related.pk
        return key
    value = getattr(obj, path)
    if is_pii(type(obj), path) and value:
        return mask_field(path, str(value))
    if isinstance(value, bool):
        return "是" if value else "否"
    if field.choices and value:
        return str(dict(field.flatchoices).get(value, value))
    return value
