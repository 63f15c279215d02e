"""Issue 19 item 2: audited unmasking works in the browser from every place a masked value is shown — a
record's detail page (负责人), a register's table, a tip-off reporter on an event — with the reason recorded."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import Page, expect

from parcelguard.core.models import UnmaskRecord
from parcelguard.registry.models import Site, Staff
from parcelguard.testing.cast import PASSWORD

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.django_db(transaction=True)


def _login(page: Page, url: str, name: str) -> None:
    page.goto(f"{url}/login/")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")


def _click_with_reason(page: Page, button, reason: str | None) -> None:
    def answer(dialog):
        if reason is None:
            dialog.dismiss()
        else:
            dialog.accept(reason)
    page.once("dialog", answer)
    button.click()


def test_a_county_centre_unmasks_a_manager_on_a_detail_page_and_a_name_in_a_table(live_server, page: Page,
                                                                                   artifacts_dir):
    from parcelguard.testing.cast import make_cast

    cast = make_cast()
    Site.objects.filter(pk=cast.outlet_a1.pk).update(manager_name="林志强", manager_phone="13905941234")
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    _login(page, live_server.url, "centre_a")

    page.goto(f"{live_server.url}/registry/sites/{cast.outlet_a1.pk}/")
    manager = page.locator("dd .pii").filter(has_text="林**").first
    expect(manager).to_be_visible()
    assert "林志强" not in page.content()
    # an empty reason is refused with the server's message, nothing recorded
    _click_with_reason(page, manager.locator("button.unmask"), "")
    expect(manager.locator(".unmask-error")).to_contain_text("原因")
    assert not UnmaskRecord.objects.exists()
    _click_with_reason(page, manager.locator("button.unmask"), "核实网点负责人身份")
    expect(page.locator("dd .unmasked").filter(has_text="林志强")).to_be_visible()
    record = UnmaskRecord.objects.get()
    assert (record.field, record.reason, record.actor_id) == ("manager_name", "核实网点负责人身份", cast.centre_a.pk)

    page.goto(f"{live_server.url}/registry/staff/")
    cell = page.locator("td .pii").first
    expect(cell).to_be_visible()
    _click_with_reason(page, cell.locator("button.unmask"), None)  # cancelled: nothing sent
    expect(cell.locator(".masked")).to_be_visible()
    _click_with_reason(page, cell.locator("button.unmask"), "核对从业人员名单")
    expect(page.locator("td .unmasked").first).to_be_visible()
    shown = page.locator("td .unmasked").first.inner_text()
    assert shown in set(Staff.objects.values_list("name", flat=True)) | set(Staff.objects.values_list("phone", flat=True))
    assert UnmaskRecord.objects.filter(reason="核对从业人员名单", model="staff").count() == 1
    page.screenshot(path=str(artifacts_dir / "unmask-table.png"))
    assert not errors, errors


def test_a_role_without_the_permission_sees_no_button(live_server, page: Page):
    from parcelguard.testing.cast import make_cast

    cast = make_cast()
    _login(page, live_server.url, "grid_a1")
    page.goto(f"{live_server.url}/registry/sites/{cast.outlet_a1.pk}/")
    assert page.locator("button.unmask").count() == 0
