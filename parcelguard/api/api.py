"""The REST API: /api/v1/..., OpenAPI at /api/openapi.json, docs at /api/docs (served locally).

Nothing outside this package imports it; routers only validate input and call services and selectors.
Every error is JSON: {"error": {"code": "<stable code>", "message": "...", "details": ...}}.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from parcelguard.api.auth import AUTH
from parcelguard.api.v1 import (
    accounts,
    analytics,
    assessment,
    credit,
    emergency,
    events,
    inspections,
    oversight,
    partners,
    privacy,
    registry,
    training,
    work,
)
from parcelguard.api.v1 import parcels as parcels_v1
from parcelguard.api.v1 import video as video_v1
from parcelguard.core.errors import DomainError


class ParcelGuardAPI(NinjaAPI):
    """Publishes the one error every operation with a JSON body can answer before its own code runs: a body
    that is not parseable JSON gets 400 `{"error": {"code": "malformed_body", ...}}`."""

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                if isinstance(operation, dict) and "application/json" in operation.get("requestBody", {}).get(
                        "content", {}):
                    operation.setdefault("responses", {}).setdefault("400", {
                        "description": "The body is not valid JSON (error code malformed_body)",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}})
        return schema


api = ParcelGuardAPI(
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
    if exc.status_code == 400:  # ninja: the body could not be parsed
        return _error(request, 400, "malformed_body", _("The request body is not valid JSON."))
    return _error(request, exc.status_code, "http_error", str(exc))


api.add_router("/v1/", accounts.router)
api.add_router("/v1/", registry.router)
api.add_router("/v1/", events.router)
api.add_router("/v1/", privacy.router)
api.add_router("/v1/", work.router)
api.add_router("/v1/", analytics.router)
api.add_router("/v1/", parcels_v1.router)
api.add_router("/v1/", credit.router)
api.add_router("/v1/", oversight.router)
api.add_router("/v1/", inspections.router)
api.add_router("/v1/", video_v1.router)
api.add_router("/v1/", assessment.router)
api.add_router("/v1/", training.router)
api.add_router("/v1/", emergency.router)
api.add_router("/v1/", partners.router)
