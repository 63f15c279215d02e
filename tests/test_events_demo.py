"""The demo year of hazard events: consistent with seed 002 and deterministic."""

from __future__ import annotations

from decimal import Decimal

from parcelguard.demo.city import load_demo_city
from parcelguard.events.demo import load_demo_events
from parcelguard.events.models import Case, Event


def test_the_demo_year_closes_most_events_at_county_tier_and_holds_the_hanjiang_story(db):
    load_demo_city()
    summary = load_demo_events(count=200)
    assert summary.events == 201
    assert summary.closed_at_county / summary.closed > 0.9
    assert summary.cases >= 10 and summary.rework > 0 and summary.overdue > 0
    story = Event.objects.get(pk=summary.hanjiang_event)
    assert (story.state, story.county.name, story.hazard_type.code) == ("closed", "涵江区", "address_mismatch")
    assert [t.action for t in story.transitions.all()] == [
        "report", "verify", "remind", "auto_escalate", "case_open", "case_investigate", "case_notify",
        "case_decide", "case_serve", "case_paid", "case_confirm_fix"]
    assert Case.objects.get(event=story).amount == Decimal(1500)
    assert story.transitions.get(action="remind").data["deadline"] == "2026-04-13"
    assert story.closed_at.date().isoformat() == "2026-04-30"
    story.site.refresh_from_db()
    assert not story.site.address_mismatch


def test_the_demo_history_escalates_each_missed_step_when_it_was_due_not_at_first_start(db):
    """Issue 17 item 8: a platform that ran all along escalated each event minutes after its deadline ended."""
    import datetime as dt

    from parcelguard.core import clock
    from parcelguard.core.models import StatusChange
    from parcelguard.events import clocks
    from parcelguard.events.models import StepLapse

    load_demo_city()
    load_demo_events(count=200)
    now = clock.now()
    assert not clocks.missed_steps(now).exists()  # nothing left for the first real sweep to catch up on
    escalations = StatusChange.objects.filter(flow="event", action="auto_escalate")
    assert escalations.exists()
    for change in escalations:
        due = change.data.get("deadline") or None
        event = Event.objects.get(pk=change.object_id)
        rectify_by = event.rectify_by
        assert rectify_by <= change.at <= rectify_by + dt.timedelta(minutes=30), (event.pk, change.at, due)
    lapses = StepLapse.objects.all()
    assert lapses.exists()
    for lapse in lapses:
        assert lapse.due <= lapse.at <= lapse.due + dt.timedelta(minutes=10), (lapse.event_id, lapse.at, lapse.due)
    assert len({lapse.at.date() for lapse in lapses}) > 1  # spread over the days they were due
