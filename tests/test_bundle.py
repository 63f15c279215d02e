"""Evidence bundles: signed, self-contained, checkable by a court with the bundled verify.py alone."""

from __future__ import annotations

import base64
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.files.base import ContentFile
from PIL import Image

from parcelguard.core.errors import Forbidden
from parcelguard.evidence.services import evidence_store
from parcelguard.trail.bundle import bundle_export, bundle_response
from parcelguard.trail.checks import check_signing_key
from parcelguard.trail.models import TrailEntry
from parcelguard.trail.services import trail_append
from parcelguard.trail.signing import fingerprint


def _photo() -> ContentFile:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), "orange").save(buffer, "JPEG")
    return ContentFile(buffer.getvalue(), name="现场照片.jpg")


@pytest.fixture
def story(cast):
    """An event with a report and a photo, another subject's entry in between, and a confirmation."""
    photo = evidence_store(actor=cast.users["grid_a1"], upload=_photo())
    trail_append(actor=cast.users["grid_a1"], action="event.report", subject="event:1",
                 payload={"description": "备案地址与实际不符"}, evidence_hashes=[photo.sha256])
    trail_append(actor=cast.users["grid_b1"], action="event.report", subject="event:2", payload={})
    trail_append(actor=cast.users["centre_a"], action="event.verify", subject="event:1", payload={"ok": True})
    return cast


def export(story, tmp_path: Path) -> tuple[bytes, Path]:
    data = bundle_export(subject="event:1", user=story.users["city_bureau"])
    folder = tmp_path / "bundle"
    zipfile.ZipFile(io.BytesIO(data)).extractall(folder)
    return data, folder


def run_verify(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(folder / "verify.py"), *args], capture_output=True, text=True,
                          timeout=60, cwd=folder.parent)


def test_the_bundle_holds_timeline_evidence_hashes_signature_key_and_script(story, tmp_path):
    later = trail_append(actor=None, action="event.report", subject="event:3", payload={})
    data, folder = export(story, tmp_path)
    names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    assert {"timeline.json", "timeline.pdf", "hashes.json", "hashes.json.sig", "public_key.pem", "verify.py",
            "manifest.json", "README.txt"} <= names
    assert len([n for n in names if n.startswith("evidence/")]) == 1
    timeline = json.loads((folder / "timeline.json").read_text())
    assert [e["action"] for e in timeline["entries"]] == ["event.report", "event.verify"]
    assert [link[0] for link in timeline["links"]] == [2, 3, 4]  # event:2's entry appears only as a link
    assert "event:2" not in (folder / "timeline.json").read_text()
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["chain_head"] == [later.seq, later.entry_hash]


def test_the_bundle_verifies_with_its_own_script_outside_the_platform(story, tmp_path):
    data, folder = export(story, tmp_path)
    result = run_verify(folder)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "OK: signature valid" in result.stdout
    (tmp_path / "bundle.zip").write_bytes(data)
    assert run_verify(folder, str(tmp_path / "bundle.zip")).returncode == 0


def test_tampering_with_one_evidence_file_makes_the_script_fail_and_name_it(story, tmp_path):
    _data, folder = export(story, tmp_path)
    photo = next((folder / "evidence").iterdir())
    raw = bytearray(photo.read_bytes())
    raw[-20] ^= 0x01
    photo.write_bytes(bytes(raw))
    result = run_verify(folder)
    assert result.returncode == 1
    assert f"evidence/{photo.name} was changed" in result.stdout


def test_rewriting_the_timeline_and_its_hash_list_breaks_the_signature(story, tmp_path):
    _data, folder = export(story, tmp_path)
    timeline = (folder / "timeline.json").read_text().replace("备案地址与实际不符", "无问题")
    (folder / "timeline.json").write_text(timeline)
    assert "timeline.json was changed" in run_verify(folder).stdout
    hashes = json.loads((folder / "hashes.json").read_text())
    import hashlib

    hashes["files"]["timeline.json"] = hashlib.sha256(timeline.encode()).hexdigest()
    (folder / "hashes.json").write_text(json.dumps(hashes))
    result = run_verify(folder)
    assert result.returncode == 1 and "signature" in result.stdout


def test_a_forger_who_re_signs_everything_is_still_caught_by_the_entry_hashes(story, tmp_path):
    """Re-signing with another key passes the signature check (the fingerprint shows the difference),
    but an altered entry no longer matches its own hash."""
    _data, folder = export(story, tmp_path)
    timeline = json.loads((folder / "timeline.json").read_text())
    timeline["entries"][0]["payload"]["description"] = "无问题"
    (folder / "timeline.json").write_text(json.dumps(timeline, ensure_ascii=False))
    import hashlib

    hashes = json.loads((folder / "hashes.json").read_text())
    hashes["files"]["timeline.json"] = hashlib.sha256((folder / "timeline.json").read_bytes()).hexdigest()
    body = json.dumps(hashes).encode()
    (folder / "hashes.json").write_bytes(body)
    forger = Ed25519PrivateKey.generate()
    (folder / "hashes.json.sig").write_bytes(base64.b64encode(forger.sign(body)))
    (folder / "public_key.pem").write_bytes(forger.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    result = run_verify(folder)
    assert result.returncode == 1
    assert "trail entry #2 was altered" in result.stdout


def test_an_added_file_is_refused(story, tmp_path):
    _data, folder = export(story, tmp_path)
    (folder / "evidence" / "extra.jpg").write_bytes(b"planted")
    assert "extra.jpg is not listed" in run_verify(folder).stdout


def test_the_export_itself_is_recorded_in_the_trail(story, tmp_path):
    export(story, tmp_path)
    entry = TrailEntry.objects.order_by("-seq").first()
    assert (entry.action, entry.subject, entry.actor) == ("bundle.export", "event:1", story.users["city_bureau"])


def test_a_role_without_export_permission_cannot_export(story):
    with pytest.raises(Forbidden):
        bundle_export(subject="event:1", user=story.users["grid_a1"])


def test_the_configured_key_signs_and_its_fingerprint_is_in_the_manifest(story, tmp_path, settings):
    key = Ed25519PrivateKey.generate()
    seed = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                             serialization.NoEncryption())
    settings.SIGNING_KEY = base64.b64encode(seed).decode()
    _data, folder = export(story, tmp_path)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["key_fingerprint"] == fingerprint(key.public_key())
    assert check_signing_key(None) == []


def test_without_a_configured_key_a_development_key_is_made_once_and_a_check_warns(story, tmp_path, settings):
    settings.SIGNING_KEY = ""
    first = bundle_export(subject="event:1", user=story.users["city_bureau"])
    second = bundle_export(subject="event:1", user=story.users["city_bureau"])
    key_of = lambda data: zipfile.ZipFile(io.BytesIO(data)).read("public_key.pem")  # noqa: E731
    assert key_of(first) == key_of(second)
    assert (Path(settings.DATA_DIR) / "signing-key.pem").stat().st_mode & 0o077 == 0
    assert [w.id for w in check_signing_key(None)] == ["trail.W001"]


def test_the_download_response_names_the_subject_and_carries_the_zip(story):
    response = bundle_response(subject="event:1", user=story.users["procurator"])
    assert response["Content-Type"] == "application/zip"
    assert 'filename="evidence-bundle-event-1-' in response["Content-Disposition"]
    assert "verify.py" in zipfile.ZipFile(io.BytesIO(response.content)).namelist()
