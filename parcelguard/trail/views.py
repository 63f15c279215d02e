from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from parcelguard.accounts.roles import Role
from parcelguard.trail.models import TrailEntry, VerifyRun
from parcelguard.trail.services import chain_head, trail_verify

TRAIL_ROLES = frozenset({Role.ADMIN, Role.CITY_BUREAU})
RECENT = 50


@login_required
def trail_status(request: HttpRequest) -> HttpResponse:
    """The chain's state, the last verifications and the most recent entries; POST verifies now."""
    if request.user.role not in TRAIL_ROLES:
        return render(request, "error.html", {"message": _("Your role may not do this.")}, status=403)
    if request.method == "POST":
        result = trail_verify(by=request.user)
        (messages.success if result.ok else messages.error)(
            request, _("Trail verified: all entries and files are intact.") if result.ok
            else _("The trail is BROKEN: %(problem)s") % {"problem": "; ".join(result.problems)})
        return redirect("trail:status")
    return render(request, "trail/status.html", {
        "head": chain_head(), "runs": VerifyRun.objects.select_related("by")[:10],
        "entries": TrailEntry.objects.order_by("-seq")[:RECENT],
    })
