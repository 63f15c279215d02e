from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parcelguard.accounts.roles import Role
from parcelguard.trail.models import TrailEntry, VerifyRun
from parcelguard.trail.services import chain_head, problem_lines, trail_verify

TRAIL_ROLES = frozenset({Role.ADMIN, Role.CITY_BUREAU})
RECENT = 50

# Readable names of the actions written outside the flows (a flow's own are its steps'), and of the
# actions older entries carry from before warnings and rewards ran on the engine.
ACTION_LABELS = {
    "evidence.store": gettext_lazy("Evidence stored"), "document.issue": gettext_lazy("Document issued"),
    "bundle.export": gettext_lazy("Evidence bundle exported"),
    "pii.unmask": gettext_lazy("Personal data shown in clear"),
    "registry.create": gettext_lazy("Registry record added"), "registry.update": gettext_lazy("Registry record changed"),
    "registry.import": gettext_lazy("Registry records imported"),
    "privacy.sample": gettext_lazy("Waybill sample audited"), "parcels.push": gettext_lazy("Parcel records received"),
    "parcels.auto_convert": gettext_lazy("Automatic conversion of warnings switched"),
    "parcels.trace_sender": gettext_lazy("A sender's parcels traced"),
    "warning.acknowledged": gettext_lazy("Early warning acknowledged"),
    "warning.converted": gettext_lazy("Early warning turned into a hazard event"),
    "warning.dismissed": gettext_lazy("Early warning dismissed"),
    "reward.propose": gettext_lazy("Reward proposed"), "reward.approved": gettext_lazy("Reward approved"),
    "reward.paid": gettext_lazy("Reward paid"), "event.demo_history": gettext_lazy("Demonstration history"),
}


def action_label(action: str) -> str:
    """The action of a trail entry in words; the code itself when it has no name."""
    from parcelguard.core import workflow

    if action in ACTION_LABELS:
        return str(ACTION_LABELS[action])
    name, _dot, step = action.partition(".")
    try:
        return str(workflow.get(name).step(step).label)
    except KeyError:
        return ""


@login_required
def trail_status(request: HttpRequest) -> HttpResponse:
    """The chain's state, the last verifications and the most recent entries; POST verifies now."""
    if request.user.role not in TRAIL_ROLES:
        return render(request, "error.html", {"message": _("Your role may not do this.")}, status=403)
    if request.method == "POST":
        result = trail_verify(by=request.user)
        (messages.success if result.ok else messages.error)(
            request, _("Trail verified: all entries and files are intact.") if result.ok
            else _("The trail is BROKEN: %(problem)s") % {"problem": "; ".join(result.problems_shown())})
        return redirect("trail:status")
    runs = list(VerifyRun.objects.select_related("by")[:10])
    entries = list(TrailEntry.objects.order_by("-seq")[:RECENT])
    for entry in entries:
        entry.label = action_label(entry.action)
    return render(request, "trail/status.html", {
        "head": chain_head(), "runs": runs, "entries": entries,
        "last_problems": problem_lines(runs[0].problem) if runs else [],
    })
