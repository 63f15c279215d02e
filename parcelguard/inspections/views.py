"""Pages of inspections. Thin: they read through selectors and write through services."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parcelguard.core import workflow
from parcelguard.core.errors import DomainError
from parcelguard.core.excel import xlsx_response
from parcelguard.inspections import selectors, services
from parcelguard.inspections.flow import INSPECTION_FLOW, PLAN_FLOW
from parcelguard.inspections.models import CatalogueItem, Method, PlanKind, PlanState


def _error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return render(request, "error.html", {"message": exc.message}, status=exc.status)


def _missing(request: HttpRequest) -> HttpResponse:
    return render(request, "error.html", {"message": _("Record not found.")}, status=404)


def _history(flow: workflow.Flow, obj: Any) -> list[tuple[Any, Any]]:
    labels = {s.action: s.label for s in flow.steps}
    return [(c, labels.get(c.action, c.action)) for c in workflow.history(flow.subject(obj))]


def _version(request: HttpRequest) -> int | None:
    v = request.POST.get("version", "")
    return int(v) if v.isdigit() else None


@login_required
def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    error = ""
    if request.method == "POST":
        try:
            plan = services.plan_create(
                user=user, kind=request.POST.get("kind", ""), title=request.POST.get("title", ""),
                starts_on=request.POST.get("starts_on", ""), ends_on=request.POST.get("ends_on", ""),
                standard_id=int(request.POST.get("standard_id") or 0), ratio=request.POST.get("ratio", ""),
                minimum=request.POST.get("minimum") or 1, counties=request.POST.getlist("counties"),
                brands=request.POST.get("brands", ""), site_kinds=request.POST.getlist("site_kinds"),
                risk_weighted=request.POST.get("risk_weighted") == "on")
        except DomainError as exc:
            error = str(exc.message)
        else:
            messages.success(request, _("Plan created."))
            return redirect("inspections:plan", plan.pk)
    from parcelguard.accounts.models import Jurisdiction
    from parcelguard.accounts.scoping import scope
    from parcelguard.registry.models import SiteKind

    context = {
        "plans": selectors.plans(user)[:100], "assigned": selectors.assigned_to(user)[:100],
        "results": selectors.inspections(user).exclude(state="assigned").exclude(state="cancelled")[:100],
        "standards": selectors.standards(user).filter(published_at__isnull=False),
        "kinds": PlanKind.choices, "site_kinds": SiteKind.choices,
        "counties": scope(user, Jurisdiction).filter(level="county") if user.role != "enterprise" else [],
        "can_plan": user.role in ("city_bureau", "county_centre"), "error": error, "post": request.POST}
    return render(request, "inspections/index.html", context, status=400 if error else 200)


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plans(request.user).filter(pk=pk).first()
    if plan is None:
        return _missing(request)
    rows = plan.inspections.exclude(state="cancelled").select_related("site", "enterprise").prefetch_related(
        "inspectors")
    return render(request, "inspections/plan.html", {
        "plan": plan, "rows": rows[:500], "stats": selectors.plan_stats(plan),
        "steps": workflow.allowed_steps(PLAN_FLOW, request.user, plan),
        "history": _history(PLAN_FLOW, plan),
        "verification": services.verify_plan(plan) if plan.state in (PlanState.DRAWN, PlanState.CLOSED) else None})


@login_required
@require_POST
def plan_step(request: HttpRequest, pk: int) -> HttpResponse:
    action = request.POST.get("action", "")
    args: dict[str, Any] = {"user": request.user, "pk": pk, "version": _version(request)}
    try:
        if action == "commit":
            services.plan_commit(**args)
        elif action == "draw":
            services.plan_draw(**args)
        elif action == "redraw":
            services.plan_redraw(reason=request.POST.get("reason", ""), **args)
        elif action == "close":
            services.plan_close(**args)
        elif action == "publish_results":
            n = services.plan_publish_results(user=request.user, pk=pk)
            messages.success(request, _("%(n)d results published.") % {"n": n})
            return redirect("inspections:plan", pk)
        else:
            return render(request, "error.html", {"message": _("Unknown step.")}, status=400)
    except DomainError as exc:
        return _error(request, exc)
    messages.success(request, _("Done."))
    return redirect("inspections:plan", pk)


@login_required
def plan_export(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plans(request.user).filter(pk=pk).first()
    if plan is None:
        return _missing(request)
    rows = plan.inspections.exclude(state="cancelled").select_related("site", "enterprise").order_by("pk")
    return xlsx_response(f"inspections-{plan.pk}.xlsx", "检查结果",
                         ["检查记录编号", "网点编码", "网点", "企业", "状态", "得分", "满分", "得分率", "等级"],
                         ([i.number, i.site.code, i.site.name, i.enterprise.name, i.get_state_display(),
                           i.score, i.max_score, i.percent, i.get_grade_display()] for i in rows))


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    insp = selectors.inspections(request.user).filter(pk=pk).first()
    if insp is None:
        return _missing(request)
    items = [(item, insp.answers.get(item["code"])) for item in insp.standard.items
             if services.applies(item, insp.site.kind)]
    return render(request, "inspections/detail.html", {
        "insp": insp, "items": items, "findings": insp.findings.select_related("event"),
        "inspectors": insp.inspectors.all(), "can_fill": services.is_assigned(request.user, insp)
        and insp.state == "assigned",
        "steps": [s for s in workflow.allowed_steps(INSPECTION_FLOW, request.user, insp) if s.action == "publish"],
        "history": _history(INSPECTION_FLOW, insp)})


@login_required
@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.inspection_publish(user=request.user, pk=pk, version=_version(request))
    except DomainError as exc:
        return _error(request, exc)
    messages.success(request, _("Result published."))
    return redirect("inspections:detail", pk)


@login_required
def fill(request: HttpRequest, pk: int) -> HttpResponse:
    """The scored checklist on a phone: item by item, photos from the camera, the representative's
    signature; kept in the browser until the server has it (see static js in the template)."""
    insp = selectors.inspections(request.user).filter(pk=pk).first()
    if insp is None:
        return _missing(request)
    if not services.is_assigned(request.user, insp):
        return render(request, "error.html", {"message": _("Only the inspectors drawn for this inspection submit it.")},
                      status=403)
    if insp.state != "assigned":
        return redirect("inspections:detail", pk)
    items = [i for i in insp.standard.items if services.applies(i, insp.site.kind)]
    return render(request, "inspections/fill.html", {"insp": insp, "sections": _sections(items), "Method": Method})


def _sections(items: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        out.setdefault(item["section"], []).append(item)
    return list(out.items())


@login_required
@require_POST
def submit(request: HttpRequest, pk: int) -> JsonResponse:
    """The phone posts the whole checklist once (multipart): answers as JSON, photo_<code> files, the
    signature, a client token; answered in JSON. A repeat with the same token answers the stored result."""
    try:
        answers = json.loads(request.POST.get("answers") or "{}")
        if not isinstance(answers, dict):
            raise ValueError
    except ValueError:
        return JsonResponse({"error": {"code": "invalid_answers", "message": _("The answers are not valid.")}},
                            status=422)
    photos = {key.removeprefix("photo_"): request.FILES.getlist(key) for key in request.FILES if key.startswith("photo_")}
    try:
        insp, replayed = services.inspection_submit(
            user=request.user, pk=pk, answers=answers, client_token=request.POST.get("client_token", ""),
            representative=request.POST.get("representative", ""), signature=request.FILES.get("signature"),
            photos=photos, latitude=request.POST.get("latitude"), longitude=request.POST.get("longitude"))
    except DomainError as exc:
        if exc.code == "state_conflict":  # two sends of one form raced: the other one stored it
            insp = selectors.inspections(request.user).filter(pk=pk).first()
            if insp is not None and insp.client_token == request.POST.get("client_token", "") and insp.submitted_at:
                return JsonResponse({"ok": True, "replayed": True, "url": _detail_url(insp.pk)})
        return JsonResponse(exc.as_dict(), status=exc.status)
    return JsonResponse({"ok": True, "replayed": replayed, "score": str(insp.score), "percent": str(insp.percent),
                         "grade": insp.get_grade_display(), "url": _detail_url(insp.pk)})


def _detail_url(pk: int) -> str:
    from django.urls import reverse

    return reverse("inspections:detail", args=[pk])


# ---- standards ----------------------------------------------------------------------------------------

@login_required
def standards(request: HttpRequest) -> HttpResponse:
    error = ""
    if request.method == "POST":
        try:
            made = services.standard_import(
                user=request.user, upload=request.FILES.get("file"), code=request.POST.get("code", ""),
                title=request.POST.get("title", ""), total_points=request.POST.get("total_points") or 100,
                excellent_at=request.POST.get("excellent_at") or 90, pass_at=request.POST.get("pass_at") or 75)
        except DomainError as exc:
            error = str(exc.message)
        else:
            messages.success(request, _("Standard imported as a draft."))
            return redirect("inspections:standard", made.pk)
    return render(request, "inspections/standards.html", {
        "standards": selectors.standards(request.user), "error": error,
        "can_edit": request.user.role == "city_bureau"}, status=400 if error else 200)


@login_required
def standard_detail(request: HttpRequest, pk: int) -> HttpResponse:
    standard = selectors.standards(request.user).filter(pk=pk).first()
    if standard is None:
        return _missing(request)
    return render(request, "inspections/standard.html", {
        "standard": standard, "can_edit": request.user.role == "city_bureau", "methods": dict(Method.choices)})


@login_required
@require_POST
def standard_step(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        if request.POST.get("action") == "publish":
            made = services.standard_publish(user=request.user, pk=pk)
        elif request.POST.get("action") == "copy":
            made = services.standard_copy(user=request.user, pk=pk)
        else:
            return render(request, "error.html", {"message": _("Unknown step.")}, status=400)
    except DomainError as exc:
        return _error(request, exc)
    return redirect("inspections:standard", made.pk)


@login_required
def standard_export(request: HttpRequest, pk: int) -> HttpResponse:
    standard = selectors.standards(request.user).filter(pk=pk).first()
    if standard is None:
        return _missing(request)
    return xlsx_response(f"standard-{standard.code}-v{standard.version}.xlsx", "items", services.XLSX_HEADERS,
                         services.standard_rows(standard))


# ---- public (一公开, no log-in, no personal data) -------------------------------------------------------

def public_index(request: HttpRequest) -> HttpResponse:
    from parcelguard.inspections.models import Grade, Inspection

    return render(request, "inspections/public_index.html", {
        "plans": selectors.public_plans()[:100], "catalogue": CatalogueItem.objects.filter(active=True),
        "model_sites": Inspection.objects.filter(state="published", grade=Grade.EXCELLENT,
                                                 plan__kind=PlanKind.EVALUATION).select_related("site", "enterprise",
                                                                                                 "plan")[:500]})


def public_plan(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.public_plans().filter(pk=pk).first()
    if plan is None:
        return _missing(request)
    published = {"seed": plan.revealed_seed, "commitment": plan.commitment, "lists_sha256": plan.lists_sha256,
                 "targets": plan.targets,
                 "info": plan.target_info, "pool": plan.pool, "result": plan.result}
    verification = None
    pasted = ""
    if request.method == "POST":
        pasted = request.POST.get("data", "")
        try:
            data = json.loads(pasted)
            if not isinstance(data, dict):
                raise ValueError
        except ValueError:
            verification = {"ok": False, "problems": ["not_computable"]}
        else:
            # what was pasted is checked against what was published: the commitment and the lists' digest
            # (announced before the draw) and the published result
            verification = services.verify_plan(plan, seed=data.get("seed"), targets=data.get("targets"),
                                                info=data.get("info"), pool=data.get("pool"))
    elif plan.state in (PlanState.DRAWN, PlanState.CLOSED):
        verification = services.verify_plan(plan)
    return render(request, "inspections/public_plan.html", {
        "plan": plan, "published_json": json.dumps(published, ensure_ascii=False, separators=(",", ":")),
        "pasted": pasted, "verification": verification, "results": selectors.public_results(plan)})


# ---- the standard editor (city bureau) ---------------------------------------------------------------

ITEM_FIELDS = ("code", "section", "text", "points", "method", "deduct", "evidence", "basis", "site_kinds", "serious",
               "hazard_type")


def _posted_items(request: HttpRequest) -> list[dict[str, Any]]:
    """The editor's rows (parallel lists, one per column); rows left wholly blank are skipped."""
    columns = {f: request.POST.getlist(f"item_{f}") for f in ITEM_FIELDS}
    rows = max((len(v) for v in columns.values()), default=0)
    out = []
    for n in range(rows):
        row = {f: (columns[f][n] if n < len(columns[f]) else "").strip() for f in ITEM_FIELDS}
        if not any(row[f] for f in ("code", "section", "text", "points")):
            continue
        out.append(row)
    return out


