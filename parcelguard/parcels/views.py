"""Pages of the parcels module: early warnings, tracing, uploads. Thin: selectors read, services write."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parcelguard.accounts.models import Jurisdiction, Level
from parcelguard.accounts.roles import Perm, has_perm
from parcelguard.accounts.scoping import get_for, require, scope
from parcelguard.core import clock
from parcelguard.core.errors import DomainError, Invalid
from parcelguard.core.excel import xlsx_response
from parcelguard.parcels import selectors, services
from parcelguard.parcels.flow import WARNING_FLOW
from parcelguard.parcels.models import (
    AnalysisRun,
    EarlyWarning,
    ParcelBatch,
    ParcelSettings,
    WarningKind,
    WarningSeverity,
    WarningStatus,
)
from parcelguard.registry.models import Brand


def _error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return render(request, "error.html", {"message": exc.message}, status=exc.status)


def _filters(request: HttpRequest) -> dict[str, str]:
    return {n: request.GET.get(n, "").replace("\x00", "").strip() for n in selectors.WARNING_FILTERS}


def _grids(user: Any, filters: dict[str, str]) -> Any:
    """The grids the filter offers: those in the user's scope, within the chosen county (plus the chosen
    grid, so that the select shows the filter that applies)."""
    places = scope(user, Jurisdiction.objects.all())
    grids = places.filter(level=Level.GRID)
    if filters["county"]:
        path = places.filter(level=Level.COUNTY, code=filters["county"]).values_list("path", flat=True).first()
        within = Q(path__startswith=path) if path else Q(pk__in=[])
        grids = grids.filter(within | Q(code=filters["grid"]) if filters["grid"] else within)
    return grids


@login_required
def warning_index(request: HttpRequest) -> HttpResponse:
    filters = _filters(request)
    error, status = "", 200
    try:
        qs = selectors.warning_list(user=request.user, filters=filters)
    except Invalid as exc:  # a bad date: say so above an empty list (the permission was checked first)
        qs, error, status = EarlyWarning.objects.none(), exc.message, exc.status
    except DomainError as exc:
        return _error(request, exc)
    page = Paginator(qs, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    htmx = bool(request.headers.get("HX-Request"))
    context = {
        "page": page, "total": page.paginator.count, "filters": filters, "error": error,
        "query": urlencode({k: v for k, v in filters.items() if v}), "oob": htmx,
        "kinds": WarningKind.choices, "severities": WarningSeverity.choices, "statuses": WarningStatus.choices,
        "counties": scope(request.user, Jurisdiction.objects.filter(level=Level.COUNTY)),
        "grids": _grids(request.user, filters),
        "brands": Brand.objects.all(),
        "can_export": has_perm(request.user, Perm.EXPORT),
        "can_analyze": has_perm(request.user, Perm.PARCELS_ANALYZE),
        "switch": ParcelSettings.current(), "last_run": AnalysisRun.objects.first(),
    }
    # htmx swaps only successful answers: a bad date's message is sent with 200 to the filter form's request
    template = "parcels/_warnings_table.html" if htmx else "parcels/warnings.html"
    return render(request, template, context, status=200 if htmx else status)


@login_required
def warning_export(request: HttpRequest) -> HttpResponse:
    """The warning list as Excel, with the list's filters (period, place, kind, severity, brand, status)."""
    try:
        require(request.user, Perm.EXPORT)
        qs = selectors.warning_list(user=request.user, filters=_filters(request))
    except DomainError as exc:
        return _error(request, exc)
    from django.utils import timezone

    def t(value: dt.datetime | None) -> str:
        return "" if value is None else timezone.localtime(value).strftime("%Y-%m-%d %H:%M")

    headers = [_("No."), _("Kind"), _("Subject"), _("Site"), _("County / district"), _("From"), _("Until"),
               _("Parcels"), _("Severity"), _("Risk contribution"), _("Status"), _("Example waybills")]
    rows = ([w.pk, w.get_kind_display(), w.subject_id, w.site.name if w.site else "",
             w.county.name if w.county else "", t(w.window_start), t(w.window_end), w.count,
             w.get_severity_display(), w.risk_points, w.get_status_display(), " ".join(w.waybills)]
            for w in qs.iterator(chunk_size=2000))
    return xlsx_response("early-warnings.xlsx", str(_("Early warnings")), [str(h) for h in headers], rows)


