"""Pages of the credit mechanism. Thin: they read through selectors and write through services."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parcelguard.accounts.models import Jurisdiction, Level
from parcelguard.accounts.roles import Perm, Role, has_perm
from parcelguard.accounts.scoping import scope
from parcelguard.core.errors import DomainError
from parcelguard.core.excel import xlsx_response
from parcelguard.credit import selectors, services, sources
from parcelguard.credit.models import Grade
from parcelguard.registry.models import Brand

FILTERS = ("grade", "county", "brand", "q", "moved")


def _error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return render(request, "error.html", {"message": exc.message}, status=exc.status)


def _filters(request: HttpRequest) -> dict[str, str]:
    return {n: request.GET.get(n, "").strip()[:100] for n in FILTERS}


def _can_recompute(user: Any) -> bool:
    return getattr(user, "role", None) in (Role.CITY_BUREAU, Role.ADMIN)


@login_required
def index(request: HttpRequest) -> HttpResponse:
    filters = _filters(request)
    page = Paginator(selectors.ratings(request.user, filters), settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "credit/index.html", {
        "page": page, "total": page.paginator.count, "filters": filters, "grades": Grade.choices,
        "counts": selectors.grade_counts(request.user),
        "counties": scope(request.user, Jurisdiction.objects.filter(level=Level.COUNTY)),
        "brands": Brand.objects.all(), "can_export": has_perm(request.user, Perm.EXPORT),
        "can_recompute": _can_recompute(request.user), "runs": selectors.runs(request.user)[:5],
        "method": selectors.methods().first(), "weights": selectors.weights()})


@login_required
def export(request: HttpRequest) -> HttpResponse:
    if not has_perm(request.user, Perm.EXPORT):
        return render(request, "error.html", {"message": _("Your role may not do this.")}, status=403)
    qs = selectors.ratings(request.user, _filters(request))
    headers = [_("Enterprise"), _("Unified social credit code"), _("Brand"), _("Score"), _("Grade"),
               _("Previous grade"), _("Sampling weight"), _("From"), _("Until"), _("Method version")]
    table = selectors.weights()

    def rows() -> Any:
        for r in qs.iterator(chunk_size=1000):
            yield [r.enterprise.name, r.enterprise.credit_code, r.enterprise.brand.name, float(r.score), r.grade,
                   r.previous_grade, table.get(r.grade, selectors.UNRATED_WEIGHT),
                   timezone.localtime(r.window_start).strftime("%Y-%m-%d"),
                   timezone.localtime(r.window_end).strftime("%Y-%m-%d"), r.ruleset.version]

    return xlsx_response("credit-ratings.xlsx", _("Credit ratings"), headers, rows())


@login_required
@require_POST
def recompute(request: HttpRequest) -> HttpResponse:
    try:
        run = services.recompute(user=request.user, trigger="manual")
    except DomainError as exc:
        return _error(request, exc)
    messages.success(request, _("%(n)d enterprises rated.") % {"n": run.enterprises})
    return redirect("credit:index")


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.rating(request.user, pk)
    if found is None:
        return render(request, "error.html", {"message": _("Record not found.")}, status=404)
    return render(request, "credit/detail.html", {
        "rating": found, "lines": selectors.explain(request.user, found),
        "history": selectors.history(request.user, found.enterprise_id)[:24],
        "weight": selectors.weights().get(found.grade, selectors.UNRATED_WEIGHT)})


@login_required
def enterprise(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.ratings(request.user).filter(enterprise_id=pk).first()
    if found is None:
        return render(request, "error.html", {"message": _("This enterprise has no credit rating yet.")},
                      status=404)
    return redirect("credit:detail", found.pk)


def _posted_rules(request: HttpRequest, current: Any) -> list[dict[str, Any]]:
    rules = []
    for rule in current.rules:
        code = rule["code"]
        rules.append({"code": code, "source": rule["source"], "label": request.POST.get(f"label_{code}", ""),
                      "points": request.POST.get(f"points_{code}", ""), "cap": request.POST.get(f"cap_{code}", "")})
    return rules


@login_required
def method(request: HttpRequest) -> HttpResponse:
    """The published rating method (every version), and for the city bureau the form for a new version."""
    versions = list(selectors.methods())
    for v in versions:
        v.lines = [(r, sources.get(r["source"])) for r in v.rules]  # type: ignore[attr-defined]
    current = versions[0] if versions else None
    error = ""
    if request.method == "POST" and current is not None:
        try:
            made = services.ruleset_publish(
                user=request.user, title=request.POST.get("title", ""), rules=_posted_rules(request, current),
                grades=[{"grade": g, "min": request.POST.get(f"min_{g}", "")} for g in Grade.values],
                window_days=request.POST.get("window_days", ""), base=current.base)
        except DomainError as exc:
            error = str(exc.message)
        else:
            messages.success(request, _("Version %(v)d of the rating method is published; it applies from the "
                                        "next recompute.") % {"v": made.version})
            return redirect("credit:method")
    return render(request, "credit/method.html", {
        "versions": versions, "current": current,
        "can_publish": _can_recompute(request.user), "error": error, "post": request.POST},
        status=400 if error else 200)
