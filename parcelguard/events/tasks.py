"""Background work of the hazard workflow: thin wrappers around the services."""

from __future__ import annotations

from django.tasks import task

from parcelguard.events import clocks


@task()
def escalate_overdue_task() -> dict[str, int]:
    """The clocks' sweep: the enterprise's missed rectifications to enforcement, every other missed step to
    the party above, and near or passed deadlines told. Safe to run often and concurrently: each event is
    claimed with a conditional UPDATE, each missed step recorded once, each notification has a unique key."""
    return clocks.sweep()
