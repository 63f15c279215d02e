"""Pages of the privacy-waybill audit. Thin: they read through selectors and write through services."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parcelguard.accounts.models import Jurisdiction, Level
from parcelguard.accounts.roles import Perm, has_perm
from parcelguard.accounts.scoping import can_unmask, require, scope
from parcelguard.core.errors import DomainError, Invalid
from parcelguard.core.excel import xlsx_response
from parcelguard.privacy import selectors, services
from parcelguard.privacy.models import WaybillSample
from parcelguard.registry.models import Brand, Site


def _error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return render(request, "error.html", {"message": exc.message}, status=exc.status)


def _sites(user: Any) -> Any:
    return scope(user, Site).filter(status="active").select_related("enterprise__brand").order_by("name")


@login_required
def audit(request: HttpRequest) -> HttpResponse:
    """The inspector's page: photograph a waybill at a site, get the verdict. Also the recent samples."""
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("photo")
        site_id = request.POST.get("site_id", "")
        try:
            if upload is None:
                raise Invalid(_("Take or choose a photo of the waybill."), code="photo_required")
            sample = services.sample_audit_photo(user=request.user, site_id=int(site_id) if site_id.isdigit() else 0,
                                                 upload=upload)
        except DomainError as exc:
            error = exc.message
        else:
            return redirect("privacy:sample", sample.pk)
    samples = selectors.sample_list(user=request.user)
    page = Paginator(samples, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "privacy/audit.html", {
        "can_audit": services.can_audit(request.user), "sites": _sites(request.user) if services.can_audit(
            request.user) else [], "error": error, "post": request.POST, "page": page},
        status=400 if error else 200)


def _sample_context(request: HttpRequest, sample: WaybillSample) -> dict[str, Any]:
    return {
        "sample": sample, "failing": sample.failing,
        "may_see_photo": _may_see_photo(request.user, sample),
        "may_open_event": services.may_open_event(request.user, sample),
        "boxes": [{"meets": f["meets_standard"], "type": f["type"],
                   "points": [" ".join(f"{x},{y}" for x, y in quad) for quad in f["boxes"]]}
                  for f in sample.findings if f["boxes"]],
    }


@login_required
def sample_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        sample = services.sample_get_for(request.user, pk)
    except DomainError as exc:
        return _error(request, exc)
    return render(request, "privacy/sample.html", _sample_context(request, sample))


def _may_see_photo(user: Any, sample: WaybillSample) -> bool:
    """The unblurred photo shows the personal data: its taker and those who may unmask see it."""
    return sample.photo_id is not None and (sample.auditor_id == user.pk or can_unmask(user))


@login_required
def sample_image(request: HttpRequest, pk: int, which: str) -> HttpResponse:
    from parcelguard.evidence.services import evidence_response

    try:
        sample = services.sample_get_for(request.user, pk)
    except DomainError as exc:
        return _error(request, exc)
    try:
        if which == "blurred" and sample.blurred is not None:
            return evidence_response(sample.blurred, user=request.user, where=f"waybill_sample:{sample.pk}")
        if which == "photo" and _may_see_photo(request.user, sample):
            return evidence_response(sample.photo, user=request.user, where=f"waybill_sample:{sample.pk}")
    except DomainError as exc:
        return _error(request, exc)
    raise Http404


@login_required
@require_POST
def sample_event(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        event = services.sample_open_event(user=request.user, sample_id=pk)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("privacy:sample", pk)
    messages.success(request, _("Hazard event #%(id)s opened with the blurred photo as evidence.") % {"id": event.pk})
    return redirect("events:detail", event.pk)


def _compliance_filters(request: HttpRequest) -> dict[str, str]:
    return {name: request.GET.get(name, "") for name in selectors.COMPLIANCE_FILTERS}


@login_required
def compliance(request: HttpRequest) -> HttpResponse:
    rows = selectors.enterprise_compliance(user=request.user, filters=_compliance_filters(request))
    page = Paginator(rows, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "total": len(rows), "can_export": has_perm(request.user, Perm.EXPORT),
               "counties": scope(request.user, Jurisdiction.objects.filter(level=Level.COUNTY)),
               "brands": Brand.objects.all(),
               "statuses": [("non_compliant", _("Not compliant")), ("compliant", _("Compliant")),
                            ("unsampled", _("Not sampled"))]}
    template = "privacy/_compliance_table.html" if request.headers.get("HX-Request") else "privacy/compliance.html"
    return render(request, template, context)


@login_required
def compliance_export(request: HttpRequest) -> HttpResponse:
    try:
        require(request.user, Perm.EXPORT)
    except DomainError as exc:
        return _error(request, exc)
    rows = selectors.enterprise_compliance(user=request.user, filters=_compliance_filters(request))
    headers = ["统一社会信用代码", "企业名称", "品牌", "抽查面单数", "合规数", "合规率", "最近抽查时间", "最近不合规时间"]

    def line(c: selectors.Compliance) -> list[Any]:
        def local(moment: Any) -> Any:
            return timezone.localtime(moment).replace(tzinfo=None) if moment else None

        return [c.enterprise.credit_code, c.enterprise.name, c.enterprise.brand.name, c.samples, c.compliant,
                round(c.share, 4) if c.share is not None else None, local(c.last_sampled_at),
                local(c.last_non_compliant_at)]

    return xlsx_response("privacy-waybill-compliance.xlsx", "隐私面单合规", headers, (line(c) for c in rows))
