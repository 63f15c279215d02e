"""Two people acting at once: exactly one wins. The escalation job run twice at the same moment escalates
each overdue event once."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, connections

from parcelguard.core import clock
from parcelguard.core.errors import Conflict
from parcelguard.core.models import StatusChange
from parcelguard.events import clocks
from parcelguard.events.models import Event, StepLapse, Transition
from parcelguard.events.services import escalate_one, escalate_overdue, event_escalate, event_verify
from parcelguard.events.testing import make_event, photo

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql",
                                   reason="needs row locks between real connections (PostgreSQL)")


def _run_together(n: int, work):
    """Run `work(i)` in n threads that start at the same moment, each on its own connection."""
    barrier = threading.Barrier(n)
    results: list[object] = [None] * n

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = work(i)
        except Exception as exc:
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_twenty_people_verifying_at_once_leave_exactly_one_verification(cast):
    event = make_event(cast.outlet_a1, state="reported")
    centre = cast.centre_a
    results = _run_together(20, lambda i: event_verify(user=centre, event_id=event.pk, version=1,
                                                       uploads=[photo(f"p{i}.png", (i * 10, 0, 0))]))
    wins = [r for r in results if isinstance(r, Event)]
    losses = [r for r in results if isinstance(r, Conflict)]
    assert len(wins) == 1 and len(losses) == 19, results
    assert {e.code for e in losses} == {"state_conflict"}
    event.refresh_from_db()
    assert (event.state, event.version) == ("verified", 2)
    assert Transition.objects.filter(event=event, action="verify").count() == 1
    assert StatusChange.objects.filter(subject=f"event:{event.pk}", action="verify").count() == 1


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_twenty_escalations_by_hand_at_once_escalate_once(cast):
    event = make_event(cast.outlet_a1, state="reminded")
    results = _run_together(20, lambda i: event_escalate(user=cast.centre_a, event_id=event.pk, version=1,
                                                         reason=f"第{i}次转报"))
    assert sum(isinstance(r, Event) for r in results) == 1
    assert all(r.code == "state_conflict" for r in results if not isinstance(r, Event))
    assert Transition.objects.filter(event=event, action="escalate").count() == 1
    assert StatusChange.objects.filter(subject=f"event:{event.pk}", action="escalate").count() == 1


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_escalation_job_run_twice_at_the_same_moment_escalates_each_event_once(cast):
    past = clock.now() - dt.timedelta(hours=1)
    overdue = [make_event(cast.outlet_a1, state="reminded", deadline=past) for _ in range(5)]
    unconfirmed = [make_event(cast.outlet_a1, state="answered", deadline=past) for _ in range(5)]
    make_event(cast.outlet_a2, state="reminded", deadline=clock.now() + dt.timedelta(days=2))
    results = _run_together(2, lambda i: clocks.sweep())
    assert all(isinstance(r, dict) for r in results), results
    assert sum(r["escalated"] for r in results) == 5 and sum(r["lapses"] for r in results) == 5, results
    for event in overdue:
        assert Transition.objects.filter(event=event, action="auto_escalate").count() == 1
        assert StatusChange.objects.filter(subject=f"event:{event.pk}", action="auto_escalate").count() == 1
    for event in unconfirmed:  # the grid worker's lapse: recorded once, never enforcement
        assert StepLapse.objects.filter(event=event).count() == 1
    assert Event.objects.filter(state="escalated").count() == 5


def test_a_stale_run_of_the_job_escalates_nothing_twice(cast):
    """The same race without threads (both databases): run B claims everything between run A's read and
    run A's claims; A's claims then find the rows moved and do nothing."""
    past = clock.now() - dt.timedelta(minutes=1)
    events = [make_event(cast.outlet_a1, state="reminded", deadline=past) for _ in range(3)]
    stale = list(Event.objects.filter(state="reminded").values_list("pk", "state", "version"))
    assert escalate_overdue() == 3
    assert [escalate_one(pk, state, version, clock.now()) for pk, state, version in stale] == [False] * 3
    assert escalate_overdue() == 0
    for event in events:
        assert Transition.objects.filter(event=event, action="auto_escalate").count() == 1
        assert StatusChange.objects.filter(subject=f"event:{event.pk}", action="auto_escalate").count() == 1
        event.refresh_from_db()
        assert (event.state, event.tier, event.version) == ("escalated", "city", 2)


def test_the_job_leaves_events_alone_before_their_deadline_and_after_a_fix(cast):
    soon = clock.now() + dt.timedelta(hours=1)
    past = clock.now() - dt.timedelta(hours=1)
    waiting = make_event(cast.outlet_a1, state="reminded", deadline=soon)
    closed = make_event(cast.outlet_a1, state="closed", deadline=past)
    assert escalate_overdue() == 0
    for event in (waiting, closed):
        before = event.version
        event.refresh_from_db()
        assert event.version == before


def test_the_management_command_and_the_task_escalate(cast):
    from django.core.management import call_command

    from parcelguard.events.tasks import escalate_overdue_task

    past = clock.now() - dt.timedelta(minutes=5)
    make_event(cast.outlet_a1, state="reminded", deadline=past)
    call_command("escalate_overdue")
    make_event(cast.outlet_a2, state="reminded", deadline=past)
    answered = make_event(cast.outlet_a2, state="answered", deadline=past)  # the grid worker's lapse
    result = escalate_overdue_task.enqueue()
    assert result.return_value["escalated"] == 1 and result.return_value["lapses"] == 1
    assert Event.objects.filter(state="escalated").count() == 2
    assert Event.objects.get(pk=answered.pk).state == "answered"
