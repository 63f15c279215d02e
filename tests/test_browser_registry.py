"""In Debian's Chromium: a county centre user logs in, finds an outlet through search, edits it and sees
the change in its history. The screenshot is kept as a CI artifact."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from parcelguard.registry.models import ChangeRecord
from parcelguard.testing.cast import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_county_centre_finds_edits_and_sees_the_history_of_an_outlet(live_server, page: Page, artifacts_dir):
    from parcelguard.testing.cast import make_cast

    cast = make_cast()
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/login/")
    expect(page.locator("h1")).to_have_text("登录")
    page.fill("input[name=username]", "centre_a")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("待我关注")

    page.click("nav.mainnav >> text=网点场所")
    page.fill("input[name=q]", "白塘")
    expect(page.locator("#results table tbody tr")).to_have_count(1)  # htmx live search
    page.click("#results table tbody tr a")
    expect(page.locator("h1")).to_have_text(cast.outlet_a2.name)

    page.click("text=编辑")
    page.fill("input[name=actual_address]", "福建省莆田市涵江区白塘镇白塘路99号")
    page.fill("input[name=reason]", "网格员实地核查发现搬迁")
    page.click("button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("已保存")
    expect(page.locator(".flag")).to_contain_text("实际经营地址与备案地址不一致")
    history = page.locator("ol.history")
    expect(history).to_contain_text("白塘路99号")
    expect(history).to_contain_text("网格员实地核查发现搬迁")
    assert ChangeRecord.objects.filter(model="site", object_id=cast.outlet_a2.pk, action="update").count() == 1

    # The manager's phone is masked on screen.
    assert not re.search(r"13600001111", page.content())
    page.screenshot(path=str(artifacts_dir / "registry-edit-history.png"), full_page=True)

    # A phone-sized window shows the same page without horizontal overflow of the layout.
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400
    page.screenshot(path=str(artifacts_dir / "registry-detail-phone.png"), full_page=True)
