"""How the parcels app plugs into the platform's seams: the early warning's flow, the open warnings
waiting for the regulators who act on them, and its figures. `ParcelsConfig.ready()` calls `register_all`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Case, IntegerField, Value, When
from django.urls import reverse
from django.utils.translation import gettext_lazy

from parcelguard.accounts.roles import Perm, has_perm
from parcelguard.accounts.scoping import scope
from parcelguard.core import registry, workflow
from parcelguard.parcels import figures
from parcelguard.parcels.flow import WARNING_FLOW
from parcelguard.parcels.models import EarlyWarning

LIMIT = 200  # the most severe first; the warning list shows everything


def warning_work(user: Any, now: dt.datetime) -> Iterable[registry.WorkItem]:
    """Open warnings in the user's scope, for the roles that act on them: high severity first, then oldest."""
    if not has_perm(user, Perm.WARNINGS_ACT):
        return
    waiting = WARNING_FLOW.states_waiting_for(workflow.role_of(user))
    rank = Case(When(severity="high", then=Value(0)), When(severity="medium", then=Value(1)), default=Value(2),
                output_field=IntegerField())
    warnings = (scope(user, EarlyWarning).filter(status__in=waiting).annotate(rank=rank)
                .order_by("rank", "first_seen_at", "pk")[:LIMIT])
    for warning in warnings:
        yield registry.WorkItem(
            "warning", WARNING_FLOW.subject(warning),
            f"{warning.get_kind_display()} · {warning.subject_id} ({warning.get_severity_display()})",
            reverse("parcels:warning", args=[warning.pk]), str(warning.get_status_display()),
            since=warning.first_seen_at)


def register_all() -> None:
    workflow.register(WARNING_FLOW)
    registry.register_work("warning", gettext_lazy("Early warnings"), warning_work)
    for figure in figures.FIGURES:
        registry.register_figure(figure)
