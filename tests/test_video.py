"""The remote video library against the real media server (nginx + RTMP module, one ffmpeg camera on
loopback): GB/T 28181 codes, the gateway's health, snapshots that are real JPEGs of the camera's size
stored as evidence, past moments from the recordings, signed media URLs under scoping, video patrols,
the online rate, and the media server down."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import time

import pytest
from PIL import Image

from parcelguard.core import registry
from parcelguard.core.errors import Forbidden, Invalid, NotFound
from parcelguard.events.models import Event, TransitionEvidence
from parcelguard.events.testing import ensure_taxonomy
from parcelguard.evidence.models import Evidence
from parcelguard.evidence.services import evidence_checked_bytes
from parcelguard.trail.models import TrailEntry
from parcelguard.video import gb28181, selectors, services
from parcelguard.video.gateway import MediaUnavailable, NginxRtmpGateway, NoRecording, gateway
from parcelguard.video.mediaserver import free_port
from parcelguard.video.models import Channel, HealthCheck, Patrol, PatrolCheck, Snapshot
from parcelguard.video.testing import LIVE_CHANNEL, LIVE_DEVICE, LIVE_STREAM, channel_for, video_settings


@pytest.fixture
def live_video(settings, media_server):
    settings.VIDEO = video_settings(media_server)
    return media_server


@pytest.fixture
def channels(cast):
    """The counter of outlet_a1 is the live simulated camera; the sorting centre's and outlet_b1's are
    registered but nothing pushes them (offline)."""
    live = channel_for(cast.outlet_a1.cameras.get(), 1, live=True)
    dark = channel_for(cast.sorting_centre_a.cameras.get(), 2)
    foreign = channel_for(cast.outlet_b1.cameras.get(), 3)
    return {"live": live, "dark": dark, "foreign": foreign}


def _jpeg_size(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as img:
        assert img.format == "JPEG"
        img.load()
        return img.size


# ---- GB/T 28181 codes ---------------------------------------------------------------------------------------

def test_gb28181_codes_are_checked_digit_by_digit():
    assert gb28181.check_code(LIVE_DEVICE, kind="device", county_code="350303") == LIVE_DEVICE
    assert gb28181.check_code(LIVE_CHANNEL, kind="channel", county_code="350303") == LIVE_CHANNEL
    assert gb28181.type_of("35030300001320000001") == 132
    bad = {
        "3503030000132000001": "20位数字",  # 19 digits
        "35030300001320000O01": "20位数字",  # a letter O
        "99030300001320000001": "省级",  # no province 99
        "35030300002000000001": "11–13",  # 200: a platform, not a camera
        "35030400001320000001": "350303",  # another county's code
    }
    for code, fragment in bad.items():
        with pytest.raises(gb28181.InvalidCode) as caught:
            gb28181.check_code(code, kind="device", county_code="350303")
        assert caught.value.code == "invalid_gb28181_code"
        assert fragment in str(caught.value.message), (code, caught.value.message)
    with pytest.raises(gb28181.InvalidCode):  # a channel must be a camera (131/132), not a recorder (118)
        gb28181.check_code("35030300001180000001", kind="channel", county_code="350303")


def test_a_channel_is_registered_only_with_valid_codes_of_the_sites_county(cast):
    camera = cast.outlet_a1.cameras.get()
    with pytest.raises(gb28181.InvalidCode):
        services.channel_register(user=cast.centre_a, camera_id=camera.pk, device_code="35030400001320000001",
                                  channel_code="35030400001310000001")
    assert not Channel.objects.exists()
    with pytest.raises(NotFound):  # a camera of another county is not found for county A's centre
        services.channel_register(user=cast.centre_a, camera_id=cast.outlet_b1.cameras.get().pk,
                                  device_code="35030400001320000001", channel_code="35030400001310000001")
    with pytest.raises(Forbidden):
        services.channel_register(user=cast.worker_a1, camera_id=camera.pk, device_code=LIVE_DEVICE,
                                  channel_code=LIVE_CHANNEL)
    made = services.channel_register(user=cast.officer_x, camera_id=camera.pk, device_code=LIVE_DEVICE,
                                     channel_code=LIVE_CHANNEL, published=True)
    assert made.stream == LIVE_STREAM
    assert TrailEntry.objects.filter(action="video.channel", subject=f"video-channel:{made.pk}").exists()
    other = cast.sorting_centre_a.cameras.get()
    with pytest.raises(Invalid) as caught:  # the channel code is taken
        services.channel_register(user=cast.centre_a, camera_id=other.pk, device_code=LIVE_DEVICE,
                                  channel_code=LIVE_CHANNEL)
    assert caught.value.code == "channel_code_taken"


# ---- the gateway against the real server -------------------------------------------------------------------------

def test_the_gateways_health_sees_the_simulated_camera_at_its_size_and_rate(live_video):
    health = gateway().health()
    assert health.up and health.online(LIVE_STREAM)
    state = health.streams[LIVE_STREAM]
    assert (state.width, state.height, state.fps) == (320, 180, 5.0)
    assert not health.online("35030300001320000009_35030300001310000009")
    down = NginxRtmpGateway(root=live_video.root, http_port=free_port(), timeout=0.5).health()
    assert not down.up and not down.online(LIVE_STREAM) and down.error


def test_a_live_snapshot_is_a_real_jpeg_of_the_cameras_size_stored_as_evidence(cast, channels, live_video):
    before = time.time()
    snap = services.snapshot_take(user=cast.centre_a, channel_id=channels["live"].pk)
    took = time.time() - before
    data = evidence_checked_bytes(snap.evidence)
    assert _jpeg_size(data) == (320, 180)
    assert snap.evidence.sha256 == hashlib.sha256(data).hexdigest() and snap.evidence.content_type == "image/jpeg"
    assert snap.origin == "live" and snap.taken_by == cast.centre_a
    assert abs((snap.moment - snap.taken_at).total_seconds()) < 5
    entry = TrailEntry.objects.get(action="video.snapshot", subject=f"video-snapshot:{snap.pk}")
    assert entry.payload["channel_code"] == LIVE_CHANNEL and entry.payload["site"] == cast.outlet_a1.code
    assert snap.evidence.sha256 in entry.evidence_hashes
    assert took < 2.0, took  # the issue's bound: a snapshot stored as evidence within 2 s
    # scoping: county B's centre does not see it, nor may it take one of county A's camera
    assert selectors.snapshots(cast.centre_b).count() == 0 and selectors.snapshots(cast.city_bureau).count() == 1
    with pytest.raises(NotFound):
        services.snapshot_take(user=cast.centre_b, channel_id=channels["live"].pk)


def test_a_snapshot_of_an_offline_camera_is_refused_and_stores_nothing(cast, channels, live_video):
    with pytest.raises(MediaUnavailable) as caught:
        services.snapshot_take(user=cast.centre_a, channel_id=channels["dark"].pk)
    assert caught.value.status == 503
    assert not Evidence.objects.exists() and not Snapshot.objects.exists()


def test_a_past_moment_comes_from_the_recordings_and_plays_as_mp4(cast, channels, live_video, client_for):
    deadline = time.monotonic() + 15
    moment = None
    while time.monotonic() < deadline:  # a recording file that has run for a few seconds
        recs = gateway().recordings(LIVE_STREAM, dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5),
                                    dt.datetime.now(dt.UTC))
        if recs and (recs[-1].end - recs[-1].start).total_seconds() >= 3:
            moment = recs[-1].start + dt.timedelta(seconds=1.5)
            break
        time.sleep(0.5)
    assert moment is not None, "no recording after 15 s"
    snap = services.snapshot_take(user=cast.worker_a1, channel_id=channels["live"].pk, moment=moment)
    assert snap.origin == "recording" and snap.moment == moment
    assert _jpeg_size(evidence_checked_bytes(snap.evidence)) == (320, 180)
    with pytest.raises(NoRecording):
        services.snapshot_take(user=cast.worker_a1, channel_id=channels["live"].pk,
                               moment=moment - dt.timedelta(days=3))
    assert Snapshot.objects.count() == 1

    client = client_for(cast.centre_a)
    local = moment.astimezone(services.gb_tz()).strftime("%Y-%m-%dT%H:%M:%S")
    page = client.get(f"/video/cameras/{channels['live'].pk}/", {"at": local})
    assert page.status_code == 200
    url = page.context["playback"]["url"]
    assert 1.0 <= page.context["playback"]["offset"] <= 2.0
    clip = client.get(url)
    assert clip.status_code == 200 and clip["Content-Type"] == "video/mp4" and clip.content[4:8] == b"ftyp"
    assert client_for(cast.centre_b).get(url).status_code == 403  # the link is centre A's
    gone = client.get(f"/video/cameras/{channels['live'].pk}/", {"at": "2020-01-01T08:00:00"})
    assert gone.context["playback"] is None and "没有录像" in gone.content.decode()


# ---- the media path: signed URLs under scoping -------------------------------------------------------------------

def test_the_stream_is_reached_only_through_a_fresh_signed_url_of_a_user_who_may_see_the_site(
        cast, channels, live_video, client_for, settings):
    centre_a = client_for(cast.centre_a)
    page = centre_a.get(f"/video/cameras/{channels['live'].pk}/")
    assert page.status_code == 200
    url = page.context["live_url"]
    playlist = centre_a.get(url)
    assert playlist.status_code == 200 and b"#EXTM3U" in playlist.content
    segment = next(line for line in playlist.content.decode().splitlines() if line.endswith(".ts"))
    ts = centre_a.get(url.replace("index.m3u8", segment))
    assert ts.status_code == 200 and ts.content[:1] == b"\x47"  # an MPEG-TS packet

    assert client_for(cast.centre_b).get(f"/video/cameras/{channels['live'].pk}/").status_code == 404
    assert client_for(cast.worker_b1).get(url).status_code == 403  # another county's grid worker, A's link
    assert client_for(cast.worker_a1).get(url).status_code == 403  # same county, but issued to centre A
    forged = url.replace("/live/", "/live/x")
    assert centre_a.get(forged).status_code == 403
    anonymous = centre_a.__class__().get(url)
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    settings.VIDEO_URL_TTL = -1  # every link issued is now past its lifetime
    expired = centre_a.get(url)
    assert expired.status_code == 403 and "过期" in expired.content.decode()
    with pytest.raises(Forbidden) as caught:
        services.stream_check(cast.centre_a, url.split("/")[3])
    assert caught.value.code == "stream_expired"


def test_a_snapshot_opens_a_hazard_event_with_it_as_evidence_in_one_step(cast, channels, live_video, client_for):
    ensure_taxonomy()
    response = client_for(cast.worker_a1).post(f"/video/cameras/{channels['live'].pk}/snapshot/", {
        "hazard_type": "parcels_thrown", "description": "分拣员在收寄台抛扔快件"})
    assert response.status_code == 302
    event = Event.objects.get()
    assert response["Location"] == f"/events/{event.pk}/"
    assert (event.site, event.state, event.hazard_type.code) == (cast.outlet_a1, "reported", "parcels_thrown")
    snap = Snapshot.objects.get()
    assert snap.event == event
    attached = TransitionEvidence.objects.filter(transition__event=event, transition__action="report")
    assert [a.evidence.sha256 for a in attached] == [snap.evidence.sha256]


def test_a_failed_patrol_item_takes_the_snapshot_and_opens_the_event(cast, channels, live_video, client_for):
    ensure_taxonomy()
    patrol = services.patrol_start(user=cast.centre_a)
    assert patrol.county == cast.county_a
    assert sorted(patrol.chosen) == sorted([channels["live"].pk, channels["dark"].pk])  # county A's two
    assert services.patrol_verify(patrol)
    services.patrol_check(user=cast.centre_a, patrol_id=patrol.pk, channel_id=channels["live"].pk,
                          item="three_systems", ok=True)
    with pytest.raises(Invalid):  # a finding must say what the picture shows
        services.patrol_check(user=cast.centre_a, patrol_id=patrol.pk, channel_id=channels["live"].pk,
                              item="no_throwing", ok=False, note="")
    with pytest.raises(NotFound):  # a camera of another county is not part of county A's patrol
        services.patrol_check(user=cast.centre_a, patrol_id=patrol.pk, channel_id=channels["foreign"].pk,
                              item="no_throwing", ok=True)
    client = client_for(cast.centre_a)
    page = client.post(f"/video/patrols/{patrol.pk}/", {"channel_id": channels["live"].pk, "item": "no_throwing",
                                                        "ok": "no", "note": "分拣员抛扔快件"})
    assert page.status_code == 302
    failed = PatrolCheck.objects.get(ok=False)
    assert failed.snapshot is not None and failed.snapshot.event.hazard_type.code == "parcels_thrown"
    assert "分拣员抛扔快件" in failed.snapshot.event.description
    # the dark camera's finding is refused whole: no snapshot, no event, no check row
    dark = client.post(f"/video/patrols/{patrol.pk}/", {"channel_id": channels["dark"].pk, "item": "no_throwing",
                                                        "ok": "no", "note": "画面中断无法查看"})
    assert dark.status_code == 400 and PatrolCheck.objects.count() == 2 and Event.objects.count() == 1
    services.patrol_finish(user=cast.centre_a, patrol_id=patrol.pk, summary="抽查3路视频，发现1处问题")
    listed = selectors.patrols(cast.city_bureau).get(pk=patrol.pk)
    assert (listed.n_checks, listed.n_failed) == (2, 1)
    assert selectors.patrols(cast.centre_b).count() == 0
    with pytest.raises(Invalid):
        services.patrol_check(user=cast.centre_a, patrol_id=patrol.pk, channel_id=channels["live"].pk,
                              item="fire_exits_clear", ok=True)
    page = client.get(f"/video/patrols/{patrol.pk}/")
    assert page.status_code == 200 and "分拣员抛扔快件" in page.content.decode()


# ---- health checks and the online rate ---------------------------------------------------------------------------

def test_the_online_rate_counts_the_health_checks_in_scope(cast, channels, live_video):
    start = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    result = services.health_check()
    assert result == {"channels": 3, "online": 1, "server_up": 1}
    services.health_check()
    end = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)
    figure = registry.figure("video.online_rate")
    assert figure.unit == "%"
    assert figure.compute(cast.centre_a, start, end) == 50.0  # county A: live + dark
    assert figure.compute(cast.centre_b, start, end) == 0.0  # county B: its one camera is dark
    assert figure.compute(cast.city_bureau, start, end) == pytest.approx(33.3)
    assert figure.compute(cast.officer_x, start, end) == 50.0  # enterprise X: its own two cameras
    seen = selectors.last_seen([channels["live"].pk, channels["dark"].pk])
    assert seen[channels["live"].pk].online is True and seen[channels["dark"].pk].online is False
    assert seen[channels["dark"].pk].last_online is None


def test_with_the_media_server_down_the_pages_say_so_and_nothing_else_breaks(cast, channels, settings, client_for):
    settings.VIDEO = video_settings(None, port=free_port())
    client = client_for(cast.centre_a)
    index = client.get("/video/")
    assert index.status_code == 200 and 'id="media-down"' in index.content.decode()
    camera = client.get(f"/video/cameras/{channels['live'].pk}/")
    body = camera.content.decode()
    assert camera.status_code == 200 and 'id="live-offline"' in body and "离线" in body and "data-hls" not in body
    refused = client.post(f"/video/cameras/{channels['live'].pk}/snapshot/", {})
    assert refused.status_code == 503 and "媒体服务器" in refused.content.decode()
    assert not Evidence.objects.exists()
    assert services.health_check() == {"channels": 3, "online": 0, "server_up": 0}
    assert HealthCheck.objects.filter(server_up=False).count() == 3
    assert client.get("/events/").status_code == 200


def test_recordings_older_than_the_retention_are_purged_and_the_purge_is_on_the_trail(db, settings, tmp_path):
    import os

    settings.VIDEO = {**video_settings(None), "ROOT": str(tmp_path)}
    settings.VIDEO_RETENTION_DAYS = 30
    folder = tmp_path / "rec"
    folder.mkdir()
    now = time.time()
    ages = {f"{LIVE_STREAM}-20261001T080000.flv": 40, f"{LIVE_STREAM}-20261110T080000.flv": 29,
            "notes.txt": 400}
    for name, days in ages.items():
        (folder / name).write_bytes(b"FLV")
        os.utime(folder / name, (now - days * 86400, now - days * 86400))
    assert services.recordings_purge() == {"removed": 1}
    assert sorted(p.name for p in folder.iterdir()) == [f"{LIVE_STREAM}-20261110T080000.flv", "notes.txt"]
    entry = TrailEntry.objects.get(action="video.recordings_purge")
    assert entry.payload["removed"] == 1
    assert services.recordings_purge() == {"removed": 0}


def test_a_snapshot_supports_a_penalty_only_after_a_review_and_from_a_published_camera(
        cast, channels, live_video, client):
    snap = services.snapshot_take(user=cast.worker_a1, channel_id=channels["live"].pk)
    assert not snap.admissible and snap.reviewed_at is None
    with pytest.raises(Forbidden):  # a grid worker does not review
        services.snapshot_review(user=cast.worker_a1, snapshot_id=snap.pk, admissible=True, note="画面清晰可辨")
    with pytest.raises(NotFound):  # another county's centre does not see it
        services.snapshot_review(user=cast.centre_b, snapshot_id=snap.pk, admissible=True, note="画面清晰可辨")
    own = services.snapshot_take(user=cast.centre_a, channel_id=channels["live"].pk)
    with pytest.raises(Forbidden) as caught:
        services.snapshot_review(user=cast.centre_a, snapshot_id=own.pk, admissible=True, note="画面清晰可辨")
    assert caught.value.code == "reviewer_is_taker"
    Channel.objects.filter(pk=channels["live"].pk).update(published=False)
    with pytest.raises(Invalid) as caught:
        services.snapshot_review(user=cast.centre_a, snapshot_id=snap.pk, admissible=True, note="画面清晰可辨")
    assert caught.value.code == "not_on_published_list"
    assert Snapshot.objects.get(pk=snap.pk).reviewed_at is None
    public = client.get("/video/points/")
    assert public.status_code == 200 and LIVE_CHANNEL not in public.content.decode()
    Channel.objects.filter(pk=channels["live"].pk).update(published=True)
    reviewed = services.snapshot_review(user=cast.centre_a, snapshot_id=snap.pk, admissible=True,
                                        note="画面清晰，可见时间与场所名称")
    assert reviewed.admissible and reviewed.reviewed_by == cast.centre_a
    assert TrailEntry.objects.filter(action="video.snapshot_review", subject=f"video-snapshot:{snap.pk}").exists()
    with pytest.raises(Invalid):
        services.snapshot_review(user=cast.city_bureau, snapshot_id=snap.pk, admissible=False, note="再次审核")
    body = client.get("/video/points/").content.decode()  # anonymous: the public list
    assert LIVE_CHANNEL in body and cast.outlet_a1.name in body and "公布的监控点位" in body


def test_the_patrol_draw_is_weighted_toward_risk_and_recomputes_from_its_seed(cast):
    from parcelguard.events.testing import make_event

    ensure_taxonomy()
    cams = []
    for i in range(12):
        site = cast.outlet_a1 if i < 6 else cast.outlet_a2
        camera = site.cameras.create(code=f"CAMRISK{i:02d}", location="分拣区", protocol="gb28181", stream_url="")
        cams.append(channel_for(camera, 10 + i))
    make_event(cast.outlet_a2)  # an open hazard event at outlet_a2: its six cameras weigh 3
    weights = dict(services.risk_weights(cast.county_a.path))
    assert {weights[c.pk] for c in cams[6:]} == {3} and {weights[c.pk] for c in cams[:6]} == {1}
    risky = {c.pk for c in cams[6:]}
    drawn = 0
    for n in range(40):
        population = services.risk_weights(cast.county_a.path)
        seed = services.patrol_seed("350303", dt.datetime(2026, 12, 1, 9, n, tzinfo=dt.UTC), population)
        chosen = services.patrol_pick(seed, population, 4)
        assert chosen == services.patrol_pick(seed, population, 4) and len(set(chosen)) == 4
        drawn += sum(1 for c in chosen if c in risky)
    assert drawn > 40 * 4 * 0.6, drawn  # half the cameras, three times the weight: most of the draws
    patrol = services.patrol_start(user=cast.centre_a)
    assert services.patrol_verify(patrol) and len(patrol.chosen) == services.PATROL_SIZE
    Patrol.objects.filter(pk=patrol.pk).update(chosen=list(reversed(patrol.chosen)))
    assert not services.patrol_verify(Patrol.objects.get(pk=patrol.pk))


def test_pushed_camera_status_is_scoped_idempotent_and_refused_whole(cast, channels, client_for):
    import json

    from parcelguard.accounts import services as accounts_services

    token = accounts_services.token_issue(user=cast.officer_x, name="视频平台")
    client = client_for(cast.officer_x).__class__()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    live, dark = channels["live"].channel_code, channels["dark"].channel_code

    def push(reports):
        return client.post("/api/v1/video/status", json.dumps(reports), content_type="application/json", **auth)

    reports = [{"channel_code": live, "at": (now - dt.timedelta(minutes=2)).isoformat(), "online": True},
               {"channel_code": dark, "at": (now - dt.timedelta(minutes=2)).isoformat(), "online": False},
               {"channel_code": dark, "at": (now - dt.timedelta(minutes=1)).isoformat(), "online": True}]
    first = push(reports)
    assert first.status_code == 201 and first.json() == {"received": 3, "accepted": 3, "duplicates": 0}
    again = push(reports)
    assert again.json() == {"received": 3, "accepted": 0, "duplicates": 3}
    assert HealthCheck.objects.filter(source="push").count() == 3
    # outlet_b1's channel belongs to enterprise Y: the whole batch is refused, the good rows too
    foreign = push([{"channel_code": live, "at": now.isoformat(), "online": True},
                    {"channel_code": channels["foreign"].channel_code, "at": now.isoformat(), "online": True}])
    assert foreign.status_code == 403 and foreign.json()["error"]["code"] == "device_not_allowed"
    unknown = push([{"channel_code": "35030300001310009999", "at": now.isoformat(), "online": True}])
    assert unknown.status_code == 403 and unknown.json()["error"]["code"] == "device_not_allowed"
    future = push([{"channel_code": live, "at": (now + dt.timedelta(hours=1)).isoformat(), "online": True}])
    assert future.status_code == 422 and future.json()["error"]["code"] == "time_in_future"
    naive = push([{"channel_code": live, "at": "2026-12-05T08:00:00", "online": True}])
    assert naive.status_code == 422 and naive.json()["error"]["code"] == "bad_report"
    assert HealthCheck.objects.count() == 3
    start, end = now - dt.timedelta(minutes=5), now + dt.timedelta(seconds=1)
    assert registry.figure("video.online_rate").compute(cast.officer_x, start, end) == pytest.approx(66.7)
    listed = client.get("/api/v1/video/channels", **auth).json()
    assert listed["count"] == 2 and {c["channel_code"] for c in listed["items"]} == {live, dark}
    assert next(c for c in listed["items"] if c["channel_code"] == dark)["online"] is True
