"""Every forbidden transition is refused with a clear code and changes nothing: wrong role, wrong
jurisdiction (→ not found), wrong state, missing evidence or reason, a stale version."""

from __future__ import annotations

import pytest

from parcelguard.core.models import StatusChange
from parcelguard.events.models import Event, Transition
from parcelguard.events.states import STEPS, can_transition, states_waiting_for
from parcelguard.events.testing import make_event, photo
from parcelguard.evidence.models import Evidence
from parcelguard.trail.models import TrailEntry


def _snapshot(event):
    event.refresh_from_db()
    return (event.state, event.version, event.deadline, event.rework_count, Transition.objects.count(),
            StatusChange.objects.count(), TrailEntry.objects.count(), Evidence.objects.count())


# (who, starting state, url suffix, form fields, with a photo?, status, error code)
REFUSED = [
    ("grid_a1", "reported", "verify", {}, True, 403, "role_not_allowed"),
    ("officer_x", "verified", "remind", {}, False, 403, "role_not_allowed"),
    ("centre_a", "reminded", "answer", {}, True, 403, "role_not_allowed"),
    ("city_bureau", "reported", "verify", {}, True, 403, "role_not_allowed"),
    ("procurator", "escalated", "case/open", {"reason": "立案"}, False, 403, "role_not_allowed"),
    ("centre_a", "escalated", "case/open", {"reason": "立案"}, False, 403, "role_not_allowed"),
    ("grid_a1", "answered", "fail-fix", {"reason": "未整改"}, False, 422, "evidence_required"),
    ("centre_b", "reported", "verify", {}, True, 404, "not_found"),
    ("officer_y", "reminded", "answer", {}, True, 404, "not_found"),
    ("grid_a2", "answered", "confirm-fix", {}, True, 404, "not_found"),
    ("grid_b1", "answered", "confirm-fix", {}, True, 404, "not_found"),
    ("centre_a", "reported", "remind", {}, False, 409, "transition_not_allowed"),
    ("city_bureau", "reminded", "case/open", {"reason": "立案"}, False, 409, "transition_not_allowed"),
    ("grid_a1", "reminded", "confirm-fix", {}, True, 409, "transition_not_allowed"),
    ("officer_x", "closed", "answer", {}, True, 409, "transition_not_allowed"),
    ("centre_a", "rejected", "verify", {}, True, 409, "transition_not_allowed"),
    ("centre_a", "reported", "verify", {}, False, 422, "evidence_required"),
    ("officer_x", "reminded", "answer", {}, False, 422, "evidence_required"),
    ("grid_a1", "answered", "confirm-fix", {}, False, 422, "evidence_required"),
    ("centre_a", "reminded", "escalate", {"reason": "  "}, False, 422, "reason_required"),
    ("centre_a", "reported", "reject", {"reason_code": "because"}, False, 422, "reason_required"),
    ("city_bureau", "escalated", "case/decline", {"reason": " "}, False, 422, "reason_required"),
    ("city_bureau", "investigating", "case/notify",
     {"legal_basis": "filing_change", "amount": "99999", "reason": "未备案"}, False, 422, "amount_out_of_range"),
    ("city_bureau", "investigating", "case/notify",
     {"legal_basis": "no_such_law", "amount": "100", "reason": "未备案"}, False, 422, "unknown_legal_basis"),
    ("centre_a", "reminded", "escalate", {"reason": "整改不力", "version": 7}, False, 409, "state_conflict"),
]


@pytest.mark.parametrize("who,state,suffix,fields,with_photo,status,code", REFUSED,
                         ids=[f"{r[0]}-{r[1]}-{r[2]}-{r[6]}" for r in REFUSED])
def test_it_refuses_a_forbidden_step_and_changes_nothing(cast, client_for, who, state, suffix, fields,
                                                        with_photo, status, code):
    event = make_event(cast.outlet_a1, state=state)
    before = _snapshot(event)
    data = {"version": event.version, **fields}
    if with_photo:
        data["files"] = [photo()]
    response = client_for(cast.users[who]).post(f"/api/v1/events/{event.pk}/{suffix}", data)
    assert response.status_code == status, response.content[:400]
    assert response.json()["error"]["code"] == code
    assert _snapshot(event) == before


def test_it_hides_events_outside_the_scope_in_lists_and_pages(cast, client_for):
    a = make_event(cast.outlet_a1)
    b = make_event(cast.outlet_b1)
    for who, visible in (("centre_a", {a.pk}), ("centre_b", {b.pk}), ("grid_a2", set()), ("officer_y", {b.pk}),
                         ("city_bureau", {a.pk, b.pk}), ("procurator", {a.pk, b.pk})):
        client = client_for(cast.users[who])
        listed = {e["id"] for e in client.get("/api/v1/events?limit=200").json()["items"]}
        assert listed == visible, who
        for event in (a, b):
            assert client.get(f"/events/{event.pk}/").status_code == (200 if event.pk in visible else 404)
            assert client.get(f"/api/v1/events/{event.pk}").status_code == (200 if event.pk in visible else 404)


def test_it_offers_only_the_steps_the_table_allows_this_user_now(cast, client_for):
    event = make_event(cast.outlet_a1, state="reported")
    allowed = client_for(cast.centre_a).get(f"/api/v1/events/{event.pk}").json()["allowed_actions"]
    assert allowed == ["verify", "reject"]
    assert client_for(cast.users["grid_a1"]).get(f"/api/v1/events/{event.pk}").json()["allowed_actions"] == []
    page = client_for(cast.centre_a).get(f"/events/{event.pk}/").content.decode()
    assert 'id="step-verify"' in page and 'id="step-remind"' not in page


def test_the_table_never_lets_a_role_act_outside_its_tier():
    for s in STEPS:
        for src in s.sources:
            for role in s.roles:
                assert can_transition(role, src, "city" if s.tier == "county" else "county", s.action).ok is False
    assert "answered" in states_waiting_for("grid_worker") and "reminded" in states_waiting_for("enterprise")


def test_it_refuses_a_report_without_a_photo_or_outside_the_grid(cast, client_for):
    grid = client_for(cast.users["grid_a1"])
    base = {"hazard_type": "fire_safety", "description": "灭火器过期"}
    no_photo = grid.post("/api/v1/events", {**base, "site_id": cast.outlet_a1.pk})
    assert no_photo.json()["error"]["code"] == "evidence_required"
    elsewhere = grid.post("/api/v1/events", {**base, "site_id": cast.outlet_b1.pk, "files": [photo()]})
    assert elsewhere.status_code == 404
    officer = client_for(cast.officer_x).post("/api/v1/events", {**base, "site_id": cast.outlet_a1.pk,
                                                                  "files": [photo()]})
    assert officer.status_code == 403
    assert Event.objects.count() == 0 and Evidence.objects.count() == 0


def test_a_transition_is_never_changed_or_deleted(cast, client_for):
    from django.db import DatabaseError, connection, transaction

    from parcelguard.core.errors import Conflict

    event = make_event(cast.outlet_a1, state="reported")
    client_for(cast.centre_a).post(f"/api/v1/events/{event.pk}/verify", {"version": 1, "files": [photo()]})
    step = Transition.objects.get(event=event)
    step.reason = "rewritten"
    with pytest.raises(Conflict):
        step.save()
    with pytest.raises(Conflict):
        step.delete()
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic():
            Transition.objects.filter(pk=step.pk).update(reason="rewritten")
    assert Transition.objects.get(pk=step.pk).reason == ""
