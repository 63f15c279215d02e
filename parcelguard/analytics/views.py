"""Pages of the analysis library: the dashboard, the drill-down list behind every figure, the duty
record, the monthly reports and their Excel exports. Thin: filters → scoped selectors → template."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from parcelguard.accounts.models import Jurisdiction, Level
from parcelguard.accounts.roles import Perm, Role, has_perm
from parcelguard.accounts.scoping import get_for, require, scope
from parcelguard.analytics import boundaries, duty, reports
from parcelguard.analytics.conf import conf_int
from parcelguard.analytics.filters import STATE_GROUPS, Filters, events_for
from parcelguard.analytics.indicators import GROUP_NAMES
from parcelguard.analytics.models import Report
from parcelguard.core import clock, registry
from parcelguard.core.errors import DomainError
from parcelguard.core.excel import xlsx_response
from parcelguard.documents.chinese import chinese_date
from parcelguard.events.models import HazardType
from parcelguard.registry.models import Brand, Site

SEGMENT_LABELS = {"due": gettext_lazy("Due for closure"), "closed": pgettext_lazy("event state", "Closed"),
                  "ontime": gettext_lazy("Closed on time"), "closed_county": gettext_lazy("Closed at county tier"),
                  "rework": gettext_lazy("With rework"), "overdue": gettext_lazy("Overdue"),
                  "open": gettext_lazy("Open")}


def _error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return render(request, "error.html", {"message": exc.message}, status=exc.status)


def _choices(user: Any) -> dict[str, Any]:
    places = scope(user, Jurisdiction) if user.role != Role.ENTERPRISE else Jurisdiction.objects.none()
    return {"counties": places.filter(level=Level.COUNTY), "grids": places.filter(level=Level.GRID),
            "brands": Brand.objects.all(), "types": HazardType.objects.all(),
            "can_export": has_perm(user, Perm.EXPORT)}


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    f = Filters.parse(request.GET)
    return render(request, "analytics/dashboard.html", {
        "f": f, "query": f.query(), "can_warnings": has_perm(request.user, Perm.WARNINGS_VIEW),
        "registered": registered_figures(request.user, f), **_choices(request.user)})


def registered_figures(user: Any, f: Filters) -> list[tuple[Any, Any, float | int, str]]:
    """Every app's registered figures (core.registry) for the period, inside the user's scope: the
    figures each app declares once and the API answers too (GET /api/v1/analytics/figures)."""
    now = clock.now()
    return [(fig.key, fig.label, fig.compute(user, f.since, f.until, now=now), str(fig.help))
            for fig in registry.figures()]


@login_required
def ping(request: HttpRequest) -> JsonResponse:
    """The floor of the benchmark: a logged-in request that computes nothing."""
    return JsonResponse({"ok": True})


@login_required
def districts(request: HttpRequest) -> JsonResponse:
    """The shipped (schematic) district boundaries as GeoJSON, for the map."""
    response = JsonResponse(boundaries.load())
    response["Cache-Control"] = "private, max-age=3600"
    return response


def _describe(user: Any, f: Filters) -> list[str]:
    """The filters of a drill-down in words, for the chips above the list."""
    names = dict(scope(user, Jurisdiction).filter(code__in=[c for c in (f.county, f.grid) if c]).values_list("code", "name"))
    parts = [f"{f.start:%Y-%m-%d} – {f.end:%Y-%m-%d}"]
    for value, label in ((f.county, _("county")), (f.grid, _("grid"))):
        if value:
            parts.append(f"{label}: {names.get(value, value)}")
    if f.brand:
        parts.append(f"{_('brand')}: {Brand.objects.filter(code=f.brand).values_list('name', flat=True).first() or f.brand}")
    if f.type:
        kind = HazardType.objects.filter(code=f.type).values_list("name", flat=True).first()
        parts.append(f"{_('hazard type')}: {kind or f.type}")
    if f.tier:
        parts.append(f"{_('tier')}: {_('city bureau') if f.tier == 'city' else _('county centre')}")
    if f.group:
        parts.append(str(GROUP_NAMES[f.group]))
    if f.segment:
        parts.append(str(SEGMENT_LABELS[f.segment]))
    if f.site:
        parts.append(f"{_('site')}: {scope(user, Site).filter(pk=int(f.site)).values_list('name', flat=True).first() or f.site}")
    return parts


COUNT_CAP = 10_000  # a drill-down counts up to this many rows; beyond, it says "10,000+"


class CappedCount:
    """A queryset for the paginator whose count stops at COUNT_CAP: counting a year of a city's events
    exactly costs more than the page itself, and nobody pages past 400."""

    def __init__(self, qs: Any) -> None:
        self.qs = qs

    def count(self) -> int:
        return self.qs.order_by()[:COUNT_CAP].count()

    def __getitem__(self, item: Any) -> Any:
        return self.qs[item]

    def __len__(self) -> int:
        return self.count()


@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    """The drill-down: the events behind a figure, with every filter of the dashboard."""
    f = Filters.parse(request.GET)
    qs = (events_for(request.user, f).select_related("hazard_type", "site", "enterprise", "county")
          .order_by("-reported_at", "-pk"))
    page = Paginator(CappedCount(qs), settings.PAGE_SIZE).get_page(request.GET.get("page"))
    total = page.paginator.count
    return render(request, "analytics/events.html", {
        "f": f, "page": page, "total": total, "capped": total >= COUNT_CAP, "query": f.query(),
        "describe": _describe(request.user, f),
        "groups": [(g, GROUP_NAMES[g]) for g in STATE_GROUPS], "segments": SEGMENT_LABELS.items(),
        **_choices(request.user)})


def _local(moment: dt.datetime | None) -> dt.datetime | None:
    return moment.astimezone().replace(tzinfo=None) if moment else None


@login_required
def event_export(request: HttpRequest) -> HttpResponse:
    try:
        require(request.user, Perm.EXPORT)
    except DomainError as exc:
        return _error(request, exc)
    f = Filters.parse(request.GET)
    rows = (events_for(request.user, f).order_by("-reported_at", "-pk").values_list(
        "pk", "hazard_type__name", "site__name", "place", "enterprise__brand_id", "county__name", "jurisdiction_path",
        "state", "escalated_at", "rectify_by", "deadline", "rework_count", "reported_at", "closed_at"))
    headers = ["编号", "隐患类型", "网点", "品牌", "县区", "辖区路径", "状态", "处置层级", "整改期限", "当前期限", "返工次数",
               "上报时间", "办结时间"]
    from parcelguard.events.states import State

    def out() -> Any:
        for (pk, kind, site, place, brand, county, path, state, escalated, rectify_by, deadline, rework, reported,
             closed) in rows.iterator(chunk_size=5000):
            yield [pk, kind, site or place, brand or "", county, path, str(State(state).label),
                   "市局" if escalated else "县区", _local(rectify_by), _local(deadline), rework, _local(reported),
                   _local(closed)]

    return xlsx_response(f"events-{f.start:%Y%m%d}-{f.end:%Y%m%d}.xlsx", "隐患事件", headers, out())


# ---- the duty record ---------------------------------------------------------------------------------------

DUTY_PAGE_LINES = 100


def _duty_allowed(user: Any) -> bool:
    return user.role in (Role.CITY_BUREAU, Role.COUNTY_CENTRE, Role.PROCURATOR, Role.ADMIN, Role.GRID_WORKER)


@login_required
def duty_page(request: HttpRequest) -> HttpResponse:
    if not _duty_allowed(request.user):
        return render(request, "error.html", {"message": _("Your role may not see the duty record.")}, status=403)
    f = Filters.parse(request.GET)
    record = duty.duty_record(request.user, f)
    # A city's month can hold thousands of lines: the page shows the first DUTY_PAGE_LINES of each heading
    # (all of one with ?all=<rule>); the PDF, the Excel export and the API hold every line.
    limit, everything = DUTY_PAGE_LINES, request.GET.get("all", "")
    sections = [(k, duty.heading(k), v if k == everything else v[:limit], len(v)) for k, v in record.lines.items()]
    return render(request, "analytics/duty.html", {
        "f": f, "query": f.query(), "record": record, "limit": limit, "sections": sections,
        **_choices(request.user)})


def _duty_context(user: Any, f: Filters) -> dict[str, Any]:
    """The duty record's PDF. A city's month can hold thousands of lines, which a PDF engine lays out in
    minutes and nobody reads on paper: each heading lists its first ANALYTICS_DUTY_PDF_LINES lines (100)
    and says how many there are; the Excel export and the API hold them all."""
    record = duty.duty_record(user, f)
    limit = conf_int("DUTY_PDF_LINES", 100)
    where = user.jurisdiction.name if user.jurisdiction else ""
    return {"title": "履职情况记录", "number": f"{f.start:%Y.%m.%d}—{f.end:%Y.%m.%d}",
            "authority": reports.authority_of(user.jurisdiction), "issue_date_cn": chinese_date(record.as_of),
            "where": where, "period_cn": f"{chinese_date(f.start)}至{chinese_date(f.end)}", "record": record,
            "sections": [(duty.heading_cn(k), v[:limit], len(v)) for k, v in record.lines.items()]}


@login_required
def duty_pdf(request: HttpRequest) -> HttpResponse:
    if not _duty_allowed(request.user):
        return render(request, "error.html", {"message": _("Your role may not see the duty record.")}, status=403)
    from parcelguard.documents.services import render_pdf

    f = Filters.parse(request.GET)
    pdf = render_pdf("analytics/duty_pdf.html", _duty_context(request.user, f))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="duty-{f.start:%Y%m%d}-{f.end:%Y%m%d}.pdf"'
    return response


def _ids_cell(ids: list[int], limit: int = 2000) -> str:
    """Event numbers in one cell; an Excel cell holds at most 32,767 characters, so a line of more than
    `limit` events names the first ones and the count (the API lists them all)."""
    text = ",".join(map(str, ids[:limit]))
    return text if len(ids) <= limit else f"{text}…（共{len(ids)}起）"


@login_required
def duty_export(request: HttpRequest) -> HttpResponse:
    try:
        require(request.user, Perm.EXPORT)
        if not _duty_allowed(request.user):
            raise DomainError(_("Your role may not see the duty record."))
    except DomainError as exc:
        return _error(request, exc)
    f = Filters.parse(request.GET)
    record = duty.duty_record(request.user, f)
    rows = ([duty.heading_cn(k), _ids_cell(line.event_ids) if line.event_ids else ",".join(line.subjects),
             line.subject, line.county, line.detail]
            for k, v in record.lines.items() for line in v)
    return xlsx_response(f"duty-{f.start:%Y%m%d}-{f.end:%Y%m%d}.xlsx", "履职记录",
                         ["事项", "事件编号", "对象", "县区", "情况"], rows)


# ---- monthly reports ---------------------------------------------------------------------------------------

def _report_places(user: Any) -> Any:
    return scope(user, Jurisdiction).filter(level__in=[Level.CITY, Level.COUNTY])


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    if request.user.role not in reports.REPORT_ROLES:
        return render(request, "error.html", {"message": _("Your role may not see reports.")}, status=403)
    last = reports.previous_month(dt.date.today())
    return render(request, "analytics/reports.html", {
        "reports": scope(request.user, Report).select_related("jurisdiction"),
        "places": _report_places(request.user), "default_month": f"{last:%Y-%m}",
        "can_export": has_perm(request.user, Perm.EXPORT)})


@login_required
@require_POST
def report_generate(request: HttpRequest) -> HttpResponse:
    try:
        month = dt.date.fromisoformat((request.POST.get("month") or "")[:7] + "-01")
    except ValueError:
        messages.error(request, _("Choose a month."))
        return redirect("analytics:reports")
    try:
        report = reports.report_request(user=request.user, jurisdiction_code=request.POST.get("jurisdiction", ""),
                                        month=month)
    except DomainError as exc:
        return _error(request, exc)
    messages.success(request, _("Report generated: %(title)s.") % {"title": report.title})
    return redirect("analytics:reports")


@login_required
def report_download(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        if request.user.role not in reports.REPORT_ROLES:
            raise DomainError(_("Your role may not see reports."))
        report = get_for(request.user, Report, pk=pk)
    except DomainError as exc:
        return _error(request, exc)
    return FileResponse(report.pdf.open("rb"), content_type="application/pdf",
                        filename=f"{report.title}.pdf")


@login_required
def report_export(request: HttpRequest) -> HttpResponse:
    try:
        require(request.user, Perm.EXPORT)
        if request.user.role not in reports.REPORT_ROLES:
            raise DomainError(_("Your role may not see reports."))
    except DomainError as exc:
        return _error(request, exc)
    rows = ([r.title, r.jurisdiction.name, r.month, r.figures.get("loop", {}).get("total"),
             r.figures.get("loop", {}).get("closure_rate"), _local(r.generated_at), r.size]
            for r in scope(request.user, Report).select_related("jurisdiction"))
    return xlsx_response("reports.xlsx", "月度报告", ["标题", "辖区", "月份", "上报隐患", "结案率", "生成时间", "大小（字节）"],
                         rows)
