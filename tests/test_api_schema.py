"""schemathesis over the whole OpenAPI schema, through WSGI, on the test database of the current run
(SQLite or PostgreSQL): no 5xx, and every response matches the schema."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks

from parcelguard.accounts.models import ApiToken
from parcelguard.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)


@pytest.fixture
def token(cast) -> str:
    return ApiToken.issue(cast.city_bureau, "schemathesis")[1]


@pytest.fixture(autouse=True)
def _keep_the_test_transaction_open():
    """Django closes the connection after each request unless, like its own test client, we unhook that;
    the requests here come through WSGI and would otherwise end the test's transaction on PostgreSQL."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@pytest.mark.django_db
def test_the_api_never_fails_and_matches_its_schema(case, token, _keep_the_test_transaction_open):
    case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}
    case.call_and_validate(checks=[checks.not_a_server_error, checks.response_schema_conformance,
                                   checks.content_type_conformance])


def test_the_api_docs_are_served_without_a_cdn(client):
    page = client.get("/api/docs")
    assert page.status_code == 200
    html = page.content.decode()
    assert "cdn.jsdelivr" not in html and "unpkg" not in html
    openapi = client.get("/api/openapi.json").json()
    assert openapi["openapi"].startswith("3.") and "/api/v1/sites" in openapi["paths"]
