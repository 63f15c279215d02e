"""The report form's offline map picker (issue 5: "location … GPS from the phone, or picked on a map").

In Debian's Chromium, a grid worker in a phone-sized window taps the city's schematic map: the hidden
fields take the point, a tap on a site chooses it, the GPS button moves the marker back; the report is
stored with the picked point. On the server, a point outside the city's box is refused
(`location_outside_city`) and nothing is written."""

from __future__ import annotations

import json
import os
import re
from decimal import Decimal

import pytest
from playwright.sync_api import Browser, Page, expect

from parcelguard.analytics import boundaries
from parcelguard.core.errors import Invalid
from parcelguard.events import services
from parcelguard.events.location import city_box
from parcelguard.events.models import Event, Transition
from parcelguard.events.testing import ensure_taxonomy, photo, png_bytes
from parcelguard.testing.browser import wait_for_js
from parcelguard.testing.cast import PASSWORD, make_cast

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # live_server + Playwright's event loop
pytestmark = pytest.mark.django_db(transaction=True)

GPS = {"latitude": 25.4589, "longitude": 119.1192}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "geolocation": GPS,
         "permissions": ["geolocation"], "locale": "zh-CN"}


def _centre(code: str) -> tuple[float, float]:
    feature = next(f for f in boundaries.load()["features"] if f["properties"]["code"] == code)
    lon, lat = feature["properties"]["cp"]
    return lon, lat


def _locate_sites(cast) -> None:
    """Put the cast's sites on the map: grid a1's outlet in Hanjiang, the other grid's outlet in Licheng."""
    for site, code, dx in ((cast.outlet_a1, "350303", 0.02), (cast.outlet_a2, "350303", -0.03),
                           (cast.outlet_b1, "350304", 0.0)):
        lon, lat = _centre(code)
        site.longitude, site.latitude = Decimal(f"{lon + dx:.6f}"), Decimal(f"{lat:.6f}")
        site.save()


# ---- server side --------------------------------------------------------------------------------------------

def test_a_point_outside_the_city_box_is_refused_and_nothing_is_stored(client_for):
    ensure_taxonomy()
    cast = make_cast()
    x0, y0, x1, y1 = city_box()
    assert 118 < x0 < x1 < 120 and 24 < y0 < y1 < 26  # Putian's (schematic) extent
    grid = cast.users["grid_a1"]
    for lat, lon in ((39.9042, 116.4074), (y1 + 0.01, (x0 + x1) / 2), ((y0 + y1) / 2, x0 - 0.01)):
        with pytest.raises(Invalid) as refused:
            services.event_report(user=grid, site_id=cast.outlet_a1.pk, hazard_type="fire_safety",
                                  description="灭火器过期", latitude=lat, longitude=lon, uploads=[photo()])
        assert refused.value.code == "location_outside_city"
    assert (Event.objects.count(), Transition.objects.count()) == (0, 0)

    page = client_for(grid).post("/events/new/", {
        "site_id": cast.outlet_a1.pk, "hazard_type": "fire_safety", "description": "灭火器过期",
        "latitude": "39.9042", "longitude": "116.4074", "files": [photo()]})
    assert page.status_code == 400
    assert "该位置不在本市范围内" in page.content.decode()  # the clear Chinese message
    assert 'value="39.9042"' not in page.content.decode()  # the refused point is not offered again
    assert (Event.objects.count(), Transition.objects.count()) == (0, 0)

    # The box's own corner and a point inside are accepted.
    event = services.event_report(user=grid, site_id=cast.outlet_a1.pk, hazard_type="fire_safety",
                                  description="灭火器过期", latitude=y0, longitude=x0, uploads=[photo()])
    assert (event.latitude, event.longitude) == (round(y0, 6), round(x0, 6))


