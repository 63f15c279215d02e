"""In Debian's Chromium: the city bureau opens the dashboard, clicks Hanjiang on the map and lands on the
events of Hanjiang; back on the dashboard it clicks a slice of the hazard-type chart and lands on the
events of that type. Screenshots are kept as CI artifacts."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from parcelguard.analytics import boundaries
from parcelguard.events.models import Event
from parcelguard.events.testing import make_event
from parcelguard.testing.browser import wait_for_js
from parcelguard.testing.cast import PASSWORD, make_cast

pytestmark = pytest.mark.django_db(transaction=True)


def click_on_chart(page: Page, name: str, js_point: str) -> None:
    """Click where ECharts draws something: js_point returns [x, y] inside the chart's canvas."""
    x, y = page.evaluate(f"(() => {{ const c = window.pgCharts[{json.dumps(name)}]; {js_point} }})()")
    box = page.locator(f'[data-figure="{name}"] .canvas').bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)


def test_the_city_drills_down_from_the_map_and_the_type_chart(live_server, page: Page, artifacts_dir, settings):
    settings.ANALYTICS_CACHE_SECONDS = 0
    cast = make_cast()
    hanjiang = next(f for f in boundaries.load()["features"] if f["properties"]["code"] == cast.county_a.code)
    lon, lat = hanjiang["properties"]["cp"]
    for i, site in enumerate([cast.outlet_a1, cast.outlet_a2, cast.sorting_centre_a, cast.outlet_b1]):
        site.latitude, site.longitude = Decimal(str(lat + 0.03 + i * 0.01)), Decimal(str(lon + 0.03))
        site.save()
    recent = timezone.now() - dt.timedelta(days=3)
    for site, hazard, n in ((cast.outlet_a1, "fire_safety", 3), (cast.outlet_a2, "address_mismatch", 2),
                            (cast.outlet_b1, "fire_safety", 2)):
        for _ in range(n):
            Event.objects.filter(pk=make_event(site, state="reminded", hazard=hazard).pk).update(reported_at=recent)

    page.set_viewport_size({"width": 1300, "height": 1000})
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "city_bureau")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/analytics/")
    wait_for_js(page, "window.pgCharts && window.pgCharts.map && window.pgCharts.types")
    expect(page.locator('.kpi[data-kpi="total"] b')).to_have_text("7")
    # the moment the figures were taken, in the bureau's time zone whatever the browser's
    taken = page.locator("#taken")
    expect(taken).to_be_visible()
    at = dt.datetime.fromisoformat(taken.get_attribute("data-taken-at"))
    expect(taken).to_have_text("数据截至 " + timezone.localtime(at).strftime("%Y-%m-%d %H:%M"))
    page.wait_for_timeout(600)  # the charts' entry animation
    page.screenshot(path=str(artifacts_dir / "analytics-dashboard.png"), full_page=True)

    page.locator('[data-figure="map"]').scroll_into_view_if_needed()
    click_on_chart(page, "map", f"return c.convertToPixel({{geoIndex: 0}}, [{lon}, {lat}]);")
    page.wait_for_url(re.compile(r"/analytics/events/\?.*county=350303"))
    rows = page.locator("#events tbody tr[data-event]")
    expect(rows).to_have_count(5)
    expect(page.locator("#events tbody")).not_to_contain_text(cast.outlet_b1.name)
    page.screenshot(path=str(artifacts_dir / "analytics-drilldown-county.png"), full_page=True)

    page.go_back()
    wait_for_js(page, "window.pgCharts && window.pgCharts.types")
    page.wait_for_timeout(600)
    first = page.evaluate("window.pgCharts.types.getOption().series[0].data[0].code")
    page.locator('[data-figure="types"]').scroll_into_view_if_needed()
    click_on_chart(page, "types", """
        const l = c.getModel().getSeriesByIndex(0).getData().getItemLayout(0);
        const mid = (l.startAngle + l.endAngle) / 2, r = (l.r0 + l.r) / 2;
        return [l.cx + r * Math.cos(mid), l.cy + r * Math.sin(mid)];""")
    page.wait_for_url(re.compile(rf"/analytics/events/\?.*type={first}"))
    expect(rows).to_have_count(Event.objects.filter(hazard_type__code=first).count())
    page.screenshot(path=str(artifacts_dir / "analytics-drilldown-type.png"), full_page=True)
