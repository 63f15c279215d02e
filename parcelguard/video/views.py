"""Pages of the remote video library, and its media path: the live playlist, its segments and the
recordings reach the browser only here, through signed URLs checked against the user's scope (403 from
the media path itself for an expired, forged, foreign or out-of-scope link)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parcelguard.accounts.models import Jurisdiction, Level
from parcelguard.accounts.roles import Role
from parcelguard.accounts.scoping import scope
from parcelguard.core import clock
from parcelguard.core.errors import DomainError, Invalid
from parcelguard.events.models import HazardType
from parcelguard.evidence.services import evidence_response
from parcelguard.video import selectors, services
from parcelguard.video.checklist import CHECKLIST
from parcelguard.video.gateway import NoRecording, Recording, gateway


def _error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return render(request, "error.html", {"message": exc.message}, status=exc.status)


def _media_error(exc: DomainError) -> HttpResponse:
    return HttpResponse(str(exc.message), status=exc.status, content_type="text/plain; charset=utf-8")


def _moment(raw: str) -> dt.datetime | None:
    """A local date-time from a form (`YYYY-MM-DDTHH:MM[:SS]`), or None when empty."""
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        naive = dt.datetime.fromisoformat(raw)
    except ValueError as exc:
        raise Invalid(_("The moment is not a valid date and time."), code="invalid_moment") from exc
    return naive if naive.tzinfo else timezone.make_aware(naive)


def _server_health() -> Any:
    return gateway().health()


@login_required
def index(request: HttpRequest) -> HttpResponse:
    channels = list(selectors.channels(request.user)[:500])
    seen = selectors.last_seen([c.pk for c in channels])
    health = _server_health()
    now = clock.now()
    day = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    rows = [(c, seen[c.pk], health.online(c.stream)) for c in channels]
    return render(request, "video/index.html", {
        "rows": rows, "health": health, "online_now": sum(1 for *_x, live in rows if live),
        "rate_today": selectors.online_rate(request.user, day, now + dt.timedelta(seconds=1)),
        "patrols": selectors.patrols(request.user)[:10]})


def _camera_context(request: HttpRequest, pk: int) -> dict[str, Any]:
    channel = selectors.channels(request.user).filter(pk=pk).first()
    if channel is None:
        return {}
    health = _server_health()
    live = health.online(channel.stream)
    seen = selectors.last_seen([channel.pk])[channel.pk]
    return {"channel": channel, "health": health, "live": live, "seen": seen,
            "live_url": reverse("video:live", args=[services.stream_token(request.user, channel), "index.m3u8"])
            if live else "",
            "snapshots": selectors.snapshots(request.user).filter(channel=channel)[:12],
            "hazard_types": HazardType.objects.filter(active=True).order_by("position"),
            "can_report": request.user.role in services.PATROLLERS,
            "can_review": request.user.role in services.REVIEWERS}


@login_required
def camera(request: HttpRequest, pk: int) -> HttpResponse:
    context = _camera_context(request, pk)
    if not context:
        return render(request, "error.html", {"message": _("Record not found.")}, status=404)
    channel = context["channel"]
    at_raw = request.GET.get("at", "")
    context |= {"at": at_raw, "playback": None, "playback_error": ""}
    if at_raw:
        try:
            moment = _moment(at_raw)
            assert moment is not None
            around = gateway().recordings(channel.stream, moment - dt.timedelta(hours=1), moment + dt.timedelta(hours=1))
            covering = [r for r in around if r.covers(moment)]
            if not covering:
                raise NoRecording(_("No recording covers this moment."))
            rec = covering[-1]
            token = services.stream_token(request.user, channel, kind="recording")
            context["playback"] = {"recording": rec, "offset": round((moment - rec.start).total_seconds(), 1),
                                   "url": reverse("video:recording", args=[token, rec.name]), "moment": moment}
            context["recordings"] = around
        except DomainError as exc:
            context["playback_error"] = exc.message
    return render(request, "video/camera.html", context)


@login_required
@require_POST
def snapshot(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        moment = _moment(request.POST.get("moment", ""))
        if request.POST.get("hazard_type"):
            snap = services.snapshot_report(user=request.user, channel_id=pk,
                                            hazard_type=request.POST.get("hazard_type", ""),
                                            description=request.POST.get("description", ""), moment=moment)
        else:
            snap = services.snapshot_take(user=request.user, channel_id=pk, moment=moment)
    except DomainError as exc:
        context = _camera_context(request, pk)
        if not context:
            return _error(request, exc)
        context |= {"error": exc.message, "post": request.POST, "at": "", "playback": None}
        return render(request, "video/camera.html", context, status=exc.status)
    if snap.event_id:
        messages.success(request, _("Snapshot taken and hazard event opened with it as evidence."))
        return redirect("events:detail", snap.event_id)
    messages.success(request, _("Snapshot taken and stored as evidence."))
    return redirect("video:camera", pk)


@login_required
def snapshot_image(request: HttpRequest, pk: int) -> HttpResponse:
    snap = selectors.snapshots(request.user).filter(pk=pk).first()
    if snap is None:
        return render(request, "error.html", {"message": _("Record not found.")}, status=404)
    try:
        return evidence_response(snap.evidence, user=request.user, thumbnail=request.GET.get("thumb") == "1",
                                 where=f"video-snapshot:{snap.pk}")
    except DomainError as exc:
        return _error(request, exc)


@login_required
@require_POST
def snapshot_review(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        snap = services.snapshot_review(user=request.user, snapshot_id=pk,
                                        admissible=request.POST.get("admissible") == "yes",
                                        note=request.POST.get("note", ""))
    except DomainError as exc:
        return _error(request, exc)
    messages.success(request, _("Review recorded."))
    return redirect("video:camera", snap.channel_id)


def points(request: HttpRequest) -> HttpResponse:
    """Public: the published list of monitoring points (公布的监控点位) per county and site, which
    行政处罚法 Art. 41 requires before a monitoring device's pictures support a penalty."""
    from parcelguard.video.models import Channel

    listed = (Channel.objects.filter(published=True, camera__site__status="active")
              .select_related("camera__site__county").order_by("camera__site__county__code", "camera__site__name",
                                                               "camera__location"))
    return render(request, "video/points.html", {"points": listed[:5000]})


