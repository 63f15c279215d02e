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
