"""The photo audit in the platform: an inspector photographs a waybill at a site; the platform says what is
exposed, keeps the photo and a blurred copy as evidence, and opens a hazard event on request. The photos are
made here (Pillow + Noto Sans CJK, slightly rotated, noisy, JPEG); the OCR engine is warmed once a session."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from parcelguard.events.models import Event, TransitionEvidence
from parcelguard.privacy.models import WaybillSample
from parcelguard.privacy.services import ocr_warm_up
from parcelguard.privacy.testing import EXPOSED, FONT, MASKED, waybill_photo
from parcelguard.trail.models import TrailEntry

PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")

pytestmark = pytest.mark.skipif(not FONT.exists(), reason="Noto Sans CJK is not installed")


@pytest.fixture(scope="session")
def ocr():
    """Warm the engine once, and OCR each distinct photo once a session (the results are immutable)."""
    from parcelguard.privacy import services

    ocr_warm_up()
    real = services.audit_image
    seen: dict[bytes, object] = {}

    def once(image, **kwargs):
        key = bytes(image) + repr(sorted(kwargs.items())).encode()
        if key not in seen:
            seen[key] = real(image, **kwargs)
        return seen[key]

    services.audit_image = once
    yield
    services.audit_image = real


@pytest.fixture(scope="session")
def exposed_jpeg() -> bytes:
    return waybill_photo(EXPOSED)


@pytest.fixture(scope="session")
def masked_jpeg() -> bytes:
    return waybill_photo(MASKED, seed=5)


def upload(data: bytes, name: str = "面单.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def test_the_audit_page_is_mobile_first_and_offers_only_sites_in_scope(cast, client_for):
    page = client_for(cast.worker_a1).get("/privacy/").content.decode()
    assert 'accept="image/*"' in page and 'capture="environment"' in page
    assert cast.outlet_a1.name in page and cast.outlet_b1.name not in page


def test_an_exposed_waybill_photo_is_not_compliant_for_the_right_reasons(cast, client_for, ocr, exposed_jpeg):
    client = client_for(cast.worker_a1)
    response = client.post("/privacy/", {"site_id": cast.outlet_a1.pk, "photo": upload(exposed_jpeg)})
    assert response.status_code == 302
    sample = WaybillSample.objects.get()
    assert response["Location"] == f"/privacy/samples/{sample.pk}/"
    assert not sample.compliant and sample.enterprise == cast.enterprise_x and sample.site == cast.outlet_a1
    failing = {f["type"] for f in sample.failing}
    assert {"name", "phone", "address"} <= failing
    assert "姓名完整显示" in sample.summary and "手机号完整显示" in sample.summary
    assert "手机号显示11位中的7位" in sample.summary  # 139****5678 hides only 4 digits
    assert all(f["boxes"] for f in sample.failing)
    # Nothing unmasked is kept: no full phone, no full name, no unit/room in the sample row.
    kept = sample.masked_text + str(sample.findings) + sample.summary
    assert not PHONE.search(kept) and "王建国" not in kept and "3幢201室" not in kept
    assert sample.photo.is_image and sample.blurred.is_image and sample.photo.sha256 != sample.blurred.sha256

    page = client.get(response["Location"]).content.decode()
    assert "不合规" in page and "姓名完整显示" in page and "<polygon" in page
    assert f"/privacy/samples/{sample.pk}/image/blurred/" in page and not PHONE.search(page)
    assert client.get(f"/privacy/samples/{sample.pk}/image/photo/").status_code == 200
    blurred = client.get(f"/privacy/samples/{sample.pk}/image/blurred/")
    assert blurred.status_code == 200 and blurred["Content-Type"] == "image/jpeg"


def test_the_hazard_event_is_opened_with_the_blurred_photo_as_evidence_once(cast, client_for, ocr, exposed_jpeg):
    client = client_for(cast.worker_a1)
    client.post("/privacy/", {"site_id": cast.outlet_a1.pk, "photo": upload(exposed_jpeg)})
    sample = WaybillSample.objects.get()
    assert "Open a hazard event" in client.get(f"/privacy/samples/{sample.pk}/").content.decode() or \
        "隐患" in client.get(f"/privacy/samples/{sample.pk}/").content.decode()
    response = client.post(f"/privacy/samples/{sample.pk}/event/")
    event = Event.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/events/{event.pk}/"
    assert event.hazard_type.code == "waybill_pii" and event.site == cast.outlet_a1 and event.reporter == cast.worker_a1
    assert "姓名完整显示" in event.description and not PHONE.search(event.description)
    attached = TransitionEvidence.objects.get(transition__event=event)
    assert attached.evidence.sha256 == sample.blurred.sha256  # the original never becomes event evidence
    sample.refresh_from_db()
    assert sample.event == event
    client.post(f"/privacy/samples/{sample.pk}/event/")  # a second click opens nothing new
    assert Event.objects.count() == 1
    assert TrailEntry.objects.filter(action="privacy.sample").count() == 1


def test_a_masked_waybill_photo_is_compliant(cast, client_for, ocr, masked_jpeg):
    client = client_for(cast.centre_a)
    client.post("/privacy/", {"site_id": cast.outlet_a2.pk, "photo": upload(masked_jpeg)})
    sample = WaybillSample.objects.get()
    assert sample.compliant, sample.summary
    assert {f["type"] for f in sample.findings} >= {"name", "phone"}
    page = client.get(f"/privacy/samples/{sample.pk}/").content.decode()
    assert "合规" in page and "Open a hazard event" not in page
    assert client.post(f"/privacy/samples/{sample.pk}/event/").status_code == 302
    assert not Event.objects.exists()


def test_the_api_audits_a_photo_and_opens_the_event(cast, client_for, ocr, exposed_jpeg):
    client = client_for(cast.worker_a1)
    response = client.post("/api/v1/privacy/audit-image", {"site_id": cast.outlet_a1.pk, "photo": upload(exposed_jpeg)})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["compliant"] is False and body["site_code"] == cast.outlet_a1.code
    assert {f["type"] for f in body["findings"] if not f["meets_standard"]} >= {"name", "phone", "address"}
    assert any("手机号完整显示" in r for r in body["reasons"])
    assert all(len(quad) == 4 for f in body["findings"] for quad in f["boxes"])
    assert not PHONE.search(response.content.decode()) and "王建国" not in response.content.decode()
    opened = client.post(f"/api/v1/privacy/samples/{body['id']}/event")
    assert opened.status_code == 201
    event = Event.objects.get(pk=opened.json()["event_id"])
    assert event.hazard_type.code == "waybill_pii"
    assert TransitionEvidence.objects.filter(transition__event=event).count() == 1


def test_a_photo_of_a_site_outside_the_scope_or_by_a_role_that_may_not_sample_is_refused(
        cast, client_for, exposed_jpeg):
    outside = client_for(cast.worker_a1).post("/api/v1/privacy/audit-image",
                                              {"site_id": cast.outlet_b1.pk, "photo": upload(exposed_jpeg)})
    assert outside.status_code == 404
    enterprise = client_for(cast.officer_x).post("/api/v1/privacy/audit-image",
                                                 {"site_id": cast.outlet_a1.pk, "photo": upload(exposed_jpeg)})
    assert enterprise.status_code == 403
    garbage = client_for(cast.worker_a1).post("/api/v1/privacy/audit-image",
                                              {"site_id": cast.outlet_a1.pk, "photo": upload(b"not a photo at all")})
    assert garbage.status_code == 422 and garbage.json()["error"]["code"] == "unreadable_photo"
    assert not WaybillSample.objects.exists()


def test_the_unblurred_photo_is_for_its_taker_and_those_who_may_unmask(cast, client_for, ocr, exposed_jpeg):
    client_for(cast.worker_a1).post("/privacy/", {"site_id": cast.outlet_a1.pk, "photo": upload(exposed_jpeg)})
    sample = WaybillSample.objects.get()
    photo, blurred = f"/privacy/samples/{sample.pk}/image/photo/", f"/privacy/samples/{sample.pk}/image/blurred/"
    assert client_for(cast.centre_a).get(photo).status_code == 200
    officer = client_for(cast.officer_x)
    assert officer.get(photo).status_code == 404 and officer.get(blurred).status_code == 200
    assert client_for(cast.officer_y).get(blurred).status_code == 404  # another enterprise's sample
