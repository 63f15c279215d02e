"""Helpers for tests of assessment and circulars."""

from __future__ import annotations

from typing import Any


def ensure_method() -> Any:
    """Transactional tests flush the table the data migration seeded: lay the seed again."""
    import importlib

    from django.apps import apps

    from parcelguard.assessment.models import Method

    if not Method.objects.filter(version=1).exists():
        importlib.import_module("parcelguard.assessment.seed").seed(apps, None)
    return Method.objects.get(version=1)
