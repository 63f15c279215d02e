"""Where a reported hazard may lie: inside the city's bounding box.

The box is the extent of the (schematic) district boundaries the maps draw — the same file the dashboard
uses (`parcelguard.analytics.boundaries`) — so every point a user can pick on the report form's map is
accepted, and a point off the map is refused by the server, not only by the page. Without a boundary
file, the box is the extent of the registry's located sites with the same margin the boundaries get;
with neither, there is nothing to check against and any valid coordinate passes.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from parcelguard.core.errors import Invalid

Box = tuple[float, float, float, float]  # min_lon, min_lat, max_lon, max_lat
MARGIN = 0.04  # degrees, as in boundaries.build()


def _rings(geometry: dict[str, Any]) -> list[list[list[float]]]:
    if geometry.get("type") == "Polygon":
        return list(geometry["coordinates"])
    if geometry.get("type") == "MultiPolygon":
        return [ring for polygon in geometry["coordinates"] for ring in polygon]
    return []


def city_box() -> Box | None:
    """The city's bounding box (longitude/latitude, WGS 84), or None when nothing locates the city."""
    from parcelguard.analytics import boundaries

    points = [p for f in boundaries.load().get("features", []) for ring in _rings(f.get("geometry") or {})
              for p in ring]
    if points:
        return (min(p[0] for p in points), min(p[1] for p in points),
                max(p[0] for p in points), max(p[1] for p in points))
    from django.db.models import Max, Min

    from parcelguard.registry.models import Site

    box = Site.objects.filter(latitude__isnull=False, longitude__isnull=False).aggregate(
        x0=Min("longitude"), y0=Min("latitude"), x1=Max("longitude"), y1=Max("latitude"))
    if box["x0"] is None:
        return None
    return (float(box["x0"]) - MARGIN, float(box["y0"]) - MARGIN, float(box["x1"]) + MARGIN,
            float(box["y1"]) + MARGIN)


def check_in_city(latitude: float | None, longitude: float | None) -> None:
    """Refuse (location_outside_city) a point outside the city's box; no point, nothing to check."""
    if latitude is None or longitude is None:
        return
    box = city_box()
    if box is None:
        return
    x0, y0, x1, y1 = box
    if not (x0 <= longitude <= x1 and y0 <= latitude <= y1):
        raise Invalid(_("The location lies outside the city. Pick the place of the hazard on the city's map."),
                      code="location_outside_city")
