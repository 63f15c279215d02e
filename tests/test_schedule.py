"""The periodic jobs run by themselves: each time slot is enqueued once, however often the scheduler runs."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import time_machine
from django.core.management import call_command

from parcelguard.core.models import JobRun
from parcelguard.core.schedule import JOBS, Job, daily_at, every, monthly_on, run_due

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


def test_slot_rules_name_the_latest_due_slot():
    assert every(10)(at(2026, 11, 27, 9, 37, 12)) == at(2026, 11, 27, 9, 30)
    assert daily_at(2)(at(2026, 11, 27, 1, 59)) == at(2026, 11, 26, 2, 0)
    assert daily_at(2)(at(2026, 11, 27, 2, 0)) == at(2026, 11, 27, 2, 0)
    assert monthly_on(1, 3)(at(2026, 12, 1, 2, 59)) == at(2026, 11, 1, 3, 0)
    assert monthly_on(1, 3)(at(2026, 12, 1, 3, 0)) == at(2026, 12, 1, 3, 0)
    assert monthly_on(1, 3)(at(2027, 1, 1, 0, 0)) == at(2026, 12, 1, 3, 0)


def test_each_slot_is_enqueued_once_and_the_next_slot_again(db, django_capture_on_commit_callbacks):
    calls: list[str] = []

    class Recorder:
        def enqueue(self) -> None:
            calls.append("ran")

    import sys
    import types

    module = types.ModuleType("fake_tasks")
    module.job = Recorder()  # type: ignore[attr-defined]
    sys.modules["fake_tasks"] = module
    job = Job("fake", "fake_tasks.job", every(10), "a test job")
    with time_machine.travel(at(2026, 11, 27, 9, 31), tick=False), \
            django_capture_on_commit_callbacks(execute=True):
        assert run_due(jobs=(job,)) == ["fake"]
        assert run_due(jobs=(job,)) == []
    assert calls == ["ran"]
    with time_machine.travel(at(2026, 11, 27, 9, 39), tick=False):
        assert run_due(jobs=(job,)) == []
    with time_machine.travel(at(2026, 11, 27, 9, 40), tick=False):
        assert run_due(jobs=(job,)) == ["fake"]
    assert JobRun.objects.filter(job="fake").count() == 2


def test_the_scheduler_escalates_an_overdue_event_by_itself(cast, django_capture_on_commit_callbacks):
    from parcelguard.events.models import Event
    from parcelguard.events.testing import make_event

    event = make_event(cast.outlet_a1, state="reminded")
    Event.objects.filter(pk=event.pk).update(deadline=at(2026, 11, 20, 17, 0))
    with time_machine.travel(at(2026, 11, 27, 9, 31), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            call_command("scheduler", "--once")
        event.refresh_from_db()
        assert event.tier == "city"
        with django_capture_on_commit_callbacks(execute=True):
            call_command("scheduler", "--once")
    assert JobRun.objects.filter(job="escalate_overdue").count() == 1
    assert {j.name for j in JOBS} >= {"escalate_overdue", "monthly_reports", "parcel_analysis"}
