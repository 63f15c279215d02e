"""In Debian's Chromium, on a phone-sized screen: a grid worker photographs a waybill at an outlet, reads the
verdict with the findings boxed on the photo, and opens a hazard event from it. Screenshots are CI artifacts."""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import Page, expect

from parcelguard.events.models import Event
from parcelguard.events.testing import ensure_taxonomy
from parcelguard.privacy.services import ocr_warm_up
from parcelguard.privacy.testing import EXPOSED, FONT, waybill_photo
from parcelguard.testing.cast import PASSWORD

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # live_server + Playwright's event loop (as .ci/run sets)

pytestmark = [pytest.mark.django_db(transaction=True),
              pytest.mark.skipif(not FONT.exists(), reason="Noto Sans CJK is not installed")]


def test_a_grid_worker_audits_a_waybill_photo_on_a_phone_and_opens_a_hazard_event(
        live_server, page: Page, artifacts_dir, tmp_path):
    from parcelguard.testing.cast import make_cast

    ocr_warm_up()
    ensure_taxonomy()  # an earlier transactional test may have flushed the seeded hazard types
    cast = make_cast()
    photo = tmp_path / "面单.jpg"
    photo.write_bytes(waybill_photo(EXPOSED))
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "grid_a1")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")

    page.click("nav.mainnav a[href='/privacy/']")
    page.select_option("select[name=site_id]", str(cast.outlet_a1.pk))
    page.set_input_files("input[name=photo]", str(photo))
    page.click("#audit-form button[type=submit]")

    expect(page.locator("#verdict")).to_contain_text("不合规")
    expect(page.locator("#verdict")).to_contain_text("姓名完整显示")
    assert page.locator(".waybill-photo polygon").count() >= 3
    assert not re.search(r"(?<!\d)1[3-9]\d{9}(?!\d)", page.content())
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, "the sample page must fit a phone's width"
    page.screenshot(path=str(artifacts_dir / "privacy-sample-phone.png"), full_page=True)

    page.click("form[action$='/event/'] button")
    expect(page).to_have_url(re.compile(r"/events/\d+/$"))
    event = Event.objects.get()
    assert event.hazard_type.code == "waybill_pii" and event.site_id == cast.outlet_a1.pk
