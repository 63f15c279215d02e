"""Reads of the privacy-waybill audit: samples and each enterprise's compliance, always through scoping."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Count, Max, Q
from django.db.models.functions import TruncMonth

from parcelguard.accounts.scoping import scope
from parcelguard.privacy.models import WaybillSample
from parcelguard.registry.models import Enterprise, Site

COMPLIANCE_FILTERS = ("q", "brand", "county", "status")


def sample_list(*, user: Any, enterprise_id: int | None = None, site_id: int | None = None,
                compliant: bool | None = None) -> models.QuerySet[WaybillSample]:
    qs = scope(user, WaybillSample).select_related("site", "enterprise", "auditor")
    if enterprise_id is not None:
        qs = qs.filter(enterprise_id=enterprise_id)
    if site_id is not None:
        qs = qs.filter(site_id=site_id)
    if compliant is not None:
        qs = qs.filter(compliant=compliant)
    return qs


@dataclass(frozen=True)
class Compliance:
    """One enterprise's privacy-waybill status as far as the user may see its samples."""

    enterprise: Enterprise
    samples: int
    compliant: int
    last_sampled_at: dt.datetime | None
    last_non_compliant_at: dt.datetime | None

    @property
    def share(self) -> float | None:
        return self.compliant / self.samples if self.samples else None

    @property
    def percent(self) -> str:
        return "" if self.share is None else f"{self.share * 100:.0f}%"


def _counts(samples: models.QuerySet[WaybillSample]) -> dict[int, dict[str, Any]]:
    rows = samples.order_by().values("enterprise_id").annotate(
        n=Count("pk"), ok=Count("pk", filter=Q(compliant=True)), last=Max("audited_at"),
        last_bad=Max("audited_at", filter=Q(compliant=False)))
    return {r["enterprise_id"]: r for r in rows}


def enterprise_compliance(*, user: Any, filters: dict[str, str] | None = None) -> list[Compliance]:
    """Enterprises by compliance, worst first (lowest share, then most samples); unsampled ones last.

    Filters: `q` (name or credit code), `brand`, `county` (6-digit code: enterprises with a site there,
    counting only samples from there), `status` (`non_compliant`, `compliant`, `unsampled`)."""
    f = filters or {}
    enterprises = scope(user, Enterprise).select_related("brand")
    samples = scope(user, WaybillSample)
    if f.get("q"):
        enterprises = enterprises.filter(Q(name__icontains=f["q"]) | Q(credit_code__icontains=f["q"]))
    if f.get("brand"):
        enterprises = enterprises.filter(brand_id=f["brand"])
    if f.get("county"):
        in_county = Site.objects.filter(county__code=f["county"])
        enterprises = enterprises.filter(pk__in=in_county.values("enterprise_id"))
        samples = samples.filter(site__county__code=f["county"])
    counts = _counts(samples)
    out = [Compliance(e, c.get("n", 0), c.get("ok", 0), c.get("last"), c.get("last_bad"))
           for e in enterprises for c in [counts.get(e.pk, {})]]
    status = f.get("status")
    if status == "non_compliant":
        out = [c for c in out if c.samples and c.compliant < c.samples]
    elif status == "compliant":
        out = [c for c in out if c.samples and c.compliant == c.samples]
    elif status == "unsampled":
        out = [c for c in out if not c.samples]
    out.sort(key=lambda c: (c.share is None, c.share if c.share is not None else 0, -c.samples, c.enterprise.name))
    return out


@dataclass(frozen=True)
class Status:
    """The privacy-waybill status of one enterprise: totals, a month-by-month series, the last failure."""

    samples: int
    compliant: int
    months: list[dict[str, Any]]
    last_non_compliant: WaybillSample | None
    last: WaybillSample | None

    @property
    def share(self) -> float | None:
        return self.compliant / self.samples if self.samples else None

    @property
    def percent(self) -> str:
        return "" if self.share is None else f"{self.share * 100:.0f}%"


def enterprise_status(*, user: Any, enterprise: Enterprise) -> Status:
    samples = sample_list(user=user, enterprise_id=enterprise.pk)
    totals = samples.aggregate(n=Count("pk"), ok=Count("pk", filter=Q(compliant=True)))
    months = list(samples.order_by().annotate(month=TruncMonth("audited_at")).values("month").annotate(
        n=Count("pk"), ok=Count("pk", filter=Q(compliant=True))).order_by("month"))
    for m in months:
        m["percent"] = f"{m['ok'] / m['n'] * 100:.0f}%" if m["n"] else ""
    return Status(totals["n"] or 0, totals["ok"] or 0, months, samples.filter(compliant=False).first(),
                  samples.first())
