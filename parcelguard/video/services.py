"""Writes of the remote video library: channels with their GB/T 28181 codes, health checks, snapshots
taken as evidence (and the hazard events they open), video patrols and their findings.

Every refusal raises a `core.errors` type with a machine code and stores nothing; the media server is
asked before any write, so an offline camera leaves no half-taken snapshot behind.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from parcelguard.accounts.roles import Role
from parcelguard.accounts.scoping import get_for, scope
from parcelguard.core import clock
from parcelguard.core.errors import Forbidden, Invalid, NotFound
from parcelguard.evidence.services import evidence_store
from parcelguard.registry.models import Camera
from parcelguard.trail.services import trail_append
from parcelguard.video import gb28181
from parcelguard.video.checklist import BY_CODE
from parcelguard.video.gateway import MediaUnavailable, gateway
from parcelguard.video.models import Channel, HealthCheck, Patrol, PatrolCheck, Snapshot

REGISTRARS = {Role.CITY_BUREAU, Role.COUNTY_CENTRE, Role.ADMIN, Role.ENTERPRISE}
PATROLLERS = {Role.CITY_BUREAU, Role.COUNTY_CENTRE, Role.GRID_WORKER}
_SALT = "parcelguard.video.stream"


# ---- channels -----------------------------------------------------------------------------------------

def channel_register(*, user: Any, camera_id: int, device_code: str, channel_code: str,
                     published: bool = False) -> Channel:
    """Give a registered camera its GB/T 28181 device and channel codes (both in the site's county)."""
    if getattr(user, "role", None) not in REGISTRARS:
        raise Forbidden(_("Your role may not do this."), code="role_not_allowed")
    camera = get_for(user, Camera.objects.select_related("site__county"), pk=camera_id)
    county = camera.site.county.code
    device = gb28181.check_code(device_code, kind="device", county_code=county)
    channel = gb28181.check_code(channel_code, kind="channel", county_code=county)
    if Channel.objects.filter(camera=camera).exists():
        raise Invalid(_("This camera already has a video channel."), code="channel_exists")
    if Channel.objects.filter(channel_code=channel).exists():
        raise Invalid(_("This channel code is already in use."), code="channel_code_taken")
    with transaction.atomic():
        made = Channel.objects.create(camera=camera, device_code=device, channel_code=channel,
                                      published=bool(published), created_at=clock.now())
        trail_append(actor=user, action="video.channel", subject=f"video-channel:{made.pk}",
                     payload={"camera": camera.code, "site": camera.site.code, "device_code": device,
                              "channel_code": channel, "published": made.published})
    return made


# ---- health ---------------------------------------------------------------------------------------------

def health_check(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Ask the media server which streams it receives and record one check per channel (a system job,
    every minute from the scheduler). The server down counts every channel offline."""
    now = now or clock.now()
    state = gateway().health()
    rows = []
    for channel in Channel.objects.select_related("camera__site"):
        site = channel.camera.site
        rows.append(HealthCheck(channel=channel, at=now, online=state.online(channel.stream), server_up=state.up,
                                jurisdiction_path=site.jurisdiction_path, enterprise_id=site.enterprise_id))
    HealthCheck.objects.bulk_create(rows, ignore_conflicts=True)
    return {"channels": len(rows), "online": sum(r.online for r in rows), "server_up": int(state.up)}


def recordings_purge(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Delete recordings older than the bureau's retention (settings.VIDEO_RETENTION_DAYS, default 30);
    a system job, daily. Snapshots taken as evidence are kept: they are evidence rows, not recordings."""
    before = (now or clock.now()) - dt.timedelta(days=settings.VIDEO_RETENTION_DAYS)
    removed = gateway().purge_recordings(before)
    if removed:
        trail_append(actor=None, action="video.recordings_purge", subject="video-recordings",
                     payload={"before": before.isoformat(), "removed": removed})
    return {"removed": removed}


MAX_REPORTS = 5000
FUTURE_TOLERANCE = dt.timedelta(seconds=60)


def status_push(*, user: Any, reports: list[Any]) -> dict[str, int]:
    """Camera status reported by an enterprise's or a vendor platform's system (cameras the platform's
    media server does not poll): `[{"channel_code", "at" (ISO 8601 with offset), "online"}]`, at most 5,000.
    Refused whole (nothing stored) on a malformed report (`bad_report`, 422), a time in the future
    (`time_in_future`, 422) or a channel that is unknown or not the user's own (`device_not_allowed`, 403,
    the same answer for both). Idempotent: a (channel, moment) already recorded counts as a duplicate."""
    if not isinstance(reports, list) or not reports or len(reports) > MAX_REPORTS:
        raise Invalid(_("Send between 1 and 5,000 status reports."), code="bad_batch")
    parsed: list[tuple[str, dt.datetime, bool]] = []
    for row, report in enumerate(reports):
        try:
            code, online, raw = report["channel_code"], report["online"], report["at"]
            moment = dt.datetime.fromisoformat(raw) if isinstance(raw, str) else None
            if not isinstance(code, str) or not isinstance(online, bool) or moment is None or moment.tzinfo is None:
                raise ValueError
        except (KeyError, TypeError, ValueError) as exc:
            raise Invalid(_("Status report %(row)d is malformed: it needs channel_code, at (ISO 8601 with an "
                            "offset) and online (true/false).") % {"row": row + 1}, code="bad_report",
                          details={"row": row + 1}) from exc
        parsed.append((code, moment, online))
    now = clock.now()
    future = [i + 1 for i, (_c, at, _o) in enumerate(parsed) if at > now + FUTURE_TOLERANCE]
    if future:
        raise Invalid(_("Status reports with a time in the future are refused."), code="time_in_future",
                      details={"rows": future[:20]})
    codes = {code for code, _at, _o in parsed}
    mine = {c.channel_code: c for c in scope(user, Channel).select_related("camera__site")
            .filter(channel_code__in=codes)}
    unknown = sorted(codes - set(mine))
    if unknown:
        raise Forbidden(_("These channels are unknown or not yours; nothing was stored."),
                        code="device_not_allowed", details={"channel_codes": unknown[:20]})
    rows = {}
    for code, at, online in parsed:
        channel = mine[code]
        site = channel.camera.site
        rows[(channel.pk, at)] = HealthCheck(channel=channel, at=at, online=online, source="push",
                                             jurisdiction_path=site.jurisdiction_path,
                                             enterprise_id=site.enterprise_id)
    existing = set(HealthCheck.objects.filter(channel_id__in={c.pk for c in mine.values()},
                                              at__in={at for _c, at in rows}).values_list("channel_id", "at"))
    new = [row for key, row in rows.items() if key not in existing]
    with transaction.atomic():
        HealthCheck.objects.bulk_create(new, ignore_conflicts=True)
    return {"received": len(parsed), "accepted": len(new), "duplicates": len(parsed) - len(new)}


# ---- signed stream URLs ------------------------------------------------------------------------------------

def stream_token(user: Any, channel: Channel, kind: str = "live") -> str:
    """A URL token for one user and one channel, valid `settings.VIDEO_URL_TTL` seconds. The caller has
    fetched the channel through the user's scope."""
    return signing.dumps({"u": user.pk, "c": channel.pk, "k": kind}, salt=_SALT, compress=False)


def stream_check(user: Any, token: str, kind: str = "live") -> Channel:
    """The channel a token opens, if the token is genuine, not expired, issued to this user for this kind,
    and the user still may see the camera; else `Forbidden` (403 from the media path itself)."""
    try:
        data = signing.loads(token, salt=_SALT, max_age=settings.VIDEO_URL_TTL)
    except signing.SignatureExpired as exc:
        raise Forbidden(_("This video link has expired; reopen the camera page."), code="stream_expired") from exc
    except signing.BadSignature as exc:
        raise Forbidden(_("This video link is not valid."), code="stream_invalid") from exc
    if not isinstance(data, dict) or data.get("u") != getattr(user, "pk", None) or data.get("k") != kind:
        raise Forbidden(_("This video link was issued to somebody else."), code="stream_foreign")
    channel = scope(user, Channel).select_related("camera__site").filter(pk=data.get("c")).first()
    if channel is None:
        raise Forbidden(_("You may not see this camera."), code="stream_out_of_scope")
    return channel


# ---- snapshots as evidence ----------------------------------------------------------------------------------

def _checked_jpeg(data: bytes) -> tuple[int, int]:
    try:
        with Image.open(io.BytesIO(data)) as img:
            if img.format != "JPEG":
                raise ValueError(img.format)
            img.load()
            return img.size
    except (OSError, ValueError, UnidentifiedImageError) as exc:
        raise MediaUnavailable(_("The media server could not produce the picture."),
                               details={"reason": "not a JPEG"}) from exc


def _grab(channel: Channel, moment: dt.datetime | None) -> tuple[bytes, dt.datetime, str]:
    if moment is not None and moment > clock.now():
        raise Invalid(_("The moment is in the future."), code="moment_in_future")
    jpeg, shown = gateway().snapshot(channel.stream, moment)
    _checked_jpeg(jpeg)
    return jpeg, shown, Snapshot.Origin.LIVE if moment is None else Snapshot.Origin.RECORDING


def _store_snapshot(user: Any, channel: Channel, jpeg: bytes, shown: dt.datetime, origin: str,
                    event: Any = None) -> Snapshot:
    site = channel.camera.site
    name = f"{channel.channel_code}-{shown.astimezone(gb_tz()):%Y%m%dT%H%M%S}.jpg"
    evidence = evidence_store(actor=user, upload=ContentFile(jpeg, name=name), purpose="video:snapshot")
    snap = Snapshot.objects.create(channel=channel, evidence=evidence, moment=shown, origin=origin, taken_by=user,
                                   taken_at=clock.now(), event=event, jurisdiction_path=site.jurisdiction_path,
                                   enterprise_id=site.enterprise_id)
    trail_append(actor=user, action="video.snapshot", subject=f"video-snapshot:{snap.pk}",
                 payload={"camera": channel.camera.code, "device_code": channel.device_code,
                          "channel_code": channel.channel_code, "site": site.code, "moment": shown.isoformat(),
                          "origin": origin, "event": getattr(event, "pk", None)},
                 evidence_hashes=[evidence.sha256])
    return snap


def gb_tz() -> dt.tzinfo:
    from zoneinfo import ZoneInfo

    return ZoneInfo(settings.TIME_ZONE)


def snapshot_take(*, user: Any, channel_id: int, moment: dt.datetime | None = None) -> Snapshot:
    """The frame now (or at a past moment, from the recordings) stored as evidence: SHA-256, camera code,
    site, moment and taker on the trail. An offline camera or a moment without recording is refused
    (`MediaUnavailable` 503 / `NoRecording` 404) and nothing is stored."""
    if getattr(user, "role", None) not in PATROLLERS:
        raise Forbidden(_("Your role may not do this."), code="role_not_allowed")
    channel = get_for(user, Channel.objects.select_related("camera__site"), pk=channel_id)
    jpeg, shown, origin = _grab(channel, moment)
    with transaction.atomic():
        return _store_snapshot(user, channel, jpeg, shown, origin)


def snapshot_report(*, user: Any, channel_id: int, hazard_type: str, description: str,
                    moment: dt.datetime | None = None) -> Snapshot:
    """One click: take the frame and open a hazard event at the camera's site with it as the evidence."""
    from parcelguard.events.services import event_report

    if getattr(user, "role", None) not in PATROLLERS:
        raise Forbidden(_("Your role may not do this."), code="role_not_allowed")
    channel = get_for(user, Channel.objects.select_related("camera__site"), pk=channel_id)
    jpeg, shown, origin = _grab(channel, moment)
    name = f"{channel.channel_code}-{shown.astimezone(gb_tz()):%Y%m%dT%H%M%S}.jpg"
    text = description.strip()
    with transaction.atomic():
        event = event_report(user=user, site_id=channel.camera.site_id, hazard_type=hazard_type,
                             description=text, uploads=[ContentFile(jpeg, name=name)])
        return _store_snapshot(user, channel, jpeg, shown, origin, event=event)


REVIEWERS = {Role.CITY_BUREAU, Role.COUNTY_CENTRE}


def snapshot_review(*, user: Any, snapshot_id: int, admissible: bool, note: str) -> Snapshot:
    """The review 行政处罚法 Art. 41 asks before a picture from a monitoring device supports a penalty: by a
    county centre or the city bureau, not by whoever took it, once; "admissible" only when the camera is on
    the published list of monitoring points for its site."""
    if getattr(user, "role", None) not in REVIEWERS:
        raise Forbidden(_("Your role may not do this."), code="role_not_allowed")
    snap = get_for(user, Snapshot.objects.select_related("channel__camera__site", "evidence"), pk=snapshot_id)
    if snap.taken_by_id == user.pk:
        raise Forbidden(_("The snapshot is reviewed by somebody other than who took it."), code="reviewer_is_taker")
    if snap.reviewed_at is not None:
        raise Invalid(_("This snapshot has been reviewed already."), code="already_reviewed")
    note = (note or "").strip()
    if len(note) < 4:
        raise Invalid(_("Record what the review found."), code="note_required")
    if admissible and not snap.channel.published:
        raise Invalid(_("The camera is not on the published list of monitoring points for its site; its "
                        "pictures cannot support a penalty."), code="not_on_published_list")
    now = clock.now()
    with transaction.atomic():
        Snapshot.objects.filter(pk=snap.pk).update(review_ok=bool(admissible), review_note=note[:500],
                                                   reviewed_by=user, reviewed_at=now)
        trail_append(actor=user, action="video.snapshot_review", subject=f"video-snapshot:{snap.pk}",
                     payload={"admissible": bool(admissible), "camera": snap.channel.camera.code,
                              "published": snap.channel.published},
                     evidence_hashes=[snap.evidence.sha256])
    snap.refresh_from_db()
    return snap


# ---- video patrols ------------------------------------------------------------------------------------------

PATROL_SIZE = 9  # a 3×3 wall


def risk_weights(county_path: str) -> list[list[int]]:
    """[[channel id, weight], …] ascending: weight 1, +2 when the camera's site has an open hazard event,
    +1 when a past patrol found a problem on that camera. The risk-weighted draw's population."""
    from parcelguard.events.models import Event

    chans = list(Channel.objects.filter(camera__site__jurisdiction_path__startswith=county_path,
                                        camera__site__status="active").order_by("pk")
                 .values_list("pk", "camera__site_id"))
    open_sites = set(Event.objects.filter(site_id__in={s for _c, s in chans}, closed_at__isnull=True)
                     .values_list("site_id", flat=True))
    found = set(PatrolCheck.objects.filter(ok=False, channel_id__in=[c for c, _s in chans])
                .values_list("channel_id", flat=True))
    return [[c, 1 + (2 if s in open_sites else 0) + (1 if c in found else 0)] for c, s in chans]


def patrol_seed(county_code: str, at: dt.datetime, population: list[list[int]]) -> str:
    import hashlib

    text = f"{county_code}|{at.isoformat()}|" + ",".join(f"{c}:{w}" for c, w in population)
    return hashlib.sha256(text.encode()).hexdigest()


def patrol_pick(seed: str, population: list[list[int]], count: int) -> list[int]:
    """Weighted draw without replacement (Efraimidis–Spirakis): each channel's key is u^(1/weight) with u
    from Python's random.Random(seed) in ascending id order; the `count` largest keys are drawn."""
    import random

    rng = random.Random(seed)
    keyed = [(rng.random() ** (1.0 / weight), cid) for cid, weight in sorted(population)]
    return [cid for _key, cid in sorted(keyed, reverse=True)[:count]]


def patrol_verify(patrol: Patrol) -> bool:
    """Anyone can recompute a patrol's draw from what it was drawn from."""
    population = [list(p) for p in patrol.population]
    return (patrol_seed(patrol.county.code, patrol.started_at, population) == patrol.seed
            and patrol_pick(patrol.seed, population, len(patrol.chosen)) == patrol.chosen)


def patrol_start(*, user: Any, county_id: int | None = None) -> Patrol:
    """A patrol of one county's cameras: a county centre patrols its own county, the city bureau one it
    chooses. Up to PATROL_SIZE cameras are drawn, weighted toward risk, reproducibly from a recorded seed."""
    from parcelguard.accounts.models import Jurisdiction, Level

    role = getattr(user, "role", None)
    if role not in (Role.CITY_BUREAU, Role.COUNTY_CENTRE):
        raise Forbidden(_("Your role may not do this."), code="role_not_allowed")
    if role == Role.COUNTY_CENTRE:
        county = user.jurisdiction
    else:
        county = get_for(user, Jurisdiction, pk=county_id or 0, level=Level.COUNTY)
    now = clock.now()
    population = risk_weights(county.path)
    seed = patrol_seed(county.code, now, population)
    chosen = patrol_pick(seed, population, PATROL_SIZE)
    with transaction.atomic():
        patrol = Patrol.objects.create(county=county, officer=user, started_at=now, jurisdiction_path=county.path,
                                       seed=seed, population=population, chosen=chosen)
        trail_append(actor=user, action="video.patrol", subject=f"video-patrol:{patrol.pk}",
                     payload={"county": county.code, "seed": seed, "chosen": chosen})
    return patrol


def _open_patrol(user: Any, patrol_id: int) -> Patrol:
    patrol = get_for(user, Patrol.objects.select_related("county"), pk=patrol_id)
    if patrol.officer_id != user.pk:
        raise Forbidden(_("Only the officer on this patrol may record it."), code="not_your_patrol")
    if patrol.finished_at is not None:
        raise Invalid(_("This patrol is finished."), code="patrol_finished")
    return patrol


def patrol_check(*, user: Any, patrol_id: int, channel_id: int, item: str, ok: bool, note: str = "",
                 moment: dt.datetime | None = None) -> PatrolCheck:
    """Record one checklist item on one camera. A failed item takes the snapshot and opens a hazard event
    with it as evidence (one click)."""
    patrol = _open_patrol(user, patrol_id)
    spec = BY_CODE.get(item)
    if spec is None:
        raise Invalid(_("Unknown checklist item."), code="unknown_item")
    channel = get_for(user, Channel.objects.select_related("camera__site"), pk=channel_id)
    if channel.pk not in patrol.chosen:
        raise NotFound(_("Record not found."))
    if PatrolCheck.objects.filter(patrol=patrol, channel=channel, item=item).exists():
        raise Invalid(_("This item is already recorded for this camera."), code="item_recorded")
    note = note.strip()[:500]
    snap = None
    if not ok:
        if len(note) < 4:
            raise Invalid(_("Describe what the picture shows."), code="note_required")
        description = _("Video patrol: %(item)s — %(note)s (camera %(camera)s, %(location)s)") % {
            "item": spec.label, "note": note, "camera": channel.camera.code, "location": channel.camera.location}
        with transaction.atomic():
            snap = snapshot_report(user=user, channel_id=channel.pk, hazard_type=spec.hazard_type,
                                   description=description, moment=moment)
            return _check_row(user, patrol, channel, item, ok, note, snap)
    with transaction.atomic():
        return _check_row(user, patrol, channel, item, ok, note, snap)


def _check_row(user: Any, patrol: Patrol, channel: Channel, item: str, ok: bool, note: str,
               snap: Snapshot | None) -> PatrolCheck:
    row = PatrolCheck.objects.create(patrol=patrol, channel=channel, item=item, ok=ok, note=note, snapshot=snap,
                                     at=clock.now())
    trail_append(actor=user, action="video.patrol_check", subject=f"video-patrol:{patrol.pk}",
                 payload={"camera": channel.camera.code, "item": item, "ok": ok,
                          "event": snap.event_id if snap else None},
                 evidence_hashes=[snap.evidence.sha256] if snap else [])
    return row


def patrol_finish(*, user: Any, patrol_id: int, summary: str = "") -> Patrol:
    patrol = _open_patrol(user, patrol_id)
    now = clock.now()
    with transaction.atomic():
        Patrol.objects.filter(pk=patrol.pk).update(finished_at=now, summary=summary.strip()[:2000])
        trail_append(actor=user, action="video.patrol_finish", subject=f"video-patrol:{patrol.pk}",
                     payload={"checks": patrol.checks.count(), "failed": patrol.checks.filter(ok=False).count()})
    patrol.refresh_from_db()
    return patrol
