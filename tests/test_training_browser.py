"""Issue 15 in Chromium: the trainer issues a paper to a screener, who takes it on a 390-px phone (the image
questions shown, the countdown running under the strict CSP), hands it in and passes; the certificate's QR
code, decoded from a screenshot, opens the public check, which verifies the certificate with the name masked."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import Browser

from parcelguard.testing.browser import wait_for_js
from parcelguard.testing.cast import PASSWORD

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "locale": "zh-CN"}


def _decode_qr(png: bytes) -> str:
    import cv2
    import numpy as np

    image = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR)
    text, _points, _raw = cv2.QRCodeDetector().detectAndDecode(image)
    return str(text)


def test_a_screener_takes_the_exam_on_a_phone_passes_and_the_qr_page_verifies(live_server, browser: Browser,
                                                                                artifacts_dir):
    from django.apps import apps

    from parcelguard.testing.cast import make_cast
    from parcelguard.training.models import Attempt, Certificate, Question
    from parcelguard.training.seed import seed
    from parcelguard.training.testing import attend_required, screener

    seed(apps, None)  # an earlier transactional test's flush empties what the migration laid
    cast = make_cast()
    candidate = screener(cast)
    attend_required(cast.officer_x, [candidate], "screener")
    base = live_server.url
    violations: list[str] = []

    trainer = browser.new_context(locale="zh-CN")
    page = trainer.new_page()
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", "officer_x")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/training/staff/?position=screener")
    page.click(f'tr[data-staff="{candidate.pk}"] button[type=submit]')
    page.wait_for_selector("#exam-link")
    link = page.locator("#exam-link").get_attribute("href")
    assert _decode_qr(page.locator("img[alt=QR]").screenshot()) == link  # the code on the paper's page

    phone = browser.new_context(**PHONE)
    mobile = phone.new_page()
    mobile.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    mobile.goto(link)
    assert "黄志强" not in mobile.content()  # the candidate's name is masked on the paper
    mobile.click("#exam-start")
    mobile.wait_for_selector("#exam-paper")
    wait_for_js(mobile, "document.querySelector('#exam-timer span').textContent.includes(':')")
    attempt = Attempt.objects.get(staff=candidate)
    assert mobile.locator("fieldset.question").count() == len(attempt.questions) == 12
    assert mobile.locator("fieldset.question img").count() == 2  # two X-ray image questions
    wait_for_js(mobile, "[...document.querySelectorAll('fieldset.question img')].every(i => i.naturalWidth > 0)")
    assert mobile.evaluate("document.documentElement.scrollWidth") <= 390
    key = dict(Question.objects.filter(pk__in=attempt.questions).values_list("pk", "answer"))
    for pk in attempt.questions:
        for option in key[pk]:
            mobile.locator(f'input[name="q_{pk}"][value="{option}"]').check()
    mobile.screenshot(path=str(artifacts_dir / "training-phone-paper.png"), full_page=True)
    mobile.click("#exam-submit")
    mobile.wait_for_selector("#exam-result")
    result = mobile.locator("#exam-result").inner_text()
    assert "25 / 25" in result and "合格" in result
    mobile.screenshot(path=str(artifacts_dir / "training-phone-result.png"), full_page=True)
    cert = Certificate.objects.get(staff=candidate)

    # the certificate's page (trainer) carries the QR code of the public check
    page.goto(f"{base}/training/certificates/{cert.pk}/")
    verify_url = _decode_qr(page.locator("img[alt=QR]").screenshot())
    assert verify_url == page.locator("#verify-link").get_attribute("href")
    assert verify_url.endswith(f"/training/public/certificates/{cert.verify_token}/")

    # anybody's phone scanning it: no log-in, the certificate verifies, the name masked, no phone or ID
    stranger = browser.new_context(**PHONE)
    check = stranger.new_page()
    check.goto(verify_url)
    text = check.locator("#verify-result").inner_text()
    assert "该上岗证有效" in text and cert.number in text and "安检员/安检机操作员" in text
    assert "黄志强" not in text and "黄" in text and "13906001234" not in check.content()
    check.screenshot(path=str(artifacts_dir / "training-verify.png"), full_page=True)
    assert not violations, violations
    for c in (trainer, phone, stranger):
        c.close()
