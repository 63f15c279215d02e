"""Scoping: a county user's dashboard data, drill-down, export and report hold nothing from another county
(compared with the raw rows); an enterprise sees its own events only; the procurator reads everything and
generates nothing."""

from __future__ import annotations

import datetime as dt
import io
import re

import openpyxl
import pytest
import time_machine
from django.utils import timezone

from parcelguard.analytics.models import Report
from parcelguard.events.models import Event
from parcelguard.events.testing import make_event

NOW = timezone.make_aware(dt.datetime(2026, 11, 20, 10, 0))
Q = {"from": "2026-10-01", "to": "2026-11-20"}


@pytest.fixture(autouse=True)
def _frozen(settings):
    settings.ANALYTICS_CACHE_SECONDS = 0
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def events(cast):
    made = []
    for i, site in enumerate([cast.outlet_a1, cast.outlet_a2, cast.sorting_centre_a, cast.outlet_b1, cast.outlet_b1]):
        for state in ("reported", "closed", "reminded"):
            e = make_event(site, state=state, hazard="fire_safety" if i % 2 else "address_mismatch")
            Event.objects.filter(pk=e.pk).update(reported_at=timezone.make_aware(dt.datetime(2026, 10, 3 + i, 8)))
            made.append(e.pk)
    return made


def raw_ids(path_prefix: str) -> set[int]:
    return set(Event.objects.filter(jurisdiction_path__startswith=path_prefix).values_list("pk", flat=True))


def figure(client, name, **extra):
    return client.get(f"/api/v1/analytics/figures/{name}", {**Q, **extra}).json()["data"]


def test_a_county_centre_sees_only_its_county_in_every_figure(cast, events, client_for):
    c = client_for(cast.centre_a)
    mine = raw_ids(cast.county_a.path)
    assert figure(c, "loop")["total"] == len(mine) == 9
    assert sum(r["value"] for r in figure(c, "types")) == 9
    areas = figure(c, "areas")
    assert [r["code"] for r in areas["counties"]] == [cast.county_a.code]
    assert {r["county"] for r in areas["grids"]} == {cast.county_a.code}
    assert sum(r["value"] for r in figure(c, "brands")) == 9
    assert sum(r["value"] for r in figure(c, "states")) == 9
    assert sum(r["reported"] for r in figure(c, "trend")["month"]) == 9
    # asking for the other county by its code gives nothing, not the other county's figures
    assert figure(c, "loop", county=cast.county_b.code)["total"] == 0
    sites = {s["id"] for s in figure(c, "map")["sites"]}
    assert cast.outlet_b1.pk not in sites


def test_the_drill_down_and_its_export_hold_only_the_county_rows(cast, events, client_for):
    c = client_for(cast.centre_a)
    mine, theirs = raw_ids(cast.county_a.path), raw_ids(cast.county_b.path)
    page = c.get("/analytics/events/", Q).content.decode()
    shown = {int(x) for x in re.findall(r'data-event="(\d+)"', page)}
    assert shown == mine and not shown & theirs
    for_b = c.get("/analytics/events/", {**Q, "county": cast.county_b.code}).content.decode()
    assert not re.findall(r'data-event="(\d+)"', for_b)
    their_site = c.get("/analytics/events/", {**Q, "site": cast.outlet_b1.pk}).content.decode()
    assert not re.findall(r'data-event="(\d+)"', their_site) and cast.outlet_b1.name not in their_site
    response = c.get("/analytics/events/export.xlsx", Q)
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    exported = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert exported == mine


def test_an_enterprise_sees_only_its_own_events_and_a_grid_worker_only_its_grid(cast, events, client_for):
    officer_y = client_for(cast.officer_y)
    assert figure(officer_y, "loop")["total"] == 6
    worker = client_for(cast.worker_a2)
    assert figure(worker, "loop")["total"] == len(raw_ids(cast.grid_a2.path)) == 3


def test_a_county_report_holds_only_its_county_and_another_county_is_not_found(cast, events, client_for):
    from pypdf import PdfReader

    c = client_for(cast.centre_a)
    assert c.post("/analytics/reports/new/", {"jurisdiction": cast.county_b.code, "month": "2026-10"}).status_code == 404
    assert c.post("/analytics/reports/new/", {"jurisdiction": cast.county_a.code, "month": "2026-10"}).status_code == 302
    report = Report.objects.get()
    assert report.figures["loop"]["total"] == 9
    text = "".join("".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(report.pdf.read())).pages)
    assert "涵江区" in text and "荔城区" not in text and cast.outlet_b1.name not in text
    # the other county cannot download it; the procurator can read it but not generate one
    assert client_for(cast.centre_b).get(f"/analytics/reports/{report.pk}.pdf").status_code == 404
    procurator = client_for(cast.procurator)
    assert procurator.get(f"/analytics/reports/{report.pk}.pdf").status_code == 200
    assert procurator.post("/analytics/reports/new/", {"jurisdiction": cast.city.code, "month": "2026-10"}
                           ).status_code == 403
    assert Report.objects.count() == 1
