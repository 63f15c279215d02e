"""Pages of procuratorial oversight. Thin: they read through selectors and write through services; a
refused write shows the reason in the user's language with the status the domain error carries."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parcelguard.core import clock, workflow
from parcelguard.core.errors import DomainError
from parcelguard.oversight import selectors, services
from parcelguard.oversight.flow import RECOMMENDATION_FLOW as FLOW
from parcelguard.oversight.models import Finding, Matter, RecordKind, RecState, ServiceMethod

ITEM_ROWS = 5


def _error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return render(request, "error.html", {"message": exc.message}, status=exc.status)


def _step_label(action: str) -> Any:
    try:
        return FLOW.step(action).label
    except KeyError:
        return action


def _missing(request: HttpRequest) -> HttpResponse:
    return render(request, "error.html", {"message": _("Record not found.")}, status=404)


def _post_results(request: HttpRequest, rec: Any) -> dict[str, dict[str, str]]:
    return {str(i.pk): {"result": request.POST.get(f"result_{i.pk}", ""), "note": request.POST.get(f"note_{i.pk}", "")}
            for i in rec.items.all()}


@login_required
def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    now = clock.now()
    recs = list(selectors.recommendations(user)[:200])
    return render(request, "oversight/index.html", {
        "cases": selectors.case_files(user)[:200],
        "recs": [(r, selectors.clock_of(r, now)) for r in recs],
        "tasks": selectors.tasks(user).order_by("done_at", "due_on")[:300],
        "is_procurator": selectors.is_procurator(user), "matters": Matter.choices,
        "today": services.rclock.today()})


@login_required
@require_POST
def case_new(request: HttpRequest) -> HttpResponse:
    p = request.POST
    try:
        case = services.case_open(user=request.user, number=p.get("number", ""), procuratorate=p.get("procuratorate", ""),
                                  matter=p.get("matter", ""), summary=p.get("summary", ""),
                                  opened_on=p.get("opened_on", ""), site_ids=p.get("sites", ""),
                                  enterprise_ids=p.get("enterprises", ""))
    except DomainError as exc:
        return _error(request, exc)
    messages.success(request, _("Case file opened."))
    return redirect("oversight:case", case.pk)


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_files(request.user).filter(pk=pk).first()
    if case is None:
        return _missing(request)
    now = clock.now()
    return render(request, "oversight/case.html", {
        "case": case, "records": case.investigations.prefetch_related("evidence").select_related("recorded_by"),
        "recs": [(r, selectors.clock_of(r, now)) for r in case.recommendations.all()],
        "sites": case.sites.all(), "enterprises": case.enterprises.all(),
        "is_procurator": selectors.is_procurator(request.user) and case.state == "open",
        "kinds": RecordKind.choices, "rows": range(1, ITEM_ROWS + 1), "today": services.rclock.today()})


@login_required
@require_POST
def case_record(request: HttpRequest, pk: int) -> HttpResponse:
    p = request.POST
    try:
        services.investigation_record(user=request.user, case_id=pk, kind=p.get("kind", ""),
                                      held_on=p.get("held_on", ""), findings=p.get("findings", ""),
                                      place=p.get("place", ""), participants=p.get("participants", ""),
                                      supervisors_opinion=p.get("supervisors_opinion", ""),
                                      uploads=request.FILES.getlist("files"))
    except DomainError as exc:
        return _error(request, exc)
    messages.success(request, _("Investigation record added."))
    return redirect("oversight:case", pk)


@login_required
@require_POST
def case_recommend(request: HttpRequest, pk: int) -> HttpResponse:
    p = request.POST
    items = [{"problem": p.get(f"problem_{n}", ""), "request": p.get(f"request_{n}", ""),
              "sites": p.get(f"sites_{n}", ""), "events": p.get(f"events_{n}", ""),
              "warnings": p.get(f"warnings_{n}", ""), "samples": p.get(f"samples_{n}", "")}
             for n in range(1, ITEM_ROWS + 1)]
    try:
        rec = services.recommendation_create(user=request.user, case_id=pk, number=p.get("number", ""),
                                             title=p.get("title", ""), addressee=p.get("addressee", ""),
                                             issued_on=p.get("issued_on", ""), items=items,
                                             urgent=p.get("urgent") == "on")
    except DomainError as exc:
        return _error(request, exc)
    messages.success(request, _("Recommendation drafted."))
    return redirect("oversight:recommendation", rec.pk)


@login_required
@require_POST
def case_close(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.case_close(user=request.user, case_id=pk, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        return _error(request, exc)
    messages.success(request, _("Case file closed."))
    return redirect("oversight:case", pk)


def _bundle(request: HttpRequest, subject: str) -> HttpResponse:
    from parcelguard.trail.bundle import bundle_response

    try:
        return bundle_response(subject=subject, user=request.user)
    except DomainError as exc:
        return _error(request, exc)


@login_required
def case_bundle(request: HttpRequest, pk: int) -> HttpResponse:
    if not selectors.case_files(request.user).filter(pk=pk).exists():
        return _missing(request)
    return _bundle(request, f"casefile:{pk}")


@login_required
def recommendation(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    rec = selectors.recommendations(user).filter(pk=pk).first()
    if rec is None:
        return _missing(request)
    now = clock.now()
    items = list(rec.items.prefetch_related("sites", "events__hazard_type", "warnings", "samples",
                                            "checks__evidence", "tasks__county"))
    show_draft = selectors.is_bureau(user) or rec.state != RecState.DRAFT
    counties = []
    if selectors.is_bureau(user):
        from parcelguard.accounts.models import Jurisdiction, Level

        counties = list(Jurisdiction.objects.filter(level=Level.COUNTY, path__startswith=user.jurisdiction.path))
    reply = getattr(rec, "reply", None) if hasattr(rec, "reply") else None
    return render(request, "oversight/recommendation.html", {
        "rec": rec, "clock": selectors.clock_of(rec, now), "items": items,
        "draft": selectors.reply_draft(rec, now) if show_draft and rec.state != RecState.DRAFT else None,
        "steps": workflow.allowed_steps(FLOW, user, rec, now), "history": [(c, _step_label(c.action)) for c in workflow.history(FLOW.subject(rec))],
        "methods": ServiceMethod.choices, "findings": Finding.choices, "reply": reply,
        "suit": getattr(rec, "suit", None) if hasattr(rec, "suit") else None,
        "is_bureau": selectors.is_bureau(user), "counties": counties, "today": services.rclock.today(),
        "checks": selectors.checks(user).filter(item__recommendation=rec).prefetch_related("evidence")})


@login_required
@require_POST
def recommendation_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    p, user = request.POST, request.user
    version = p.get("version")
    uploads = request.FILES.getlist("files")
    try:
        if action == "serve":
            services.recommendation_serve(user=user, pk=pk, version=version, served_on=p.get("served_on", ""),
                                          method=p.get("method", ""), received_by=p.get("received_by", ""),
                                          uploads=uploads)
        elif action == "extend":
            services.recommendation_extend(user=user, pk=pk, version=version, due_on=p.get("due_on", ""),
                                           reason=p.get("reason", ""))
        elif action == "reply":
            services.reply_issue(user=user, pk=pk, version=version, summary=p.get("summary", ""),
                                 contact_name=p.get("contact_name", ""), contact_phone=p.get("contact_phone", ""))
        elif action in ("follow_up", "follow_up_unanswered", "recheck"):
            rec = selectors.recommendations(user).filter(pk=pk).first()
            if rec is None:
                return _missing(request)
            fn = services.compliance_check if action == "recheck" else services.follow_up
            fn(user=user, pk=pk, version=version, checked_on=p.get("checked_on", ""),
               results=_post_results(request, rec), uploads=uploads)
        elif action == "sue":
            services.suit_record(user=user, pk=pk, version=version, court=p.get("court", ""),
                                 case_number=p.get("case_number", ""), filed_on=p.get("filed_on", ""),
                                 claims=p.get("claims", ""))
        elif action == "judge":
            services.judgment_record(user=user, pk=pk, version=version, judged_on=p.get("judged_on", ""),
                                     judgment=p.get("judgment", ""))
        elif action == "close":
            services.recommendation_close(user=user, pk=pk, version=version, reason=p.get("reason", ""))
        else:
            return _missing(request)
    except DomainError as exc:
        return _error(request, exc)
    messages.success(request, _("Recorded."))
    return redirect("oversight:recommendation", pk)


@login_required
@require_POST
def task_new(request: HttpRequest, pk: int) -> HttpResponse:
    p = request.POST
    new_event = None
    if p.get("new_site"):
        new_event = {"site_id": p.get("new_site"), "hazard_type": p.get("hazard_type", "other"),
                     "description": p.get("description", ""), "uploads": request.FILES.getlist("files")}
    try:
        item_id = int(p.get("item") or 0)
        if not selectors.items(request.user).filter(pk=item_id, recommendation_id=pk).exists():
            return _missing(request)
        services.task_create(user=request.user, item_id=item_id, county_id=int(p.get("county") or 0),
                             title=p.get("title", ""), due_on=p.get("due_on", ""), event_id=p.get("event", ""),
                             new_event=new_event)
    except ValueError:
        return render(request, "error.html", {"message": _("Choose an item and a county.")}, status=422)
    except DomainError as exc:
        return _error(request, exc)
    messages.success(request, _("Task set."))
    return redirect("oversight:recommendation", pk)


@login_required
def reply_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    from parcelguard.evidence.services import evidence_response

    rec = selectors.recommendations(request.user).filter(pk=pk).select_related("reply__document__evidence").first()
    if rec is None or not hasattr(rec, "reply"):
        return _missing(request)
    try:
        return evidence_response(rec.reply.document.evidence, user=request.user, as_attachment=False,
                                 where=f"recommendation:{rec.pk}")
    except DomainError as exc:
        return _error(request, exc)


@login_required
def recommendation_bundle(request: HttpRequest, pk: int) -> HttpResponse:
    if not selectors.recommendations(request.user).filter(pk=pk).exists():
        return _missing(request)
    return _bundle(request, f"recommendation:{pk}")


@login_required
def task(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.tasks(request.user).filter(pk=pk).prefetch_related("evidence").first()
    if found is None:
        return _missing(request)
    return render(request, "oversight/task.html", {
        "task": found, "can_finish": found.done_at is None and found.event_id is None
        and request.user.role in ("city_bureau", "county_centre")})


@login_required
@require_POST
def task_done(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.task_done(user=request.user, task_id=pk, note=request.POST.get("note", ""),
                           uploads=request.FILES.getlist("files"))
    except DomainError as exc:
        return _error(request, exc)
    messages.success(request, _("Task done."))
    return redirect("oversight:task", pk)
