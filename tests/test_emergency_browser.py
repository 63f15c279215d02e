"""In Debian's Chromium: an enterprise's safety officer reports an incident from a phone-sized window, the
county centre forwards it, the city bureau takes charge; each of them sees the incident's clock."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import Browser, expect

from parcelguard.emergency.models import Incident
from parcelguard.events.testing import png_bytes
from parcelguard.testing.cast import PASSWORD

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # live_server + Playwright's event loop
pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "locale": "zh-CN"}


def _log_in(browser: Browser, url: str, username: str, **context_args):
    context = browser.new_context(**context_args)
    page = context.new_page()
    page.goto(f"{url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/")
    return context, page


def test_an_incident_reported_from_a_phone_goes_up_to_the_city_with_its_clock(live_server, browser: Browser,
                                                                              artifacts_dir):
    from parcelguard.events.testing import ensure_taxonomy
    from parcelguard.testing.cast import make_cast

    ensure_taxonomy()
    cast = make_cast()
    base = live_server.url

    context, page = _log_in(browser, base, "officer_x", **PHONE)
    page.goto(f"{base}/emergency/")
    page.click("#report-incident")
    page.select_option("select[name=kind]", "fire")
    page.select_option("select[name=site_id]", str(cast.sorting_centre_a.pk))
    page.fill("input[name=place]", "分拣中心东侧装卸区")
    page.fill("textarea[name=summary]", "传送带电机冒烟起火，明火约半米")
    page.fill("textarea[name=first_measures]", "已切断电源，用干粉灭火器扑灭，疏散分拣员")
    page.set_input_files("input[name=files]", files=[{"name": "现场.png", "mimeType": "image/png",
                                                       "buffer": png_bytes()}])
    page.screenshot(path=str(artifacts_dir / "emergency-report-phone.png"), full_page=True)
    page.click("#incident-form button[type=submit]")
    expect(page.locator("#incident-state")).to_have_attribute("data-state", "reported")
    clock = page.locator("#incident-clock")
    expect(clock.locator("[data-stage=forward]")).to_have_attribute("data-status", "running")
    expect(clock).to_contain_text("剩余")
    assert page.evaluate("document.documentElement.scrollWidth") <= 400
    incident = Incident.objects.get()
    assert (incident.kind, incident.enterprise_id, incident.evidence.count()) == ("fire", cast.enterprise_x.pk, 1)
    context.close()

    context, page = _log_in(browser, base, "centre_a", **PHONE)
    page.goto(f"{base}/work/")
    page.click(f"a[href='/emergency/incidents/{incident.pk}/']")
    expect(page.locator("#incident-clock [data-stage=forward]")).to_have_attribute("data-status", "running")
    page.fill("#step-forward textarea[name=text]", "已派员到场核实，请市局指挥")
    page.click("#step-forward button[type=submit]")
    expect(page.locator("#incident-state")).to_have_attribute("data-state", "forwarded")
    expect(page.locator("#incident-clock [data-stage=forward]")).to_have_attribute("data-status", "on_time")
    context.close()

    context, page = _log_in(browser, base, "city_bureau", viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page.goto(f"{base}/emergency/?state=forwarded")
    page.click(f"#incidents a[href='/emergency/incidents/{incident.pk}/']")
    expect(page.locator("#incident-clock [data-stage=take_charge]")).to_have_attribute("data-status", "running")
    page.click("#step-take_charge button[type=submit]")
    expect(page.locator("#incident-state")).to_have_attribute("data-state", "in_charge")
    expect(page.locator("#incident-clock [data-stage=take_charge]")).to_have_attribute("data-status", "on_time")
    expect(page.locator("#step-close")).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "emergency-city-in-charge.png"), full_page=True)
    context.close()
    incident.refresh_from_db()
    assert incident.state == "in_charge" and incident.forwarded_at and incident.taken_at
