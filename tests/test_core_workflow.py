"""The core workflow engine on a flow of its own (over the events table, registered only here): the step
table, the version the user saw, the conditional claim, one status change, one trail entry, the hook."""

from __future__ import annotations

import pytest
from django.db import models

from parcelguard.accounts.roles import Role
from parcelguard.core import registry, workflow
from parcelguard.core.errors import Conflict, Forbidden, Invalid, NotFound
from parcelguard.core.models import StatusChange
from parcelguard.events.testing import make_event
from parcelguard.trail.models import TrailEntry


class Toy(models.TextChoices):
    REPORTED = "reported", "reported"
    VERIFIED = "verified", "verified"
    CLOSED = "closed", "closed"


hooked: list[str] = []

TOY = workflow.Flow(
    name="toy", label="toy", model="events.Event", states=Toy,
    steps=(
        workflow.step("check", "check", [Toy.REPORTED], Toy.VERIFIED, {Role.COUNTY_CENTRE}),
        workflow.step("note", "note", [Toy.VERIFIED], "", {Role.COUNTY_CENTRE}, reason=True),
        workflow.step("close", "close", [Toy.VERIFIED], Toy.CLOSED, {Role.GRID_WORKER}, guard="fixed"),
    ),
    terminal=frozenset({Toy.CLOSED}),
    guards=lambda obj, now: {"fixed": obj.description.endswith("已整改")},
    guard_errors={"fixed": (Conflict, "not_fixed", "Not fixed yet.")},
    scope_of=lambda obj: (obj.jurisdiction_path, obj.enterprise_id),
    on_record=lambda rec: hooked.append(f"{rec.change.subject} {rec.step.action}"),
)


@pytest.fixture(autouse=True)
def _toy_registered():
    """Registered for these tests only: the flows document (docs/flows.md) lists the apps' flows."""
    workflow.register(TOY)
    yield
    workflow._FLOWS.pop("toy", None)


def test_a_step_claims_the_row_and_writes_one_status_change_one_trail_entry_and_calls_the_hook(cast):
    event = make_event(cast.outlet_a1, state="reported")
    hooked.clear()
    moved = workflow.transition("toy", user=cast.centre_a, pk=event.pk, action="check", version=event.version)
    assert (moved.state, moved.version) == ("verified", event.version + 1)
    change = StatusChange.objects.get(subject=f"toy:{event.pk}")
    assert (change.action, change.from_state, change.to_state, change.actor_role) == (
        "check", "reported", "verified", Role.COUNTY_CENTRE)
    assert change.jurisdiction_path == event.jurisdiction_path
    entry = TrailEntry.objects.get(seq=change.trail_seq)
    assert (entry.action, entry.subject) == ("toy.check", f"toy:{event.pk}")
    assert hooked == [f"toy:{event.pk} check"]
    assert [c.action for c in workflow.history(f"toy:{event.pk}")] == ["check"]


def test_each_refusal_has_its_code_and_writes_nothing(cast):
    event = make_event(cast.outlet_a1, state="reported")
    with pytest.raises(Forbidden) as e:
        workflow.transition("toy", user=cast.worker_a1, pk=event.pk, action="check", version=None)
    assert e.value.code == "role_not_allowed"
    with pytest.raises(Conflict) as e:
        workflow.transition("toy", user=cast.centre_a, pk=event.pk, action="check", version=event.version + 5)
    assert e.value.code == "state_conflict"
    with pytest.raises(Conflict) as e:
        workflow.transition("toy", user=cast.centre_a, pk=event.pk, action="note", version=None, reason="备注")
    assert e.value.code == "transition_not_allowed"
    with pytest.raises(NotFound):  # another county's centre does not see it at all
        workflow.transition("toy", user=cast.centre_b, pk=event.pk, action="check", version=None)
    workflow.transition("toy", user=cast.centre_a, pk=event.pk, action="check", version=None)
    with pytest.raises(Invalid) as e:
        workflow.transition("toy", user=cast.centre_a, pk=event.pk, action="note", version=None, reason=" ")
    assert e.value.code == "reason_required"
    with pytest.raises(Conflict) as e:
        workflow.transition("toy", user=cast.worker_a1, pk=event.pk, action="close", version=None)
    assert e.value.code == "not_fixed"
    assert StatusChange.objects.filter(subject=f"toy:{event.pk}").count() == 1


def test_a_step_that_stays_adds_to_the_record_and_a_guard_opens_the_way(cast):
    event = make_event(cast.outlet_a1, state="verified")
    type(event).objects.filter(pk=event.pk).update(description="破损包裹已整改")
    workflow.transition("toy", user=cast.centre_a, pk=event.pk, action="note", version=None, reason="补充说明")
    closed = workflow.transition("toy", user=cast.worker_a1, pk=event.pk, action="close", version=None)
    assert closed.state == "closed" and not TOY.is_open(closed.state)
    assert [(c.from_state, c.to_state) for c in workflow.history(f"toy:{event.pk}")] == [
        ("verified", "verified"), ("verified", "closed")]
    assert [s.action for s in workflow.allowed_steps(TOY, cast.worker_a1, closed)] == []


def test_the_table_answers_the_queue_and_draws_the_diagram():
    assert TOY.states_waiting_for(Role.COUNTY_CENTRE) == ["reported"]
    assert TOY.open_states == ("reported", "verified")
    diagram = TOY.mermaid()
    assert "reported --> verified: check (county_centre)" in diagram and "closed --> [*]" in diagram
    assert "| `close` | verified | closed | grid_worker |" in TOY.rules_table()


def test_the_work_queue_puts_overdue_first(cast):
    import datetime as dt

    now = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    items = [registry.WorkItem("toy", "toy:1", "a", "/a", "x", due=now + dt.timedelta(days=1)),
             registry.WorkItem("toy", "toy:2", "b", "/b", "x", due=now - dt.timedelta(days=1)),
             registry.WorkItem("toy", "toy:3", "c", "/c", "x")]
    registry.register_work("toy", "toy", lambda user, at: items)
    try:
        assert [i.subject for i in registry.work_for(cast.centre_a, now, kinds=["toy"])] == [
            "toy:2", "toy:1", "toy:3"]
    finally:
        registry._WORK.pop("toy")
