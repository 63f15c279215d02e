"""The remote video library over REST (docs/video.md): the cameras' channels with their state, and camera
status pushed by enterprise or vendor systems (`POST /api/v1/video/status`, refused whole on an unknown or
foreign channel or a time in the future; idempotent by channel and moment)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Body, Query, Router, Schema, Status

from parcelguard.api.schemas import ERRORS, Error, Page
from parcelguard.video import selectors, services

router = Router(tags=["video"])


class ChannelOut(Schema):
    id: int
    camera_code: str
    site_code: str
    location: str
    device_code: str
    channel_code: str
    published: bool
    online: bool | None
    checked_at: dt.datetime | None
    last_online: dt.datetime | None


@router.get("/video/channels", response={200: Page[ChannelOut], **ERRORS}, summary="Video channels and their state")
def channel_list(request: HttpRequest, limit: int = Query(100, ge=1, le=500),
                 offset: int = Query(0, ge=0, le=1_000_000)) -> Any:
    qs = selectors.channels(request.user)
    page = list(qs[offset:offset + limit])
    seen = selectors.last_seen([c.pk for c in page])
    return {"count": qs.count(), "items": [
        ChannelOut(id=c.pk, camera_code=c.camera.code, site_code=c.camera.site.code, location=c.camera.location,
                   device_code=c.device_code, channel_code=c.channel_code, published=c.published,
                   online=seen[c.pk].online, checked_at=seen[c.pk].checked_at, last_online=seen[c.pk].last_online)
        for c in page]}


class StatusResult(Schema):
    received: int
    accepted: int
    duplicates: int


@router.post("/video/status", response={201: StatusResult, 400: Error, **ERRORS}, summary="Push camera status")
def status_push(request: HttpRequest, reports: list[dict[str, Any]] = Body(...)) -> Any:  # noqa: B008
    return Status(201, StatusResult(**services.status_push(user=request.user, reports=reports)))
