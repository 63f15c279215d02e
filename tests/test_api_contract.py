"""The API's contract at its edges (issue 19, item 13): wall-clock times with an offset are a clear 422
(never a 500, on either database), time fields in responses match their published schema, and a body
that is not JSON gets a documented, machine-readable 400 on every operation that takes a body."""

from __future__ import annotations

import json
import re

import pytest

from parcelguard.registry.models import Site


def _new_site(cast, **times):
    return {"code": "PTZTOWD0777", "name": "新网点", "kind": "outlet", "enterprise_id": cast.enterprise_x.pk,
            "county": cast.county_a.code, "filed_address": "福建省莆田市涵江区涵东街道1号", **times}


@pytest.mark.parametrize("bad", ["14:21:05+08:00", "14:21:05Z", "14:21:05.5", "24:00", "7:30", "", 52200, None.__class__.__name__])
def test_a_time_with_an_offset_or_another_shape_is_a_clear_422(cast, client_for, bad):
    client = client_for(cast.centre_a)
    created = client.post("/api/v1/sites", json.dumps(_new_site(cast, opens="08:00", closes=bad)),
                          content_type="application/json")
    assert created.status_code == 422, created.content
    assert created.json()["error"]["code"] == "invalid_request"
    assert any("closes" in d["loc"] for d in created.json()["error"]["details"])
    assert not Site.objects.filter(code="PTZTOWD0777").exists()
    site = cast.outlet_a1
    patched = client.patch(f"/api/v1/sites/{site.pk}", json.dumps({"version": site.version, "closes": bad}),
                           content_type="application/json")
    assert patched.status_code == 422


def test_times_go_in_as_local_wall_clock_and_come_out_as_the_schema_says(cast, client_for):
    client = client_for(cast.centre_a)
    created = client.post("/api/v1/sites", json.dumps(_new_site(cast, opens="08:30", closes="21:05:09")),
                          content_type="application/json")
    assert created.status_code == 201, created.content
    body = created.json()
    schema = client.get("/api/openapi.json").json()["components"]["schemas"]["SiteOut"]["properties"]
    pattern = next(o for o in schema["closes"]["anyOf"] if o.get("type") == "string")["pattern"]
    assert "format" not in json.dumps(schema["closes"])  # no RFC 3339 full-time (which needs an offset)
    assert body["opens"] == "08:30:00" and body["closes"] == "21:05:09"
    assert re.match(pattern, body["opens"]) and re.match(pattern, body["closes"])


def test_malformed_json_gets_a_documented_machine_readable_error_on_every_body_operation(cast, client_for):
    client = client_for(cast.city_bureau)
    openapi = client.get("/api/openapi.json").json()
    with_body = [(path, method) for path, ops in openapi["paths"].items() for method, op in ops.items()
                 if "application/json" in op.get("requestBody", {}).get("content", {})]
    assert len(with_body) > 10
    for path, method in with_body:
        assert "400" in openapi["paths"][path][method]["responses"], (path, method)
    for path, method in with_body:
        url = re.sub(r"\{[^}]+\}", "1", path)
        response = getattr(client, method)(url, '{"broken": ', content_type="application/json")
        assert response.status_code in (400, 401, 403, 404), (path, method, response.status_code)
        assert response["Content-Type"].startswith("application/json")
        if response.status_code == 400:
            assert response.json()["error"]["code"] == "malformed_body"


def test_marking_notifications_read_refuses_nulls_and_a_bare_list(cast, client_for):
    client = client_for(cast.centre_a)
    for body in ([None, None], {"ids": [None, None]}, {}):
        response = client.post("/api/v1/notifications/read", json.dumps(body), content_type="application/json")
        assert response.status_code == 422, body
        assert response.json()["error"]["code"] == "invalid_request"
    assert client.post("/api/v1/notifications/read", json.dumps({"ids": []}),
                       content_type="application/json").status_code == 200
