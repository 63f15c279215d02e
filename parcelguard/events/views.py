"""Pages of the hazard workflow. Thin: they read through selectors and write through services."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parcelguard.accounts.models import Jurisdiction, Level
from parcelguard.accounts.roles import Perm, Role, has_perm
from parcelguard.accounts.scoping import require, scope
from parcelguard.core.errors import DomainError
from parcelguard.core.excel import xlsx_response
from parcelguard.core.pii import mask_name, mask_phone, mask_text
from parcelguard.events import deadlines, selectors, services
from parcelguard.events.models import (
    Case,
    HazardType,
    LegalBasis,
    Outcome,
    Reward,
    Severity,
    Source,
    TipOff,
    TransitionEvidence,
)
from parcelguard.events.states import STEPS_BY_ACTION, State, Tier
from parcelguard.registry.models import Brand, Site

# Which inputs each action's form has (and which service arguments they become).
ACTION_FIELDS: dict[str, tuple[str, ...]] = {
    "verify": ("note", "site_id", "files"), "reject": ("reason_code", "reason"), "remind": ("note",),
    "answer": ("note", "files"), "confirm_fix": ("note", "files"), "case_confirm_fix": ("note", "files"),
    "fail_fix": ("reason", "files"), "escalate": ("reason",), "case_open": ("reason",),
    "case_decline": ("reason",), "case_investigate": ("note", "files"), "case_extend": ("reason",),
    "case_notify": ("legal_basis", "outcome", "amount", "reason"), "case_defend": ("reason", "hearing_requested"),
    "case_decide": ("outcome", "legal_basis", "amount", "reason"), "case_serve": ("note", "files"),
    "case_paid": ("note", "files"), "case_enforced": ("reason", "files"),
}


def _error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return render(request, "error.html", {"message": exc.message}, status=exc.status)


# ---- lists -----------------------------------------------------------------------------------------------

def _filters(request: HttpRequest) -> dict[str, Any]:
    names = ("q", "type", "state", "tier", "county", "brand", "source", "overdue")
    return {n: request.GET.get(n, "") for n in names}


@login_required
def event_index(request: HttpRequest) -> HttpResponse:
    qs = selectors.event_list(user=request.user, filters=_filters(request))
    page = Paginator(qs, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page, "total": page.paginator.count, "filters": _filters(request),
        "types": HazardType.objects.filter(active=True), "states": State.choices, "tiers": Tier.choices,
        "counties": scope(request.user, Jurisdiction.objects.filter(level=Level.COUNTY)),
        "brands": Brand.objects.all(), "sources": Source.choices,
        "can_export": has_perm(request.user, Perm.EXPORT),
        "can_report": request.user.role in STEPS_BY_ACTION["report"].roles,
    }
    template = "events/_table.html" if request.headers.get("HX-Request") else "events/list.html"
    return render(request, template, context)


@login_required
def event_export(request: HttpRequest) -> HttpResponse:
    try:
        require(request.user, Perm.EXPORT)
    except DomainError as exc:
        return _error(request, exc)
    qs = selectors.event_list(user=request.user, filters=_filters(request))
    headers = ["编号", "隐患类型", "严重程度", "网点", "品牌", "县区", "来源", "状态", "层级", "期限", "返工次数",
               "上报时间", "办结时间"]
    rows = ([e.pk, e.hazard_type.name, e.get_severity_display(), e.site.name if e.site else mask_text(e.place), e.enterprise.brand_id if e.enterprise else "",
             e.county.name, e.get_source_display(), e.get_state_display(), e.get_tier_display(),
             e.due_day, e.rework_count, e.reported_at.astimezone().replace(tzinfo=None),
             e.closed_at.astimezone().replace(tzinfo=None) if e.closed_at else None]
            for e in qs.iterator(chunk_size=2000))
    return xlsx_response("events.xlsx", "隐患事件", headers, rows)


# ---- report ----------------------------------------------------------------------------------------------

def _int(value: str | None) -> int:
    return int(value) if value and value.isdigit() and len(value) < 10 else 0


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except ValueError:
        return None


@login_required
def event_new(request: HttpRequest) -> HttpResponse:
    if request.user.role not in STEPS_BY_ACTION["report"].roles:
        return render(request, "error.html", {"message": _("Your role may not report hazards.")}, status=403)
    error = error_code = ""
    if request.method == "POST":
        try:
            event = services.event_report(
                user=request.user, site_id=_int(request.POST.get("site_id")),
                hazard_type=request.POST.get("hazard_type", ""), description=request.POST.get("description", ""),
                severity=request.POST.get("severity", ""), latitude=_float(request.POST.get("latitude")),
                longitude=_float(request.POST.get("longitude")), uploads=request.FILES.getlist("files"))
        except DomainError as exc:
            error, error_code = str(exc.message), exc.code
        else:
            messages.success(request, _("Reported. The county centre has been told."))
            return redirect("events:detail", event.pk)
    sites = list(scope(request.user, Site).filter(status="active").select_related("enterprise__brand")
                 .order_by("name"))
    # A refused point is not offered again; any other error keeps the point the user had.
    keep = error_code not in ("location_outside_city", "invalid_location")
    return render(request, "events/new.html", {
        "sites": sites, "types": HazardType.objects.filter(active=True), "severities": Severity.choices,
        "error": error, "error_code": error_code, "post": request.POST,
        "latitude": request.POST.get("latitude", "")[:20] if keep else "",
        "longitude": request.POST.get("longitude", "")[:20] if keep else "",
        "picker": _picker_data(sites), "picker_i18n": _picker_i18n()}, status=400 if error else 200)


def _picker_i18n() -> dict[str, str]:
    return {"here": _("Location"), "picked": _("picked on the map"), "gps": _("from GPS"), "site": _("site"),
            "outside": _("Your position lies outside the city: tap the map where the hazard is."),
            "none": _("Location not available on this device."), "locating": _("Locating…"),
            "denied": _("Location not shared: tap the map where the hazard is, or send the report without it.")}


def _picker_data(sites: list[Site]) -> dict[str, Any]:
    """What the report form's offline map needs: the city's schematic districts (the dashboard's own
    boundary file), the box the server accepts, and the user's visible, located sites."""
    from parcelguard.analytics import boundaries
    from parcelguard.events.location import city_box

    return {"districts": boundaries.load(), "box": city_box(),
            "sites": [{"id": s.pk, "name": s.name, "value": [float(s.longitude), float(s.latitude)]}
                      for s in sites if s.latitude is not None and s.longitude is not None]}


