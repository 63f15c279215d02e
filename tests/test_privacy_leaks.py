"""Nothing unmasked leaks: on the demo city, a role without the unmask permission (grid worker, procurator,
enterprise) walks every page the navigation links to (and the pages those link to), every export, and every
list and detail GET endpoint of the OpenAPI schema; no full mobile number and no valid 18-digit ID number
appears anywhere."""

from __future__ import annotations

import importlib
import io
import re
from collections import deque
from html.parser import HTMLParser

import pytest
from waybill_privacy import validate_id_number

from parcelguard.accounts.models import User
from parcelguard.accounts.scoping import can_unmask
from parcelguard.demo.city import load_demo_city
from parcelguard.events.services import tipoff_submit
from parcelguard.events.testing import ensure_taxonomy
from parcelguard.privacy.demo import load_demo_samples
from parcelguard.privacy.services import sample_audit_text
from parcelguard.registry.models import Site

MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
ID18 = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
TOKENS = re.compile(r"[0-9A-Za-z_-]{32,}")  # hashes, CSRF tokens: long runs that are no one's phone
PAGES_PER_SHAPE = 2
MAX_PAGES = 220
SKIP = ("/logout/", "/i18n/", "/api/", "/static/", "/report/", "/admin/")


def leaks(text: str) -> list[str]:
    text = TOKENS.sub(" ", text)
    return MOBILE.findall(text) + [m for m in ID18.findall(text) if validate_id_number(m)]


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.nav: list[str] = []
        self._in_nav = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "nav" and "mainnav" in (a.get("class") or ""):
            self._in_nav += 1
        if tag == "a" and (a.get("href") or "").startswith("/"):
            self.hrefs.append(a["href"] or "")
            if self._in_nav:
                self.nav.append(a["href"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav" and self._in_nav:
            self._in_nav -= 1


def shape(url: str) -> str:
    return re.sub(r"\d+", "N", url.split("?")[0]) + ("?" if "?" in url else "")


def xlsx_text(data: bytes) -> str:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True)
    return "\n".join(" ".join(str(v) for v in row if v is not None) for ws in book for row in ws.iter_rows(values_only=True))


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo city (and the events demo, when there is one), a public tip-off that names its reporter, and
    waybill samples that found full names and phones; loaded once for the module, removed after it.
    Yields the media directory its evidence files went to."""
    from django.db import transaction
    from django.test import override_settings

    media = tmp_path_factory.mktemp("demo-media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media):
        atomic = transaction.atomic()
        atomic.__enter__()
        ensure_taxonomy()  # a transactional test before may have flushed the seeded hazard types
        load_demo_city()
        events_demo = importlib.util.find_spec("parcelguard.events.demo")
        if events_demo is not None:
            module = importlib.import_module("parcelguard.events.demo")
            loader = getattr(module, "load_demo_events", None)
            if loader is not None:
                loader()
        tipoff_submit(county_code="350303", hazard_type="other", place="涵江区涵东街道某快递驿站",
                      description="驿站门口快件随意堆放，无人看管，已持续多日。", anonymous=False,
                      name="赵丽华", phone="13598765432", ip="203.0.113.9")
        grid = User.objects.get(username="hanjiang_grid")
        site = Site.objects.filter(jurisdiction_path__startswith=grid.jurisdiction.path).first()
        load_demo_samples(sites=30)
        for text in ("收件人：王建国 13912345678 福建省莆田市涵江区涵华东路88号3幢201室 身份证11010519491231002X",
                     "收件人：王* 1******5678 福建省莆田市涵江区涵华东路88号****"):
            sample_audit_text(user=grid, site_id=site.pk, text=text)
        yield media
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


@pytest.fixture
def walker(demo, db, settings):
    from django.test import Client

    settings.MEDIA_ROOT = demo

    def make(username: str) -> Client:
        user = User.objects.get(username=username)
        assert not can_unmask(user)
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.mark.parametrize("username", ["hanjiang_grid", "procurator", "hanjiang_zto"])
def test_no_page_linked_from_the_navigation_shows_a_full_phone_or_id_number(walker, username):
    client = walker(username)
    home = client.get("/")
    parser = Links()
    parser.feed(home.content.decode())
    assert len(parser.nav) >= 5
    queue, seen, shapes, visited = deque((u, 1) for u in ["/", *parser.nav]), set(), {}, []
    while queue and len(visited) < MAX_PAGES:
        url, depth = queue.popleft()
        if url in seen or url.startswith(SKIP) or "#" in url:
            continue
        seen.add(url)
        key = shape(url)
        if shapes.get(key, 0) >= PAGES_PER_SHAPE:
            continue
        shapes[key] = shapes.get(key, 0) + 1
        response = client.get(url)
        visited.append((url, response.status_code))
        if response.status_code != 200:
            continue
        ctype = response.get("Content-Type", "")
        if "spreadsheetml" in ctype:
            body = xlsx_text(b"".join(response.streaming_content))
        elif ctype.startswith("text/html"):
            body = response.content.decode()
        else:
            continue
        assert not leaks(body), f"{username} sees {leaks(body)} at {url}"
        if depth < 3 and ctype.startswith("text/html"):
            links = Links()
            links.feed(body)
            queue.extend((h, depth + 1) for h in links.hrefs)
    assert sum(1 for _u, status in visited if status == 200) >= 15, visited
    assert any(u.startswith("/privacy/samples/") for u, _s in visited) or username == "hanjiang_zto"


def _get(client, path: str) -> tuple[int, object]:
    response = client.get(path)
    assert response.status_code < 500, path
    body = response.content.decode()
    assert not leaks(body), f"{leaks(body)} at {path}"
    return response.status_code, (response.json() if response.status_code == 200 else None)


def _ids(body: object, param: str) -> list[str]:
    items = body.get("items") if isinstance(body, dict) else body
    if not isinstance(items, list):
        return []
    out = []
    for item in items[:2]:
        if isinstance(item, dict):
            for key in (param, "id", "pk", "code"):
                if key in item:
                    out.append(str(item[key]))
                    break
    return out


@pytest.mark.parametrize("username", ["hanjiang_grid", "procurator", "hanjiang_zto"])
def test_no_api_response_shows_a_full_phone_or_id_number(walker, username):
    client = walker(username)
    schema = client.get("/api/openapi.json").json()
    paths = sorted(p for p, ops in schema["paths"].items() if "get" in ops)
    lists: dict[str, object] = {}
    called = 0
    for path in (p for p in paths if "{" not in p):
        status, body = _get(client, path)
        lists[path] = body
        called += status == 200
    for path in (p for p in paths if "{" in p):
        head, _brace, rest = path.partition("{")
        param = rest.split("}")[0].split(":")[-1]
        parent = lists.get(head.rstrip("/"))
        if parent is None and "{" not in head:  # e.g. /api/v1/{kind}/...: no list to draw from
            continue
        for value in _ids(parent, param):
            concrete = re.sub(r"\{[^}]+\}", value, path, count=1)
            if "{" in concrete:
                continue
            status, _body = _get(client, concrete)
            called += status == 200
    assert called >= 10
