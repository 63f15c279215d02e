"""Pages of emergency management. Thin: they read through selectors and write through services; every
refusal is shown as a message in the user's language, never a 500."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parcelguard.accounts.models import Jurisdiction, Level
from parcelguard.accounts.roles import Role
from parcelguard.accounts.scoping import scope
from parcelguard.core import clock, workflow
from parcelguard.core.errors import Conflict, DomainError
from parcelguard.emergency import selectors, services
from parcelguard.emergency.flow import ACTION_FLOW, INCIDENT_FLOW
from parcelguard.emergency.models import DrillKind, IncidentKind, IncidentState, PlanKind, Scenario
from parcelguard.registry.models import Enterprise, Site, Status

REPORTERS = (Role.ENTERPRISE, Role.GRID_WORKER, Role.COUNTY_CENTRE)


def _error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return render(request, "error.html", {"message": exc.message}, status=exc.status)


def _not_found(request: HttpRequest) -> HttpResponse:
    return render(request, "error.html", {"message": _("Record not found.")}, status=404)


def _version(request: HttpRequest) -> int | None:
    value = request.POST.get("version", "")
    return int(value) if value.isdigit() else None


def _page(request: HttpRequest, qs: Any) -> Any:
    return Paginator(qs, settings.PAGE_SIZE).get_page(request.GET.get("page"))


# ---- incidents -------------------------------------------------------------------------------------------

@login_required
def incident_list(request: HttpRequest) -> HttpResponse:
    filters = {k: request.GET.get(k, "") for k in ("state", "kind", "county", "q")}
    page = _page(request, selectors.filter_incidents(request.user, filters))
    now = clock.now()
    rows = [(i, services.current_stage(i), services.on_time(i, now)) for i in page]
    return render(request, "emergency/incidents.html", {
        "page": page, "rows": rows, "filters": filters, "now": now, "states": IncidentState.choices,
        "kinds": IncidentKind.choices, "can_report": request.user.role in REPORTERS,
        "counties": scope(request.user, Jurisdiction).filter(level=Level.COUNTY).order_by("code"),
        "waiting": selectors.waiting_incidents(request.user).count(),
        "limits": (services.report_minutes(), services.forward_minutes(), services.take_charge_minutes())})


def _sites(user: Any) -> Any:
    return scope(user, Site).filter(status=Status.ACTIVE).select_related("county").order_by("code")[:300]


@login_required
def incident_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.role not in REPORTERS:
        return render(request, "error.html", {"message": _("Your role may not take this step.")}, status=403)
    error = ""
    if request.method == "POST":
        try:
            incident = services.incident_report(
                user=user, kind=request.POST.get("kind", ""), occurred_at=request.POST.get("occurred_at", ""),
                place=request.POST.get("place", ""), summary=request.POST.get("summary", ""),
                first_measures=request.POST.get("first_measures", ""),
                site_id=int(request.POST["site_id"]) if request.POST.get("site_id", "").isdigit() else None,
                casualties=request.POST.get("casualties") or 0, uploads=request.FILES.getlist("files"))
        except DomainError as exc:
            error = str(exc.message)
        else:
            messages.success(request, _("Incident reported; the county safety centre has been told."))
            return redirect("emergency:incident", incident.pk)
    now = clock.now().astimezone(services.local_tz())
    return render(request, "emergency/incident_new.html", {
        "kinds": IncidentKind.choices, "sites": _sites(user), "post": request.POST, "error": error,
        "now_local": now.strftime("%Y-%m-%dT%H:%M"), "report_minutes": services.report_minutes(),
        "site_required": user.role == Role.ENTERPRISE}, status=400 if error else 200)


@login_required
def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    incident = selectors.incidents(request.user).filter(pk=pk).first()
    if incident is None:
        return _not_found(request)
    now = clock.now()
    stages = [(s, s.status(now), abs(s.minutes_left(now))) for s in services.stages(incident)]
    return render(request, "emergency/incident.html", {
        "incident": incident, "stages": stages, "current": services.current_stage(incident), "now": now,
        "on_time": services.on_time(incident, now),
        "steps": workflow.allowed_steps(INCIDENT_FLOW, request.user, incident, now),
        "updates": incident.updates.select_related("author").prefetch_related("evidence"),
        "evidence": incident.evidence.all(), "history": _history(INCIDENT_FLOW, incident)})


def _history(flow: Any, obj: Any) -> list[tuple[Any, Any]]:
    labels = {s.action: s.label for s in flow.steps}
    return [(c, labels.get(c.action, c.action)) for c in workflow.history(flow.subject(obj))]


@login_required
@require_POST
def incident_step(request: HttpRequest, pk: int) -> HttpResponse:
    user, action, text = request.user, request.POST.get("action", ""), request.POST.get("text", "")
    args: dict[str, Any] = {"user": user, "incident_id": pk, "version": _version(request)}
    uploads = request.FILES.getlist("files")
    try:
        if action == "forward":
            services.incident_forward(note=text, **args)
        elif action == "take_charge":
            services.incident_take_charge(note=text, **args)
        elif action == "follow_up":
            services.incident_follow_up(text=text, uploads=uploads, **args)
        elif action == "close":
            services.incident_close(summary=text, uploads=uploads, **args)
        else:
            raise Conflict(INCIDENT_FLOW.message("unknown_action"), code="unknown_action")
    except DomainError as exc:
        return _error(request, exc)
    messages.success(request, _("Step recorded."))
    return redirect("emergency:incident", pk)


@login_required
def incident_evidence(request: HttpRequest, pk: int, evidence: int) -> HttpResponse:
    from parcelguard.evidence.services import evidence_response

    incident = selectors.incidents(request.user).filter(pk=pk).first()
    if incident is None:
        return _not_found(request)
    found = incident.evidence.filter(pk=evidence).first()
    if found is None:
        from parcelguard.emergency.models import IncidentUpdate

        found = next((ev for u in IncidentUpdate.objects.filter(incident=incident).prefetch_related("evidence")
                      for ev in u.evidence.all() if ev.pk == evidence), None)
    if found is None:
        return _not_found(request)
    try:
        return evidence_response(found, user=request.user, thumbnail=request.GET.get("thumb") == "1",
                                 where=f"incident:{incident.pk}")
    except DomainError as exc:
        return _error(request, exc)


# ---- plans -----------------------------------------------------------------------------------------------

@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    error = ""
    if request.method == "POST":
        try:
            plan = services.plan_file(
                user=user, kind=request.POST.get("kind", ""), title=request.POST.get("title", ""),
                version_label=request.POST.get("version_label", ""), approved_by=request.POST.get("approved_by", ""),
                approved_on=request.POST.get("approved_on", ""), review_on=request.POST.get("review_on") or None,
                upload=request.FILES.get("file"))
        except DomainError as exc:
            error = str(exc.message)
        else:
            messages.success(request, _("Emergency plan filed."))
            return redirect("emergency:plan", plan.pk)
    today = clock.today()
    filters = {k: request.GET.get(k, "") for k in ("kind", "q")}
    filters["validity"] = request.GET.get("validity", "current")
    page = _page(request, selectors.filter_plans(user, filters, today))
    missing = selectors.without_valid_plan(user, today)
    return render(request, "emergency/plans.html", {
        "page": page, "rows": [(p, selectors.plan_status(p, today)) for p in page], "filters": filters,
        "kinds": PlanKind.choices, "missing": missing[:200], "missing_count": missing.count(),
        "can_file": user.role == Role.ENTERPRISE, "post": request.POST, "error": error,
        "valid_years": services.plan_valid_years(), "today": today}, status=400 if error else 200)


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plans(request.user).filter(pk=pk).first()
    if plan is None:
        return _not_found(request)
    history = selectors.plans(request.user).filter(enterprise_id=plan.enterprise_id, kind=plan.kind).order_by("-filed_at")
    return render(request, "emergency/plan.html", {"plan": plan, "status": selectors.plan_status(plan, clock.today()),
                                                    "history": history})


@login_required
def plan_download(request: HttpRequest, pk: int) -> HttpResponse:
    from parcelguard.evidence.services import evidence_response

    plan = selectors.plans(request.user).filter(pk=pk).first()
    if plan is None:
        return _not_found(request)
    try:
        return evidence_response(plan.file, user=request.user, where=f"plan:{plan.pk}")
    except DomainError as exc:
        return _error(request, exc)


# ---- drills ----------------------------------------------------------------------------------------------

def _action_rows(request: HttpRequest) -> list[dict[str, Any]]:
    rows = []
    for i in range(1, 4):
        problem = request.POST.get(f"problem_{i}", "").strip()
        if problem:
            owner = request.POST.get(f"owner_{i}", "")
            rows.append({"problem": problem, "measure": request.POST.get(f"measure_{i}", ""),
                         "due_on": request.POST.get(f"due_{i}", ""),
                         "enterprise_id": owner[2:] if owner.startswith("e:") else None,
                         "jurisdiction_id": owner[2:] if owner.startswith("j:") else None})
    return rows


def _owners(user: Any) -> list[tuple[str, str]]:
    if user.role != Role.CITY_BUREAU:
        return []
    places = scope(user, Jurisdiction).exclude(level=Level.GRID).order_by("path")
    firms = scope(user, Enterprise).filter(status=Status.ACTIVE).order_by("name")
    return [(f"j:{j.pk}", j.name) for j in places] + [(f"e:{e.pk}", e.name) for e in firms]


@login_required
def drill_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    error = ""
    if request.method == "POST":
        try:
            drill = services.drill_record(
                user=user, title=request.POST.get("title", ""), scenario=request.POST.get("scenario", ""),
                held_on=request.POST.get("held_on", ""), place=request.POST.get("place", ""),
                participants=request.POST.get("participants") or 0,
                participant_note=request.POST.get("participant_note", ""),
                evaluation=request.POST.get("evaluation", ""),
                enterprise_ids=[int(i) for i in request.POST.getlist("enterprise_ids") if i.isdigit()],
                photos=request.FILES.getlist("photos"), actions=_action_rows(request))
        except DomainError as exc:
            error = str(exc.message)
        else:
            messages.success(request, _("Drill recorded."))
            return redirect("emergency:drill", drill.pk)
    filters = {k: request.GET.get(k, "") for k in ("kind", "year", "q")}
    page = _page(request, selectors.filter_drills(user, filters))
    return render(request, "emergency/drills.html", {
        "page": page, "filters": filters, "kinds": DrillKind.choices, "scenarios": Scenario.choices,
        "can_record": user.role in (Role.CITY_BUREAU, Role.ENTERPRISE), "post": request.POST, "error": error,
        "enterprises": scope(user, Enterprise).filter(status=Status.ACTIVE).order_by("name")
        if user.role == Role.CITY_BUREAU else [], "owners": _owners(user),
        "my_actions": selectors.my_open_actions(user)[:50], "today": clock.today()}, status=400 if error else 200)


@login_required
def drill_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    drill = selectors.drills(user).filter(pk=pk).first()
    if drill is None:
        return _not_found(request)
    now = clock.now()
    visible = selectors.actions(user).filter(drill=drill)
    rows = [(a, workflow.allowed_steps(ACTION_FLOW, user, a, now) if services._is_owner(user, a)
             or user.role in (Role.CITY_BUREAU, Role.COUNTY_CENTRE) else [], selectors.action_due(a) <= now)
            for a in visible]
    organiser = (drill.kind == DrillKind.CITY and user.role == Role.CITY_BUREAU) or (
        drill.kind == DrillKind.ENTERPRISE and drill.enterprise_id == getattr(user, "enterprise_id", None))
    owners = [(f"e:{e.pk}", e.name) for e in drill.enterprises.all()] + [
        o for o in _owners(user) if o[0].startswith("j:")]
    return render(request, "emergency/drill.html", {
        "drill": drill, "rows": rows, "organiser": organiser, "owners": owners, "today": clock.today(),
        "photos": drill.photos.all(), "taking_part": drill.enterprises.all()})


@login_required
@require_POST
def drill_action_add(request: HttpRequest, pk: int) -> HttpResponse:
    owner = request.POST.get("owner", "")
    try:
        services.drill_add_action(
            user=request.user, drill_id=pk, problem=request.POST.get("problem", ""),
            due_on=request.POST.get("due_on", ""), measure=request.POST.get("measure", ""),
            enterprise_id=int(owner[2:]) if owner.startswith("e:") and owner[2:].isdigit() else None,
            jurisdiction_id=int(owner[2:]) if owner.startswith("j:") and owner[2:].isdigit() else None)
    except DomainError as exc:
        return _error(request, exc)
    messages.success(request, _("Action item added."))
    return redirect("emergency:drill", pk)


@login_required
@require_POST
def action_step(request: HttpRequest, pk: int) -> HttpResponse:
    action = selectors.actions(request.user).filter(pk=pk).first()
    if action is None:
        return _not_found(request)
    try:
        if request.POST.get("action") == "reopen":
            services.action_reopen(user=request.user, action_id=pk, version=_version(request),
                                   reason=request.POST.get("text", ""))
        else:
            services.action_complete(user=request.user, action_id=pk, version=_version(request),
                                     note=request.POST.get("text", ""), uploads=request.FILES.getlist("files"))
    except DomainError as exc:
        return _error(request, exc)
    messages.success(request, _("Step recorded."))
    return redirect("emergency:drill", action.drill_id)