# ---- detail and actions ------------------------------------------------------------------------------------

@login_required
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        event = services.event_get_for(request.user, pk)
    except DomainError as exc:
        return _error(request, exc)
    case = Case.objects.select_related("legal_basis").filter(event=event).first()
    steps = services.allowed_actions(request.user, event)
    tipoff = TipOff.objects.filter(event=event).first()
    needs_site = event.site_id is None and any(s.action == "verify" for s in steps)
    return render(request, "events/detail.html", {
        "event": event, "case": case, "timeline": selectors.timeline(event),
        "steps": [(s, ACTION_FIELDS.get(s.action, ())) for s in steps],
        "legal_bases": LegalBasis.objects.filter(active=True), "outcomes": Outcome.choices,
        "reject_reasons": services.REJECT_REASONS.items(),
        "sites": scope(request.user, Site).filter(county=event.county).order_by("name") if needs_site else None,
        "tipoff": tipoff, "reporter_name": mask_name(tipoff.reporter_name) if tipoff else "",
        "reporter_phone": mask_phone(tipoff.reporter_phone) if tipoff else "",
        "reward": Reward.objects.filter(event=event).first(),
        "can_export": has_perm(request.user, Perm.EXPORT),
        "can_propose_reward": (tipoff is not None and request.user.role == Role.COUNTY_CENTRE
                               and event.state not in (State.REPORTED, State.REJECTED)),
        "remind_due": deadlines.day_of(event.hazard_type.rectify_deadline(_today())),
    })


def _today() -> Any:
    from parcelguard.core import clock

    return clock.today()


