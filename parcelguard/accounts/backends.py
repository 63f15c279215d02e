"""Authentication with lock-out after repeated failures.

Written here rather than with django-axes: the rule is a few lines on the user row (counted per
account, cleared on success), and it must apply identically to the page log-in and the API.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.db.models import F
from django.http import HttpRequest

from parcelguard.core import clock


class AccountLocked(Exception):
    def __init__(self, until: dt.datetime) -> None:
        self.until = until


class LockoutModelBackend(ModelBackend):
    def authenticate(self, request: HttpRequest | None, username: str | None = None,
                     password: str | None = None, **kwargs: Any) -> Any:
        from parcelguard.accounts.models import User

        if not username or password is None:
            return None
        user = User.objects.filter(username=username).first()
        if user is None:
            User().set_password(password)  # same work as a real check: no timing oracle for names
            return None
        now = clock.now()
        if user.locked_until and user.locked_until > now:
            raise AccountLocked(user.locked_until)
        if user.check_password(password) and self.user_can_authenticate(user):
            if user.failed_logins or user.locked_until:
                User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
            return user
        User.objects.filter(pk=user.pk).update(failed_logins=F("failed_logins") + 1)
        user.refresh_from_db(fields=["failed_logins"])
        if user.failed_logins >= settings.LOGIN_MAX_FAILURES:
            until = now + dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
            User.objects.filter(pk=user.pk).update(locked_until=until, failed_logins=0)
        return None
