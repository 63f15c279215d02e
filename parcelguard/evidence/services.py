"""Store evidence files: type from content, size limits, SHA-256, EXIF time and place, thumbnails.

Nothing is written (no row, no file) when a file is refused. Evidence is never changed or deleted, so
there is no update or delete service.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
from typing import IO, Any

import filetype
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from parcelguard.core import clock
from parcelguard.core.errors import Conflict, Forbidden, Invalid
from parcelguard.evidence import conf
from parcelguard.evidence.models import Evidence
from parcelguard.evidence.video import video_metadata
from parcelguard.trail.services import trail_append

__all__ = [
    "PROTECTED_PURPOSES", "CorruptImage", "EmptyFile", "EvidenceChanged", "EvidenceRefused", "FileTooLarge",
    "UnsupportedType", "evidence_checked_bytes", "evidence_is_protected", "evidence_may_see", "evidence_open",
    "evidence_refusal_record", "evidence_response", "evidence_store",
]

# Evidence stored for these purposes shows personal data in clear (a waybill photo before blurring). Its
# content — under whatever row, purpose or subject it appears again — is served only to users who may
# unmask (and to whoever took it), every access is recorded, and bundles withhold it from anyone else.
PROTECTED_PURPOSES = frozenset({"privacy:waybill"})


class EvidenceRefused(Invalid):
    code = "evidence_refused"


class UnsupportedType(EvidenceRefused):
    code = "unsupported_type"
    status = 415


class FileTooLarge(EvidenceRefused):
    code = "file_too_large"
    status = 413


class CorruptImage(EvidenceRefused):
    code = "corrupt_image"


class EmptyFile(EvidenceRefused):
    code = "empty_file"


class EvidenceChanged(Conflict):
    """The stored file no longer has the SHA-256 recorded when it was stored (or is gone): not served."""

    code = "evidence_changed"


_PILLOW_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}


def _size_of(upload: File) -> int:
    size = upload.size
    return int(size) if size is not None else 0


def _head(upload: File, n: int = 8192) -> bytes:
    upload.seek(0)
    data = upload.read(n)
    upload.seek(0)
    return data if isinstance(data, bytes) else data.encode()


def _detect(upload: File) -> str:
    kind = filetype.guess(_head(upload))
    mime = kind.mime if kind else ""
    if mime not in conf.ALLOWED_TYPES:
        raise UnsupportedType(
            _("This kind of file is not accepted as evidence: send a photo (JPEG, PNG, WebP, HEIC), a PDF or a "
              "video (MP4, MOV)."), details={"detected": mime or "unknown"})
    return mime


def _sha256(upload: File) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def _exif_time(exif: Image.Exif) -> dt.datetime | None:
    sub = exif.get_ifd(0x8769)
    raw = sub.get(36867) or sub.get(36868) or exif.get(306)
    if not raw:
        return None
    try:
        naive = dt.datetime.strptime(str(raw).strip("\x00 "), "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    offset = str(sub.get(36881) or "").strip("\x00 ")
    if offset:
        try:
            return dt.datetime.strptime(f"{naive:%Y-%m-%d %H:%M:%S}{offset}", "%Y-%m-%d %H:%M:%S%z")
        except ValueError:
            pass
    return timezone.make_aware(naive)  # a camera without offset records local time


def _dms(value: Any, ref: Any) -> float | None:
    try:
        deg, minutes, seconds = (float(v) for v in value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    result = deg + minutes / 60 + seconds / 3600
    if result != result:  # NaN from a zero denominator
        return None
    return -result if str(ref).strip("\x00 ").upper() in {"S", "W"} else result


def _exif_place(exif: Image.Exif) -> tuple[float | None, float | None]:
    gps = exif.get_ifd(0x8825)
    if not gps:
        return None, None
    lat, lon = _dms(gps.get(2), gps.get(1)), _dms(gps.get(4), gps.get(3))
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None, None
    return lat, lon


def _inspect_image(upload: File, mime: str) -> tuple[dict[str, Any], bytes]:
    """Decode the photo fully (a truncated or forged image is refused), read EXIF, make a thumbnail."""
    # WeasyPrint sets this to True when it is imported, which would let a truncated photo through.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        upload.seek(0)
        with Image.open(upload) as img:
            if img.format != _PILLOW_FORMATS[mime]:
                raise CorruptImage(_("The image content does not match its format."))
            img.verify()
        upload.seek(0)
        with Image.open(upload) as img:
            img.load()
            exif = img.getexif()
            lat, lon = _exif_place(exif)
            meta = {"captured_at": _exif_time(exif), "latitude": lat, "longitude": lon}
            thumb = ImageOps.exif_transpose(img)
            thumb.thumbnail((conf.thumbnail_px(), conf.thumbnail_px()))
            buffer = io.BytesIO()
            thumb.convert("RGB").save(buffer, "JPEG", quality=80)
    except (OSError, SyntaxError, ValueError, UnidentifiedImageError, Image.DecompressionBombError) as exc:
        raise CorruptImage(_("The image is damaged and cannot be read."), details={"reason": str(exc)[:200]}) from exc
    finally:
        upload.seek(0)
    return meta, buffer.getvalue()


def _save_once(name: str, content: File, sha256: str) -> str:
    """Content-addressed: an identical file already stored is reused, never overwritten."""
    if default_storage.exists(name):
        with default_storage.open(name, "rb") as existing:
            if hashlib.sha256(existing.read()).hexdigest() == sha256:
                return name
    content.seek(0)
    return default_storage.save(name, content)


def evidence_store(*, actor: Any, upload: File, purpose: str = "") -> Evidence:
    """Check and store one evidence file and append an "evidence.store" entry to the trail.

    Raises (all `EvidenceRefused`, an `Invalid`) with nothing stored: `EmptyFile` (code `empty_file`),
    `UnsupportedType` (`unsupported_type`: the content is not a JPEG, PNG, WebP, HEIC photo, a PDF or an
    MP4/MOV video, whatever the name says), `FileTooLarge` (`file_too_large`: over the limit for its
    kind), `CorruptImage` (`corrupt_image`: Pillow cannot decode the photo).
    Call it inside the caller's transaction; the caller's own trail entry should list `evidence.sha256`.
    """
    size = _size_of(upload)
    if size <= 0:
        raise EmptyFile(_("The file is empty."))
    mime = _detect(upload)
    limit = conf.max_bytes(mime)
    if size > limit:
        raise FileTooLarge(_("The file is too large: at most %(mb)d MB for this kind of file.")
                           % {"mb": limit // conf.MB}, details={"size": size, "limit": limit})
    meta: dict[str, Any] = {}
    thumb = b""
    if mime in _PILLOW_FORMATS:
        meta, thumb = _inspect_image(upload, mime)
    elif mime in conf.VIDEO_TYPES:
        meta = video_metadata(upload, size)
    digest = _sha256(upload)
    original = os.path.basename((upload.name or "file").replace("\\", "/"))[:255] or "file"
    with transaction.atomic():
        name = _save_once(f"evidence/{digest[:2]}/{digest}{conf.ALLOWED_TYPES[mime]}", upload, digest)
        thumb_name = ""
        if thumb:
            thumb_name = _save_once(f"evidence/thumbs/{digest[:2]}/{digest}.jpg", ContentFile(thumb),
                                    hashlib.sha256(thumb).hexdigest())
        evidence = Evidence.objects.create(
            file=name, thumbnail=thumb_name, original_name=original, content_type=mime, size=size, sha256=digest,
            purpose=purpose[:100], uploaded_by=actor if getattr(actor, "pk", None) else None,
            uploaded_at=clock.now(), **meta)
        trail_append(actor=actor, action="evidence.store", subject=f"evidence:{evidence.pk}",
                     payload={"name": original, "content_type": mime, "size": size, "purpose": evidence.purpose,
                              "captured_at": meta.get("captured_at"), "latitude": meta.get("latitude"),
                              "longitude": meta.get("longitude")},
                     evidence_hashes=[digest])
    return evidence


def evidence_open(evidence: Evidence, *, thumbnail: bool = False) -> IO[bytes]:
    name = evidence.thumbnail.name if thumbnail and evidence.thumbnail else evidence.file.name
    return default_storage.open(name, "rb")


def evidence_is_protected(evidence: Evidence) -> bool:
    """Does this file's content show personal data in clear (stored once for a protected purpose)?"""
    if evidence.purpose in PROTECTED_PURPOSES:
        return True
    return Evidence.objects.filter(sha256=evidence.sha256, purpose__in=PROTECTED_PURPOSES).exists()


