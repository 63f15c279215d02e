from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parcelguard.accounts import services
from parcelguard.accounts.models import ApiToken
from parcelguard.accounts.roles import Perm, Role
from parcelguard.accounts.scoping import require
from parcelguard.core.errors import DomainError
from parcelguard.registry import attention


def login_view(request: HttpRequest) -> HttpResponse:
    error, status = "", 200
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if request.method == "POST":
        user = authenticate(request, username=request.POST.get("username", ""),
                            password=request.POST.get("password", ""))
        if getattr(request, "login_throttled", False):
            # The same words for every name, known or not: the throttle reveals no account.
            error = _("Too many failed attempts from your connection. Please wait %(minutes)d minutes and "
                      "try again.") % {"minutes": settings.LOGIN_LOCKOUT_MINUTES}
            status = 429
        elif user is None:
            error, status = _("Wrong user name or password."), 400
        if user is not None:
            login(request, user)
            if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
                next_url = ""
            return redirect(next_url or "home")
    return render(request, "accounts/login.html", {"error": error, "next": next_url}, status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("login")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    from parcelguard.core.views import home_queue
    from parcelguard.events.selectors import unread_count

    # what waits for the user, from every app's work source (core.registry), overdue first; a procurator
    # acts on none of it: he reads how much of the regulator's work is overdue (events.clocks.overdue)
    oversight = None
    if request.user.role == Role.PROCURATOR:
        from parcelguard.events.selectors import event_list

        oversight = event_list(user=request.user, filters={"overdue": "1"}).count()
    return render(request, "accounts/home.html", {
        "items": attention.for_user(request.user), **home_queue(request.user), "unread": unread_count(request.user),
        "oversight": oversight})


@login_required
@require_POST
def unmask(request: HttpRequest) -> HttpResponse:
    """Reveal one personal-data value to a permitted user, and record that they did and why."""
    try:
        value = services.unmask_value(user=request.user, kind_slug=request.POST.get("kind", ""),
                             pk=request.POST.get("pk", ""), field=request.POST.get("field", ""),
                             # the form field; htmx's hx-prompt sends the answer as the HX-Prompt header
                             reason=request.POST.get("reason") or request.headers.get("HX-Prompt", ""))
    except DomainError as exc:
        from django.utils.html import escape as _escape

        return HttpResponse(f'<span class="error">{_escape(exc.message)}</span>', status=exc.status)
    from django.utils.html import escape

    return HttpResponse(f'<span class="unmasked">{escape(value)}</span>')


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    try:
        require(request.user, Perm.API_TOKENS)
    except DomainError as exc:
        return render(request, "error.html", {"message": exc.message}, status=exc.status)
    new_token = ""
    if request.method == "POST":
        try:
            if "revoke" in request.POST:
                services.token_revoke(user=request.user, token_id=request.POST.get("revoke"))
                messages.success(request, _("Token revoked."))
            else:
                new_token = services.token_issue(user=request.user, name=request.POST.get("name") or "")
        except DomainError as exc:
            messages.error(request, str(exc.message))
    items = ApiToken.objects.filter(user=request.user).order_by("-created_at")
    return render(request, "accounts/tokens.html", {"tokens": items, "new_token": new_token})
