"""The privacy-waybill audit over REST: audit a text (contracts.md section 4), audit a photo as a sample
of a site, read samples and enterprises' compliance, open a hazard event from a sample.

The text audit answers exactly the contract's object (its `text` fields echo what the caller sent; nothing
is stored unless `site_id` names a site, and then only the masked text). A photo's answer never carries the
recognised text: only the masked text, each finding's masked form, reason and boxes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from parcelguard.api.schemas import ERRORS, Error, Text
from parcelguard.privacy import selectors, services
from parcelguard.privacy.models import WaybillSample

router = Router(tags=["privacy"])


# ---- text: contracts.md section 4 ---------------------------------------------------------------

class AuditTextIn(Schema):
    id: Text(200) | None = None  # type: ignore[valid-type]
    text: Text(services.MAX_TEXT)  # type: ignore[valid-type]
    policy: Literal["standard", "strict"] = "standard"
    site_id: int | None = Field(None, ge=1, le=2_000_000_000,
                                description="Record the text as a waybill sample of this site (masked text only).")


class FindingOut(Schema):
    type: str
    start: int
    end: int
    text: str
    masked: bool
    meets_standard: bool


class AuditTextOut(Schema):
    id: str | None = None
    findings: list[FindingOut]
    masked_text: str
    compliant: bool
    sample_id: int | None = None


@router.post("/privacy/audit-text", response={200: AuditTextOut, **ERRORS}, exclude_none=True,
             summary="Audit one text for personal data (contracts.md section 4)")
def audit_text(request: HttpRequest, body: AuditTextIn) -> dict[str, Any]:
    if body.site_id is not None:
        sample, result = services.sample_audit_text(user=request.user, site_id=body.site_id, text=body.text,
                                                    policy=body.policy, id=body.id)
        return {**result.to_dict(), "sample_id": sample.pk}
    return services.text_audit(body.text, policy=body.policy, id=body.id).to_dict()


# ---- samples ------------------------------------------------------------------------------------------

class SampleFindingOut(Schema):
    type: str
    start: int
    end: int
    masked: bool
    meets_standard: bool
    shown: str = Field(description="The item as the standard policy masks it; never the item itself.")
    reason: str
    boxes: list[list[list[float]]]


class SampleOut(Schema):
    id: int
    enterprise_id: int
    site_id: int
    site_code: str
    source: str
    audited_at: dt.datetime
    compliant: bool
    summary: str
    reasons: list[str]
    masked_text: str
    findings: list[SampleFindingOut]
    image_width: int | None
    image_height: int | None
    blurred_url: str | None
    event_id: int | None

    @staticmethod
    def of(s: WaybillSample) -> SampleOut:
        return SampleOut(
            id=s.pk, enterprise_id=s.enterprise_id, site_id=s.site_id, site_code=s.site.code, source=s.source,
            audited_at=s.audited_at, compliant=s.compliant, summary=s.summary, reasons=s.reasons,
            masked_text=s.masked_text,
            findings=[SampleFindingOut(**{k: f[k] for k in SampleFindingOut.model_fields}) for f in s.findings],
            image_width=s.image_width, image_height=s.image_height,
            blurred_url=f"/privacy/samples/{s.pk}/image/blurred/" if s.blurred_id else None, event_id=s.event_id)


class SamplePage(Schema):
    count: int
    items: list[SampleOut]


@router.post("/privacy/audit-image", response={201: SampleOut, 413: Error, 415: Error, **ERRORS},
             summary="Audit a waybill photo taken at a site; stored as a sample with the photo as evidence")
def audit_image(request: HttpRequest, site_id: Form[int], photo: File[UploadedFile]) -> Status:
    sample = services.sample_audit_photo(user=request.user, site_id=site_id, upload=photo)
    return Status(201, SampleOut.of(services.sample_get_for(request.user, sample.pk)))  # type: ignore[arg-type]


class SampleFilters(Schema):
    enterprise_id: int | None = Field(None, ge=1, le=2_000_000_000)
    site_id: int | None = Field(None, ge=1, le=2_000_000_000)
    compliant: bool | None = None
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=10_000_000)


@router.get("/privacy/samples", response={200: SamplePage, **ERRORS}, summary="Waybill samples the user may see")
def sample_list(request: HttpRequest, filters: Query[SampleFilters]) -> SamplePage:
    qs = selectors.sample_list(user=request.user, enterprise_id=filters.enterprise_id, site_id=filters.site_id,
                               compliant=filters.compliant)
    return SamplePage(count=qs.count(), items=[SampleOut.of(s) for s in qs[filters.offset:filters.offset + filters.limit]])


@router.get("/privacy/samples/{int:pk}", response={200: SampleOut, **ERRORS}, summary="One waybill sample")
def sample_get(request: HttpRequest, pk: int) -> SampleOut:
    return SampleOut.of(services.sample_get_for(request.user, pk))


class EventRef(Schema):
    event_id: int


@router.post("/privacy/samples/{int:pk}/event", response={201: EventRef, **ERRORS},
             summary="Open a hazard event 'waybill personal information exposed' with the sample's photo")
def sample_event(request: HttpRequest, pk: int) -> Status:
    event = services.sample_open_event(user=request.user, sample_id=pk)
    return Status(201, EventRef(event_id=event.pk))  # type: ignore[arg-type]


# ---- enterprises ---------------------------------------------------------------------------------------

class ComplianceOut(Schema):
    enterprise_id: int
    name: str
    brand: str
    samples: int
    compliant: int
    compliant_share: float | None
    last_sampled_at: dt.datetime | None
    last_non_compliant_at: dt.datetime | None


class ComplianceFilters(Schema):
    q: Text(100) = ""  # type: ignore[valid-type]
    brand: Text(10) = ""  # type: ignore[valid-type]
    county: Text(20) = ""  # type: ignore[valid-type]
    status: Literal["", "non_compliant", "compliant", "unsampled"] = ""
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=10_000_000)


class CompliancePage(Schema):
    count: int
    items: list[ComplianceOut]


@router.get("/privacy/enterprises", response={200: CompliancePage, **ERRORS},
            summary="Enterprises by privacy-waybill compliance, worst first")
def compliance(request: HttpRequest, filters: Query[ComplianceFilters]) -> CompliancePage:
    rows = selectors.enterprise_compliance(user=request.user, filters={
        "q": filters.q, "brand": filters.brand, "county": filters.county, "status": filters.status})
    return CompliancePage(count=len(rows), items=[ComplianceOut(
        enterprise_id=c.enterprise.pk, name=c.enterprise.name, brand=c.enterprise.brand_id, samples=c.samples,
        compliant=c.compliant, compliant_share=c.share, last_sampled_at=c.last_sampled_at,
        last_non_compliant_at=c.last_non_compliant_at) for c in rows[filters.offset:filters.offset + filters.limit]])
