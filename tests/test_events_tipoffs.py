"""Tip-offs from the public: no log-in, a Chinese arithmetic question, a rate limit per IP, masked
reporters, and a reward ledger for the ones that hold."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.test import Client

from parcelguard.events.models import Event, Reward, TipOff
from parcelguard.events.public import _DIGITS
from parcelguard.events.testing import photo

FORM = {"county": "350303", "hazard_type": "parcels_thrown", "place": "涵江区某快递网点门口",
        "description": "快递员在门口大量抛扔快件，包裹破损"}


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _answer(page: str) -> str:
    a, b = re.search(r"(\S)加(\S)等于几", page).groups()
    return str(_DIGITS.index(a) + _DIGITS.index(b))


def _submit(client: Client, **extra):
    page = client.get("/report/").content.decode()
    return client.post("/report/", {**FORM, "check": _answer(page), **extra})


def test_a_member_of_the_public_reports_anonymously_and_the_county_centre_gets_it(cast, client_for):
    response = _submit(Client(), anonymous="on", name="张三", phone="13812345678")
    assert (response.status_code == 200 and "谢谢" in response.content.decode()) or response.status_code == 200
    event = Event.objects.get()
    assert (event.source, event.state, event.county_id, event.site_id) == ("public", "reported", cast.county_a.pk, None)
    tip = TipOff.objects.get(event=event)
    assert tip.anonymous and tip.reporter_name == "" and tip.reporter_phone == ""
    queue = client_for(cast.centre_a).get("/api/v1/events/queue").json()
    assert [e["id"] for e in queue["items"]] == [event.pk]
    assert client_for(cast.centre_b).get("/api/v1/events/queue").json()["count"] == 0
    assert event.transitions.get().actor_role == "public"


def test_a_named_reporter_is_shown_masked(cast, client_for):
    _submit(Client(), name="欧阳建国", phone="13812345678")
    event = Event.objects.get()
    shown = client_for(cast.centre_a).get(f"/api/v1/events/{event.pk}/tipoff").json()
    assert shown == {"event_id": event.pk, "anonymous": False, "reporter_name": "欧阳**",
                     "reporter_phone": "1******5678"}
    page = client_for(cast.centre_a).get(f"/events/{event.pk}/").content.decode()
    assert "13812345678" not in page and "1******5678" in page


def test_a_wrong_answer_or_a_replayed_question_is_refused(cast, monkeypatch):
    import itertools

    draws = itertools.cycle([0, 0, 2, 2])  # questions 一加一 (2), then 三加三 (6), ...
    monkeypatch.setattr("parcelguard.events.public.secrets.randbelow", lambda n: next(draws))
    client = Client()
    assert "一加一等于几" in client.get("/report/").content.decode()
    assert client.post("/report/", {**FORM, "check": "999"}).status_code == 400
    assert client.post("/report/", {**FORM, "check": "2"}).status_code == 400  # that question was used up
    assert Event.objects.count() == 0
    assert client.post("/report/", {**FORM, "check": "2"}).status_code == 200  # the one now asked is 一加一
    assert Event.objects.count() == 1


def test_it_limits_reports_per_ip(cast, settings):
    settings.TIPOFF_RATE_LIMIT = 2
    client = Client()
    assert _submit(client).status_code == 200
    assert _submit(client).status_code == 200
    assert _submit(client).status_code == 429
    assert Event.objects.count() == 2
    assert _submit(Client(REMOTE_ADDR="10.0.0.9")).status_code == 200


def test_a_substantiated_tipoff_earns_a_reward_approved_and_paid(cast, client_for):
    _submit(Client(), name="王五", phone="13900001111")
    event = Event.objects.get()
    centre = client_for(cast.centre_a)
    early = centre.post(f"/api/v1/events/{event.pk}/reward", {"amount": "200"}, content_type="application/json")
    assert early.json()["error"]["code"] == "not_substantiated"
    verified = centre.post(f"/api/v1/events/{event.pk}/verify", {"version": 1, "site_id": cast.outlet_a1.pk,
                                                                 "files": [photo()]})
    assert verified.json()["site_id"] == cast.outlet_a1.pk
    reward = centre.post(f"/api/v1/events/{event.pk}/reward", {"amount": "200"}, content_type="application/json")
    assert reward.status_code == 201
    rid = reward.json()["id"]
    assert centre.post(f"/api/v1/rewards/{rid}/approve", {}, content_type="application/json").status_code == 403
    city = client_for(cast.city_bureau)
    assert city.post(f"/api/v1/rewards/{rid}/approve", {}, content_type="application/json").json()["status"] == "approved"
    paid = city.post(f"/api/v1/rewards/{rid}/pay", {"payment_ref": "FK2026-0001"}, content_type="application/json")
    assert paid.json()["status"] == "paid"
    assert Reward.objects.get().paid_at is not None
    assert city.get("/events/rewards/").status_code == 200


def test_a_tipoff_may_carry_photos_and_a_refused_file_stores_nothing(cast):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from parcelguard.evidence.models import Evidence

    assert _submit(Client(), files=[photo()]).status_code == 200
    event = Event.objects.get()
    assert event.transitions.get().attachments.count() == 1
    bad = SimpleUploadedFile("photo.png", b"MZ\x90\x00 not a photo", content_type="image/png")
    assert _submit(Client(REMOTE_ADDR="10.0.0.8"), files=[bad]).status_code == 400
    assert Event.objects.count() == 1 and Evidence.objects.count() == 1


def test_the_procurator_sees_the_overdue_work_of_the_regulator(cast, client_for):
    import datetime as dt

    from parcelguard.core import clock
    from parcelguard.events.testing import make_event

    late = make_event(cast.outlet_b1, state="reminded", deadline=clock.now() - dt.timedelta(days=3))
    make_event(cast.outlet_a1, state="reminded", deadline=clock.now() + dt.timedelta(days=3))
    procurator = client_for(cast.procurator)
    assert procurator.get("/api/v1/events/queue").json()["items"] == []  # nothing he could act on
    overdue = procurator.get("/api/v1/events?overdue=1").json()
    assert [e["id"] for e in overdue["items"]] == [late.pk]
    home = procurator.get("/").content.decode()
    assert "监管部门逾期未办事项" in home and "/events/?overdue=1" in home
