"""Helpers for tests of the self-inspection mechanism."""

from __future__ import annotations

from typing import Any


def ensure_checklist() -> Any:
    """Transactional tests flush the table the data migration seeded: lay the seed again."""
    import importlib

    from django.apps import apps

    from parcelguard.selfcheck.models import Checklist

    if not Checklist.objects.exists():
        importlib.import_module("parcelguard.selfcheck.migrations.0002_seed_checklist").seed(apps, None)
    return Checklist.objects.get(code="putian-monthly", version=1)


def all_in_order(checklist: Any, **wrong: str) -> dict[str, dict[str, Any]]:
    """Answers for every item, in order except the items named with what is wrong."""
    return {i["code"]: {"ok": i["code"] not in wrong, "note": wrong.get(i["code"], "")} for i in checklist.items}
