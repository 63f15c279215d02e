"""The platform's own pages, built only from the registries apps plug into (core.registry)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from parcelguard.core import clock, registry


@login_required
def work(request: HttpRequest) -> HttpResponse:
    """待我办理: everything waiting for the user, from every app, overdue first, then by due moment."""
    now = clock.now()
    labels = {source.name: source.label for source in registry.work_sources()}
    kind = request.GET.get("kind", "")
    items = registry.work_for(request.user, now, kinds=[kind] if kind in labels else None)
    counts: dict[str, int] = {}
    for item in registry.work_for(request.user, now) if kind in labels else items:
        counts[item.kind] = counts.get(item.kind, 0) + 1
    return render(request, "core/work.html", {
        "items": [(item, labels.get(item.kind, item.kind), item.urgency_at(now)) for item in items],
        "kinds": [(name, label, counts.get(name, 0)) for name, label in labels.items()],
        "kind": kind if kind in labels else "", "now": now})


HOME_ITEMS = 15


def home_queue(user: object) -> dict[str, object]:
    """The home page's share of the work queue: the first items and how many there are."""
    now = clock.now()
    items = registry.work_for(user, now)
    return {"work_items": [(item, item.urgency_at(now)) for item in items[:HOME_ITEMS]],
            "work_total": len(items)}
