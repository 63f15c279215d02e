"""System checks for configuration that would be dangerous in production."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.security, deploy=True)
def check_secrets(app_configs: Any, **kwargs: Any) -> list[Warning | Error]:
    problems: list[Warning | Error] = []
    if settings.SECRET_KEY.startswith("insecure-development-key"):
        problems.append(Error("PARCELGUARD_SECRET_KEY is the development default.", id="parcelguard.E001"))
    if settings.ID_HASH_KEY == "development-id-hash-key":
        problems.append(
            Error("PARCELGUARD_ID_HASH_KEY is the development default; ID hashes would be guessable.",
                  id="parcelguard.E002")
        )
    return problems