def _editor(request: HttpRequest, standard: Any, error: str, items: list[dict[str, Any]], head: dict[str, Any],
            status: int = 200) -> HttpResponse:
    from parcelguard.events.models import HazardType
    from parcelguard.inspections.models import EvidenceNeed
    from parcelguard.registry.models import SiteKind

    try:
        blank = min(max(int(request.GET.get("rows", "5")), 1), 60)
    except ValueError:
        blank = 5
    rows = [{**i, "site_kinds": ",".join(i["site_kinds"]) if isinstance(i.get("site_kinds"), list)
             else i.get("site_kinds", "")} for i in items] + [{} for _n in range(blank)]
    return render(request, "inspections/standard_edit.html", {
        "standard": standard, "error": error, "rows": rows, "head": head, "methods": Method.choices,
        "evidences": EvidenceNeed.choices, "site_kinds": SiteKind.choices,
        "hazards": HazardType.objects.filter(active=True).values_list("code", "name")}, status=status)


@login_required
def standard_new(request: HttpRequest) -> HttpResponse:
    """Create a standard in the browser: its head and its items, row by row (a draft, version 1)."""
    if request.user.role != "city_bureau":
        return render(request, "error.html", {"message": _("Only the city bureau sets evaluation standards.")},
                      status=403)
    head = {"code": "", "title": "", "total_points": 100, "excellent_at": 90, "pass_at": 75}
    if request.method == "POST":
        head = {k: request.POST.get(k, "") for k in head}
        items = _posted_items(request)
        try:
            made = services.standard_create(user=request.user, items=items, **head)
        except DomainError as exc:
            return _editor(request, None, str(exc.message), items, head, status=400)
        messages.success(request, _("Standard saved as a draft."))
        return redirect("inspections:standard", made.pk)
    return _editor(request, None, "", [], head)


