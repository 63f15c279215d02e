"""The video patrol checklist (视频巡查检查项), as data: what an officer looks for on each camera, and the
hazard type a failed item opens in the three-tier event workflow."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Item:
    code: str
    label: Any
    hazard_type: str  # events.HazardType.code


CHECKLIST: tuple[Item, ...] = (
    Item("three_systems", _("The counter applies real-name registration, inspection and X-ray screening"),
         "inspection_not_done"),
    Item("xray_staffed", _("The X-ray station is staffed and the machine is running"), "xray_not_done"),
    Item("no_throwing", _("Parcels are not thrown or trampled"), "parcels_thrown"),
    Item("no_conveyor_climbing", _("Nobody climbs over the conveyor belts"), "other"),
    Item("fire_exits_clear", _("Fire exits and passages are not blocked"), "fire_safety"),
    Item("picture_clear", _("The picture is clear and covers the work area"), "video_not_working"),
)
BY_CODE = {item.code: item for item in CHECKLIST}
