"""Evidence uploads: type from content, size limits, decodable images, EXIF time and place, thumbnails,
SHA-256, never changed; refused files leave nothing behind."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import struct
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection, transaction
from PIL import Image

from parcelguard.core.errors import Conflict
from parcelguard.evidence.models import Evidence
from parcelguard.evidence.services import (
    CorruptImage,
    EvidenceRefused,
    FileTooLarge,
    UnsupportedType,
    evidence_response,
    evidence_store,
)
from parcelguard.trail.models import TrailEntry

MP4 = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"\x00" * 200
MOV = b"\x00\x00\x00\x14ftypqt  \x00\x00\x02\x00qt  " + b"\x00" * 200
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 200
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def image_bytes(fmt: str = "JPEG", size: tuple[int, int] = (640, 480), exif: Image.Exif | None = None,
                noise: bool = False) -> bytes:
    img = Image.effect_noise(size, 80).convert("RGB") if noise else Image.new("RGB", size, (200, 30, 30))
    buffer = io.BytesIO()
    img.save(buffer, fmt, **({"exif": exif} if exif is not None else {}))
    return buffer.getvalue()


def upload(data: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")  # the browser's word is ignored


def stored_files() -> list[Path]:
    root = Path(django_settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def assert_nothing_stored() -> None:
    assert not Evidence.objects.exists()
    assert not TrailEntry.objects.exists()
    assert stored_files() == []


def test_a_photo_is_stored_with_its_hash_type_size_and_thumbnail(cast):
    data = image_bytes()
    evidence = evidence_store(actor=cast.users["grid_a1"], upload=upload(data, "现场.jpg"), purpose="report")
    assert evidence.sha256 == hashlib.sha256(data).hexdigest()
    assert (evidence.content_type, evidence.size, evidence.original_name) == ("image/jpeg", len(data), "现场.jpg")
    assert evidence.file.name == f"evidence/{evidence.sha256[:2]}/{evidence.sha256}.jpg"
    with default_storage.open(evidence.thumbnail.name) as fh, Image.open(fh) as thumb:
        assert thumb.format == "JPEG" and max(thumb.size) == 320
    assert evidence.uploaded_by == cast.users["grid_a1"]


def test_the_upload_is_recorded_in_the_trail_with_its_hash(cast):
    evidence = evidence_store(actor=cast.users["grid_a1"], upload=upload(image_bytes("PNG"), "a.png"))
    entry = TrailEntry.objects.get()
    assert (entry.action, entry.subject) == ("evidence.store", f"evidence:{evidence.pk}")
    assert entry.evidence_hashes == [evidence.sha256]
    assert entry.payload["content_type"] == "image/png"


def test_capture_time_and_gps_are_read_from_exif(cast):
    img = Image.new("RGB", (10, 10))
    exif = img.getexif()
    exif.get_ifd(0x8769)[36867] = "2026:11:20 09:30:00"
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (25.0, 27.0, 36.0), 3: "E", 4: (119.0, 1.0, 12.0)})
    evidence = evidence_store(actor=None, upload=upload(image_bytes(exif=exif), "gps.jpg"))
    assert evidence.captured_at == dt.datetime(2026, 11, 20, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert evidence.latitude == pytest.approx(25.46)
    assert evidence.longitude == pytest.approx(119.02)


def box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def phone_clip() -> bytes:
    """An MP4 as a phone writes it: creation time in moov/mvhd, ISO 6709 place in moov/udta/©xyz."""
    seconds = int((dt.datetime(2026, 11, 20, 1, 30, tzinfo=dt.UTC)
                   - dt.datetime(1904, 1, 1, tzinfo=dt.UTC)).total_seconds())
    mvhd = box(b"mvhd", b"\x00\x00\x00\x00" + struct.pack(">II", seconds, seconds) + b"\x00" * 88)
    xyz = box(b"\xa9xyz", b"\x00\x12\x15\xc7" + b"+25.4600+119.0200/")
    moov = box(b"moov", mvhd + box(b"udta", xyz))
    return box(b"ftyp", b"isom\x00\x00\x02\x00isomiso2") + box(b"mdat", b"\x00" * 500) + moov


def test_capture_time_and_place_are_read_from_a_phone_video(cast):
    evidence = evidence_store(actor=None, upload=upload(phone_clip(), "VID_20261120.mp4"))
    assert evidence.content_type == "video/mp4"
    assert evidence.captured_at == dt.datetime(2026, 11, 20, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert (evidence.latitude, evidence.longitude) == (25.46, 119.02)


def test_a_photo_without_exif_has_no_time_or_place(cast):
    evidence = evidence_store(actor=None, upload=upload(image_bytes("WEBP"), "x.webp"))
    assert evidence.content_type == "image/webp"
    assert (evidence.captured_at, evidence.latitude, evidence.longitude) == (None, None, None)


@pytest.mark.parametrize("data, name, mime", [
    (PDF, "整改报告.pdf", "application/pdf"),
    (MP4, "clip.mp4", "video/mp4"),
    (MOV, "IMG_0001.MOV", "video/quicktime"),
    (HEIC, "IMG_0002.HEIC", "image/heic"),
])
def test_pdfs_videos_and_heic_photos_are_accepted_by_their_content(cast, data, name, mime):
    evidence = evidence_store(actor=None, upload=upload(data, name))
    assert evidence.content_type == mime
    assert not evidence.thumbnail


@pytest.mark.parametrize("data, name", [
    (b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 300, "photo.jpg"),
    (b"MZ\x90\x00\x03" + b"\x00" * 300, "report.pdf"),
    ("隐患说明".encode() * 50, "photo.png"),
    (b"PK\x03\x04" + b"\x00" * 300, "clip.mp4"),
])
def test_a_renamed_executable_or_other_file_is_refused_and_nothing_is_stored(cast, data, name):
    with pytest.raises(UnsupportedType) as exc:
        evidence_store(actor=cast.users["grid_a1"], upload=upload(data, name))
    assert exc.value.code == "unsupported_type" and exc.value.status == 415
    assert_nothing_stored()


def test_an_oversized_photo_is_refused_and_nothing_is_stored(cast, settings):
    settings.EVIDENCE_MAX_PHOTO_BYTES = 10_000
    with pytest.raises(FileTooLarge) as exc:
        evidence_store(actor=None, upload=upload(image_bytes(noise=True), "big.jpg"))
    assert exc.value.code == "file_too_large"
    assert exc.value.details["limit"] == 10_000
    assert_nothing_stored()


def test_videos_have_their_own_limit(cast, settings):
    settings.EVIDENCE_MAX_VIDEO_BYTES = 100
    with pytest.raises(FileTooLarge):
        evidence_store(actor=None, upload=upload(MP4, "clip.mp4"))
    assert_nothing_stored()
    settings.EVIDENCE_MAX_VIDEO_BYTES = 10_000
    assert evidence_store(actor=None, upload=upload(MP4, "clip.mp4")).size == len(MP4)


def _truncated_jpeg() -> bytes:
    data = image_bytes(noise=True, size=(200, 200))
    return data[: len(data) // 2]


def _png_with_bad_crc() -> bytes:
    data = bytearray(image_bytes("PNG", noise=True, size=(50, 50)))
    data[40] ^= 0xFF  # inside the image data chunk
    return bytes(data)


@pytest.mark.parametrize("data, name", [
    (_truncated_jpeg(), "half.jpg"),
    (_png_with_bad_crc(), "bad.png"),
    (b"\xff\xd8\xff\xe0" + b"\x00" * 500, "fake.jpg"),
])
def test_a_corrupt_image_is_refused_and_nothing_is_stored(cast, data, name):
    with pytest.raises(CorruptImage) as exc:
        evidence_store(actor=None, upload=upload(data, name))
    assert exc.value.code == "corrupt_image"
    assert_nothing_stored()


def test_a_truncated_photo_is_refused_even_after_weasyprint_relaxed_pillow(cast, monkeypatch):
    from PIL import ImageFile

    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)  # what importing WeasyPrint does
    with pytest.raises(CorruptImage):
        evidence_store(actor=None, upload=upload(_truncated_jpeg(), "half.jpg"))
    assert_nothing_stored()


def test_an_empty_file_is_refused(cast):
    with pytest.raises(EvidenceRefused) as exc:
        evidence_store(actor=None, upload=upload(b"", "empty.jpg"))
    assert exc.value.code == "empty_file"
    assert_nothing_stored()


def test_the_same_file_twice_is_stored_once_on_disk(cast):
    data = image_bytes()
    first = evidence_store(actor=None, upload=upload(data, "a.jpg"))
    second = evidence_store(actor=None, upload=ContentFile(data, name="b.jpg"))
    assert first.pk != second.pk and first.file.name == second.file.name
    assert len([p for p in stored_files() if "thumbs" not in p.parts]) == 1


def test_evidence_is_never_changed_or_deleted_through_the_application(cast):
    evidence = evidence_store(actor=None, upload=upload(PDF, "a.pdf"))
    evidence.original_name = "renamed.pdf"
    with pytest.raises(Conflict):
        evidence.save()
    with pytest.raises(Conflict):
        evidence.delete()
    assert Evidence.objects.get().original_name == "a.pdf"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the append-only trigger exists only on PostgreSQL")
def test_postgres_refuses_to_update_or_delete_evidence_rows(cast):
    evidence = evidence_store(actor=None, upload=upload(PDF, "a.pdf"))
    for sql in ("UPDATE evidence_evidence SET sha256 = 'x'", "DELETE FROM evidence_evidence"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as c:
            c.execute(sql)
    assert Evidence.objects.get().sha256 == evidence.sha256


def test_the_download_response_serves_the_bytes_with_type_and_hash(cast):
    data = image_bytes()
    evidence = evidence_store(actor=None, upload=upload(data, "现场.jpg"))
    response = evidence_response(evidence, user=cast.users["city_bureau"])
    assert b"".join(response.streaming_content) == data
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-SHA256"] == evidence.sha256
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline")
    thumb = evidence_response(evidence, user=cast.users["city_bureau"], thumbnail=True)
    assert b"".join(thumb.streaming_content).startswith(b"\xff\xd8")


def test_videos_download_as_attachments(cast):
    evidence = evidence_store(actor=None, upload=upload(MP4, "clip.mp4"))
    assert evidence_response(evidence, user=cast.users["city_bureau"])["Content-Disposition"].startswith("attachment")
