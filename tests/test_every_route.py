"""Safety nets over every route: pages need a log-in unless they are meant for the public, and every
API operation needs authentication unless it is meant for the public."""

from __future__ import annotations

import re

from django.urls import URLPattern, URLResolver, get_resolver

PUBLIC_PAGES = ("login/", "logout/", "i18n/", "report/", "admin/", "api/", "inspections/public/", "video/points/",
                "training/public/")


def _patterns(resolver: URLResolver, prefix: str = "") -> list[str]:
    found: list[str] = []
    for p in resolver.url_patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            found += _patterns(p, route)
        elif isinstance(p, URLPattern):
            found.append(route)
    return found


def _concrete(route: str) -> str:
    route = re.sub(r"<int:\w+>", "1", route)
    route = re.sub(r"<(?:str|slug):(\w+)>", lambda m: "sites" if m.group(1) == "slug" else "x", route)
    route = re.sub(r"<[^>]+>", "x", route)
    return "/" + route.lstrip("^").rstrip("$").replace("\\Z", "")


def test_every_page_asks_an_anonymous_visitor_to_log_in(db, client):
    checked = 0
    for route in _patterns(get_resolver()):
        if route.startswith(PUBLIC_PAGES) or "(?P" in route or route == "":
            continue
        url = _concrete(route)
        response = client.get(url)
        assert response.status_code in (302, 401, 403, 404, 405), (url, response.status_code)
        if response.status_code == 302:
            assert "/login/" in response["Location"] or "/admin/login/" in response["Location"], url
        checked += 1
    assert checked >= 10


def test_every_api_operation_refuses_an_anonymous_caller(db, client):
    schema = client.get("/api/openapi.json").json()
    public = {op_path for op_path, ops in schema["paths"].items() for op in ops.values()
              if isinstance(op, dict) and op.get("security") == []}
    checked = 0
    for path, ops in schema["paths"].items():
        if path in public:
            continue
        url = re.sub(r"\{[^}]+\}", "1", path)
        for method in ops:
            if method not in ("get", "post", "patch", "put", "delete"):
                continue
            if method == "get":
                response = client.get(url)
            else:
                response = getattr(client, method)(url, content_type="application/json", data="{}")
            assert response.status_code == 401, (method, url, response.status_code)
            assert response.json()["error"]["code"] == "unauthenticated"
            checked += 1
    assert checked >= 10
