"""The pages: list with filters and pagination, Excel export, detail with timeline and action forms,
the report form for phones, the home queue soonest deadline first, the inbox; and the generated docs."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from django.contrib.staticfiles import finders
from django.core.management import call_command
from openpyxl import load_workbook

from parcelguard.core import clock
from parcelguard.events.docs import render_workflow_doc
from parcelguard.events.models import Event, Notification
from parcelguard.events.testing import make_event, photo


def test_the_home_page_lists_what_waits_for_me_soonest_deadline_first(cast, client_for):
    now = clock.now()
    late = make_event(cast.outlet_a1, state="reminded", deadline=now + dt.timedelta(days=9))
    soon = make_event(cast.outlet_a2, state="reminded", deadline=now + dt.timedelta(days=1))
    make_event(cast.outlet_b1, state="reminded", deadline=now)
    make_event(cast.outlet_a1, state="reported")  # the county's, not the enterprise's
    page = client_for(cast.officer_x).get("/").content.decode()
    assert page.index(f"/events/{soon.pk}/") < page.index(f"/events/{late.pk}/")
    assert "due-near" in page
    queue = client_for(cast.officer_x).get("/api/v1/events/queue").json()
    assert [e["id"] for e in queue["items"]] == [soon.pk, late.pk]


def test_the_list_filters_paginates_and_exports(cast, client_for, settings):
    settings.PAGE_SIZE = 2
    past = clock.now() - dt.timedelta(days=1)
    for _ in range(3):
        make_event(cast.outlet_a1, state="reminded", deadline=past)
    make_event(cast.outlet_b1, state="closed", hazard="fire_safety")
    city = client_for(cast.city_bureau)
    page = city.get("/events/?overdue=1")
    assert page.status_code == 200 and "3" in page.content.decode()
    assert city.get("/events/?overdue=1&page=2").status_code == 200
    api = city.get("/api/v1/events?type=fire_safety&brand=YTO&county=350304").json()
    assert api["count"] == 1
    assert city.get("/api/v1/events?overdue=true&limit=2").json()["count"] == 3
    assert city.get("/api/v1/events?tier=city").json()["count"] == 0
    export = city.get("/events/export.xlsx?county=350303")
    rows = list(load_workbook(io.BytesIO(b"".join(export.streaming_content))).active.iter_rows(values_only=True))
    assert rows[0][:2] == ("编号", "隐患类型") and len(rows) == 4
    assert client_for(cast.users["grid_a1"]).get("/events/export.xlsx").status_code == 403


def test_the_report_form_is_made_for_a_phone_camera_and_location(cast, client_for):
    page = client_for(cast.users["grid_a1"]).get("/events/new/").content.decode()
    assert 'capture="environment"' in page and 'accept="image/*"' in page and "/static/events/locate.js" in page
    # the location script is a static file (the CSP allows no inline script)
    assert "navigator.geolocation" in Path(finders.find("events/locate.js")).read_text(encoding="utf-8")
    assert cast.outlet_b1.name not in page  # only sites in the worker's grid


def test_reporting_and_acting_through_the_pages(cast, client_for):
    grid = client_for(cast.users["grid_a1"])
    response = grid.post("/events/new/", {"site_id": cast.outlet_a1.pk, "hazard_type": "fire_safety",
                                          "description": "灭火器过期", "latitude": "25.45", "longitude": "119.11",
                                          "files": [photo()]})
    event = Event.objects.get()
    assert response.status_code == 302 and (event.latitude, event.longitude) == (25.45, 119.11)
    centre = client_for(cast.centre_a)
    refused = centre.post(f"/events/{event.pk}/act/verify/", {"version": 1}, follow=True)
    assert "此环节须附佐证材料" in refused.content.decode()  # the message, without its code
    centre.post(f"/events/{event.pk}/act/verify/", {"version": 1, "files": [photo()]})
    event.refresh_from_db()
    assert event.state == "verified"
    detail = centre.get(f"/events/{event.pk}/").content.decode()
    assert 'id="step-remind"' in detail and "timeline" in detail
    attachment = event.transitions.first().attachments.get()
    assert centre.get(f"/events/{event.pk}/evidence/{attachment.pk}/").status_code == 200
    assert client_for(cast.centre_b).get(f"/events/{event.pk}/evidence/{attachment.pk}/").status_code == 404


def test_the_inbox_shows_notifications_and_marks_them_read(cast, client_for):
    event = make_event(cast.outlet_a1, state="reported")
    client_for(cast.centre_a).post(f"/api/v1/events/{event.pk}/escalate", {"version": 1, "reason": "x"})
    make_event(cast.outlet_a1, state="reminded")
    centre = client_for(cast.centre_a)
    centre.post(f"/api/v1/events/{event.pk}/verify", {"version": 1, "files": [photo()]})
    city_inbox = client_for(cast.city_bureau).get("/api/v1/notifications").json()
    assert city_inbox["count"] == 0  # a verification waits for the county, not the city
    officer = client_for(cast.officer_x)
    centre.post(f"/api/v1/events/{event.pk}/escalate", {"version": 2, "reason": "拒不整改"})
    inbox = officer.get("/api/v1/notifications").json()
    assert inbox["unread"] == 1 and inbox["items"][0]["kind"] == "escalated"
    assert "拒不整改" not in inbox["items"][0]["message"]
    assert officer.get("/events/inbox/").status_code == 200
    officer.post("/events/inbox/")
    assert Notification.objects.filter(user=cast.officer_x, read_at__isnull=True).count() == 0


def test_deadline_notifications_are_sent_once(cast):
    from parcelguard.events.services import deadline_sweep

    make_event(cast.outlet_a1, state="reminded", deadline=clock.now() + dt.timedelta(hours=20))
    assert deadline_sweep() == 2  # the enterprise that must rectify, the centre that supervises
    assert deadline_sweep() == 0
    assert set(Notification.objects.values_list("user__username", "kind")) == {
        ("officer_x", "deadline_near"), ("centre_a", "deadline_near")}


def test_the_workflow_doc_is_generated_from_the_table_and_up_to_date(settings):
    from pathlib import Path

    doc = (Path(settings.BASE_DIR) / "docs" / "workflow.md").read_text(encoding="utf-8")
    assert render_workflow_doc(doc) == doc, "run: manage.py events_diagram"
    assert "stateDiagram-v2" in doc and "reminded --> escalated: auto_escalate (system)" in doc
    call_command("events_diagram", "--check")


def test_the_cases_page_shows_the_clocks_and_warns_when_one_runs_out(cast, client_for):
    from parcelguard.events.models import Case

    event = make_event(cast.outlet_a1, state="served")
    Case.objects.filter(event=event).update(outcome="fine", amount=1500, pay_by=clock.now() - dt.timedelta(days=1),
                                            served_at=clock.now() - dt.timedelta(days=16))
    page = client_for(cast.city_bureau).get("/events/cases/").content.decode()
    assert "clock-missed" in page and f"/events/{event.pk}/" in page
    assert client_for(cast.centre_b).get("/events/cases/").content.decode().count("clock-missed") == 0
    detail = client_for(cast.city_bureau).get(f"/events/{event.pk}/").content.decode()
    assert "clock-missed" in detail


def test_an_event_exports_its_signed_evidence_bundle_only_to_who_may_see_it(cast, client_for):
    import json
    import zipfile

    event = make_event(cast.outlet_a1, state="reported")
    client_for(cast.centre_a).post(f"/api/v1/events/{event.pk}/verify", {"version": 1, "files": [photo()]})
    response = client_for(cast.procurator).get(f"/events/{event.pk}/bundle.zip")
    assert response.status_code == 200
    bundle = zipfile.ZipFile(io.BytesIO(response.content))
    timeline = json.loads(bundle.read("timeline.json"))
    assert [e["action"] for e in timeline["entries"]][:1] == ["event.verify"]
    assert "verify.py" in bundle.namelist()
    assert client_for(cast.centre_b).get(f"/events/{event.pk}/bundle.zip").status_code == 404
    assert client_for(cast.users["grid_a1"]).get(f"/events/{event.pk}/bundle.zip").status_code == 403


def test_garbage_in_the_forms_is_refused_not_a_crash(cast, client_for):
    event = make_event(cast.outlet_a1, state="reported")
    centre = client_for(cast.centre_a)
    response = centre.post(f"/events/{event.pk}/act/verify/", {"version": "x1", "site_id": "abc",
                                                               "files": [photo()]}, follow=True)
    assert response.status_code == 200 and "该事件已被他人处理" in response.content.decode()
    assert centre.post(f"/events/{event.pk}/act/nonsense/", {"version": 1}).status_code == 404
    grid = client_for(cast.users["grid_a1"])
    page = grid.post("/events/new/", {"site_id": "1e9", "hazard_type": "fire_safety", "description": "xxxx",
                                      "latitude": "nan", "longitude": "inf", "files": [photo()]})
    assert page.status_code == 400
    event.refresh_from_db()
    assert event.version == 1
