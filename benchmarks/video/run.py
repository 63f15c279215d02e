"""Video benchmark (issue 11): the real media server (nginx + RTMP module) with N simulated ffmpeg cameras
(320×180, 5 fps), the platform served by granian (one worker, as `parcelguard serve`), Debian's Chromium.

Measures: click to first frame on a camera page (the camera list's link clicked → the <video>'s
currentTime > 0), whether a patrol wall of N live tiles keeps playing (every tile's currentTime advances
over a window), and the time to store a snapshot as evidence (`services.snapshot_take`: frame grab, JPEG
check, evidence store, trail), plus the CPU the cameras and nginx use.

    .venv/bin/python benchmarks/video/run.py --cameras 9
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parcelguard.settings")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _cpu_seconds(pids: list[int]) -> float:
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for pid in pids:
        for proc in [pid, *_children(pid)]:
            try:
                fields = Path(f"/proc/{proc}/stat").read_text().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / tick
            except (OSError, IndexError):
                continue
    return total


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cameras", type=int, default=9)
    parser.add_argument("--snapshots", type=int, default=10)
    parser.add_argument("--window", type=float, default=10.0, help="seconds the wall is watched")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="video-bench-"))
    os.environ.update(SQLITE_PATH=str(folder / "db.sqlite3"), PARCELGUARD_DATA_DIR=str(folder / "data"),
                      PARCELGUARD_MEDIA_ROOT=str(folder / "media"))
    for key in ("DB_ENGINE", "PGDATABASE"):
        os.environ.pop(key, None)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from parcelguard.core import clock
    from parcelguard.registry.models import Camera
    from parcelguard.testing.cast import make_cast
    from parcelguard.testing.processes import free_port, start_server, stop, wait_until_serving
    from parcelguard.video import services
    from parcelguard.video.gb28181 import make_code
    from parcelguard.video.mediaserver import MediaServer, SimulatedCamera
    from parcelguard.video.models import Channel

    cast = make_cast()
    places = ["收寄台", "安检机出口", "分拣区", "装卸口", "出入口", "传送带", "仓库", "场院", "办公区"]
    channels = []
    for i in range(args.cameras):
        site = [cast.outlet_a1, cast.outlet_a2, cast.sorting_centre_a][i % 3]
        camera = Camera.objects.create(code=f"CAMBENCH{i:03d}", site=site, location=places[i % len(places)],
                                       protocol="gb28181", stream_url="")
        channels.append(Channel.objects.create(
            camera=camera, device_code=make_code("350303", 132, 100 + i), channel_code=make_code("350303", 131, 100 + i),
            published=True, simulated=True, created_at=clock.now()))
    server = MediaServer(folder / "data" / "mediaserver", rtmp_port=free_port(), http_port=free_port(),
                         cameras=[SimulatedCamera(c.stream, f"{c.camera.site.name} {c.camera.location}")
                                  for c in channels])
    server.root.mkdir(parents=True, exist_ok=True)
    video = {"PARCELGUARD_VIDEO_ROOT": str(server.root), "PARCELGUARD_VIDEO_RTMP_PORT": str(server.rtmp_port),
             "PARCELGUARD_VIDEO_HTTP_PORT": str(server.http_port)}
    settings.VIDEO = {**settings.VIDEO, "ROOT": str(server.root), "RTMP_PORT": server.rtmp_port,
                      "HTTP_PORT": server.http_port}
    port = free_port()
    web = None
    server.start()
    try:
        for c in channels:
            server.wait_playlist(c.stream, timeout=30)
        web = start_server(folder, port, **video)
        base = f"http://127.0.0.1:{port}"
        wait_until_serving(f"{base}/login/", timeout=60)
        media_pids = [p.pid for p in server._processes]
        cpu_start, wall_start = _cpu_seconds(media_pids), time.monotonic()

        from playwright.sync_api import sync_playwright

        from parcelguard.testing.browser import log_in, wait_for_js
        from parcelguard.testing.cast import PASSWORD  # noqa: F401  (log_in uses it)

        first_frames = []
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
                "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--autoplay-policy=no-user-gesture-required"])
            context, page = log_in(browser, base, "centre_a", viewport={"width": 1280, "height": 900})
            for c in channels[:3]:
                page.goto(f"{base}/video/")
                started = time.monotonic()
                page.click(f"#video-cameras a[href='/video/cameras/{c.pk}/']")
                wait_for_js(page, "document.querySelector('video#live') && "
                                  "document.querySelector('video#live').currentTime > 0", timeout=15)
                first_frames.append(time.monotonic() - started)
            page.goto(f"{base}/video/patrols/")
            page.click("#patrol-start button[type=submit]")
            wait_for_js(page, "document.querySelectorAll('video[data-hls]').length > 0")
            tiles = page.evaluate("document.querySelectorAll('video[data-hls]').length")
            wait_for_js(page, "[...document.querySelectorAll('video[data-hls]')].every(v => v.currentTime > 0)",
                        timeout=30)
            before = page.evaluate("[...document.querySelectorAll('video[data-hls]')].map(v => v.currentTime)")
            page.wait_for_timeout(args.window * 1000)
            after = page.evaluate("[...document.querySelectorAll('video[data-hls]')].map(v => v.currentTime)")
            advanced = [round(b - a, 1) for a, b in zip(before, after, strict=True)]
            context.close()
            browser.close()

        timings = []
        for i in range(args.snapshots):
            started = time.monotonic()
            services.snapshot_take(user=cast.centre_a, channel_id=channels[i % len(channels)].pk)
            timings.append(time.monotonic() - started)
        cpu = (_cpu_seconds(media_pids) - cpu_start) / (time.monotonic() - wall_start)
    finally:
        if web is not None:
            stop(web)
        server.stop()

    print(f"cameras: {args.cameras} simulated (320x180, 5 fps) through nginx-rtmp; granian 1 worker; Chromium")
    print(f"click to first frame (s): {', '.join(f'{t:.2f}' for t in first_frames)} "
          f"(max {max(first_frames):.2f})")
    print(f"patrol wall: {tiles} tiles; currentTime advanced over {args.window:.0f} s: {advanced} "
          f"(all playing: {all(a > args.window * 0.6 for a in advanced)})")
    print(f"snapshot stored as evidence (s): median {statistics.median(timings):.2f}, max {max(timings):.2f} "
          f"over {len(timings)}")
    print(f"media server + cameras CPU: {cpu * 100:.0f} % of one core")


if __name__ == "__main__":
    main()
