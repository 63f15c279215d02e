"""Settings of the analysis library: a Django setting ANALYTICS_<NAME>, else the environment variable
PARCELGUARD_ANALYTICS_<NAME>, else the default. Documented in docs/analytics.md."""

from __future__ import annotations

import os

from django.conf import settings


def conf_int(name: str, default: int) -> int:
    value = getattr(settings, f"ANALYTICS_{name}", None)
    if value is None:
        value = os.environ.get(f"PARCELGUARD_ANALYTICS_{name}", default)
    return int(value)


def conf_str(name: str, default: str) -> str:
    value = getattr(settings, f"ANALYTICS_{name}", None)
    return str(value if value is not None else os.environ.get(f"PARCELGUARD_ANALYTICS_{name}", default))
