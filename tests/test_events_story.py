"""Seed 002, the Hanjiang story, end to end through the API with the clock frozen and moved:
address mismatch → verified → reminder letter, 5 days → escalated by the job → case → 1,500 yuan fine →
served → paid → the grid worker confirms the address was filed → closed."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine

from parcelguard.events.models import Case, Event, Notification
from parcelguard.events.services import escalate_overdue
from parcelguard.events.testing import pdf, photo
from parcelguard.trail.services import trail_for

SH = ZoneInfo("Asia/Shanghai")


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)


def post(client, url, data, files=()):
    payload = dict(data)
    if files:
        payload["files"] = list(files)
    return client.post(url, payload)


def ok(response, status=200):
    assert response.status_code == status, response.content[:500]
    return response.json()


def _logged_in(cast, client_for):
    return (client_for(cast.users["grid_a1"]), client_for(cast.centre_a), client_for(cast.city_bureau),
            client_for(cast.officer_x))


@pytest.mark.django_db
def test_it_runs_the_hanjiang_story_through_the_api(cast, client_for):
    with time_machine.travel(at(2026, 4, 8, 9, 30), tick=False) as clock:
        grid, centre, city, officer = _logged_in(cast, client_for)
        # a grid worker finds an outlet operating away from its filed address
        event = ok(post(grid, "/api/v1/events", {
            "site_id": cast.outlet_a1.pk, "hazard_type": "address_mismatch",
            "description": "营业部实际经营地址为涵华东路120号，与备案地址涵华东路88号不符",
            "latitude": "25.4589", "longitude": "119.1192"}, [photo()]), 201)
        pk = event["id"]
        assert (event["state"], event["tier"], event["source"]) == ("reported", "county", "grid_worker")

        # the district centre checks on site and sends the reminder letter: change the filing within 5 days
        event = ok(post(centre, f"/api/v1/events/{pk}/verify", {"version": event["version"], "note": "现场复核属实"},
                        [photo("复核.png", (10, 120, 10))]))
        event = ok(post(centre, f"/api/v1/events/{pk}/remind", {"version": event["version"]}))
        assert event["state"] == "reminded"
        assert event["due_day"] == "2026-04-13"
        detail = ok(centre.get(f"/api/v1/events/{pk}"))
        letter = detail["timeline"][-1]
        assert letter["action"] == "remind" and letter["document_number"].startswith("涵邮安提〔2026〕")
        assert [a["kind"] for a in letter["attachments"]] == ["document"]
        pdf_response = centre.get(letter["attachments"][0]["url"])
        assert pdf_response.status_code == 200
        from pypdf import PdfReader

        text = "".join("".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(
            b"".join(pdf_response.streaming_content))).pages)
        assert "提醒函" in text and "涵江" in text

        # the enterprise sees it waiting; the last day passes without a change
        assert pk in [e["id"] for e in ok(officer.get("/api/v1/events/queue"))["items"]]
        clock.move_to(at(2026, 4, 13, 22, 0))
        assert escalate_overdue() == 0
        clock.move_to(at(2026, 4, 14, 0, 5))
        grid, centre, city, officer = _logged_in(cast, client_for)  # sessions last 8 hours
        assert escalate_overdue() == 1
        assert escalate_overdue() == 0
        event = ok(city.get(f"/api/v1/events/{pk}"))["event"]
        assert (event["state"], event["tier"]) == ("escalated", "city")
        told = set(Notification.objects.filter(event_id=pk, kind="escalated").values_list("user__username", flat=True))
        assert {"centre_a", "officer_x", "city_bureau"} <= told

        # the city bureau opens a case, investigates and notifies the proposed fine
        event = ok(post(city, f"/api/v1/events/{pk}/case/open", {"version": event["version"],
                                                                   "reason": "经核查涉嫌未按规定办理变更备案，拟立案调查"}))
        assert event["state"] == "investigating" and event["due_day"] == "2026-07-13"
        event = ok(post(city, f"/api/v1/events/{pk}/case/investigate",
                        {"version": event["version"], "note": "现场检查笔录"}, [photo("笔录.png", (0, 0, 90))]))
        too_much = post(city, f"/api/v1/events/{pk}/case/notify", {
            "version": event["version"], "legal_basis": "filing_change", "amount": "20000", "reason": "未变更备案"})
        assert too_much.status_code == 422 and too_much.json()["error"]["code"] == "amount_out_of_range"
        event = ok(post(city, f"/api/v1/events/{pk}/case/notify", {
            "version": event["version"], "legal_basis": "filing_change", "amount": "1500",
            "reason": "营业部未按规定办理经营地址变更备案"}))
        assert event["state"] == "notified"

        # the bureau cannot decide while the party's 5 days run
        early = post(city, f"/api/v1/events/{pk}/case/decide", {
            "version": event["version"], "outcome": "fine", "legal_basis": "filing_change", "amount": "1500",
            "reason": "事实清楚"})
        assert early.status_code == 409 and early.json()["error"]["code"] == "defence_period_open"
        clock.move_to(at(2026, 4, 20, 10, 0))
        grid, centre, city, officer = _logged_in(cast, client_for)
        late_defence = post(officer, f"/api/v1/events/{pk}/case/defend", {"version": event["version"],
                                                                          "reason": "我们正在办理"})
        assert late_defence.json()["error"]["code"] == "defence_period_over"
        event = ok(post(city, f"/api/v1/events/{pk}/case/decide", {
            "version": event["version"], "outcome": "fine", "legal_basis": "filing_change", "amount": "1500",
            "reason": "事实清楚，证据确凿"}))
        event = ok(post(city, f"/api/v1/events/{pk}/case/serve", {"version": event["version"]}, [pdf("送达回证.pdf")]))
        assert event["state"] == "served" and event["due_day"] == "2026-05-05"
        case = ok(city.get(f"/api/v1/events/{pk}"))["case"]
        assert case["amount"] in ("1500.00", 1500, "1500") and case["outcome"] == "fine"
        assert case["clocks"][0]["state"] == "met"

        # paid; on 30 April the outlet has filed the address change and the grid worker confirms it
        clock.move_to(at(2026, 4, 24, 15, 0))
        grid, centre, city, officer = _logged_in(cast, client_for)
        event = ok(post(city, f"/api/v1/events/{pk}/case/paid", {"version": event["version"]}, [pdf("缴款凭证.pdf")]))
        clock.move_to(at(2026, 4, 30, 11, 0))
        grid, centre, city, officer = _logged_in(cast, client_for)
        event = ok(post(grid, f"/api/v1/events/{pk}/confirm-fix", {"version": event["version"],
                                                                    "note": "已办理地址变更备案"}, [photo("备案.png")]))
        assert event["state"] == "closed"

        detail = ok(city.get(f"/api/v1/events/{pk}"))
        assert [t["action"] for t in detail["timeline"]] == [
            "report", "verify", "remind", "auto_escalate", "case_open", "case_investigate", "case_notify",
            "case_decide", "case_serve", "case_paid", "case_confirm_fix"]
        assert all(t["attachments"] for t in detail["timeline"] if t["action"] != "auto_escalate")
        actions = [e.action for e in trail_for(f"event:{pk}")]
        assert [a for a in actions if a.startswith("event.")] == [f"event.{t['action']}" for t in detail["timeline"]]
        assert Case.objects.get(event_id=pk).amount == 1500
        assert Event.objects.get(pk=pk).closed_at is not None
