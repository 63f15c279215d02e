from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from parcelguard.accounts.models import ApiToken
from parcelguard.core import clock


class TokenAuth(HttpBearer):
    """Bearer tokens for machine clients (`Authorization: Bearer pg_...`)."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = ApiToken.find(token)
        if found is None:
            return None
        if found.last_used_at is None or (clock.now() - found.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=clock.now())
        request.user = found.user
        return found.user


class ActiveSessionAuth(SessionAuth):
    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        return user if user is not None and user.is_active else None


AUTH = [TokenAuth(), ActiveSessionAuth()]
