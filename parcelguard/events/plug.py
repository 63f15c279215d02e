"""How the events app plugs into the platform's seams: its two flows (hazard events, tip-off rewards), the
work waiting in them, and its figures. `EventsConfig.ready()` calls `register_all`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parcelguard.accounts.scoping import scope
from parcelguard.core import registry, workflow
from parcelguard.events import figures, selectors
from parcelguard.events.models import Reward
from parcelguard.events.states import EVENT_FLOW, REWARD_FLOW

LIMIT = 200  # per source: the queue shows the most urgent; the lists behind it show everything


def event_work(user: Any, now: dt.datetime) -> Iterable[registry.WorkItem]:
    """The events waiting for the user (events.selectors.work_queue: the user's steps, or for a procurator
    the regulator's overdue work), soonest deadline first."""
    for event in selectors.work_queue(user)[:LIMIT]:
        yield registry.WorkItem(
            "event", EVENT_FLOW.subject(event), f"{event.hazard_type.name} · {event.where}",
            reverse("events:detail", args=[event.pk]), str(event.get_state_display()), due=event.deadline,
            since=event.reported_at, urgency=event.deadline_status)


def reward_work(user: Any, now: dt.datetime) -> Iterable[registry.WorkItem]:
    """Rewards in a state where the user's role takes the next step (the city bureau approves and pays)."""
    waiting = REWARD_FLOW.states_waiting_for(workflow.role_of(user))
    if not waiting:
        return
    rewards = (scope(user, Reward).filter(status__in=waiting).select_related("event__hazard_type")
               .order_by("proposed_at", "pk")[:LIMIT])
    for reward in rewards:
        yield registry.WorkItem(
            "reward", REWARD_FLOW.subject(reward),
            _("Reward of %(amount)s yuan for tip-off #%(event)s") % {"amount": f"{reward.amount:,.0f}",
                                                                     "event": reward.event_id},
            reverse("events:rewards"), str(reward.get_status_display()), since=reward.proposed_at)


def register_all() -> None:
    workflow.register(EVENT_FLOW)
    workflow.register(REWARD_FLOW)
    registry.register_work("event", gettext_lazy("Hazard events"), event_work)
    registry.register_work("reward", gettext_lazy("Tip-off rewards"), reward_work)
    for figure in figures.FIGURES:
        registry.register_figure(figure)
