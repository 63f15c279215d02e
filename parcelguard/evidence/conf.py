"""Evidence settings, each overridable in settings.py or the environment (see .env.example)."""

from __future__ import annotations

import os

from django.conf import settings

MB = 1024 * 1024

# Allowed content types, detected from the bytes (never from the name), and the extension stored.
PHOTO_TYPES = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", "image/heic": ".heic",
               "image/heif": ".heif"}
VIDEO_TYPES = {"video/mp4": ".mp4", "video/quicktime": ".mov"}
DOCUMENT_TYPES = {"application/pdf": ".pdf"}
ALLOWED_TYPES = {**PHOTO_TYPES, **VIDEO_TYPES, **DOCUMENT_TYPES}


def _setting(name: str, default: int) -> int:
    value = getattr(settings, name, None)
    if value is not None:
        return int(value)
    raw = os.environ.get(f"PARCELGUARD_{name}")
    return int(raw) if raw else default


def max_bytes(content_type: str) -> int:
    if content_type in VIDEO_TYPES:
        return _setting("EVIDENCE_MAX_VIDEO_BYTES", 50 * MB)
    if content_type in DOCUMENT_TYPES:
        return _setting("EVIDENCE_MAX_PDF_BYTES", 20 * MB)
    return _setting("EVIDENCE_MAX_PHOTO_BYTES", 15 * MB)


def thumbnail_px() -> int:
    return _setting("EVIDENCE_THUMBNAIL_PX", 320)
