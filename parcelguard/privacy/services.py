"""Writes of the privacy-waybill audit: audit a photo or a text as a sample of an enterprise at a site,
and open a hazard event from a non-compliant sample. Pages, the API and the demo call these.

The photo audit runs in the request: a warm OCR engine takes well under a second for one photo, and the
inspector standing at the counter wants the answer now (see docs/privacy.md). The engine is created once
per process, on first use (or by `ocr_warm_up`).
"""

from __future__ import annotations

import functools
import io
import os
from typing import Any

from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError
from waybill_privacy import AuditResult, ImageAuditError, ImageFinding, Policy, audit_image, audit_text

from parcelguard.accounts.roles import Role
from parcelguard.accounts.scoping import get_for
from parcelguard.core import clock
from parcelguard.core.errors import Conflict, Forbidden, Invalid
from parcelguard.evidence import conf as evidence_conf
from parcelguard.privacy.models import SampleSource, WaybillSample
from parcelguard.registry.models import Site

# The hazard type seeded by parcelguard/events/migrations/0002_seed_taxonomy.py: 面单个人信息未脱敏.
HAZARD_CODE = "waybill_pii"
# Who takes waybill samples: the regulator's people in the field and in the office.
AUDIT_ROLES = frozenset({Role.GRID_WORKER, Role.COUNTY_CENTRE, Role.CITY_BUREAU})
MAX_TEXT = 20_000
# A phone camera's 12 MP gains nothing for reading a label and costs seconds: OCR at most this side.
OCR_MAX_SIDE = 1600


