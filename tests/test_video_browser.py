"""In Debian's Chromium against the real media server: a county officer opens the camera and the live
picture plays (hls.js, vendored; `currentTime` advances), a past moment plays from the recordings, a snapshot taken from the page becomes the
evidence of a new hazard event, and another county's grid worker gets 403 for the stream URL."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from playwright.sync_api import Browser, expect

from parcelguard.events.models import Event, TransitionEvidence
from parcelguard.events.testing import ensure_taxonomy
from parcelguard.testing.browser import log_in, wait_for_js
from parcelguard.video.gateway import gateway
from parcelguard.video.models import Snapshot
from parcelguard.video.services import gb_tz
from parcelguard.video.testing import channel_for, video_settings

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # live_server + Playwright's event loop
pytestmark = pytest.mark.django_db(transaction=True)


def _log_in(browser: Browser, url: str, username: str):
    return log_in(browser, url, username, viewport={"width": 1280, "height": 900}, locale="zh-CN")


def test_the_live_picture_plays_and_a_snapshot_becomes_the_evidence_of_a_hazard_event(
        live_server, browser: Browser, media_server, settings, artifacts_dir):
    from parcelguard.testing.cast import make_cast

    settings.VIDEO = video_settings(media_server)
    ensure_taxonomy()
    cast = make_cast()
    channel = channel_for(cast.outlet_a1.cameras.get(), 1, live=True)

    context, page = _log_in(browser, live_server.url, "centre_a")
    csp: list[str] = []
    page.on("console", lambda m: csp.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(f"{live_server.url}/video/")
    page.click(f"#video-cameras a[href='/video/cameras/{channel.pk}/']")
    expect(page.locator("video#live")).to_be_visible()
    wait_for_js(page, "document.querySelector('video#live').currentTime > 0.5", timeout=20)
    first = page.evaluate("document.querySelector('video#live').currentTime")
    page.wait_for_timeout(1500)
    later = page.evaluate("document.querySelector('video#live').currentTime")
    assert later > first + 0.5, (first, later)  # the picture keeps playing
    assert page.evaluate("document.querySelector('video#live').videoWidth") == 320
    expect(page.locator("#live-status")).to_have_text("播放中")
    page.screenshot(path=str(artifacts_dir / "video-live.png"))
    stream_url = page.locator("video#live").get_attribute("data-hls")

    form = page.locator("#snapshot-form")
    form.locator("select[name=hazard_type]").select_option("parcels_thrown")
    form.locator("textarea[name=description]").fill("视频中可见分拣员在收寄台抛扔快件")
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/events/*/")
    event = Event.objects.get()
    snap = Snapshot.objects.get()
    assert snap.event == event and event.site == cast.outlet_a1
    attached = TransitionEvidence.objects.get(transition__event=event)
    assert attached.evidence.sha256 == snap.evidence.sha256 and attached.evidence.content_type == "image/jpeg"
    expect(page.locator("body")).to_contain_text("抛扔快件")
    page.screenshot(path=str(artifacts_dir / "video-snapshot-event.png"), full_page=True)
    assert not csp, csp

    # a past moment plays from the recordings (the fixture's server writes 4-second files)
    recs = gateway().recordings(channel.stream, dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10),
                                dt.datetime.now(dt.UTC) - dt.timedelta(seconds=3))
    moment = recs[0].start + dt.timedelta(seconds=1)
    page.goto(f"{live_server.url}/video/cameras/{channel.pk}/")
    page.fill("#playback-form input[name=at]", moment.astimezone(gb_tz()).strftime("%Y-%m-%dT%H:%M:%S"))
    page.click("#playback-form button[type=submit]")
    expect(page.locator("video#playback")).to_be_visible()
    wait_for_js(page, "document.querySelector('video#playback').currentTime > 1.2", timeout=15)
    assert page.evaluate("document.querySelector('video#playback').videoHeight") == 180
    context.close()

    context, page = _log_in(browser, live_server.url, "grid_b1")
    response = context.request.get(f"{live_server.url}{stream_url}")
    assert response.status == 403
    context.close()
