"""GB/T 28181 codes (国标编码): the 20-digit identifiers a national-standard platform gives every device
and channel.

    digits 1–8   centre code: province (2), city (2), district/county (2), basic unit (2)
    digits 9–10  industry code
    digits 11–13 type code: 111–130 front-end main devices (111 DVR, 118 NVR, …), 131–199 front-end
                 peripherals (131 camera, 132 IP camera, …), 200–299 platform devices
    digit 14     network identifier (0–9)
    digits 15–20 serial number

A camera registered here keeps a device code (the DVR/NVR or the IP camera itself: type 111–132) and a
channel code (the picture: type 131 or 132), and both carry the code of the county where the site is:
a code from another county would route the picture to the wrong platform.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from parcelguard.core.errors import Invalid

PROVINCES = frozenset({11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51,
                       52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82})
DEVICE_TYPES = frozenset(range(111, 133))  # main devices (DVR, NVR, encoder, …) and cameras
CHANNEL_TYPES = frozenset({131, 132})  # camera, IP camera
_DIGITS = re.compile(r"\d{20}")


class InvalidCode(Invalid):
    code = "invalid_gb28181_code"


def type_of(code: str) -> int:
    return int(code[10:13])


def check_code(code: str, *, kind: str, county_code: str = "") -> str:
    """The code, if it is a well-formed GB/T 28181 code of this kind ("device" or "channel") placed in the
    given county (its first six digits); else `InvalidCode` with a message naming what is wrong."""
    label = _("device code") if kind == "device" else _("channel code")
    code = (code or "").strip()
    if not _DIGITS.fullmatch(code):
        raise InvalidCode(_("The %(what)s must be 20 digits (GB/T 28181).") % {"what": label},
                          details={"field": kind, "value": code})
    if int(code[:2]) not in PROVINCES:
        raise InvalidCode(_("The %(what)s does not start with a province code.") % {"what": label},
                          details={"field": kind, "value": code})
    allowed = DEVICE_TYPES if kind == "device" else CHANNEL_TYPES
    if type_of(code) not in allowed:
        raise InvalidCode(_("Digits 11–13 of the %(what)s (%(type)s) are not a camera or recorder type code.")
                          % {"what": label, "type": code[10:13]}, details={"field": kind, "value": code})
    if county_code and len(county_code) == 6 and not code.startswith(county_code):
        raise InvalidCode(_("The %(what)s must begin with the code of the site's county (%(county)s).")
                          % {"what": label, "county": county_code}, details={"field": kind, "value": code})
    return code


def make_code(county_code: str, type_code: int, serial: int, *, unit: str = "00", industry: str = "00",
              network: int = 0) -> str:
    """A code from its parts (the demo's and the tests' cameras)."""
    return f"{county_code}{unit}{industry}{type_code:03d}{network}{serial:06d}"