@login_required
def standard_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a draft standard; a published one is refused (make a new version)."""
    standard = selectors.standards(request.user).filter(pk=pk).first()
    if standard is None:
        return _missing(request)
    if request.user.role != "city_bureau":
        return render(request, "error.html", {"message": _("Only the city bureau sets evaluation standards.")},
                      status=403)
    if standard.published_at is not None:
        return render(request, "error.html", {"message": _("A published standard never changes; make a new version.")},
                      status=409)
    head = {"title": standard.title, "total_points": standard.total_points, "excellent_at": standard.excellent_at,
            "pass_at": standard.pass_at}
    if request.method == "POST":
        head = {k: request.POST.get(k, "") for k in head}
        items = _posted_items(request)
        try:
            services.standard_update(user=request.user, pk=pk, items=items, **head)
        except DomainError as exc:
            return _editor(request, standard, str(exc.message), items, head, status=400)
        messages.success(request, _("Standard saved as a draft."))
        return redirect("inspections:standard", pk)
    return _editor(request, standard, "", list(standard.items), head)


# ---- the inspector pool ---------------------------------------------------------------------------------

@login_required
def inspectors(request: HttpRequest) -> HttpResponse:
    """The pool of certified officers (执法检查人员名录) in the user's jurisdiction: register or renew a
    certificate, record a conflict of interest (回避)."""
    from parcelguard.accounts.models import User
    from parcelguard.accounts.scoping import scope
    from parcelguard.core import clock
    from parcelguard.registry.models import Enterprise

    user = request.user
    if user.role not in ("city_bureau", "county_centre"):
        return render(request, "error.html", {"message": _("Your role may not do this.")}, status=403)
    error = ""
    if request.method == "POST":
        try:
            if request.POST.get("action") == "tie":
                services.tie_add(user=user, inspector_id=int(request.POST.get("inspector_id") or 0),
                                 enterprise_id=int(request.POST.get("enterprise_id") or 0),
                                 reason=request.POST.get("reason", ""))
                messages.success(request, _("Conflict of interest recorded."))
            else:
                services.inspector_register(user=user, officer_id=int(request.POST.get("officer_id") or 0),
                                            certificate_no=request.POST.get("certificate_no", ""),
                                            valid_until=request.POST.get("valid_until", ""))
                messages.success(request, _("Inspector registered."))
        except DomainError as exc:
            error = str(exc.message)
        else:
            return redirect("inspections:inspectors")
    from parcelguard.inspections.models import Tie

    pool = selectors.pool(user).prefetch_related("tie_rows__enterprise").order_by("jurisdiction_path", "certificate_no")
    today = clock.now().astimezone(services.local_tz()).date()
    return render(request, "inspections/inspectors.html", {
        "pool": pool, "today": today, "error": error, "post": request.POST,
        "officers": scope(user, User).filter(role__in=("city_bureau", "county_centre"), is_active=True)
        .order_by("jurisdiction__path", "username"),
        "enterprises": scope(user, Enterprise).order_by("name")[:2000],
        "ties": Tie.objects.filter(inspector__in=pool).count()}, status=400 if error else 200)