@login_required
def warning_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        require(request.user, Perm.WARNINGS_VIEW)
        warning = get_for(request.user, EarlyWarning.objects.select_related("site", "machine", "county", "event"),
                          pk=pk)
    except DomainError as exc:
        return _error(request, exc)
    windows = list(warning.machine.status_windows.all()[:20]) if warning.machine_id else []
    return render(request, "parcels/warning_detail.html", {
        "w": warning, "windows": windows, "description": services.event_description(warning),
        "can_act": has_perm(request.user, Perm.WARNINGS_ACT) and WARNING_FLOW.is_open(warning.status),
        "convertible": warning.kind in services.HAZARD_OF_KIND and warning.site_id is not None,
        "can_trace": has_perm(request.user, Perm.PARCELS_TRACE),
    })


@login_required
@require_POST
def warning_act(request: HttpRequest, pk: int) -> HttpResponse:
    action = request.POST.get("action", "")
    try:
        if action == "acknowledge":
            services.warning_acknowledge(user=request.user, warning_id=pk)
            messages.success(request, _("Warning acknowledged."))
        elif action == "dismiss":
            services.warning_dismiss(user=request.user, warning_id=pk, reason=request.POST.get("reason", ""))
            messages.success(request, _("Warning dismissed."))
        elif action == "convert":
            warning = services.warning_convert(user=request.user, warning_id=pk)
            messages.success(request, _("Hazard event %(n)s reported to the county centre.") % {"n": warning.event_id})
        else:
            messages.error(request, _("Unknown action."))
    except DomainError as exc:
        return _error(request, exc)
    return redirect(reverse("parcels:warning", args=[pk]))


@login_required
@require_POST
def analysis_start(request: HttpRequest) -> HttpResponse:
    try:
        services.analysis_request(user=request.user, all_days=request.POST.get("all") == "1")
    except DomainError as exc:
        return _error(request, exc)
    messages.success(request, _("The analysis has been started; new warnings appear here when it is done."))
    return redirect(reverse("parcels:warnings"))


@login_required
@require_POST
def auto_convert(request: HttpRequest) -> HttpResponse:
    try:
        switch = services.settings_set_auto_convert(user=request.user, enabled=request.POST.get("enabled") == "1")
    except DomainError as exc:
        return _error(request, exc)
    messages.success(request, _("High-severity warnings now become hazard events automatically.")
                     if switch.auto_convert_high else _("Automatic conversion is off."))
    return redirect(reverse("parcels:warnings"))


def _day(value: str, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return default


@login_required
def trace(request: HttpRequest) -> HttpResponse:
    # A sender is looked up by POST (an ID number must not end up in URLs and access logs); links
    # carry only the hash.
    data = request.POST if request.method == "POST" else request.GET
    context: dict[str, Any] = {"waybill": data.get("waybill", "").strip(), "sender": data.get("sender", "").strip()}
    if request.method != "POST" and selectors.RAW_ID.match(context["sender"]):
        context["sender"] = ""
    today = clock.today()
    start = _day(data.get("start", ""), today - dt.timedelta(days=30))
    end = _day(data.get("end", ""), today)
    context.update(start=start, end=end)
    status = 200
    try:
        require(request.user, Perm.PARCELS_TRACE)
        if context["waybill"]:
            context["result"] = selectors.parcel_trace(user=request.user, waybill_no=context["waybill"])
        elif context["sender"]:
            key, rows = selectors.sender_parcels(user=request.user, sender=context["sender"], start=start, end=end)
            context.update(sender_key=key, sender_rows=rows, sender="")  # never echo an ID number back
    except DomainError as exc:
        if exc.code == "forbidden":
            return _error(request, exc)
        context["error"], status = exc.message, exc.status
    return render(request, "parcels/trace.html", context, status=status)


@login_required
def upload(request: HttpRequest) -> HttpResponse:
    try:
        require(request.user, Perm.PARCELS_PUSH)
    except DomainError as exc:
        return _error(request, exc)
    batch = error = None
    if request.method == "POST":
        file = request.FILES.get("file")
        try:
            if file is None:
                raise Invalid(_("Choose a file."), code="file_required")
            batch = services.batch_upload(user=request.user, upload=file)
        except DomainError as exc:
            error = exc
    batches = scope(request.user, ParcelBatch)[:20]
    return render(request, "parcels/upload.html", {"batch": batch, "error": error, "batches": batches},
                  status=error.status if error else 200)
