"""Issue 19 items 1 and 9: a waybill photo's original never reaches an event's audience; evidence whose
file no longer matches its hash is neither served nor bundled. Every route that can expose a sample's
file is walked as every role."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image
from waybill_privacy import audit_text

from parcelguard.events.models import TransitionEvidence
from parcelguard.evidence.services import evidence_store
from parcelguard.privacy import services
from parcelguard.privacy.models import SampleSource
from parcelguard.trail.models import TrailEntry

TEXT = "收件人：王建国 13912345678 福建省莆田市涵江区涵华东路88号3幢201室"
ROLES = ["city_bureau", "procurator", "admin", "centre_a", "centre_b", "grid_a1", "grid_a2", "grid_b1",
         "officer_x", "officer_y"]
MAY_UNMASK = {"city_bureau", "admin", "centre_a"}


def _jpeg(colour: tuple[int, int, int], name: str) -> ContentFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buffer, "JPEG")
    return ContentFile(buffer.getvalue(), name=name)


def make_sample(cast):
    """A photographed sample as sample_audit_photo stores it, without running OCR."""
    taker = cast.users["grid_a1"]
    photo = evidence_store(actor=taker, upload=_jpeg((200, 10, 10), "面单.jpg"), purpose="privacy:waybill")
    blurred = evidence_store(actor=taker, upload=_jpeg((10, 10, 200), "面单.blurred.jpg"),
                             purpose="privacy:waybill-blurred")
    return services._record(user=taker, site=cast.outlet_a1, source=str(SampleSource.PHOTO), audit=audit_text(TEXT),
                            photo=photo, blurred=blurred, size=(64, 48))


@pytest.fixture
def opened(cast):
    sample = make_sample(cast)
    event = services.sample_open_event(user=cast.users["grid_a1"], sample_id=sample.pk)
    return sample, event


def _bundle_evidence(client, event) -> tuple[set[str], dict]:
    response = client.get(f"/events/{event.pk}/bundle.zip")
    assert response.status_code == 200, response.content[:300]
    with zipfile.ZipFile(io.BytesIO(response.content)) as zf:
        import hashlib
        hashes = {hashlib.sha256(zf.read(n)).hexdigest() for n in zf.namelist() if n.startswith("evidence/")}
        return hashes, json.loads(zf.read("manifest.json"))


def test_the_event_carries_the_blurred_copy_never_the_original(cast, client_for, opened):
    sample, event = opened
    attached = TransitionEvidence.objects.get(transition__event=event)
    assert attached.evidence.sha256 == sample.blurred.sha256 != sample.photo.sha256
    for role in ROLES:
        client = client_for(cast.users[role])
        if client.get(f"/events/{event.pk}/").status_code != 200:
            continue  # outside the event's audience
        for suffix in ("", "?thumb=1"):
            response = client.get(f"/events/{event.pk}/evidence/{attached.pk}/{suffix}")
            assert response.status_code == 200, role
            body = b"".join(response.streaming_content)
            assert suffix or response["X-Content-SHA256"] == sample.blurred.sha256
            assert body != default_storage.open(sample.photo.file.name).read()
        if role in {"procurator", "city_bureau", "centre_a", "admin"}:
            hashes, _manifest = _bundle_evidence(client, event)
            assert sample.photo.sha256 not in hashes and sample.blurred.sha256 in hashes


def test_the_original_is_served_only_to_its_taker_and_unmaskers_and_each_access_is_recorded(cast, client_for, opened):
    sample, _event = opened
    for role in ROLES:
        client = client_for(cast.users[role])
        before = TrailEntry.objects.filter(action="evidence.view_protected").count()
        response = client.get(f"/privacy/samples/{sample.pk}/image/photo/")
        allowed = role in MAY_UNMASK or role == "grid_a1"
        assert (response.status_code == 200) == allowed, (role, response.status_code)
        after = TrailEntry.objects.filter(action="evidence.view_protected").count()
        assert after == before + (1 if allowed else 0), role
        if allowed:
            entry = TrailEntry.objects.filter(action="evidence.view_protected").order_by("-seq").first()
            assert entry.actor_id == cast.users[role].pk and entry.subject == f"evidence:{sample.photo.pk}"
            assert response["Cache-Control"] == "private, no-store"


def test_an_event_that_already_holds_an_original_photo_keeps_it_behind_the_unmask_permission(cast, client_for):
    """Events opened before the fix carry the original: it is protected by its content, wherever it is."""
    from django.core.files import File

    from parcelguard.events.services import event_report

    sample = make_sample(cast)
    with default_storage.open(sample.photo.file.name) as fh:
        event = event_report(user=cast.users["grid_a1"], site_id=cast.outlet_a1.pk, hazard_type=services.HAZARD_CODE,
                             description="旧事件：面单个人信息未脱敏", uploads=[File(fh, name="面单.jpg")])
    attached = TransitionEvidence.objects.get(transition__event=event)
    assert attached.evidence.sha256 == sample.photo.sha256
    for role in ("officer_x", "procurator", "grid_a2"):
        client = client_for(cast.users[role])
        expected = 403 if client.get(f"/events/{event.pk}/").status_code == 200 else 404  # 404: not its event
        assert client.get(f"/events/{event.pk}/evidence/{attached.pk}/").status_code == expected, role
        assert client.get(f"/events/{event.pk}/evidence/{attached.pk}/?thumb=1").status_code == expected, role
    hashes, manifest = _bundle_evidence(client_for(cast.users["procurator"]), event)
    assert sample.photo.sha256 not in hashes
    assert manifest["withheld_evidence"] == [{"sha256": sample.photo.sha256, "reason": "personal_data_in_clear"}]
    hashes, manifest = _bundle_evidence(client_for(cast.users["city_bureau"]), event)
    assert sample.photo.sha256 in hashes and manifest["withheld_evidence"] == []
    response = client_for(cast.users["centre_a"]).get(f"/events/{event.pk}/evidence/{attached.pk}/")
    assert response.status_code == 200
    assert TrailEntry.objects.filter(action="evidence.view_protected", actor=cast.users["centre_a"]).exists()


def _tamper(evidence) -> None:
    path = default_storage.path(evidence.file.name)
    with open(path, "r+b") as fh:
        fh.seek(-3, 2)
        fh.write(b"\x00\x01\x02")


def test_a_changed_evidence_file_is_not_served_nor_bundled_and_the_refusal_is_recorded(cast, client_for, opened):
    sample, event = opened
    attached = TransitionEvidence.objects.get(transition__event=event)
    _tamper(attached.evidence)
    client = client_for(cast.users["city_bureau"])
    for suffix in ("", "?thumb=1"):
        response = client.get(f"/events/{event.pk}/evidence/{attached.pk}/{suffix}")
        assert response.status_code == 409 and "哈希" in response.content.decode(), response.content.decode()[:500]
    response = client.get(f"/events/{event.pk}/bundle.zip")
    assert response.status_code == 409 and "哈希" in response.content.decode()
    assert not TrailEntry.objects.filter(action="bundle.export").exists()
    refused = TrailEntry.objects.filter(action="evidence.refused")  # same content: sample's or event's row
    assert refused.count() == 3
    assert {e.payload["where"] for e in refused} == {f"event:{event.pk}", f"bundle:event:{event.pk}"}
    # the sample's own blurred copy is the same file: refused there too
    assert client.get(f"/privacy/samples/{sample.pk}/image/blurred/").status_code == 409


def test_a_deleted_evidence_file_is_refused_not_a_500(cast, client_for, opened):
    sample, _event = opened
    default_storage.delete(sample.photo.file.name)
    response = client_for(cast.users["centre_a"]).get(f"/privacy/samples/{sample.pk}/image/photo/")
    assert response.status_code == 409


def test_an_id_number_with_a_wrong_check_digit_is_masked_in_the_sample_and_in_free_text(cast, client_for):
    """Item 3 in the platform: the audit text every role reads, and any free text shown masked."""
    from parcelguard.core.pii import mask_text

    bad = "110105194912310021"  # valid shape, wrong check character
    sample, _audit = services.sample_audit_text(user=cast.users["grid_a1"], site_id=cast.outlet_a1.pk,
                                                text=f"寄件人身份证 {bad} 收件人：王** 1******5678")
    assert not sample.compliant and bad not in sample.masked_text + str(sample.findings) + sample.summary
    for role in ("procurator", "officer_x", "grid_a1"):
        page = client_for(cast.users[role]).get(f"/privacy/samples/{sample.pk}/").content.decode()
        assert bad not in page and "身份证" in sample.summary
    assert bad not in mask_text(f"举报人证件 {bad}")
