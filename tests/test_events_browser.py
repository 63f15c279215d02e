"""In Debian's Chromium: a grid worker reports a hazard with a photo from a phone-sized window; the county
centre verifies it and issues the reminder letter, whose PDF opens with the right Chinese text."""

from __future__ import annotations

import io
import os

import pytest
from playwright.sync_api import Browser, expect

from parcelguard.events.models import Event
from parcelguard.events.testing import ensure_taxonomy, png_bytes
from parcelguard.testing.cast import PASSWORD

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # live_server + Playwright's event loop
pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
         "geolocation": {"latitude": 25.4589, "longitude": 119.1192}, "permissions": ["geolocation"],
         "locale": "zh-CN"}


def _log_in(browser: Browser, url: str, username: str, **context_args):
    context = browser.new_context(**context_args)
    page = context.new_page()
    page.goto(f"{url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/")
    return context, page


def test_a_grid_worker_reports_from_a_phone_and_the_centre_issues_the_reminder_letter(
        live_server, browser: Browser, artifacts_dir):
    from parcelguard.testing.cast import make_cast

    ensure_taxonomy()
    cast = make_cast()

    context, page = _log_in(browser, live_server.url, "grid_a1", **PHONE)
    page.goto(f"{live_server.url}/events/new/")
    page.select_option("select[name=site_id]", str(cast.outlet_a1.pk))
    page.select_option("select[name=hazard_type]", "address_mismatch")
    page.fill("textarea[name=description]", "营业部实际经营地址与备案地址不符")
    page.set_input_files("input[name=files]", files=[{"name": "现场.png", "mimeType": "image/png",
                                                       "buffer": png_bytes()}])
    expect(page.locator("input[name=latitude]")).to_have_value("25.458900")
    page.screenshot(path=str(artifacts_dir / "events-report-phone.png"), full_page=True)
    page.click("button[type=submit]")
    expect(page.locator("#event-state")).to_be_visible()
    event = Event.objects.get()
    assert (event.state, event.latitude, event.longitude) == ("reported", 25.4589, 119.1192)
    assert page.evaluate("document.documentElement.scrollWidth") <= 400
    context.close()

    context, page = _log_in(browser, live_server.url, "centre_a", viewport={"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/events/{event.pk}/")
    verify = page.locator("#step-verify form")
    verify.locator("textarea[name=note]").fill("现场复核属实")
    verify.locator("input[name=files]").set_input_files(files=[{"name": "复核.png", "mimeType": "image/png",
                                                                "buffer": png_bytes((0, 120, 0))}])
    verify.locator("button[type=submit]").click()
    expect(page.locator("#step-remind")).to_have_attribute("open", "")  # the next step is unfolded
    page.locator("#step-remind button[type=submit]").click()
    expect(page.locator("#timeline")).to_contain_text("邮安提〔")
    page.screenshot(path=str(artifacts_dir / "events-reminder-issued.png"), full_page=True)

    href = page.locator("#timeline .action-remind a.attachment-document").get_attribute("href")
    response = context.request.get(f"{live_server.url}{href}")
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    from pypdf import PdfReader

    text = "".join("".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(response.body())).pages)
    assert "提醒函" in text
    assert cast.enterprise_x.name in text
    event.refresh_from_db()
    assert event.state == "reminded"
    context.close()
