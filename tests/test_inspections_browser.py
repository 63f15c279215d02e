"""In Debian's Chromium on a 390-px phone: a drawn inspector fills the scored checklist item by item with
camera photos, the network drops mid-way (Playwright offline mode), the representative signs, the send
waits; the network returns and the inspection arrives once with every answer; a failed item is a hazard
event."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import Browser, expect

from parcelguard.events.testing import ensure_taxonomy, png_bytes
from parcelguard.testing.cast import PASSWORD

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # live_server + Playwright's event loop
pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
         "geolocation": {"latitude": 25.4589, "longitude": 119.1192}, "permissions": ["geolocation"],
         "locale": "zh-CN"}


def _world():
    from parcelguard.accounts.models import User
    from parcelguard.accounts.roles import Role
    from parcelguard.inspections import services
    from parcelguard.inspections.models import Inspection
    from parcelguard.inspections.testing import putian_items
    from parcelguard.testing.cast import make_cast

    ensure_taxonomy()
    cast = make_cast()
    standard = services.standard_create(user=cast.city_bureau, code="putian", title="平安寄递示范网点考评标准",
                                        items=putian_items())
    services.standard_publish(user=cast.city_bureau, pk=standard.pk)
    for n in range(4):
        u = User.objects.create_user(f"inspector{n}", password=PASSWORD, role=Role.CITY_BUREAU,
                                     jurisdiction=cast.city, display_name=f"执法{n}")
        services.inspector_register(user=cast.city_bureau, officer_id=u.pk, certificate_no=f"闽邮执{n:04d}",
                                    valid_until="2099-12-31")
    plan = services.plan_create(user=cast.city_bureau, kind="special", title="消防安全专项检查", starts_on="2026-01-01",
                                ends_on="2099-12-31", standard_id=standard.pk, ratio="100%")
    services.plan_commit(user=cast.city_bureau, pk=plan.pk, version=None)
    services.plan_draw(user=cast.city_bureau, pk=plan.pk, version=None)
    insp = Inspection.objects.get(plan=plan, site=cast.outlet_a1)
    return cast, insp, insp.inspectors.order_by("pk").first().user


def test_a_phone_checklist_survives_a_dropped_network_and_arrives_once(live_server, browser: Browser, artifacts_dir):
    from parcelguard.events.models import Event
    from parcelguard.inspections.models import Finding, Inspection

    _cast, insp, inspector = _world()
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", inspector.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/inspections/{insp.pk}/fill/")
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" and "/submit/" in r.url else None)

    def shot(code: str) -> None:
        page.set_input_files(f"input[name=photo_{code}]", files=[{"name": f"{code}.png", "mimeType": "image/png",
                                                                  "buffer": png_bytes((40, 90 + len(code), 140))}])

    page.check("input[name=ok_realname][value=no]")
    page.fill("input[name=note_realname]", "收寄时未核验寄件人身份")
    shot("realname")
    page.fill("input[name=findings_open_inspect]", "0")
    shot("open_inspect")
    page.check("input[name=ok_xray][value=yes]")
    shot("xray")
    context.set_offline(True)  # the network drops in the middle of the checklist
    page.fill("input[name=findings_fire]", "2")
    page.fill("input[name=note_fire]", "两具灭火器压力不足")
    shot("fire")
    page.fill("input[name=score_video]", "12")
    shot("video")
    page.check("input[name=ok_officer][value=yes]")
    page.fill("input[name=score_training]", "8")
    page.fill("input[name=findings_privacy]", "0")
    shot("privacy")
    page.fill("input[name=score_counter]", "8")
    shot("counter")
    page.check("input[name=ok_sorting][value=yes]")
    expect(page.locator("#live-score")).to_have_text("82.0")  # 100 − 12 (real name) − 6 (fire)
    page.fill("input[name=representative]", "吴海燕")
    box = page.locator("#signature").bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 40)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(box["x"] + 20 + step * 20, box["y"] + 40 + (step % 3) * 15)
    page.mouse.up()
    page.click("#send")
    expect(page.locator("#status")).to_contain_text("网络中断")
    page.click("#send")  # an impatient second tap while offline changes nothing
    assert Inspection.objects.get(pk=insp.pk).state == "assigned"
    page.screenshot(path=str(artifacts_dir / "inspections-phone-offline.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 400

    context.set_offline(False)  # the network returns: the form sends by itself
    page.wait_for_url(f"{live_server.url}/inspections/{insp.pk}/", timeout=20000)
    expect(page.locator("#insp-state")).to_have_text("已提交")
    page.screenshot(path=str(artifacts_dir / "inspections-phone-done.png"), full_page=True)
    done = Inspection.objects.get(pk=insp.pk)
    assert done.state == "submitted" and done.submitted_by == inspector
    assert done.score == 82 and len(done.answers) == 10 and done.signature_id
    assert done.answers["fire"]["findings"] == 2 and len(done.answers["video"]["photos"]) == 1
    assert (done.latitude, done.longitude) is not None
    findings = Finding.objects.filter(inspection=done)
    assert sorted(f.item_code for f in findings) == ["fire", "realname"]
    events = Event.objects.filter(pk__in=[f.event_id for f in findings])
    assert events.count() == 2 and set(events.values_list("source", flat=True)) == {"inspection"}
    assert Inspection.objects.filter(pk=insp.pk, state="submitted").count() == 1
    assert page.locator("#findings a").count() == 2  # the hazard events, linked back
    context.close()


def test_the_county_centre_creates_announces_and_draws_its_own_plan(live_server, browser: Browser, artifacts_dir):
    """A county plan works for the county centre that made it: the form, then the announce and draw buttons."""
    from parcelguard.accounts.models import User
    from parcelguard.accounts.roles import Role
    from parcelguard.inspections import services
    from parcelguard.inspections.models import Inspection, Plan
    from parcelguard.inspections.testing import putian_items
    from parcelguard.testing.cast import make_cast

    ensure_taxonomy()
    cast = make_cast()
    standard = services.standard_create(user=cast.city_bureau, code="putian", title="平安寄递示范网点考评标准",
                                        items=putian_items())
    services.standard_publish(user=cast.city_bureau, pk=standard.pk)
    for n in range(2):
        u = User.objects.create_user(f"hj{n}", password=PASSWORD, role=Role.COUNTY_CENTRE,
                                     jurisdiction=cast.county_a, display_name=f"涵江执法{n}")
        services.inspector_register(user=cast.city_bureau, officer_id=u.pk, certificate_no=f"闽莆执03{n:02d}",
                                    valid_until="2099-12-31")
    cast.centre_a.set_password(PASSWORD)
    cast.centre_a.save()
    page = browser.new_page(locale="zh-CN")
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", cast.centre_a.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/inspections/")
    page.fill("input[name=title]", "涵江区12月寄递网点日常检查")
    page.select_option("select[name=kind]", "routine")
    page.fill("input[name=starts_on]", "2026-12-01")
    page.fill("input[name=ends_on]", "2099-12-31")
    page.fill("input[name=ratio]", "50%")
    page.select_option("select[name=counties]", ["350303"])
    page.click("#plan-create")
    expect(page.locator("#plan-state")).to_have_text("草稿")
    plan = Plan.objects.get(title="涵江区12月寄递网点日常检查")
    assert plan.jurisdiction_path == cast.county_a.path and plan.counties == ["350303"]
    page.click("#step-commit")
    expect(page.locator("#plan-state")).to_have_text("已公告待抽取")
    page.click("#step-draw")
    expect(page.locator("#plan-state")).to_have_text("已抽取锁定")
    expect(page.locator("#verification .ok")).to_be_visible()
    expect(page.locator("#step-redraw")).to_have_count(0)  # the override is the city bureau's alone
    page.screenshot(path=str(artifacts_dir / "inspections-county-plan.png"), full_page=True)
    drawn = Inspection.objects.filter(plan=plan)
    assert drawn.count() == 2  # half of 涵江区's three sites, rounded up
    assert {i.site.county.code for i in drawn} == {"350303"}
    page.close()
