"""Helpers for the video tests: the media server on free loopback ports with one simulated camera, and
channels for the test cast's cameras."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from parcelguard.core import clock
from parcelguard.video.gb28181 import make_code
from parcelguard.video.mediaserver import MediaServer, SimulatedCamera, free_port
from parcelguard.video.models import Channel

# The simulated camera of the tests: the counter of 中通涵江涵东营业部 (cast.outlet_a1, county 350303).
LIVE_DEVICE = make_code("350303", 132, 1)
LIVE_CHANNEL = make_code("350303", 131, 1)
LIVE_STREAM = f"{LIVE_DEVICE}_{LIVE_CHANNEL}"
CAPTION = "中通涵江涵东营业部 收寄台"


def start_media_server(root: Path, *, record_interval: int = 4) -> MediaServer:
    server = MediaServer(root, rtmp_port=free_port(), http_port=free_port(), record_interval=record_interval,
                         cameras=[SimulatedCamera(LIVE_STREAM, CAPTION)])
    server.start()
    try:
        server.wait_playlist(LIVE_STREAM)
    except BaseException:
        server.stop()
        raise
    return server


def video_settings(server: MediaServer | None, *, port: int | None = None) -> dict[str, Any]:
    """settings.VIDEO for a test: the given server, or a closed port (the media server down)."""
    return {"GATEWAY": "parcelguard.video.gateway.NginxRtmpGateway",
            "ROOT": str(server.root) if server else "/nonexistent",
            "RTMP_PORT": server.rtmp_port if server else 1, "HTTP_PORT": server.http_port if server else port or 9,
            "RECORD_INTERVAL": server.record_interval if server else 60}


def channel_for(camera: Any, serial: int, *, live: bool = False) -> Channel:
    """A channel for a cast camera; `live` gives it the simulated camera's codes (its stream is pushed)."""
    county = camera.site.county.code
    device, channel = (LIVE_DEVICE, LIVE_CHANNEL) if live else (make_code(county, 132, serial),
                                                                 make_code(county, 131, serial))
    return Channel.objects.create(camera=camera, device_code=device, channel_code=channel, published=True,
                                  simulated=live, created_at=clock.now())
