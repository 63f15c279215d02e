from __future__ import annotations

from typing import Any

from django.core.checks import Tags, Warning, register

from parcelguard.trail.signing import configured_key, development_key_path


@register(Tags.security)
def check_signing_key(app_configs: Any, **kwargs: Any) -> list[Warning]:
    if configured_key():
        return []
    return [Warning(
        "PARCELGUARD_SIGNING_KEY is not set: evidence bundles are signed with a development key kept at "
        f"{development_key_path()}, which no court will recognise.",
        hint="Generate the bureau's Ed25519 key, keep it safe, set PARCELGUARD_SIGNING_KEY to its PEM path and "
             "publish its fingerprint.",
        id="trail.W001")]