def can_audit(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.is_active and user.role in AUDIT_ROLES


def _require_auditor(user: Any) -> None:
    if not can_audit(user):
        raise Forbidden(_("Your role may not take waybill samples."), code="role_not_allowed")


@functools.cache
def ocr_warm_up() -> None:
    """Load the OCR models now (once per process) rather than on the first inspector's photo."""
    buffer = io.BytesIO()
    Image.new("RGB", (64, 32), (255, 255, 255)).save(buffer, "PNG")
    audit_image(buffer.getvalue())


def _normalised(data: bytes) -> tuple[bytes, int, int]:
    """The photo upright (EXIF orientation applied) and at most OCR_MAX_SIDE pixels on its long side."""
    try:
        with Image.open(io.BytesIO(data)) as img:
            img.load()
            upright = ImageOps.exif_transpose(img).convert("RGB")
    except (OSError, SyntaxError, ValueError, UnidentifiedImageError, Image.DecompressionBombError) as exc:
        raise Invalid(_("The photo cannot be read: send a JPEG, PNG or WebP photo of the waybill."),
                      code="unreadable_photo") from exc
    upright.thumbnail((OCR_MAX_SIDE, OCR_MAX_SIDE))
    buffer = io.BytesIO()
    upright.save(buffer, "PNG")
    return buffer.getvalue(), upright.width, upright.height


def _as_jpeg(png: bytes) -> bytes:
    with Image.open(io.BytesIO(png)) as img:
        buffer = io.BytesIO()
        img.convert("RGB").save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def _finding_rows(audit: AuditResult, located: tuple[ImageFinding, ...] = ()) -> list[dict[str, Any]]:
    """What a sample keeps of each finding: never its text, only where it was, its masked form and why."""
    boxes = {id(item.finding): item.boxes for item in located}
    return [{
        "type": str(f.type), "subtype": f.subtype, "start": f.start, "end": f.end, "masked": f.masked,
        "meets_standard": f.meets_standard, "shown": f.replacement, "reason": f.reason,
        "boxes": [[[round(x, 1), round(y, 1)] for x, y in quad] for quad in boxes.get(id(f), ())],
    } for f in audit.findings]


def _record(*, user: Any, site: Site, source: str, audit: AuditResult, located: tuple[ImageFinding, ...] = (),
            photo: Any = None, blurred: Any = None, size: tuple[int, int] | None = None) -> WaybillSample:
    from parcelguard.trail.services import trail_append

    sample = WaybillSample.objects.create(
        enterprise_id=site.enterprise_id, site=site, source=source, photo=photo, blurred=blurred,
        image_width=size[0] if size else None, image_height=size[1] if size else None, audited_at=clock.now(),
        auditor=user, compliant=audit.compliant, masked_text=audit.masked_text, findings=_finding_rows(audit, located),
        summary=audit.summary()[:500])
    trail_append(actor=user, action="privacy.sample", subject=f"waybill_sample:{sample.pk}",
                 payload={"site": site.code, "source": source, "compliant": sample.compliant,
                          "failing": [f["type"] for f in sample.failing]},
                 evidence_hashes=[e.sha256 for e in (photo, blurred) if e is not None])
    return sample


def sample_audit_photo(*, user: Any, site_id: int, upload: File) -> WaybillSample:
    """Audit a waybill photo taken at a site: OCR, judge each finding, store the photo and its blurred
    copy as evidence and the sample (masked text only). Raises Forbidden, NotFound (site outside the
    user's scope), Invalid (`unreadable_photo`, evidence refusals)."""
    from parcelguard.evidence.services import FileTooLarge, evidence_store

    _require_auditor(user)
    site = get_for(user, Site.objects.select_related("enterprise"), pk=site_id)
    limit = evidence_conf.max_bytes("image/jpeg")
    if (upload.size or 0) > limit:
        raise FileTooLarge(_("The file is too large: at most %(mb)d MB for this kind of file.")
                           % {"mb": limit // evidence_conf.MB})
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    upright, width, height = _normalised(data)
    try:
        result = audit_image(upright, policy=Policy.STANDARD)
    except ImageAuditError as exc:
        raise Invalid(_("The photo cannot be read: send a JPEG, PNG or WebP photo of the waybill."),
                      code="unreadable_photo") from exc
    stem = os.path.splitext(os.path.basename(upload.name or "waybill"))[0][:100] or "waybill"
    with transaction.atomic():
        photo = evidence_store(actor=user, upload=upload, purpose="privacy:waybill")
        blurred = evidence_store(actor=user, upload=ContentFile(_as_jpeg(result.blurred_png), name=f"{stem}.blurred.jpg"),
                                 purpose="privacy:waybill-blurred")
        return _record(user=user, site=site, source=str(SampleSource.PHOTO), audit=result.audit, located=result.findings,
                       photo=photo, blurred=blurred, size=(width, height))


def text_audit(text: str, *, policy: str = Policy.STANDARD, id: str | None = None) -> AuditResult:
    """Audit a text (contracts.md section 4); nothing is stored."""
    if len(text) > MAX_TEXT:
        raise Invalid(_("The text is too long (at most %(n)d characters).") % {"n": MAX_TEXT}, code="text_too_long")
    try:
        return audit_text(text, policy=Policy.parse(policy), id=id)
    except ValueError as exc:
        raise Invalid(_("Unknown masking policy."), code="invalid_policy") from exc


def sample_audit_text(*, user: Any, site_id: int, text: str, policy: str = Policy.STANDARD,
                      id: str | None = None) -> tuple[WaybillSample, AuditResult]:
    """Audit a waybill's text (typed in, or from an enterprise system) as a sample of the site."""
    _require_auditor(user)
    site = get_for(user, Site.objects.select_related("enterprise"), pk=site_id)
    if not text.strip():
        raise Invalid(_("The waybill text is empty."), code="text_required")
    audit = text_audit(text, policy=policy, id=id)
    with transaction.atomic():
        return _record(user=user, site=site, source=str(SampleSource.TEXT), audit=audit), audit


def sample_get_for(user: Any, sample_id: int) -> WaybillSample:
    return get_for(user, WaybillSample.objects.select_related("site", "enterprise", "photo", "blurred", "auditor"),
                   pk=sample_id)


def may_open_event(user: Any, sample: WaybillSample) -> bool:
    from parcelguard.events.services import role_of
    from parcelguard.events.states import step

    return (not sample.compliant and sample.event_id is None and sample.blurred_id is not None
            and role_of(user) in step("report").roles)


def sample_open_event(*, user: Any, sample_id: int) -> Any:
    """Open a hazard event "waybill personal information exposed" at the sample's site, the photo's
    BLURRED copy as its evidence: everyone who may see the event (the enterprise, the procurator) sees the
    event's files, and the original shows the personal data in clear. The original stays with the sample,
    behind the unmask permission (`evidence_response`); the event's description names the sample.
    Once per sample: asking again returns the event already opened."""
    from parcelguard.events.services import event_report
    from parcelguard.evidence.services import EvidenceChanged, evidence_checked_bytes, evidence_refusal_record

    sample = sample_get_for(user, sample_id)
    if sample.compliant:
        raise Conflict(_("This waybill sample is compliant: there is nothing to report."), code="sample_compliant")
    if sample.blurred is None:
        raise Invalid(_("Only a photographed sample can be reported: the photo is the evidence."),
                      code="evidence_required")
    try:
        data = evidence_checked_bytes(sample.blurred)  # a changed file is not copied into an event
    except EvidenceChanged as exc:
        evidence_refusal_record(actor=user, error=exc, where=f"waybill_sample:{sample.pk}:event")
        raise
    with transaction.atomic():
        locked = WaybillSample.objects.select_for_update().get(pk=sample.pk)
        if locked.event_id is not None:
            return locked.event
        description = _("Waybill privacy sample #%(id)s: %(summary)s") % {"id": sample.pk, "summary": sample.summary}
        event = event_report(user=user, site_id=sample.site_id, hazard_type=HAZARD_CODE, description=description,
                             uploads=[ContentFile(data, name=sample.blurred.original_name)])
        WaybillSample.objects.filter(pk=sample.pk).update(event=event)
    return event