def evidence_may_see(user: Any, evidence: Evidence) -> bool:
    """Whether `user` may see this file's content, given they may see the record it belongs to."""
    from parcelguard.accounts.scoping import can_unmask

    if not evidence_is_protected(evidence):
        return True
    if can_unmask(user):
        return True
    takers = Evidence.objects.filter(sha256=evidence.sha256, purpose__in=PROTECTED_PURPOSES)
    return bool(getattr(user, "pk", None)) and takers.filter(uploaded_by_id=user.pk).exists()


def _actual_sha256(evidence: Evidence) -> str | None:
    digest = hashlib.sha256()
    try:
        with evidence_open(evidence) as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()


def _changed(evidence: Evidence, actual: str | None) -> EvidenceChanged:
    return EvidenceChanged(
        _("Evidence file “%(name)s” no longer matches the hash recorded when it was stored; it is withheld and the "
          "refusal is recorded in the trail.") % {"name": evidence.original_name},
        details={"evidence": evidence.pk, "recorded": evidence.sha256, "actual": actual or "missing"})


def evidence_refusal_record(*, actor: Any, error: EvidenceChanged, where: str) -> None:
    """Append the trail entry for a changed file that was not served or bundled (outside any rolled-back
    transaction: call it after the caller's transaction has ended)."""
    details = error.details or {}
    trail_append(actor=actor if getattr(actor, "pk", None) else None, action="evidence.refused",
                 subject=f"evidence:{details.get('evidence')}",
                 payload={"where": where[:100], "recorded": details.get("recorded"), "actual": details.get("actual")})


