"""Shared scaffolding of the dashboard tests: a clock frozen in late November 2026, moments in October,
events placed at those moments, and a second brand's outlet in the first county."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import time_machine
from django.utils import timezone

NOW = timezone.make_aware(dt.datetime(2026, 11, 20, 10, 0))


def at(day: int, hour: int = 9, month: int = 10) -> dt.datetime:
    """A local moment of 2026, in October unless told."""
    return timezone.make_aware(dt.datetime(2026, month, day, hour, 0))


def frozen_without_cache(settings: Any, now: dt.datetime = NOW) -> Iterator[None]:
    """Body of an autouse fixture: figures computed on every call, the clock stopped at `now`."""
    settings.ANALYTICS_CACHE_SECONDS = 0
    with time_machine.travel(now, tick=False):
        yield


def ev(site: Any, *, reported: dt.datetime | None = None, **moments: Any) -> Any:
    """An event at `site`, reported on 5 October unless told, with its other moments set by hand."""
    from parcelguard.events.testing import placed_event

    return placed_event(site, reported=reported or at(5), **moments)


def yto_outlet_in_a(cast: Any) -> Any:
    """A YTO outlet in Hanjiang (A), so that brands and counties cut across each other."""
    from parcelguard.registry.models import Site, SiteKind

    return Site.objects.create(code="PTYTOWD0009", name="圆通涵江涵东营业部", kind=SiteKind.OUTLET,
                               enterprise=cast.enterprise_y, county=cast.county_a, grid=cast.grid_a1,
                               filed_address="福建省莆田市涵江区涵东街道1号", actual_address="福建省莆田市涵江区涵东街道1号")
