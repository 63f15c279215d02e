"""In Debian's Chromium: the procurator drafts a recommendation with three items linked to a site, a hazard
event and an early warning and serves it; the city bureau splits it into tasks, two of them hazard events
that close through the normal workflow, drafts the reply and sees the third item reported open, issues it;
the procurator downloads the reply and the signed bundle, verifies the bundle offline and records the
follow-up."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile

import pytest
from playwright.sync_api import Browser, expect
from pypdf import PdfReader

from parcelguard.events.testing import ensure_taxonomy, make_event, png_bytes
from parcelguard.oversight.models import Recommendation
from parcelguard.testing.cast import PASSWORD

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # live_server + Playwright's event loop
pytestmark = pytest.mark.django_db(transaction=True)


def _log_in(browser: Browser, url: str, username: str):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    page.goto(f"{url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/")
    return context, page


def test_recommendation_reply_and_follow_up_in_the_browser(live_server, browser: Browser, artifacts_dir, tmp_path):
    from parcelguard.oversight import services
    from parcelguard.oversight.testing import close_event, warning_at
    from parcelguard.testing.cast import make_cast

    ensure_taxonomy()
    cast = make_cast()
    e1 = make_event(cast.outlet_a1, state="reported")
    e2 = make_event(cast.outlet_a2, state="reported")
    warning = warning_at(cast.sorting_centre_a)
    case = services.case_open(user=cast.procurator, number="莆检行公立〔2026〕9号", procuratorate="莆田市人民检察院",
                              matter="hub_hazards", summary="集散中心安全隐患", opened_on="2026-01-05")
    url = live_server.url

    # the procurator drafts and serves
    context, page = _log_in(browser, url, "procurator")
    page.goto(f"{url}/oversight/cases/{case.pk}/")
    page.click("#new-recommendation summary")
    page.fill("#n-number", "莆检行公建〔2026〕9号")
    rows = [("涵东营业部运单未去标识化", "督促使用隐私面单", "sites_1", cast.outlet_a1.code),
            ("白塘营业部隐患未整改", "依法查处", "events_2", str(e2.pk)),
            ("分拨中心安检机未开机", "加强安检设备巡查", "warnings_3", str(warning.pk))]
    for n, (problem, request, field, value) in enumerate(rows, start=1):
        page.fill(f"#problem_{n}", problem)
        page.fill(f"#request_{n}", request)
        page.fill(f"#{field}", value)
    page.click("#new-recommendation button[type=submit]")
    expect(page.locator("#rec-state")).to_have_text("草拟")
    page.click("#step-serve button[type=submit]")
    expect(page.locator("#rec-state")).to_have_text("已送达，待回复")
    expect(page.locator("#rec-clock")).to_contain_text("剩余")
    page.screenshot(path=str(artifacts_dir / "oversight-served.png"), full_page=True)
    rec = Recommendation.objects.get()
    items = {i.position: i for i in rec.items.all()}
    assert list(items[1].sites.all()) == [cast.outlet_a1] and list(items[2].events.all()) == [e2]
    assert list(items[3].warnings.all()) == [warning]
    context.close()

    # the bureau splits it into tasks
    context, page = _log_in(browser, url, "city_bureau")
    expect(page.locator(f"[data-subject=\"recommendation:{rec.pk}\"]")).to_contain_text("莆检行公建〔2026〕9号")
    page.goto(f"{url}/oversight/recommendations/{rec.pk}/")
    for item, title, event in ((1, "督促换用隐私面单", e1.pk), (2, "白塘营业部隐患整改", e2.pk), (3, "安检机维修复查", None)):
        page.click("#new-task summary")
        page.select_option("#t-item", str(items[item].pk))
        page.select_option("#t-county", str(cast.county_a.pk))
        page.fill("#t-title", title)
        page.fill("#t-due", "2099-12-31")
        page.fill("#t-event", str(event) if event else "")
        page.click("#new-task button[type=submit]")
        expect(page.locator(".messages")).to_contain_text("整改任务已分解")
    # two of them close through the hazard workflow (county centre, enterprise, grid workers)
    close_event(e1, centre=cast.centre_a, officer=cast.officer_x, worker=cast.worker_a1)
    close_event(e2, centre=cast.centre_a, officer=cast.officer_x, worker=cast.worker_a2)
    page.reload()
    expect(page.locator("#draft-item-1 .status-rectified")).to_be_visible()
    expect(page.locator("#draft-item-2 .status-rectified")).to_be_visible()
    expect(page.locator("#draft-item-3 .status-open")).to_contain_text("尚未完成")
    page.fill("#contact_name", "王敏")
    page.click("#step-reply button[type=submit]")
    expect(page.locator("#rec-state")).to_have_text("已回复")
    expect(page.locator("#reply-number")).to_contain_text("莆邮管函")
    page.screenshot(path=str(artifacts_dir / "oversight-replied.png"), full_page=True)
    context.close()

    # the procurator downloads the reply and the bundle, verifies it, follows up
    context, page = _log_in(browser, url, "procurator")
    page.goto(f"{url}/oversight/recommendations/{rec.pk}/")
    pdf = context.request.get(f"{url}/oversight/recommendations/{rec.pk}/reply.pdf")
    assert pdf.status == 200
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages).replace("\n", "").replace(" ", "")
    assert "莆田市人民检察院：" in text and "关于检察建议第3项" in text and "正在整改，尚未完成" in text
    with page.expect_download() as info:
        page.click("#bundle-link")
    folder = tmp_path / "bundle"
    zipfile.ZipFile(info.value.path()).extractall(folder)
    result = subprocess.run([sys.executable, str(folder / "verify.py")], capture_output=True, text=True, timeout=60,
                            cwd=folder.parent)
    assert result.returncode == 0, result.stdout + result.stderr
    for n, result_code in ((1, "rectified"), (2, "rectified"), (3, "not_rectified")):
        page.select_option(f"#result_{n}", result_code)
        page.fill(f"#note_{n}", "现场核查情况")
    page.set_input_files("#step-follow_up input[name=files]",
                         files=[{"name": "跟进.png", "mimeType": "image/png", "buffer": png_bytes()}])
    page.click("#step-follow_up button[type=submit]")
    expect(page.locator("#rec-state")).to_have_text("已跟进调查")
    expect(page.locator("#checks")).to_contain_text("未整改")
    page.screenshot(path=str(artifacts_dir / "oversight-followed-up.png"), full_page=True)
    context.close()
