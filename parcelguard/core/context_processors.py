from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def platform(request: HttpRequest) -> dict[str, Any]:
    from parcelguard.accounts.roles import permissions_of

    user = getattr(request, "user", None)
    perms = permissions_of(user) if user is not None and user.is_authenticated else frozenset()
    return {"PLATFORM_NAME": "ParcelGuard", "AUTHORITY_NAME": settings.PARCELGUARD_AUTHORITY_NAME, "user_perms": perms}
