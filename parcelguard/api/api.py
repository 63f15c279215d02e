"""The REST API: /api/v1/..., OpenAPI at /api/openapi.json, docs at /api/docs (served locally).

Nothing outside this package imports it; routers only validate input and call services and selectors.
Every error is JSON: {"error": {"code": "<stable code>", "message": "...", "details": ...}}.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from parcelguard.api.auth import AUTH
from parcelguard.api.v1 import accounts, analytics, events, privacy, registry
from parcelguard.api.v1 import parcels as parcels_v1
from parcelguard.core.errors import DomainError

api = NinjaAPI(
    title="ParcelGuard API",
    version="1",
    description="寄递安全监管平台 REST API. Authenticate with a session or an API token "
    "(`Authorization: Bearer pg_...`). Errors are `{\"error\": {\"code\", \"message\", \"details\"}}`.",
    auth=AUTH,
    urls_namespace="api",
)


def _error(request: HttpRequest, status: int, code: str, message: str, details: object = None) -> HttpResponse:
    body: dict[str, object] = {"code": code, "message": message}
    if details is not None:
        body["details"] = details
    return api.create_response(request, {"error": body}, status=status)


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return _error(request, exc.status, exc.code, str(exc.message), exc.details)


@api.exception_handler(NinjaValidationError)
def on_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    details = [{"loc": [str(p) for p in e.get("loc", [])], "msg": str(e.get("msg", ""))} for e in exc.errors]
    return _error(request, 422, "invalid_request", _("The request is not valid."), details)


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "unauthenticated", _("Log in or send a valid API token."))


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "not_found", _("Record not found."))


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _error(request, exc.status_code, "http_error", str(exc))


api.add_router("/v1/", accounts.router)
api.add_router("/v1/", registry.router)
api.add_router("/v1/", events.router)
api.add_router("/v1/", privacy.router)
api.add_router("/v1/", analytics.router)
api.add_router("/v1/", parcels_v1.router)
