"""Capture time and place of an MP4/QuickTime clip, read from its boxes without decoding anything:
`moov/mvhd` creation time (seconds since 1904, UTC) and the ISO 6709 location of `moov/udta/©xyz`
("+25.4600+119.0200/") that phones write."""

from __future__ import annotations

import datetime as dt
import re
import struct
from collections.abc import Iterator
from typing import IO

_EPOCH_1904 = dt.datetime(1904, 1, 1, tzinfo=dt.UTC)
_ISO6709 = re.compile(r"([+-]\d{1,2}(?:\.\d+)?)([+-]\d{1,3}(?:\.\d+)?)")


def _boxes(fh: IO[bytes], start: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    """(type, payload start, payload end) of the boxes between start and end."""
    pos = start
    while pos + 8 <= end:
        fh.seek(pos)
        header = fh.read(8)
        if len(header) < 8:
            return
        size, kind = struct.unpack(">I4s", header)
        offset = 8
        if size == 1:
            size = struct.unpack(">Q", fh.read(8))[0]
            offset = 16
        elif size == 0:
            size = end - pos
        if size < offset or pos + size > end:
            return
        yield kind, pos + offset, pos + size
        pos += size


def _find(fh: IO[bytes], start: int, end: int, kind: bytes) -> tuple[int, int] | None:
    for found, payload_start, payload_end in _boxes(fh, start, end):
        if found == kind:
            return payload_start, payload_end
    return None


def _creation_time(fh: IO[bytes], start: int, end: int) -> dt.datetime | None:
    fh.seek(start)
    data = fh.read(min(end - start, 32))
    if len(data) < 8:
        return None
    if data[0] == 1 and len(data) >= 12:
        seconds = struct.unpack(">Q", data[4:12])[0]
    else:
        seconds = struct.unpack(">I", data[4:8])[0]
    if seconds == 0:
        return None
    try:
        return _EPOCH_1904 + dt.timedelta(seconds=seconds)
    except OverflowError:
        return None


def _location(fh: IO[bytes], start: int, end: int) -> tuple[float | None, float | None]:
    fh.seek(start)
    text = fh.read(min(end - start, 200)).decode("latin-1")
    match = _ISO6709.search(text)
    if not match:
        return None, None
    lat, lon = float(match.group(1)), float(match.group(2))
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None, None
    return lat, lon


def video_metadata(fh: IO[bytes], size: int) -> dict[str, object]:
    """{"captured_at", "latitude", "longitude"}, each None when the clip does not say."""
    meta: dict[str, object] = {"captured_at": None, "latitude": None, "longitude": None}
    try:
        moov = _find(fh, 0, size, b"moov")
        if moov is None:
            return meta
        mvhd = _find(fh, *moov, b"mvhd")
        if mvhd:
            meta["captured_at"] = _creation_time(fh, *mvhd)
        udta = _find(fh, *moov, b"udta")
        xyz = _find(fh, *udta, b"\xa9xyz") if udta else None
        if xyz:
            meta["latitude"], meta["longitude"] = _location(fh, *xyz)
    except (OSError, struct.error, ValueError):
        pass
    finally:
        fh.seek(0)
    return meta
