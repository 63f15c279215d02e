"""Pages of the self-inspection mechanism. Thin: they read through selectors and write through services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parcelguard.accounts.roles import Role
from parcelguard.core import clock, workflow
from parcelguard.core.errors import DomainError, Invalid
from parcelguard.selfcheck import selectors, services
from parcelguard.selfcheck.flow import REPORT_FLOW
from parcelguard.selfcheck.models import CheckMethod


def _error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return render(request, "error.html", {"message": exc.message}, status=exc.status)


def _month(request: HttpRequest) -> dt.date:
    last = services.first_of(services.current_month() - dt.timedelta(days=1))
    try:
        month = services.parse_month(request.GET.get("month") or last)
    except Invalid:
        return last
    return min(month, last)


def _recent_months(n: int = 12) -> list[dt.date]:
    month = services.current_month()
    out = []
    for _i in range(n):
        month = services.first_of(month - dt.timedelta(days=1))
        out.append(month)
    return out


def _answers(request: HttpRequest, checklist: Any) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for item in checklist.items:
        value = request.POST.get(f"ok_{item['code']}")
        if value in ("yes", "no"):
            answers[item["code"]] = {"ok": value == "yes", "note": request.POST.get(f"note_{item['code']}", "")}
    return answers


@login_required
def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    month = _month(request)
    now = clock.now()
    context: dict[str, Any] = {"month": month, "months": _recent_months(), "now": now,
                               "due": services.due_at(month), "due_day": services.due_day()}
    error = ""
    if user.role == Role.ENTERPRISE:
        checklist = services.Checklist.objects.filter(published_at__isnull=False).order_by("-version").first()
        if request.method == "POST" and checklist is not None:
            try:
                report = services.report_submit(
                    user=user, county_id=int(request.POST.get("county_id") or 0),
                    month=request.POST.get("month", ""), answers=_answers(request, checklist),
                    problems_found=request.POST.get("problems_found"),
                    problems_fixed=request.POST.get("problems_fixed"),
                    trainings_held=request.POST.get("trainings_held"), drills_held=request.POST.get("drills_held"),
                    summary=request.POST.get("summary", ""), uploads=request.FILES.getlist("files"))
            except DomainError as exc:
                error = str(exc.message)
            else:
                messages.success(request, _("Monthly report filed."))
                return redirect("selfcheck:detail", report.pk)
        context |= {"checklist": checklist, "counties": services.counties_of(user.enterprise_id),
                    "reports": selectors.reports(user)[:60], "post": request.POST,
                    "duties": selectors.duties(user, month)}
    else:
        duties = selectors.duties(user, month)
        context |= {"duties": [(d, d.status(now)) for d in duties],
                    "counts": {s: sum(1 for d in duties if d.status(now) == s)
                               for s in ("on_time", "late", "missing", "pending")},
                    "waiting": selectors.waiting_checks(user)[:100], "draws": selectors.draws(user)[:20],
                    "can_draw": selectors.is_checker(user)}
    context["error"] = error
    return render(request, "selfcheck/index.html", context, status=400 if error else 200)


@login_required
@require_POST
def draw(request: HttpRequest) -> HttpResponse:
    try:
        made = services.spot_draw(user=request.user, month=request.POST.get("month", ""),
                                  count=request.POST.get("count", "0"))
    except DomainError as exc:
        return _error(request, exc)
    messages.success(request, _("%(n)d reports drawn for a spot check.") % {"n": len(made.chosen)})
    return redirect("selfcheck:draw", made.pk)


@login_required
def draw_detail(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.draws(request.user).filter(pk=pk).first()
    if found is None:
        return render(request, "error.html", {"message": _("Record not found.")}, status=404)
    chosen = {r.pk: r for r in selectors.reports(request.user).filter(pk__in=found.chosen)}
    return render(request, "selfcheck/draw.html", {
        "draw": found, "verified": services.draw_verify(found),
        "chosen": [chosen[pk] for pk in found.chosen if pk in chosen]})


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.reports(request.user).filter(pk=pk).first()
    if report is None:
        return render(request, "error.html", {"message": _("Record not found.")}, status=404)
    items = [(item, report.answers.get(item["code"], {})) for item in report.checklist.items]
    return render(request, "selfcheck/detail.html", {
        "report": report, "items": items, "methods": CheckMethod.choices,
        "steps": workflow.allowed_steps(REPORT_FLOW, request.user, report),
        "history": workflow.history(REPORT_FLOW.subject(report)),
        "evidence": report.evidence.all()})


@login_required
@require_POST
def check(request: HttpRequest, pk: int) -> HttpResponse:
    version = request.POST.get("version")
    args: dict[str, Any] = {"user": request.user, "report_id": pk, "method": request.POST.get("method", ""),
                            "version": int(version) if version and version.isdigit() else None,
                            "uploads": request.FILES.getlist("files")}
    try:
        if request.POST.get("action") == "find_false":
            services.spot_find_false(reason=request.POST.get("reason", ""), **args)
        else:
            services.spot_confirm(note=request.POST.get("reason", ""), **args)
    except DomainError as exc:
        return _error(request, exc)
    messages.success(request, _("Spot check recorded."))
    return redirect("selfcheck:detail", pk)


