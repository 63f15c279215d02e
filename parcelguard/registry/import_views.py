from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from parcelguard.accounts.roles import Perm
from parcelguard.accounts.scoping import require
from parcelguard.core.errors import DomainError
from parcelguard.core.excel import xlsx_response
from parcelguard.registry.imports import import_apply, import_preview, template_headers
from parcelguard.registry.kinds import IMPORTABLE, KINDS


def _spool_dir() -> Path:
    path = settings.DATA_DIR / "imports"
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


def _spool_write(token: str, data: bytes) -> None:
    """The upload waits for confirmation in a file only the service's user can read (0600, in a 0700
    folder): it holds personal data (managers' phones). Deleted on confirmation, and after
    `IMPORT_SPOOL_MAX_AGE` by the scheduled `purge_import_spool`."""
    fd = os.open(_spool_dir() / token, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def purge_import_spool(max_age_seconds: int | None = None) -> int:
    """Delete spooled uploads older than the limit (default `settings.IMPORT_SPOOL_MAX_AGE`). Returns how many."""
    limit = settings.IMPORT_SPOOL_MAX_AGE if max_age_seconds is None else max_age_seconds
    folder = settings.DATA_DIR / "imports"
    if not folder.is_dir():
        return 0
    cutoff = time.time() - limit
    removed = 0
    for path in folder.iterdir():
        try:
            if path.is_file() and path.stat().st_mtime <= cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue
    return removed


@login_required
def import_upload(request: HttpRequest) -> HttpResponse:
    try:
        require(request.user, Perm.REGISTRY_IMPORT)
    except DomainError as exc:
        return render(request, "error.html", {"message": exc.message}, status=exc.status)
    kinds = [KINDS[s] for s in IMPORTABLE]
    if request.GET.get("template") in IMPORTABLE:
        slug = request.GET["template"]
        return xlsx_response(f"{slug}-template.xlsx", str(KINDS[slug].title), template_headers(slug), [])
    context: dict[str, object] = {"kinds": kinds, "selected": request.POST.get("kind", request.GET.get("kind", ""))}
    if request.method == "POST":
        upload = request.FILES.get("file")
        slug = request.POST.get("kind", "")
        if upload is None:
            context["error"] = _("Choose a file to import.")
        elif upload.size > settings.IMPORT_MAX_BYTES:
            context["error"] = _("The file is %(size)s MB; at most %(limit)s MB can be imported at once.") % {
                "size": round(upload.size / 1048576, 1), "limit": settings.IMPORT_MAX_BYTES // 1048576}
        else:
            data = upload.read()
            try:
                preview = import_preview(user=request.user, kind_slug=slug, data=data, filename=upload.name)
            except DomainError as exc:
                context["error"] = exc.message
            else:
                context.update(preview=preview, filename=upload.name)
                if not preview.errors:  # a rejected file is never kept: there is nothing to confirm
                    token = secrets.token_urlsafe(16)
                    _spool_write(token, data)
                    request.session[f"import:{token}"] = {"kind": slug, "name": upload.name}
                    context["token"] = token
        return render(request, "registry/import.html", context, status=200 if "preview" in context else 400)
    return render(request, "registry/import.html", context)


@login_required
def import_confirm(request: HttpRequest, token: str) -> HttpResponse:
    meta = request.session.get(f"import:{token}")
    if "/" in token or "\\" in token or token.startswith("."):
        return redirect("registry:import")
    spool = _spool_dir() / token
    if request.method != "POST" or not meta or not spool.is_file():
        messages.error(request, _("This import has expired; upload the file again."))
        return redirect("registry:import")
    try:
        count = import_apply(user=request.user, kind_slug=meta["kind"], data=spool.read_bytes(), filename=meta["name"])
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(reverse("registry:import") + f"?kind={meta['kind']}")
    finally:
        spool.unlink(missing_ok=True)
        request.session.pop(f"import:{token}", None)
    messages.success(request, _("%(n)s records imported.") % {"n": count})
    return redirect("registry:list", meta["kind"])
