"""Helpers for tests of the credit mechanism."""

from __future__ import annotations

from typing import Any


def ensure_ruleset() -> Any:
    """Transactional tests flush the table the data migration seeded: lay the seed again."""
    from django.apps import apps

    from parcelguard.credit.models import RuleSet
    from parcelguard.credit.seed import seed

    if not RuleSet.objects.exists():
        seed(apps, None)
    return RuleSet.objects.get(version=1)
