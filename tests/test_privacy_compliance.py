"""Enterprise compliance with the privacy-waybill rule: samples over time, share compliant, the last failure;
the bureau's list of enterprises by compliance (scoped, filtered, exported); the text audit API."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from parcelguard.privacy.models import WaybillSample
from parcelguard.privacy.services import sample_audit_text

EXPOSED = "收件人：张三 13812345678 福建省莆田市涵江区涵华东路88号3幢201室"
MASKED = "收件人：张* 1******5678 福建省莆田市涵江区涵华东路88号****"


def sample(user, site, text, when=None):
    s, _result = sample_audit_text(user=user, site_id=site.pk, text=text)
    if when is not None:
        WaybillSample.objects.filter(pk=s.pk).update(audited_at=when)
    return s


@pytest.fixture
def samples(cast):
    october = timezone.make_aware(dt.datetime(2026, 10, 12, 10, 0))
    november = timezone.make_aware(dt.datetime(2026, 11, 3, 15, 0))
    sample(cast.worker_a1, cast.outlet_a1, EXPOSED, october)
    sample(cast.worker_a1, cast.outlet_a1, MASKED, october)
    sample(cast.worker_a2, cast.outlet_a2, MASKED, november)
    sample(cast.worker_a2, cast.outlet_a2, MASKED, november)
    sample(cast.worker_b1, cast.outlet_b1, EXPOSED, november)
    return cast


def test_a_text_sample_keeps_the_masked_text_and_never_the_personal_data(cast):
    s = sample(cast.worker_a1, cast.outlet_a1, EXPOSED)
    assert not s.compliant and s.source == "text" and s.photo is None
    stored = s.masked_text + str(s.findings) + s.summary
    assert "13812345678" not in stored and "张三" not in stored and "3幢201室" not in stored
    assert {f["type"] for f in s.failing} == {"name", "phone", "address"}
    assert all(set(f) >= {"start", "end", "shown", "reason"} and "text" not in f for f in s.findings)


def test_the_bureau_lists_enterprises_worst_first_and_filters_them(samples, client_for):
    client = client_for(samples.city_bureau)
    page = client.get("/privacy/enterprises/").content.decode()
    y, x = page.index(samples.enterprise_y.name), page.index(samples.enterprise_x.name)
    assert y < x  # Y: 0 of 1 compliant; X: 3 of 4
    assert "0%" in page and "75%" in page
    api = client.get("/api/v1/privacy/enterprises").json()
    first, second = api["items"][:2]
    assert (first["enterprise_id"], first["samples"], first["compliant"]) == (samples.enterprise_y.pk, 1, 0)
    assert (second["enterprise_id"], second["compliant_share"]) == (samples.enterprise_x.pk, 0.75)
    only_b = client.get("/api/v1/privacy/enterprises?county=350304").json()["items"]
    assert [c["enterprise_id"] for c in only_b] == [samples.enterprise_y.pk]
    unsampled = client.get("/privacy/enterprises/?status=unsampled").content.decode()
    assert samples.enterprise_x.name not in unsampled
    assert samples.enterprise_x.name in client.get("/privacy/enterprises/?status=non_compliant&brand=ZTO").content.decode()


def test_a_county_sees_only_the_samples_of_its_area(samples, client_for):
    api = client_for(samples.centre_b).get("/api/v1/privacy/enterprises").json()
    assert [c["enterprise_id"] for c in api["items"]] == [samples.enterprise_y.pk]
    assert client_for(samples.centre_b).get("/api/v1/privacy/samples").json()["count"] == 1
    officer = client_for(samples.officer_x).get("/api/v1/privacy/samples").json()
    assert officer["count"] == 4 and {s["enterprise_id"] for s in officer["items"]} == {samples.enterprise_x.pk}


def test_the_export_is_an_excel_file_of_the_filtered_list(samples, client_for):
    response = client_for(samples.city_bureau).get("/privacy/enterprises/export.xlsx?county=350303")
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)
    assert rows[0][:6] == ("统一社会信用代码", "企业名称", "品牌", "抽查面单数", "合规数", "合规率")
    assert rows[1][1] == samples.enterprise_x.name and rows[1][3:6] == (4, 3, 0.75)
    assert client_for(samples.worker_a1).get("/privacy/enterprises/export.xlsx").status_code == 403


def test_the_enterprise_page_shows_its_privacy_waybill_numbers(samples, client_for):
    page = client_for(samples.city_bureau).get(f"/registry/enterprises/{samples.enterprise_x.pk}/").content.decode()
    assert 'id="privacy"' in page and "75%" in page and "2026-10" in page and "2026-11" in page
    assert "2026-10-12" in page  # the last non-compliant sample
    assert "13812345678" not in page


def test_audit_text_answers_exactly_the_contract(cast, client_for):
    client = client_for(cast.officer_x)
    body = client.post("/api/v1/privacy/audit-text", {"id": "w1", "text": EXPOSED},
                       content_type="application/json").json()
    assert set(body) == {"id", "findings", "masked_text", "compliant"}
    assert body["id"] == "w1" and body["compliant"] is False
    phone = next(f for f in body["findings"] if f["type"] == "phone")
    assert phone == {"type": "phone", "start": 7, "end": 18, "text": "13812345678", "masked": False,
                     "meets_standard": False}
    assert EXPOSED[phone["start"]:phone["end"]] == "13812345678"
    assert "1******5678" in body["masked_text"]
    strict = client.post("/api/v1/privacy/audit-text", {"text": EXPOSED, "policy": "strict"},
                         content_type="application/json").json()
    assert "id" not in strict and "*******5678" in strict["masked_text"] and "涵华东路" not in strict["masked_text"]
    clean = client.post("/api/v1/privacy/audit-text", {"id": "w2", "text": MASKED}, content_type="application/json")
    assert clean.json()["compliant"] is True
    assert not WaybillSample.objects.exists()  # nothing stored without a site


def test_audit_text_with_a_site_records_a_sample_for_an_inspector_only(cast, client_for):
    body = client_for(cast.worker_a1).post("/api/v1/privacy/audit-text", {
        "id": "w1", "text": EXPOSED, "site_id": cast.outlet_a1.pk}, content_type="application/json").json()
    assert WaybillSample.objects.get().pk == body["sample_id"]
    refused = client_for(cast.officer_x).post("/api/v1/privacy/audit-text", {
        "text": EXPOSED, "site_id": cast.outlet_a1.pk}, content_type="application/json")
    assert refused.status_code == 403
    outside = client_for(cast.worker_a1).post("/api/v1/privacy/audit-text", {
        "text": EXPOSED, "site_id": cast.outlet_b1.pk}, content_type="application/json")
    assert outside.status_code == 404 and WaybillSample.objects.count() == 1


def test_the_demo_samples_load_through_the_service_and_keep_no_personal_data(cast):
    from parcelguard.privacy.demo import load_demo_samples

    summary = load_demo_samples(sites=3)
    assert summary.samples == WaybillSample.objects.count() > 0
    for s in WaybillSample.objects.all():
        assert s.auditor.role == "county_centre" and s.source == "text"
        assert not re.search(r"(?<!\d)1[3-9]\d{9}(?!\d)", s.masked_text + str(s.findings))
