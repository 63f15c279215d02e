"""The clocks of the hazard workflow (events/clocks.py): every step has its limit, a missed step is escalated
to the party above the one that missed it, enforcement only when the enterprise failed, and the case clocks
each have one state (running / met / missed / not applicable) with the surcharge, demand and court window of
an unpaid fine."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from parcelguard.events import clocks, services
from parcelguard.events.models import Case, Event, Notification, StepLapse
from parcelguard.events.testing import make_event, photo

SH = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)


def _report(cast):
    return services.event_report(user=cast.users["grid_a1"], site_id=cast.outlet_a1.pk,
                                 hazard_type="address_mismatch", description="实际经营地址与备案地址不符",
                                 uploads=[photo()])


def test_an_unverified_report_has_a_clock_and_its_miss_goes_to_the_city_bureau(cast):
    with time_machine.travel(at(2026, 3, 2, 9), tick=False) as t:  # a Monday
        event = _report(cast)
        assert event.deadline == at(2026, 3, 6)  # 3 working days to verify: due Thursday 5 March
        assert clocks.sweep()["lapses"] == 0
        t.move_to(at(2026, 3, 6, 0, 10))
        assert clocks.sweep()["lapses"] == 1
        assert clocks.sweep()["lapses"] == 0  # recorded once
        lapse = StepLapse.objects.get()
        assert (lapse.state, lapse.owner_role, lapse.escalated_to) == ("reported", "county_centre", "city_bureau")
        told = Notification.objects.filter(key=f"lapse:{lapse.pk}")
        assert [n.user.username for n in told] == ["city_bureau"]
        assert "县区邮政业安全中心逾期未核实" in told[0].message and "2026-03-05" in told[0].message
        from parcelguard.events.selectors import work_queue

        assert event.pk in set(work_queue(cast.city_bureau).values_list("pk", flat=True))


def test_every_open_state_entered_through_a_step_has_a_deadline(cast):
    with time_machine.travel(at(2026, 3, 2, 9), tick=False):
        event = _report(cast)
        for step in ("verify", "remind"):
            kwargs = {"uploads": [photo()]} if step == "verify" else {}
            event = services.ACTIONS[step](user=cast.centre_a, event_id=event.pk, version=event.version, **kwargs)
            assert event.deadline is not None, step
        event = services.event_answer(user=cast.users["officer_x"], event_id=event.pk, version=event.version,
                                      uploads=[photo()])
        assert event.state == "answered" and event.deadline == at(2026, 3, 6)  # the grid worker's 3 working days


def test_a_grid_worker_who_never_confirms_is_escalated_to_the_county_centre_not_the_enterprise(cast):
    with time_machine.travel(at(2026, 3, 2, 9), tick=False) as t:
        event = make_event(cast.outlet_a1, state="answered", deadline=at(2026, 3, 5),
                           rectify_by=at(2026, 3, 10))  # the enterprise answered well before its deadline
        t.move_to(at(2026, 3, 5, 0, 10))
        done = clocks.sweep()
        assert done["escalated"] == 0 and done["lapses"] == 1
        event.refresh_from_db()
        assert event.state == "answered" and event.tier == "county"  # no enforcement against the enterprise
        lapse = StepLapse.objects.get(event=event)
        assert (lapse.owner_role, lapse.escalated_to) == ("grid_worker", "county_centre")
        assert set(Notification.objects.filter(key=f"lapse:{lapse.pk}").values_list("user__username", flat=True)) \
            == {"centre_a"}
        from parcelguard.events.selectors import work_queue

        assert event.pk in set(work_queue(cast.centre_a).values_list("pk", flat=True))
        assert event.pk not in set(work_queue(cast.centre_b).values_list("pk", flat=True))


def test_an_enterprise_that_does_not_answer_is_escalated_for_enforcement(cast):
    with time_machine.travel(at(2026, 3, 5, 0, 10), tick=False):
        event = make_event(cast.outlet_a1, state="reminded", deadline=at(2026, 3, 5))
        assert clocks.sweep()["escalated"] == 1
        event.refresh_from_db()
        assert event.state == "escalated" and event.deadline == at(2026, 3, 21)  # 15 days to decide on a case


def _case(cast, state: str, **fields) -> Case:
    event = make_event(cast.outlet_a1, state=state)
    Case.objects.get_or_create(event=event, defaults={"opened_at": at(2025, 12, 1), "decide_by": at(2026, 3, 1)})
    Case.objects.filter(event=event).update(**fields)
    return Case.objects.select_related("event").get(event=event)


def _states(case: Case, now: dt.datetime) -> dict[str, str]:
    return {c.key: c.state for c in clocks.case_clocks(case, case.event.state, now)}


def test_the_defence_clock_runs_only_while_the_case_waits_for_it(cast):
    now = at(2026, 5, 1, 12)
    notified = _case(cast, "notified", notified_at=at(2026, 4, 28), defence_by=at(2026, 5, 4))
    assert _states(notified, now)["defence"] == "running"
    lapsed = _case(cast, "decided", notified_at=at(2026, 3, 1), defence_by=at(2026, 3, 7), decided_at=at(2026, 3, 9))
    assert _states(lapsed, now)["defence"] == "met"  # the period ended; nobody failed
    closed = _case(cast, "closed", notified_at=at(2026, 1, 1), defence_by=at(2026, 1, 7), defence="已陈述",
                   decided_at=at(2026, 1, 20))
    assert _states(closed, now)["defence"] == "met"
    opened = _case(cast, "investigating")
    assert _states(opened, now)["defence"] == "na"
    assert all(c.state != "missed" for c in clocks.case_clocks(closed, "closed", now))


def test_an_unpaid_fine_accrues_the_surcharge_and_prompts_demand_and_court_enforcement(cast):
    case = _case(cast, "served", outcome="fine", amount=Decimal(1500), decided_at=at(2026, 4, 21),
                 serve_by=at(2026, 4, 29), served_at=at(2026, 4, 22, 11), pay_by=at(2026, 5, 8))
    ten_days_late = at(2026, 5, 17, 12)
    assert clocks.surcharge(case, ten_days_late) == Decimal("450.00")  # 1,500 × 3 % × 10 days
    assert clocks.surcharge(case, at(2026, 8, 1)) == Decimal(1500)  # capped at the fine
    got = {c.key: c for c in clocks.case_clocks(case, "served", ten_days_late)}
    assert got["pay"].state == "missed" and "450.00" in got["pay"].note
    assert got["demand"].state == "running" and "催告" in got["demand"].note
    assert got["court"].state == "running"
    assert (got["court"].opens, got["court"].due) == (dt.date(2026, 10, 22), dt.date(2027, 1, 21))
    assert {c.key: c.state for c in clocks.case_clocks(case, "served", at(2027, 2, 1))}["court"] == "missed"
    paid = _case(cast, "paid", outcome="fine", amount=Decimal(1500), decided_at=at(2026, 4, 21),
                 served_at=at(2026, 4, 22), pay_by=at(2026, 5, 8), paid_at=at(2026, 5, 2))
    got = _states(paid, ten_days_late)
    assert got["pay"] == "met" and got["demand"] == "na" and got["court"] == "na"
    assert clocks.surcharge(paid, ten_days_late) == 0


def test_an_unpaid_fine_is_escalated_to_the_bureau_with_what_to_do(cast):
    case = _case(cast, "served", outcome="fine", amount=Decimal(1500), served_at=at(2026, 4, 22),
                 pay_by=at(2026, 5, 8))
    Event.objects.filter(pk=case.event_id).update(deadline=case.pay_by)
    with time_machine.travel(at(2026, 5, 8, 0, 10), tick=False):
        assert clocks.sweep()["lapses"] == 1
    lapse = StepLapse.objects.get()
    assert (lapse.owner_role, lapse.escalated_to) == ("enterprise", "city_bureau")
    message = Notification.objects.get(key=f"lapse:{lapse.pk}").message
    assert "催告" in message and "强制执行" in message


def test_the_case_page_shows_each_clock_state_once(cast, client_for):
    case = _case(cast, "served", outcome="fine", amount=Decimal(1500), served_at=at(2026, 4, 22),
                 pay_by=at(2026, 5, 8), notified_at=at(2026, 4, 10), defence_by=at(2026, 4, 16))
    with time_machine.travel(at(2026, 5, 17, 12), tick=False):
        page = client_for(cast.city_bureau).get(f"/events/{case.event_id}/").content.decode()
    assert "已加处罚款450.00元" in page and "书面催告" in page
    assert page.count("clock clock-missed") == 1  # the payment, not the defence period


def test_the_inbox_links_only_to_what_the_reader_may_open(cast, client_for):
    from parcelguard.events.models import NotificationKind

    mine = make_event(cast.outlet_a1, state="answered")
    elsewhere = make_event(cast.outlet_a2, state="answered")  # grid A2: not grid worker A1's
    grid = cast.users["grid_a1"]
    for n, event in enumerate((mine, elsewhere)):
        Notification.objects.create(user=grid, subject=f"event:{event.pk}", event=event, kind=NotificationKind.ASSIGNED,
                                    message=f"企业已反馈整改，请现场确认：#{event.pk}", key=f"k{n}",
                                    created_at=at(2026, 3, 2, 9))
    client = client_for(grid)
    page = client.get("/events/inbox/").content.decode()
    assert f'href="/events/{mine.pk}/"' in page and f"/events/{elsewhere.pk}/" not in page
    assert "已不在您的辖区" in page
    items = {i["event_id"]: i for i in client.get("/api/v1/notifications").json()["items"]}
    assert items[mine.pk]["openable"] and not items[elsewhere.pk]["openable"] and items[elsewhere.pk]["url"] == ""
    assert client.get(f"/events/{elsewhere.pk}/").status_code == 404
