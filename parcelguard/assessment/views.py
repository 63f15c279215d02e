"""Pages of assessment and circulars. Thin: they read through selectors and scoring, write through services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parcelguard.accounts.models import Jurisdiction, Level
from parcelguard.accounts.roles import Role
from parcelguard.assessment import indicators, scoring, selectors, services
from parcelguard.assessment.flow import ASSESSMENT_FLOW, CIRCULAR_FLOW
from parcelguard.assessment.models import Method
from parcelguard.core import clock, workflow
from parcelguard.core.errors import DomainError, Forbidden
from parcelguard.evidence.services import evidence_response


def _error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return render(request, "error.html", {"message": exc.message}, status=exc.status)


def _not_found(request: HttpRequest) -> HttpResponse:
    return render(request, "error.html", {"message": _("Record not found.")}, status=404)


def _history(flow: workflow.Flow, obj: Any) -> list[tuple[Any, Any]]:
    return [(h, flow.step(h.action).label) for h in workflow.history(flow.subject(obj))]


def _items(method: Method) -> list[tuple[dict[str, Any], indicators.Indicator]]:
    return [(item, indicators.INDICATORS[item["indicator"]]) for item in method.items
            if item["indicator"] in indicators.INDICATORS]


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The assessments published, and for the city bureau the preview of a period before publishing it."""
    user = request.user
    if not selectors.can_read_assessments(user):
        return redirect("assessment:circulars")
    context: dict[str, Any] = {"assessments": selectors.assessments(user)[:60], "periods": scoring.last_periods(),
                               "can_publish": user.role == Role.CITY_BUREAU, "error": ""}
    period_text = request.GET.get("period", "")
    if period_text and user.role in (Role.CITY_BUREAU, Role.PROCURATOR, Role.ADMIN):
        try:
            period = scoring.parse_period(period_text)
            method = services.method_of(request.GET.get("method"))
            context |= {"preview": scoring.compute(user, period, method), "items": _items(method),
                        "over": period.until <= clock.now()}
        except DomainError as exc:
            context["error"] = str(exc.message)
    context["period"] = period_text
    return render(request, "assessment/index.html", context, status=400 if context["error"] else 200)


@login_required
@require_POST
def publish(request: HttpRequest) -> HttpResponse:
    try:
        made = services.assessment_publish(user=request.user, period=request.POST.get("period", ""),
                                           method_version=request.POST.get("method") or None)
    except DomainError as exc:
        return _error(request, exc)
    messages.success(request, _("Assessment published: %(number)s.") % {"number": made.number})
    return redirect("assessment:detail", made.pk)


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.assessments(request.user).filter(pk=pk).first()
    if found is None:
        return _not_found(request)
    rows = list(selectors.scores(request.user, found))
    items = _items(found.method)
    return render(request, "assessment/detail.html", {
        "assessment": found, "items": items,
        "rows": [(r, [(item, r.figures.get(item["code"], {})) for item, _i in items],
                  selectors.records_allowed(request.user, r.county)) for r in rows],
        "history": _history(ASSESSMENT_FLOW, found)})


def _pdf(request: HttpRequest, found: Any, subject: str) -> HttpResponse:
    if found is None:
        return _not_found(request)
    try:
        return evidence_response(found.pdf, user=request.user, where=f"{subject}:{found.pk}")
    except DomainError as exc:
        return _error(request, exc)


@login_required
def pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _pdf(request, selectors.assessments(request.user).filter(pk=pk).first(), "assessment")


@login_required
def records(request: HttpRequest, pk: int, county: str, item: str) -> HttpResponse:
    """The records behind one figure of one county: the denominator's records, the numerator's marked."""
    found = selectors.assessments(request.user).filter(pk=pk).first()
    node = Jurisdiction.objects.filter(code=county, level=Level.COUNTY).first() if county.isdigit() else None
    line = next((i for i in (found.method.items if found else []) if i["code"] == item), None)
    if found is None or node is None or line is None or not selectors.records_allowed(request.user, node):
        return _not_found(request)
    indicator = indicators.INDICATORS[line["indicator"]]
    period = scoring.Period(found.period, found.period_kind, found.start, found.end)
    rows = indicator.rows(request.user, node.path, period.since, period.until, found.as_of)
    stored = found.scores.filter(county=node).values_list("figures", flat=True).first() or {}
    return render(request, "assessment/records.html", {
        "assessment": found, "county": node, "item": line, "indicator": indicator, "rows": rows,
        "stored": stored.get(item, {}), "counted": sum(1 for r in rows if r.counted)})


@login_required
def method(request: HttpRequest) -> HttpResponse:
    """Every published version of the method; the city bureau publishes a new one with other weights."""
    user = request.user
    if not selectors.can_read_assessments(user):
        return _not_found(request)
    error = ""
    if request.method == "POST":
        current = services.current_method()
        items = [{"code": i["code"], "indicator": i["indicator"], "label": request.POST.get(f"label_{i['code']}", ""),
                  "weight": request.POST.get(f"weight_{i['code']}", "")} for i in current.items]
        try:
            made = services.method_publish(user=user, title=request.POST.get("title", ""), items=items)
        except DomainError as exc:
            error = str(exc.message)
        else:
            messages.success(request, _("Version %(n)d of the assessment method published.") % {"n": made.version})
            return redirect("assessment:method")
    versions = [(m, _items(m)) for m in Method.objects.order_by("-version")]
    return render(request, "assessment/method.html", {
        "versions": versions, "current": versions[0][0] if versions else None, "error": error, "post": request.POST,
        "can_publish": user.role in (Role.CITY_BUREAU, Role.ADMIN)}, status=400 if error else 200)


@login_required
def circulars(request: HttpRequest) -> HttpResponse:
    """The circulars the user may read; a county centre or the city bureau previews and issues one."""
    user = request.user
    if user.role == Role.GRID_WORKER:
        return _not_found(request)
    can_issue = selectors.can_issue_circular(user)
    context: dict[str, Any] = {"circulars": selectors.circulars(user)[:100], "can_issue": can_issue, "error": "",
                               "month": request.GET.get("month") or scoring.last_periods()[0].code}
    if request.method == "POST":
        if not can_issue:
            return _error(request, Forbidden(_("Only a county centre or the city bureau issues a circular.")))
        try:
            made = services.circular_issue(user=user, month=request.POST.get("month", ""),
                                           practice=request.POST.get("practice", ""),
                                           title=request.POST.get("title", ""))
        except DomainError as exc:
            context["error"] = str(exc.message)
            context["month"] = request.POST.get("month", "")
        else:
            messages.success(request, _("Circular issued: %(number)s.") % {"number": made.number})
            return redirect("assessment:circular", made.pk)
    if can_issue and not context["error"]:
        try:
            context["draft"] = services.circular_content(user, services.parse_month(context["month"]))
        except DomainError as exc:
            context["error"] = str(exc.message)
    context["post"] = request.POST
    return render(request, "assessment/circulars.html", context, status=400 if context["error"] else 200)


@login_required
def circular(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.circulars(request.user).filter(pk=pk).first()
    if found is None:
        return _not_found(request)
    return render(request, "assessment/circular.html", {
        "circular": found, "addressees": found.addressees.order_by("name"),
        "history": _history(CIRCULAR_FLOW, found)})


@login_required
def circular_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _pdf(request, selectors.circulars(request.user).filter(pk=pk).first(), "circular")


