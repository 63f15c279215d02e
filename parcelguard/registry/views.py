from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from parcelguard.accounts.models import Jurisdiction, Level
from parcelguard.accounts.roles import Perm, has_perm
from parcelguard.accounts.scoping import get_for, require, scope
from parcelguard.core.errors import DomainError, Invalid
from parcelguard.core.excel import xlsx_response
from parcelguard.registry import services
from parcelguard.registry.attention import flags_for
from parcelguard.registry.display import export_value
from parcelguard.registry.forms import form_for
from parcelguard.registry.kinds import KINDS, kind_of
from parcelguard.registry.models import Brand, SiteKind, Status
from parcelguard.registry.selectors import registry_list

FILTER_NAMES = ("county", "grid", "brand", "kind", "status")


def _error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return render(request, "error.html", {"message": exc.message}, status=exc.status)


def _listing(request: HttpRequest, slug: str) -> tuple[Any, Any]:
    kind = kind_of(slug)
    require(request.user, Perm.REGISTRY_VIEW)
    filters = {name: request.GET.get(name, "") for name in FILTER_NAMES}
    qs = registry_list(user=request.user, kind=kind, q=request.GET.get("q", ""), filters=filters,
                       sort=request.GET.get("sort", ""), flag=request.GET.get("flag", ""))
    return kind, qs


@login_required
def registry_index(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        kind, qs = _listing(request, slug)
    except DomainError as exc:
        return _error(request, exc)
    page = Paginator(qs, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    counties = scope(request.user, Jurisdiction.objects.filter(level=Level.COUNTY))
    grids = scope(request.user, Jurisdiction.objects.filter(level=Level.GRID))
    if request.GET.get("county"):
        grids = grids.filter(parent__code=request.GET["county"])
    context = {
        "kind": kind, "kinds": KINDS.values(), "page": page, "total": page.paginator.count,
        "filter_options": {
            "county": [(j.code, j.name) for j in counties],
            "grid": [(j.code, j.name) for j in grids] if "grid" in kind.filters else None,
            "brand": [(b.code, b.name) for b in Brand.objects.all()],
            "kind": SiteKind.choices if "kind" in kind.filters else None,
            "status": Status.choices,
        },
        "flags": flags_for(kind.slug).values(), "active_flag": request.GET.get("flag", ""),
        "can_edit": has_perm(request.user, Perm.REGISTRY_EDIT),
        "can_import": has_perm(request.user, Perm.REGISTRY_IMPORT) and slug in ("enterprises", "sites", "machines",
                                                                               "staff"),
        "can_export": has_perm(request.user, Perm.EXPORT),
    }
    template = "registry/_table.html" if request.headers.get("HX-Request") else "registry/list.html"
    return render(request, template, context)


@login_required
def registry_export(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        require(request.user, Perm.EXPORT)
        kind, qs = _listing(request, slug)
    except DomainError as exc:
        return _error(request, exc)
    rows = ([export_value(obj, c.path) for c in kind.columns] for obj in qs.iterator(chunk_size=2000))
    return xlsx_response(f"{kind.slug}.xlsx", str(kind.title), [c.header for c in kind.columns], rows)


@login_required
def registry_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    try:
        kind = kind_of(slug)
        require(request.user, Perm.REGISTRY_VIEW)
        obj = get_for(request.user, kind.model.objects.select_related(*kind.related), pk=pk)
    except DomainError as exc:
        return _error(request, exc)
    children = []
    if slug == "sites":
        for child_slug, related_name in (("machines", "machines"), ("safety-officers", "safety_officers"),
                                         ("staff", "staff"), ("cameras", "cameras")):
            child_kind = KINDS[child_slug]
            children.append((child_kind, scope(request.user, getattr(obj, related_name).all())))
    elif slug == "enterprises":
        children.append((KINDS["sites"], scope(request.user, obj.sites.select_related("county", "grid"))))
    windows = obj.status_windows.all()[:50] if slug == "machines" else None
    return render(request, "registry/detail.html", {
        "kind": kind, "obj": obj, "history": services.history_of(obj)[:100], "children": children,
        "windows": windows,
        "fields": [f for f in kind.form_fields],
        "can_edit": has_perm(request.user, Perm.REGISTRY_EDIT),
    })


@login_required
def registry_edit(request: HttpRequest, slug: str, pk: int | None = None) -> HttpResponse:
    try:
        kind = kind_of(slug)
        require(request.user, Perm.REGISTRY_EDIT)
        obj = get_for(request.user, kind.model, pk=pk) if pk is not None else None
    except DomainError as exc:
        return _error(request, exc)
    form = form_for(kind, request.user, data=request.POST or None, instance=obj)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in kind.form_fields}
        try:
            if obj is None:
                saved = services.record_create(user=request.user, model=kind.model, data=data)
            else:
                version = int(request.POST.get("version") or 0) or None
                saved = services.record_update(user=request.user, obj=obj, data=data, version=version,
                                               reason=request.POST.get("reason", ""))
        except Invalid as exc:
            for field_name, errors in (exc.details or {}).items():
                for error in errors:
                    form.add_error(field_name if field_name in form.fields else None, error)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Saved."))
            return redirect(reverse("registry:detail", args=[slug, saved.pk]))
    return render(request, "registry/edit.html", {"kind": kind, "obj": obj, "form": form},
                  status=400 if request.method == "POST" else 200)


@login_required
def machine_window(request: HttpRequest, pk: int) -> HttpResponse:
    """The form on a machine's page that records a down-window."""
    import datetime as dt

    from django.utils import timezone

    from parcelguard.registry.models import XrayMachine

    if request.method != "POST":
        return redirect(reverse("registry:detail", args=["machines", pk]))
    try:
        machine = get_for(request.user, XrayMachine, pk=pk)

        def when(name: str) -> dt.datetime | None:
            raw = request.POST.get(name, "").strip()
            if not raw:
                return None
            try:
                return timezone.make_aware(dt.datetime.fromisoformat(raw))
            except ValueError:
                raise Invalid(_("“%(value)s” is not a date and time.") % {"value": raw}, code="invalid_time") from None

        start = when("start")
        if start is None:
            raise Invalid(_("Give the time the machine stopped screening."), code="invalid_time")
        services.machine_window_record(user=request.user, machine=machine, status=request.POST.get("status", ""),
                                       start=start, end=when("end"), note=request.POST.get("note", "")[:200])
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Down-window recorded."))
    return redirect(reverse("registry:detail", args=["machines", pk]))
