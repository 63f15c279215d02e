"""The demo city's video library: every registered camera gets its GB/T 28181 device and channel codes
(in its county, serials in order), five of them are live test-pattern cameras that `parcelguard media`
pushes (涵江区: a sorting centre's counter, X-ray exit and sorting area; two ZTO outlets' counters),
and three days of hourly health checks before the demo's day give the online rate a history: most
cameras online, a few with long outages (a broken recorder, a cut line). Deterministic for a seed."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from parcelguard.demo.city import ANCHOR
from parcelguard.registry.models import Camera, SiteKind
from parcelguard.video.gb28181 import make_code
from parcelguard.video.models import Channel, HealthCheck

LIVE_COUNTY = "350303"  # 涵江区
HISTORY_HOURS = 72


def _live_cameras(cameras: list[Camera]) -> set[int]:
    """涵江区's first sorting centre (its three cameras) and two ZTO outlets' counters."""
    hanjiang = [c for c in cameras if c.site.county.code == LIVE_COUNTY]
    centre = min((c.site.code for c in hanjiang if c.site.kind == SiteKind.SORTING_CENTRE), default="")
    outlets = sorted({c.site.code for c in hanjiang
                      if c.site.kind == SiteKind.OUTLET and c.site.enterprise.brand_id == "ZTO"})[:2]
    return {c.pk for c in hanjiang if c.site.code == centre or c.site.code in outlets}


@transaction.atomic
def load_demo_video(seed: int = 20191) -> dict[str, int]:
    rng = random.Random(seed * 11)
    cameras = list(Camera.objects.select_related("site__county", "site__enterprise").order_by("site__code", "code"))
    live = _live_cameras(cameras)
    serials: dict[str, int] = defaultdict(int)
    made_at = timezone.make_aware(dt.datetime.combine(ANCHOR - dt.timedelta(days=HISTORY_HOURS // 24 + 1),
                                                      dt.time(9)))
    channels = []
    for camera in cameras:
        county = camera.site.county.code
        serials[county] += 1
        n = serials[county]
        channels.append(Channel(camera=camera, device_code=make_code(county, 132, n),
                                channel_code=make_code(county, 131, n), published=True,
                                simulated=camera.pk in live, created_at=made_at))
    Channel.objects.bulk_create(channels, batch_size=2000)

    # Hourly history: a live camera was always up; of the others ~4% had one long outage, ~10% drop out
    # now and then (5% of the hours), the rest stayed up.
    end = timezone.make_aware(dt.datetime.combine(ANCHOR, dt.time(0)))
    hours = [end - dt.timedelta(hours=h) for h in range(HISTORY_HOURS, 0, -1)]
    checks = []
    for channel in Channel.objects.select_related("camera__site").order_by("pk"):
        site = channel.camera.site
        roll = rng.random()
        outage = (rng.randrange(0, HISTORY_HOURS - 8), rng.randrange(8, 40)) if roll < 0.04 else None
        flaky = 0.04 <= roll < 0.14
        for i, at in enumerate(hours):
            down = bool(outage and outage[0] <= i < outage[0] + outage[1]) or (flaky and rng.random() < 0.05)
            online = channel.simulated or not down
            checks.append(HealthCheck(channel=channel, at=at, online=online, jurisdiction_path=site.jurisdiction_path,
                                      enterprise_id=site.enterprise_id))
    HealthCheck.objects.bulk_create(checks, batch_size=5000)
    return {"channels": len(channels), "live": len(live), "checks": len(checks)}
