"""Issue 17 item 16: the grid worker's daily pages on a 390-px phone (Debian's Chromium): nothing overflows the
viewport, each event is a card whose state is on screen, the "overdue only" filter reads on one line with a
thumb-sized target, the top navigation is one compact row, and the main action sits at the thumb."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from playwright.sync_api import Browser

from parcelguard.core import clock
from parcelguard.events.testing import ensure_taxonomy, make_event
from parcelguard.testing.cast import PASSWORD

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
pytestmark = pytest.mark.django_db(transaction=True)

WIDTH, HEIGHT = 390, 844
PHONE = {"viewport": {"width": WIDTH, "height": HEIGHT}, "is_mobile": True, "has_touch": True, "locale": "zh-CN"}


def _overflowing(page) -> list[str]:
    """Elements whose box reaches past the viewport's right edge, outside any horizontal scroller."""
    return page.evaluate("""(width) => {
        const out = [];
        for (const el of document.querySelectorAll('body *')) {
            const r = el.getBoundingClientRect();
            if (r.width === 0 || r.right <= width + 1) continue;
            let p = el.parentElement, scrolled = false;
            while (p) { const s = getComputedStyle(p).overflowX; if (s === 'auto' || s === 'scroll') { scrolled = true; break; } p = p.parentElement; }
            if (!scrolled) out.push(el.tagName + '.' + el.className + ' ' + Math.round(r.right));
        }
        return out.slice(0, 10);
    }""", WIDTH)


def test_the_grid_workers_pages_fit_a_phone(live_server, browser: Browser, artifacts_dir):
    from parcelguard.testing.cast import make_cast

    ensure_taxonomy()
    cast = make_cast()
    late = make_event(cast.outlet_a1, state="answered", deadline=clock.now() - dt.timedelta(days=2))
    for n in range(4):
        make_event(cast.outlet_a1, state="reported", deadline=clock.now() + dt.timedelta(days=n + 1))
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "grid_a1")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    for path, name in (("/", "home"), ("/work/", "work"), ("/events/", "events"), ("/events/?overdue=1", "overdue"),
                       (f"/events/{late.pk}/", "detail"), ("/events/new/", "report"), ("/events/inbox/", "inbox")):
        page.goto(f"{live_server.url}{path}")
        page.screenshot(path=str(artifacts_dir / f"grid-phone-{name}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH, path
        assert _overflowing(page) == [], path
        assert page.locator("header.topbar").bounding_box()["height"] <= HEIGHT / 6, path  # not half the screen

    page.goto(f"{live_server.url}/events/")
    state = page.locator("table.cards tbody tr").first.locator(".state")
    box = state.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH and state.is_visible()
    overdue = page.locator("label.check")
    box = overdue.bounding_box()
    assert box["height"] >= 44 and box["height"] < 60 and box["width"] > 80  # one line, thumb-sized
    report = page.locator("a.thumb")
    box = report.bounding_box()
    assert box["y"] + box["height"] >= HEIGHT - 100 and box["height"] >= 44  # at the bottom, in reach
    overdue.click()
    page.wait_for_url("**overdue=1**")
    assert page.locator("table.cards tbody tr").count() == 1
    context.close()
