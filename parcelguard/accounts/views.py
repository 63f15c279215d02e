from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parcelguard.accounts.backends import AccountLocked
from parcelguard.accounts.models import ApiToken
from parcelguard.accounts.roles import Perm
from parcelguard.accounts.scoping import get_for, require
from parcelguard.core import clock
from parcelguard.core.errors import DomainError
from parcelguard.core.models import UnmaskRecord
from parcelguard.registry import attention


def login_view(request: HttpRequest) -> HttpResponse:
    error = ""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if request.method == "POST":
        try:
            user = authenticate(request, username=request.POST.get("username", ""),
                                password=request.POST.get("password", ""))
        except AccountLocked as locked:
            user = None
            until = formats.date_format(locked.until.astimezone(), "H:i")
            error = _("Too many failed attempts: this account is locked until %(time)s.") % {"time": until}
        else:
            if user is None:
                error = _("Wrong user name or password.")
        if user is not None:
            login(request, user)
            if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
                next_url = ""
            return redirect(next_url or "home")
    return render(request, "accounts/login.html", {"error": error, "next": next_url}, status=400 if error else 200)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("login")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    from parcelguard.events.selectors import unread_count, work_queue

    queue = work_queue(request.user)
    return render(request, "accounts/home.html", {
        "items": attention.for_user(request.user), "queue": queue[:15], "queue_total": queue.count(),
        "unread": unread_count(request.user)})


@login_required
@require_POST
def unmask(request: HttpRequest) -> HttpResponse:
    """Reveal one personal-data value to a permitted user, and record that they did and why."""
    try:
        value = unmask_value(user=request.user, kind_slug=request.POST.get("kind", ""),
                             pk=request.POST.get("pk", ""), field=request.POST.get("field", ""),
                             reason=request.POST.get("reason", ""))
    except DomainError as exc:
        return HttpResponse(f'<span class="error">{exc.message}</span>', status=exc.status)
    from django.utils.html import escape

    return HttpResponse(f'<span class="unmasked">{escape(value)}</span>')


def unmask_value(*, user: Any, kind_slug: str, pk: Any, field: str, reason: str) -> str:
    from parcelguard.core.errors import Invalid, NotFound
    from parcelguard.core.pii import pii_model

    require(user, Perm.PII_UNMASK)
    model = pii_model(kind_slug)  # a registry kind ("sites") or any model label with pii_fields ("events.tipoff")
    if model is None or field not in model.pii_fields:
        raise NotFound(_("No such personal-data field."))
    if len(reason.strip()) < 4:
        raise Invalid(_("State why you need to see this value."), code="reason_required")
    try:
        pk_int = int(pk)
    except (TypeError, ValueError):
        raise NotFound(_("Record not found.")) from None
    obj = get_for(user, model, pk=pk_int)
    with transaction.atomic():
        UnmaskRecord.objects.create(actor=user, model=model._meta.model_name, object_id=obj.pk, field=field,
                                    reason=reason.strip()[:200], at=clock.now())
        from parcelguard.trail.services import trail_append

        trail_append(actor=user, action="pii.unmask", subject=f"{model._meta.model_name}:{obj.pk}",
                     payload={"field": field, "reason": reason.strip()[:200]})  # never the value itself
    return str(getattr(obj, field))


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    try:
        require(request.user, Perm.API_TOKENS)
    except DomainError as exc:
        return render(request, "error.html", {"message": exc.message}, status=exc.status)
    new_token = ""
    if request.method == "POST":
        if "revoke" in request.POST:
            ApiToken.objects.filter(user=request.user, pk=request.POST.get("revoke")).update(revoked_at=clock.now())
            messages.success(request, _("Token revoked."))
        else:
            name = (request.POST.get("name") or "").strip()[:100] or _("API client")
            _token, new_token = ApiToken.issue(request.user, name)
    items = ApiToken.objects.filter(user=request.user).order_by("-created_at")
    return render(request, "accounts/tokens.html", {"tokens": items, "new_token": new_token})
