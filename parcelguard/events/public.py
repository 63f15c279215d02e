"""The public tip-off page (举报): no log-in, rate-limited per client, with a small arithmetic question.

Rate limit: at most TIPOFF_RATE_LIMIT submissions per client address per TIPOFF_RATE_WINDOW seconds,
counted in the database (core.ratelimit) so every server process shares one count, and keyed on the
client behind the configured TRUSTED_PROXIES, not on the proxy's own address. The arithmetic question's answer
is kept signed in the session, valid for 30 minutes and for one attempt.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from parcelguard.accounts.models import Jurisdiction, Level
from parcelguard.core import ratelimit
from parcelguard.core.errors import DomainError
from parcelguard.events import services
from parcelguard.events.models import HazardType

_DIGITS = "零一二三四五六七八九十"
_SALT = "parcelguard.tipoff.check"
_SESSION_KEY = "tipoff_check"


def _rate_limit() -> int:
    return int(getattr(settings, "TIPOFF_RATE_LIMIT", 5))


def _rate_window() -> int:
    return int(getattr(settings, "TIPOFF_RATE_WINDOW", 3600))


def _question(request: HttpRequest) -> str:
    a, b = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    request.session[_SESSION_KEY] = signing.dumps(a + b, salt=_SALT)
    return f"{_DIGITS[a]}加{_DIGITS[b]}等于几？"


def _answer_ok(request: HttpRequest, given: str) -> bool:
    token = request.session.pop(_SESSION_KEY, None)
    if not token:
        return False
    try:
        expected = signing.loads(token, salt=_SALT, max_age=1800)
    except signing.BadSignature:
        return False
    return given.strip() == str(expected)


def _over_limit(ip: str) -> bool:
    return ratelimit.hit("tipoff", ip, window=_rate_window()) > _rate_limit()


def tipoff(request: HttpRequest) -> HttpResponse:
    error = ""
    status = 200
    if request.method == "POST":
        ip = ratelimit.client_address(request)
        if _over_limit(ip):
            error, status = _("Too many reports from your connection. Please try again later."), 429
        elif not _answer_ok(request, request.POST.get("check", "")):
            error, status = _("The answer to the question is not right. Please try again."), 400
        else:
            anonymous = request.POST.get("anonymous") == "on"
            try:
                event = services.tipoff_submit(
                    county_code=request.POST.get("county", ""), hazard_type=request.POST.get("hazard_type", ""),
                    place=request.POST.get("place", ""), description=request.POST.get("description", ""),
                    anonymous=anonymous, name=request.POST.get("name", ""), phone=request.POST.get("phone", ""),
                    ip=ip, uploads=request.FILES.getlist("files"))
            except DomainError as exc:
                error, status = str(exc.message), 400
            else:
                return render(request, "events/tipoff_thanks.html", {"number": event.pk})
    return render(request, "events/tipoff.html", {
        "counties": Jurisdiction.objects.filter(level=Level.COUNTY).order_by("code"),
        "types": HazardType.objects.filter(active=True), "question": _question(request), "error": error,
        "post": request.POST}, status=status)
