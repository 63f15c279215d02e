"""Events, warnings and rewards run through the one engine (core.workflow): each step writes one
core.StatusChange row keyed by subject and one trail entry, and each refused step changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils.translation import gettext

from parcelguard.core import clock, workflow
from parcelguard.core.errors import DomainError, NotFound
from parcelguard.core.models import StatusChange
from parcelguard.events import services as event_services
from parcelguard.events.models import Event, Notification, Reward, Transition
from parcelguard.events.services import escalate_overdue, event_report, event_verify, tipoff_submit
from parcelguard.events.states import EVENT_FLOW, REWARD_FLOW, TERMINAL
from parcelguard.events.testing import ensure_taxonomy, make_event, make_reward, photo
from parcelguard.parcels import services as parcel_services
from parcelguard.parcels.flow import WARNING_FLOW
from parcelguard.parcels.models import EarlyWarning
from parcelguard.parcels.testing import make_warning
from parcelguard.trail.models import TrailEntry


def test_the_event_flow_is_registered_with_one_definition_of_its_terminal_states():
    assert workflow.get("event") is EVENT_FLOW
    assert EVENT_FLOW.terminal == TERMINAL == {"closed", "rejected"}
    assert "reported" in EVENT_FLOW.open_states and "closed" not in EVENT_FLOW.open_states


def test_an_event_step_writes_one_status_change_one_trail_entry_and_the_events_own_row(cast):
    event = make_event(cast.outlet_a1, state="reported")
    event_verify(user=cast.centre_a, event_id=event.pk, version=event.version, note="现场核实", uploads=[photo()])
    change = StatusChange.objects.get(subject=f"event:{event.pk}")
    assert (change.flow, change.action, change.from_state, change.to_state, change.actor_role) == (
        "event", "verify", "reported", "verified", "county_centre")
    assert change.jurisdiction_path == event.jurisdiction_path and change.enterprise_id == event.enterprise_id
    assert change.evidence.count() == 1
    entry = TrailEntry.objects.get(seq=change.trail_seq)
    assert (entry.action, entry.subject) == ("event.verify", f"event:{event.pk}")
    own = Transition.objects.get(event=event)
    assert (own.action, own.trail_seq, own.at, own.attachments.count()) == ("verify", change.trail_seq, change.at, 1)
    assert [c.action for c in workflow.history(f"event:{event.pk}")] == ["verify"]


def test_a_report_a_tipoff_and_the_escalation_job_write_status_changes_with_their_roles(cast):
    ensure_taxonomy()
    reported = event_report(user=cast.worker_a1, site_id=cast.outlet_a1.pk, hazard_type="address_mismatch",
                            description="地址与备案不符", uploads=[photo()])
    tip = tipoff_submit(county_code=cast.county_a.code, hazard_type="address_mismatch", place="某路口",
                        description="有人在路边收寄包裹未验视")
    late = make_event(cast.outlet_a1, state="reminded", deadline=clock.now() - dt.timedelta(hours=1))
    assert escalate_overdue() == 1
    rows = {(c.subject, c.action, c.from_state, c.to_state, c.actor_role) for c in StatusChange.objects.all()}
    assert rows == {(f"event:{reported.pk}", "report", "", "reported", "grid_worker"),
                    (f"event:{tip.pk}", "tipoff", "", "reported", "public"),
                    (f"event:{late.pk}", "auto_escalate", "reminded", "escalated", "system")}
    assert Event.objects.get(pk=late.pk).tier == "city"


def test_the_events_wording_of_the_engines_refusals_is_kept(cast):
    from parcelguard.core.errors import Conflict

    event = make_event(cast.outlet_a1, state="reported")
    try:
        workflow.transition(EVENT_FLOW, user=cast.centre_a, pk=event.pk, action="remind", version=None)
    except Conflict as exc:
        assert exc.code == "transition_not_allowed" and str(exc.message) == "事件当前状态（已上报）下不能执行此环节。"
    else:
        raise AssertionError("refused step went through")


# ---- early warnings and rewards ---------------------------------------------------------------------------


postgres_only = pytest.mark.skipif(connection.vendor != "postgresql",
                                   reason="needs row locks between real connections (PostgreSQL)")


def _counts():
    return (StatusChange.objects.count(), TrailEntry.objects.count(), Event.objects.count())


def test_the_warning_and_reward_flows_are_registered_with_their_terminal_states():
    assert workflow.get("warning") is WARNING_FLOW and workflow.get("reward") is REWARD_FLOW
    assert WARNING_FLOW.open_states == ("new", "acknowledged")
    assert WARNING_FLOW.terminal == {"converted", "dismissed"}
    assert REWARD_FLOW.open_states == ("proposed", "approved") and REWARD_FLOW.terminal == {"paid"}


def test_acting_on_warnings_writes_status_changes_keyed_by_the_warning(cast):
    seen = make_warning(cast.outlet_a1, n=1)
    dropped = make_warning(cast.outlet_a1, n=2)
    turned = make_warning(cast.outlet_a1, n=3)
    parcel_services.warning_acknowledge(user=cast.centre_a, warning_id=seen.pk)
    parcel_services.warning_dismiss(user=cast.centre_a, warning_id=dropped.pk, reason="设备检修期间")
    moved = parcel_services.warning_convert(user=cast.city_bureau, warning_id=turned.pk)
    rows = {(c.subject, c.action, c.from_state, c.to_state, c.actor_role)
            for c in StatusChange.objects.filter(flow="warning")}
    assert rows == {(f"warning:{seen.pk}", "acknowledge", "new", "acknowledged", "county_centre"),
                    (f"warning:{dropped.pk}", "dismiss", "new", "dismissed", "county_centre"),
                    (f"warning:{turned.pk}", "convert", "new", "converted", "city_bureau")}
    assert (moved.status, moved.version, moved.status_by, moved.event_id is not None) == (
        "converted", 2, cast.city_bureau, True)
    change = StatusChange.objects.get(subject=f"warning:{turned.pk}")
    assert change.data["event"] == moved.event_id and change.jurisdiction_path == turned.jurisdiction_path
    assert TrailEntry.objects.get(seq=change.trail_seq).action == "warning.convert"
    assert StatusChange.objects.filter(subject=f"event:{moved.event_id}", action="report").count() == 1
    assert StatusChange.objects.get(subject=f"warning:{dropped.pk}").reason == "设备检修期间"


# (who, starting status, kind, with a site?, step, arguments, error code)
WARNING_REFUSALS = [
    ("grid_a1", "new", "LOW_SCREENING", True, "acknowledge", {}, "forbidden"),
    ("procurator", "new", "LOW_SCREENING", True, "dismiss", {"reason": "无问题"}, "forbidden"),
    ("centre_b", "new", "LOW_SCREENING", True, "acknowledge", {}, "not_found"),
    ("centre_a", "acknowledged", "LOW_SCREENING", True, "acknowledge", {}, "warning_closed"),
    ("centre_a", "dismissed", "LOW_SCREENING", True, "convert", {}, "warning_closed"),
    ("centre_a", "converted", "LOW_SCREENING", True, "dismiss", {"reason": "无问题"}, "warning_closed"),
    ("centre_a", "new", "LOW_SCREENING", True, "dismiss", {"reason": " "}, "reason_required"),
    ("city_bureau", "new", "LOW_SCREENING", False, "convert", {}, "no_single_site"),
]


@pytest.mark.parametrize("who,status,kind,sited,action,args,code", WARNING_REFUSALS,
                         ids=[f"{r[0]}-{r[1]}-{r[4]}-{r[6]}" for r in WARNING_REFUSALS])
def test_a_refused_warning_step_changes_nothing(cast, who, status, kind, sited, action, args, code):
    warning = make_warning(cast.outlet_a1 if sited else None, status=status, kind=kind)
    before = _counts()
    with pytest.raises(DomainError) as refused:
        getattr(parcel_services, f"warning_{action}")(user=cast.users[who], warning_id=warning.pk, **args)
    assert refused.value.code == code
    warning.refresh_from_db()
    assert (warning.status, warning.version, _counts()) == (status, 1, before)


def test_a_warning_step_on_a_stale_version_is_a_state_conflict_in_the_warnings_words(cast):
    warning = make_warning(cast.outlet_a1)
    EarlyWarning.objects.filter(pk=warning.pk).update(version=2)
    before = _counts()
    with pytest.raises(DomainError) as refused:
        workflow.transition(WARNING_FLOW, user=cast.centre_a, pk=warning.pk, action="acknowledge", version=1)
    assert (refused.value.code, refused.value.message) == (
        "state_conflict", gettext("Somebody else acted on this warning meanwhile; reload it."))
    assert _counts() == before


def test_a_reward_is_proposed_approved_and_paid_through_the_engine(cast):
    event = make_event(cast.outlet_a1, state="verified")
    Event.objects.filter(pk=event.pk).update(source="public")
    reward = event_services.reward_propose(user=cast.centre_a, event_id=event.pk, amount="300")
    event_services.reward_approve(user=cast.city_bureau, reward_id=reward.pk)
    paid = event_services.reward_pay(user=cast.city_bureau, reward_id=reward.pk, payment_ref="FK2026-0001")
    assert (paid.status, paid.version, paid.payment_ref, paid.approved_by) == ("paid", 3, "FK2026-0001",
                                                                               cast.city_bureau)
    steps = [(c.action, c.from_state, c.to_state, c.actor_role, c.data["event"])
             for c in workflow.history(f"reward:{reward.pk}")]
    assert steps == [("propose", "", "proposed", "county_centre", f"event:{event.pk}"),
                     ("approve", "proposed", "approved", "city_bureau", f"event:{event.pk}"),
                     ("pay", "approved", "paid", "city_bureau", f"event:{event.pk}")]
    assert [e.action for e in TrailEntry.objects.filter(subject=f"reward:{reward.pk}").order_by("seq")] == [
        "reward.propose", "reward.approve", "reward.pay"]
    told = [(n.user.username, n.subject, n.url, n.event_id, n.message) for n in
             Notification.objects.filter(subject=f"reward:{reward.pk}").order_by("pk").select_related("user")]
    assert told == [
        ("city_bureau", f"reward:{reward.pk}", "/events/rewards/", event.pk, f"举报 #{event.pk} 的奖励 300 元：待批准"),
        ("centre_a", f"reward:{reward.pk}", "/events/rewards/", event.pk, f"举报 #{event.pk} 的奖励 300 元：已发放")]


def test_event_notifications_are_keyed_by_the_event_subject_and_open_its_page(cast, client_for):
    ensure_taxonomy()
    event = event_report(user=cast.worker_a1, site_id=cast.outlet_a1.pk, hazard_type="address_mismatch",
                         description="地址与备案不符", uploads=[photo()])
    assert Notification.objects.filter(user=cast.centre_a).exists()
    rows = set(Notification.objects.values_list("subject", "url", "event_id"))
    assert rows == {(f"event:{event.pk}", f"/events/{event.pk}/", event.pk)}
    assert Notification.objects.get(user=cast.centre_a).message == (
        f"新上报隐患待核实：#{event.pk} {event.hazard_type.name} {event.where}")
    from django.utils import translation

    from parcelguard.events import deadlines
    from parcelguard.events.services import deadline_sweep

    late = make_event(cast.outlet_a1, state="reminded", deadline=clock.now() - dt.timedelta(hours=2))
    with translation.override("en"):  # written in the platform's language whoever runs the sweep
        assert deadline_sweep() >= 1
    assert set(Notification.objects.filter(subject=f"event:{late.pk}").values_list("message", flat=True)) == {
        f"已逾期：#{late.pk} {late.hazard_type.name} {late.where}，期限 {deadlines.day_of(late.deadline)}"}
    inbox = client_for(cast.centre_a).get("/api/v1/notifications").json()
    assert inbox["items"] and all(n["subject"] == f"event:{n['event_id']}" and n["url"] == f"/events/{n['event_id']}/"
                                  for n in inbox["items"])


# (who, starting status, step, arguments, error code)
REWARD_REFUSALS = [
    ("centre_a", "proposed", "approve", {}, "role_not_allowed"),
    ("procurator", "approved", "pay", {"payment_ref": "FK1"}, "role_not_allowed"),
    ("city_bureau", "proposed", "pay", {"payment_ref": "FK1"}, "transition_not_allowed"),
    ("city_bureau", "approved", "approve", {}, "transition_not_allowed"),
    ("city_bureau", "paid", "pay", {"payment_ref": "FK1"}, "transition_not_allowed"),
    ("city_bureau", "approved", "pay", {"payment_ref": "  "}, "reason_required"),
]


@pytest.mark.parametrize("who,status,action,args,code", REWARD_REFUSALS,
                         ids=[f"{r[0]}-{r[1]}-{r[2]}-{r[4]}" for r in REWARD_REFUSALS])
def test_a_refused_reward_step_changes_nothing(cast, who, status, action, args, code):
    reward = make_reward(cast, status=status)
    before = _counts()
    with pytest.raises(DomainError) as refused:
        getattr(event_services, f"reward_{action}")(user=cast.users[who], reward_id=reward.pk, **args)
    assert refused.value.code == code
    reward.refresh_from_db()
    assert (reward.status, reward.version, _counts()) == (status, 1, before)


def test_a_reward_outside_the_scope_is_not_found(cast):
    reward = make_reward(cast)
    Event.objects.filter(pk=reward.event_id).update(jurisdiction_path=cast.outlet_b1.jurisdiction_path)
    with pytest.raises(NotFound):
        workflow.transition(REWARD_FLOW, user=cast.centre_a, pk=reward.pk, action="approve", version=None)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_ten_people_acting_on_one_warning_and_one_reward_at_once_move_each_once(cast):
    from tests.test_events_concurrency import _run_together

    warning = make_warning(cast.outlet_a1)
    reward = make_reward(cast)
    acks = _run_together(10, lambda i: parcel_services.warning_acknowledge(user=cast.centre_a, warning_id=warning.pk))
    approvals = _run_together(10, lambda i: event_services.reward_approve(user=cast.city_bureau, reward_id=reward.pk))
    for results, model in ((acks, EarlyWarning), (approvals, Reward)):
        wins = [r for r in results if isinstance(r, model)]
        losses = [r for r in results if isinstance(r, DomainError)]
        assert len(wins) == 1 and len(losses) == 9, results
        assert {e.code for e in losses} <= {"state_conflict", "warning_closed", "transition_not_allowed"}
    assert StatusChange.objects.filter(subject=f"warning:{warning.pk}").count() == 1
    assert StatusChange.objects.filter(subject=f"reward:{reward.pk}").count() == 1
