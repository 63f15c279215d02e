"""Production settings in the browser (issue 19, item 12): Django's Content-Security-Policy is sent and
every page of every role satisfies it. The crawl is generic — each role's home page and the pages its
links reach (three levels, each distinct page shape once) — so templates added later are covered too; any
CSP violation (a `securitypolicyviolation` event or a console report) fails the test."""

from __future__ import annotations

import os
import re
from urllib.parse import urldefrag, urlparse

import pytest
from playwright.sync_api import Browser

from parcelguard.testing.cast import PASSWORD

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # live_server + Playwright's event loop
pytestmark = pytest.mark.django_db(transaction=True)

ROLES = ["city_bureau", "centre_a", "grid_a1", "officer_x", "procurator", "admin"]
SKIP = re.compile(r"/(logout|admin|i18n|static|media)/|\.(pdf|xlsx|csv|zip|png|jpg)$|/(export|download|bundle)")
LISTEN = """window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(
  e.violatedDirective + " " + (e.blockedURI || "inline") + " " + (e.sourceFile || "") + ":" + e.lineNumber));"""
PER_ROLE = 40


def _links(page, base: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    out = []
    for href in hrefs:
        url = urldefrag(href)[0]
        if url.startswith(base) and not SKIP.search(urlparse(url).path):
            out.append(url)
    return out


def _visit(page, url: str, violations: list[str]) -> None:
    response = page.goto(url)
    page.wait_for_load_state("networkidle")
    found = page.evaluate("window.__csp || []")
    violations += [f"{url}: {v}" for v in found]
    if response is not None and response.ok and urlparse(url).path not in ("/login/",):
        assert "content-security-policy" in {k.lower() for k in response.headers}, url


def test_every_page_of_every_role_satisfies_the_content_security_policy(live_server, browser: Browser):
    from parcelguard.accounts.models import User
    from parcelguard.events.testing import ensure_taxonomy
    from parcelguard.testing.cast import make_cast

    ensure_taxonomy()
    make_cast()
    User.objects.filter(username="admin").update(is_staff=True, is_superuser=True)
    base = live_server.url
    violations: list[str] = []
    seen: set[str] = set()
    visited = 0

    context = browser.new_context(locale="zh-CN")
    context.add_init_script(LISTEN)
    page = context.new_page()
    page.on("console", lambda m: violations.append(f"console: {m.text}")
            if "Content Security Policy" in m.text else None)
    for path in ("/login/", "/report/", "/api/docs"):
        _visit(page, base + path, violations)
    assert not violations, violations
    # The detector detects: an inline script slipped into a page is blocked and reported.
    page.evaluate("() => { const s = document.createElement('script'); s.textContent = 'window.__ran = 1';"
                  " document.body.appendChild(s); }")
    page.wait_for_timeout(200)
    assert page.evaluate("window.__ran") is None and page.evaluate("window.__csp.length") >= 1
    violations.clear()
    context.close()

    for role in ROLES:
        context = browser.new_context(locale="zh-CN")
        context.add_init_script(LISTEN)
        page = context.new_page()
        page.on("console", lambda m: violations.append(f"console: {m.text}")
                if "Content Security Policy" in m.text else None)
        page.goto(f"{base}/login/")
        page.fill("input[name=username]", role)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/")
        frontier, budget = [f"{base}/"], PER_ROLE
        for _depth in range(3):
            following = []
            for url in frontier:
                if budget <= 0:
                    break
                path = urlparse(url).path
                shape = re.sub(r"\d+", "N", path)  # one page per template-ish shape: /events/N/, not each event
                if shape in seen and path != "/":
                    continue
                seen.add(shape)
                _visit(page, url, violations)
                visited += 1
                budget -= 1
                following += [u for u in _links(page, base)
                              if re.sub(r"\d+", "N", urlparse(u).path) not in seen]
            frontier = list(dict.fromkeys(following))
        if role == "centre_a":  # the shared script: changing the language selector submits its form
            page.goto(f"{base}/")
            page.select_option("select[name=language]", "en")
            page.wait_for_load_state("networkidle")
            assert page.locator("html").get_attribute("lang") == "en"
            page.select_option("select[name=language]", "zh-hans")
            page.wait_for_load_state("networkidle")
        context.close()
    assert visited > 25, visited
    assert not violations, "\n".join(violations[:30])


def test_https_settings_are_secure_when_served_over_https(monkeypatch):
    import importlib

    import parcelguard.settings as module

    monkeypatch.setenv("PARCELGUARD_HTTPS", "true")
    monkeypatch.setenv("PARCELGUARD_TRUSTED_PROXIES", "127.0.0.1")
    try:
        https = importlib.reload(module)
        assert https.SESSION_COOKIE_SECURE and https.CSRF_COOKIE_SECURE
        assert https.SECURE_HSTS_SECONDS >= 180 * 24 * 3600
        assert https.SECURE_PROXY_SSL_HEADER == ("HTTP_X_FORWARDED_PROTO", "https")
        assert "'self'" in https.SECURE_CSP["script-src"] and "'unsafe-inline'" not in https.SECURE_CSP["script-src"]
    finally:
        monkeypatch.delenv("PARCELGUARD_HTTPS")
        monkeypatch.delenv("PARCELGUARD_TRUSTED_PROXIES")
        importlib.reload(module)


def test_hsts_and_secure_cookies_on_an_https_request(cast, settings):
    from django.test import Client

    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    client = Client()
    response = client.post("/login/", {"username": "centre_a", "password": PASSWORD}, secure=True)
    assert response.status_code == 302
    assert response.cookies["sessionid"]["secure"]
    page = client.get("/", secure=True)
    assert page["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "script-src 'self'" in page["Content-Security-Policy"]