def test_the_picker_data_is_the_dashboards_boundaries_and_the_users_own_sites(client_for):
    ensure_taxonomy()
    cast = make_cast()
    _locate_sites(cast)
    html = client_for(cast.users["grid_a1"]).get("/events/new/").content.decode()
    found = re.search(r'<script id="picker-data" type="application/json">(.*?)</script>', html, re.S)
    data = json.loads(found.group(1))
    assert data["districts"] == boundaries.load()
    assert data["box"] == list(city_box())
    assert {s["id"] for s in data["sites"]} == {cast.outlet_a1.pk}  # grid a1's located sites only
    assert "events/map_picker.js" in html and "vendor/echarts/echarts.min.js" in html
    everything = client_for(cast.city_bureau).get("/events/new/").content.decode()
    assert cast.outlet_b1.name in everything


# ---- in the browser -----------------------------------------------------------------------------------------

def _log_in(browser: Browser, url: str, username: str, **context_args) -> Page:
    page = browser.new_context(**context_args).new_page()
    page.goto(f"{url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/")
    return page


def _tap(page: Page, lon: float, lat: float) -> None:
    """Tap the map where ECharts draws (lon, lat)."""
    x, y = page.evaluate(f"window.pgPicker.convertToPixel({{geoIndex: 0}}, [{lon}, {lat}])")
    box = page.locator("#map-picker").bounding_box()
    page.touchscreen.tap(box["x"] + x, box["y"] + y)


def _marker(page: Page) -> list[float]:
    return page.evaluate("window.pgPicker.getOption().series.find(s => s.id === 'pick').data[0].value")


def test_a_grid_worker_picks_the_location_on_the_map_from_a_phone(live_server, browser: Browser, artifacts_dir):
    ensure_taxonomy()
    cast = make_cast()
    _locate_sites(cast)
    x0, y0, x1, y1 = city_box()

    page = _log_in(browser, live_server.url, "grid_a1", **PHONE)
    page.goto(f"{live_server.url}/events/new/")
    wait_for_js(page, "window.pgPicker")
    expect(page.locator("#latitude")).to_have_value("25.458900")  # GPS on load …
    assert _marker(page) == pytest.approx([GPS["longitude"], GPS["latitude"]])  # … with the marker on it
    page.locator("#map-picker").scroll_into_view_if_needed()
    assert page.locator("#map-picker").bounding_box()["width"] <= 390

    # A tap on a site chooses it and takes its location.
    site_lon, site_lat = float(cast.outlet_a1.longitude), float(cast.outlet_a1.latitude)
    _tap(page, site_lon, site_lat)
    expect(page.locator("select[name=site_id]")).to_have_value(str(cast.outlet_a1.pk))
    expect(page.locator("#latitude")).to_have_value(f"{site_lat:.6f}")

    # The GPS button moves the marker back to the phone's position.
    page.click("#gps")
    expect(page.locator("#latitude")).to_have_value("25.458900")
    assert _marker(page) == pytest.approx([GPS["longitude"], GPS["latitude"]])

    # A tap anywhere in the city (here Xianyou, far from any site) sets the point and the marker.
    lon, lat = _centre("350322")
    _tap(page, lon, lat)
    expect(page.locator("#latitude")).not_to_have_value("25.458900")
    picked_lat = float(page.input_value("#latitude"))
    picked_lon = float(page.input_value("#longitude"))
    assert x0 <= picked_lon <= x1 and y0 <= picked_lat <= y1
    assert (picked_lon, picked_lat) == (pytest.approx(lon, abs=0.01), pytest.approx(lat, abs=0.01))
    assert _marker(page) == pytest.approx([picked_lon, picked_lat], abs=1e-5)
    expect(page.locator("select[name=site_id]")).to_have_value(str(cast.outlet_a1.pk))  # the site stays

    page.select_option("select[name=hazard_type]", "fire_safety")
    page.fill("textarea[name=description]", "营业部门口堆放快件，占用消防通道")
    page.set_input_files("input[name=files]", files=[{"name": "现场.png", "mimeType": "image/png",
                                                       "buffer": png_bytes()}])
    assert page.evaluate("document.documentElement.scrollWidth") <= 400
    page.screenshot(path=str(artifacts_dir / "events-map-picker-phone.png"), full_page=True)
    page.click("button[type=submit]")
    expect(page.locator("#event-state")).to_be_visible()
    event = Event.objects.get()
    assert (event.site_id, event.latitude, event.longitude) == (cast.outlet_a1.pk, picked_lat, picked_lon)
    page.context.close()