def evidence_checked_bytes(evidence: Evidence) -> bytes:
    """The file's bytes, only if they still have the recorded SHA-256 (else `EvidenceChanged`)."""
    try:
        with evidence_open(evidence) as fh:
            data = fh.read()
    except OSError:
        raise _changed(evidence, None) from None
    actual = hashlib.sha256(data).hexdigest()
    if actual != evidence.sha256:
        raise _changed(evidence, actual)
    return data


def evidence_response(evidence: Evidence, *, user: Any, thumbnail: bool = False,
                      as_attachment: bool | None = None, where: str = "") -> FileResponse:
    """Serve the file. The CALLER must first check that the user may see the record it belongs to; here:

    - a protected file (a waybill photo before blurring, `PROTECTED_PURPOSES`) is served only to users who
      may unmask and to its taker (`Forbidden` otherwise), and each access is a trail entry
      `evidence.view_protected`;
    - the file's SHA-256 is checked first: a file changed or gone since it was stored is refused
      (`EvidenceChanged`, 409) with a trail entry `evidence.refused`, thumbnail included.

    Photos and PDFs open inline unless `as_attachment`; videos download."""
    protected = evidence_is_protected(evidence)
    if protected and not evidence_may_see(user, evidence):
        raise Forbidden(_("This photo shows personal data in clear; only users who may unmask personal data "
                          "can open it."), code="protected_evidence")
    actual = _actual_sha256(evidence)
    if actual != evidence.sha256:
        error = _changed(evidence, actual)
        evidence_refusal_record(actor=user, error=error, where=where or "serve")
        raise error
    if protected:
        trail_append(actor=user, action="evidence.view_protected", subject=f"evidence:{evidence.pk}",
                     payload={"where": where[:100], "thumbnail": bool(thumbnail)})
    if as_attachment is None:
        as_attachment = not (evidence.is_image or evidence.content_type == "application/pdf")
    use_thumb = thumbnail and bool(evidence.thumbnail)
    response = FileResponse(evidence_open(evidence, thumbnail=use_thumb), as_attachment=as_attachment,
                            filename=evidence.original_name,
                            content_type="image/jpeg" if use_thumb else evidence.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store" if protected else "private, max-age=3600"
    if not use_thumb:
        response["X-Content-SHA256"] = evidence.sha256
    return response
