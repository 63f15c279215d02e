"""Authentication with throttling of repeated failures — never an account lock.

Every log-in attempt (the app's page, `/admin/login/`, anything that calls `authenticate`) goes
through this backend. Two counters in the database (core.ratelimit), shared by all server processes:

- per client address *and* user name: at most LOGIN_MAX_FAILURES attempts in LOGIN_LOCKOUT_MINUTES.
  Only the client that made the failures is held back, so nobody can lock another person out of their
  account from elsewhere; the real user at their own address logs in as usual.
- per client address: at most LOGIN_MAX_FAILURES_PER_CLIENT failures in the same window, across all
  names (guessing many names, or one name with many passwords from one place).

A held-back attempt is refused before the password is looked at, with the same answer whether the name
exists or not (an unknown name is counted exactly like a known one), so the throttle reveals nothing
about which accounts exist. The backend never raises: the admin's log-in form shows its usual message,
the app's page reads `request.login_throttled` and says to wait.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from parcelguard.core import ratelimit

PAIR, CLIENT = "login", "login-client"


def _window() -> int:
    return int(settings.LOGIN_LOCKOUT_MINUTES) * 60


def _name(username: str) -> str:
    return username.strip().casefold()[:150]


def throttled(request: HttpRequest | None, username: str) -> bool:
    """Whether this client may not try this name now (without counting an attempt)."""
    client = ratelimit.client_address(request) if request is not None else "local"
    return (ratelimit.count(PAIR, client, _name(username), window=_window()) >= settings.LOGIN_MAX_FAILURES
            or ratelimit.count(CLIENT, client, window=_window()) >= settings.LOGIN_MAX_FAILURES_PER_CLIENT)


class LockoutModelBackend(ModelBackend):
    def authenticate(self, request: HttpRequest | None, username: str | None = None,
                     password: str | None = None, **kwargs: Any) -> Any:
        from parcelguard.accounts.models import User

        if not username or password is None:
            return None
        client = ratelimit.client_address(request) if request is not None else "local"
        name, window = _name(username), _window()
        # Count first, then check: concurrent guesses cannot slip past the limit between the two.
        pair = ratelimit.hit(PAIR, client, name, window=window)
        per_client = ratelimit.hit(CLIENT, client, window=window)
        if pair > settings.LOGIN_MAX_FAILURES or per_client > settings.LOGIN_MAX_FAILURES_PER_CLIENT:
            if request is not None:
                request.login_throttled = True  # type: ignore[attr-defined]
            return None
        user = User.objects.filter(username=username).first()
        if user is None:
            User().set_password(password)  # same work as a real check: no timing oracle for names
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            ratelimit.clear(PAIR, client, name, window=window)
            ratelimit.undo(CLIENT, client, window=window)
            return user
        return None
