"""In Debian's Chromium: the city bureau opens a hazard event, transfers the clue to the police with the
event's evidence, and downloads the transfer letter (read back) and the signed evidence bundle."""

from __future__ import annotations

import io
import json
import os
import re
import zipfile

import pytest
from playwright.sync_api import Browser, expect
from pypdf import PdfReader

from parcelguard.testing.browser import log_in

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # live_server + Playwright's event loop
pytestmark = pytest.mark.django_db(transaction=True)


def test_the_city_transfers_a_clue_from_an_event_and_downloads_the_letter_and_the_bundle(live_server, browser: Browser,
                                                                                          tmp_path):
    from parcelguard.events import services as events
    from parcelguard.events.testing import ensure_taxonomy, photo
    from parcelguard.partners.models import Transfer
    from parcelguard.partners.testing import make_partners
    from parcelguard.testing.cast import make_cast

    ensure_taxonomy()
    cast = make_cast()
    parts = make_partners(cast)
    event = events.event_report(user=cast.worker_a1, site_id=cast.outlet_a1.pk, hazard_type="other",
                                description="过机时发现疑似管制刀具，寄件人拒绝开箱验视", uploads=[photo("过机图像.png")])
    context, page = log_in(browser, live_server.url, "city_bureau", locale="zh-CN",
                           viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page.goto(f"{live_server.url}/events/{event.pk}/")
    page.click("#transfer-clue")
    page.wait_for_url(re.compile(r"/partners/transfers/new/\?event="))
    page.select_option("#t-partner", str(parts["police"].pk))
    page.select_option("#t-kind", "weapons")
    page.fill("#t-summary", "涵东街道网点收寄包裹，X光机图像显示疑似管制刀具，寄件人拒绝开箱验视后离开。")
    expect(page.locator("#t-evidence input[type=checkbox]")).to_be_checked()
    page.click("#transfer-send")
    page.wait_for_url(re.compile(r"/partners/transfers/\d+/$"))
    expect(page.locator("#transfer-state")).to_have_text("已移送")
    transfer = Transfer.objects.get()
    assert transfer.number == "莆邮管移〔" + str(transfer.sent_at.year) + "〕1号"

    with page.expect_download() as letter:
        page.click("#letter-pdf")
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(letter.value.path()).pages))
    for part in ("莆田市邮政管理局", "线索移送函", transfer.number, "莆田市公安局：", "疑似管制刀具", "过机图像.png",
                 "特此函告"):
        assert part in text, part

    with page.expect_download() as bundle:
        page.click("#transfer-bundle")
    with open(bundle.value.path(), "rb") as f:
        zf = zipfile.ZipFile(io.BytesIO(f.read()))
    names = zf.namelist()
    assert {"timeline.json", "timeline.pdf", "hashes.json", "hashes.json.sig", "public_key.pem", "verify.py"} <= set(names)
    assert sum(n.startswith("evidence/") for n in names) == 2  # the photo and the letter
    assert json.loads(zf.read("timeline.json"))["subject"] == f"clue_transfer:{transfer.pk}"
    page.screenshot(path=str(tmp_path / "transfer.png"))
    context.close()
