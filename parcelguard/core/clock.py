"""The one place the platform asks what time it is (tests freeze it with time-machine)."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator

from django.utils import timezone


def now() -> dt.datetime:
    return timezone.now()


def today() -> dt.date:
    return timezone.localdate()


@contextlib.contextmanager
def frozen_at(moment: dt.datetime) -> Iterator[None]:
    """Run code as if it were `moment` (every service asks this module): a history loaded in bulk replays
    its scheduled work at the times it was due."""
    saved = now, today
    globals()["now"] = lambda: moment
    globals()["today"] = lambda: timezone.localtime(moment).date()
    try:
        yield
    finally:
        globals()["now"], globals()["today"] = saved