def _kwargs(action: str, request: HttpRequest) -> dict[str, Any]:
    post = request.POST
    kwargs: dict[str, Any] = {"version": _int(post.get("version"))}
    for name in ACTION_FIELDS[action]:
        if name == "files":
            kwargs["uploads"] = request.FILES.getlist("files")
        elif name == "hearing_requested":
            kwargs[name] = post.get(name) == "on"
        elif name == "site_id":
            kwargs[name] = _int(post.get(name)) or None
        elif name == "amount":
            kwargs[name] = post.get(name) or None
        else:
            kwargs[name] = post.get(name, "")
    return kwargs


@login_required
@require_POST
def event_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    service = services.ACTIONS.get(action)
    if service is None:
        raise Http404
    try:
        service(user=request.user, event_id=pk, **_kwargs(action, request))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Done: %(step)s.") % {"step": STEPS_BY_ACTION[action].label})
    return redirect("events:detail", pk)


@login_required
def evidence_download(request: HttpRequest, pk: int, attachment: int) -> HttpResponse:
    """A file of a step: only for users who can see the event it belongs to."""
    from parcelguard.evidence.services import evidence_response

    try:
        event = services.event_get_for(request.user, pk)
    except DomainError as exc:
        return _error(request, exc)
    found = TransitionEvidence.objects.select_related("evidence").filter(pk=attachment, transition__event=event).first()
    if found is None:
        raise Http404
    try:
        return evidence_response(found.evidence, user=request.user, thumbnail=request.GET.get("thumb") == "1",
                                 where=f"event:{event.pk}")
    except DomainError as exc:
        return _error(request, exc)


@login_required
def case_index(request: HttpRequest) -> HttpResponse:
    """The city tier's cases with their clocks; cases with a missed clock first."""
    cases = list(scope(request.user, Case).select_related("event__hazard_type", "event__site", "event__county",
                                                           "legal_basis").order_by("-opened_at")[:500])
    rows = [(c, c.clocks()) for c in cases]
    rows.sort(key=lambda r: (not any(k.state == "missed" for k in r[1]), -r[0].opened_at.timestamp()))
    page = Paginator(rows, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "events/cases.html", {"page": page, "total": len(rows)})


@login_required
def event_bundle(request: HttpRequest, pk: int) -> HttpResponse:
    """The event's signed evidence bundle (timeline, documents, files, hashes, verify.py) for a procurator
    or a court; only for users who can see the event and may export."""
    from parcelguard.trail.bundle import bundle_response

    try:
        event = services.event_get_for(request.user, pk)
        return bundle_response(subject=f"event:{event.pk}", user=request.user)
    except DomainError as exc:
        return _error(request, exc)


# ---- inbox and rewards ------------------------------------------------------------------------------------------

@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        services.notifications_mark_read(user=request.user)
        return redirect("events:inbox")
    page = Paginator(selectors.inbox(request.user), settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "events/inbox.html", {"page": page, "items": selectors.openable(request.user, page),
                                                 "unread": selectors.unread_count(request.user)})


@login_required
def rewards(request: HttpRequest) -> HttpResponse:
    items = scope(request.user, Reward).select_related("event__hazard_type", "event__county")
    return render(request, "events/rewards.html", {"rewards": items,
                                                   "can_decide": request.user.role == Role.CITY_BUREAU})


@login_required
@require_POST
def reward_act(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    try:
        if step == "propose":
            services.reward_propose(user=request.user, event_id=pk, amount=request.POST.get("amount", ""),
                                    note=request.POST.get("note", ""))
            messages.success(request, _("Reward proposed."))
            return redirect("events:detail", pk)
        if step == "approve":
            services.reward_approve(user=request.user, reward_id=pk)
        elif step == "pay":
            services.reward_pay(user=request.user, reward_id=pk, payment_ref=request.POST.get("payment_ref", ""))
        else:
            raise Http404
    except DomainError as exc:
        messages.error(request, exc.message)
        if step == "propose":
            return redirect("events:detail", pk)
    return redirect(reverse("events:rewards"))
