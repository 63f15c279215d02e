"""The events app's dashboard figures, each defined once (core.registry). Every figure counts inside the
user's scope (`accounts.scoping.scope`) over the half-open period [start, end)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _

from parcelguard.accounts.scoping import scope
from parcelguard.core import clock, registry
from parcelguard.events import clocks
from parcelguard.events.models import Event, Reward
from parcelguard.events.states import REWARD_FLOW, State


def reported(user: Any, start: dt.datetime, end: dt.datetime, **_filters: Any) -> int:
    """Hazard events reported in the period (tip-offs included)."""
    return scope(user, Event).filter(reported_at__gte=start, reported_at__lt=end).count()


def closed(user: Any, start: dt.datetime, end: dt.datetime, **_filters: Any) -> int:
    """Hazard events closed (the fix confirmed on site) in the period."""
    return scope(user, Event).filter(state=State.CLOSED, closed_at__gte=start, closed_at__lt=end).count()


def open_overdue(user: Any, start: dt.datetime, end: dt.datetime, now: dt.datetime | None = None,
                 **_filters: Any) -> int:
    """Hazard events open and past their current step's deadline at the period's end, or now if sooner: the
    one definition of overdue (events.clocks.overdue)."""
    return clocks.overdue(scope(user, Event), min(end, now or clock.now())).count()


def rewards_waiting(user: Any, start: dt.datetime, end: dt.datetime, **_filters: Any) -> int:
    """Tip-off rewards proposed in the period and not yet paid."""
    return scope(user, Reward).filter(proposed_at__gte=start, proposed_at__lt=end,
                                      status__in=REWARD_FLOW.open_states).count()


FIGURES = (
    registry.Figure("events.reported", _("Hazards reported"), reported, section="events",
                    help=_("Hazard events reported in the period, tip-offs included.")),
    registry.Figure("events.closed", _("Hazards closed"), closed, section="events",
                    help=_("Hazard events whose fix was confirmed on site in the period.")),
    registry.Figure("events.open_overdue", _("Open hazards past their deadline"), open_overdue, section="events",
                    help=_("Hazard events still open and past their current step's deadline at the period's end (or now).")),
    registry.Figure("events.rewards_waiting", _("Tip-off rewards not yet paid"), rewards_waiting, section="events",
                    help=_("Rewards proposed in the period that are not paid yet.")),
)