# ---- the media path ---------------------------------------------------------------------------------------

@login_required
def live(request: HttpRequest, token: str, name: str) -> HttpResponse:
    try:
        channel = services.stream_check(request.user, token, kind="live")
        body, content_type = gateway().fetch(channel.stream, name)
    except DomainError as exc:
        return _media_error(exc)
    response = HttpResponse(body, content_type=content_type)
    response["Cache-Control"] = "private, no-cache" if name.endswith(".m3u8") else "private, max-age=60"
    return response


@login_required
def recording(request: HttpRequest, token: str, name: str) -> HttpResponse:
    try:
        channel = services.stream_check(request.user, token, kind="recording")
        found = [r for r in gateway().recordings(channel.stream, dt.datetime.min.replace(tzinfo=dt.UTC),
                                                 dt.datetime.max.replace(tzinfo=dt.UTC)) if r.name == name]
        if not found:
            raise NoRecording(_("No recording covers this moment."))
        body = gateway().playback(Recording(channel.stream, name, found[0].start, found[0].end))
    except DomainError as exc:
        return _media_error(exc)
    response = HttpResponse(body, content_type="video/mp4")
    response["Cache-Control"] = "private, max-age=300"
    return response


# ---- video patrols -----------------------------------------------------------------------------------------

@login_required
def patrols(request: HttpRequest) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        try:
            patrol = services.patrol_start(user=user, county_id=int(request.POST.get("county_id") or 0))
        except (DomainError, ValueError) as exc:
            if isinstance(exc, DomainError):
                return _error(request, exc)
            return _error(request, Invalid(_("Choose a county.")))
        return redirect("video:patrol", patrol.pk)
    counties = scope(user, Jurisdiction).filter(level=Level.COUNTY) if user.role == Role.CITY_BUREAU else []
    return render(request, "video/patrols.html", {
        "patrols": selectors.patrols(user)[:100], "counties": counties,
        "can_start": user.role in (Role.CITY_BUREAU, Role.COUNTY_CENTRE)})


@login_required
def patrol(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.patrols(request.user).filter(pk=pk).first()
    if found is None:
        return render(request, "error.html", {"message": _("Record not found.")}, status=404)
    error = ""
    if request.method == "POST":
        try:
            if request.POST.get("finish"):
                services.patrol_finish(user=request.user, patrol_id=pk, summary=request.POST.get("summary", ""))
                messages.success(request, _("Patrol finished."))
            else:
                check = services.patrol_check(
                    user=request.user, patrol_id=pk, channel_id=int(request.POST.get("channel_id") or 0),
                    item=request.POST.get("item", ""), ok=request.POST.get("ok") == "yes",
                    note=request.POST.get("note", ""))
                if check.snapshot and check.snapshot.event_id:
                    messages.success(request, _("Finding recorded; hazard event opened with the snapshot."))
                else:
                    messages.success(request, _("Item recorded."))
            return redirect("video:patrol", pk)
        except DomainError as exc:
            error = exc.message
        except ValueError:
            error = _("Choose a camera.")
    health = _server_health()
    by_id = {c.pk: c for c in selectors.channels(request.user).filter(pk__in=found.chosen)}
    cams = [by_id[pk] for pk in found.chosen if pk in by_id]
    seen = selectors.last_seen([c.pk for c in cams])
    done = {(c.channel_id, c.item): c for c in found.checks.select_related("snapshot")}
    tiles = []
    for c in cams:
        live_now = health.online(c.stream)
        tiles.append({"channel": c, "live": live_now, "seen": seen[c.pk],
                      "url": reverse("video:live", args=[services.stream_token(request.user, c), "index.m3u8"])
                      if live_now else "",
                      "items": [(item, done.get((c.pk, item.code))) for item in CHECKLIST]})
    found_mine = found.officer_id == request.user.pk and found.finished_at is None
    return render(request, "video/patrol.html", {"patrol": found, "tiles": tiles, "health": health,
                                                 "error": error, "can_record": found_mine,
                                                 "verified": services.patrol_verify(found)},
                  status=400 if error else 200)
