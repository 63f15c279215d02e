"""Background work of the hazard workflow: thin wrappers around the services."""

from __future__ import annotations

from django.tasks import task

from parcelguard.events.services import deadline_sweep, escalate_overdue


@task()
def escalate_overdue_task() -> dict[str, int]:
    """Escalate overdue events, then tell people about near and passed deadlines. Safe to run often and
    concurrently: each event is claimed with a conditional UPDATE, each notification has a unique key."""
    return {"escalated": escalate_overdue(), "notified": deadline_sweep()}
