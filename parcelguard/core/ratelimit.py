"""Rate limits shared by every server process: fixed-window counters in the database.

A counter lives in `core.RateCounter` under a key made of the limit's name, a digest of what it counts
(a client address, or a client address and an account name) and the window's number. One SQL statement
(`INSERT … ON CONFLICT DO UPDATE … RETURNING`, on SQLite ≥ 3.35 and PostgreSQL alike) adds one and
reads the new count, so concurrent requests in several processes never lose an increment.

`client_address(request)` is the address limits are keyed on: the socket peer, unless that peer is one
of `settings.TRUSTED_PROXIES` (addresses or networks); then the right-most address of
`X-Forwarded-For` that is not itself a trusted proxy. A client cannot forge its way past a trusted
proxy: everything left of the first untrusted hop is ignored.
"""

from __future__ import annotations

import hashlib
import ipaddress
import random
import time
from functools import lru_cache

from django.conf import settings
from django.db import connection
from django.http import HttpRequest

_Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(spec: tuple[str, ...]) -> tuple[_Network, ...]:
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in spec if item.strip())


def _trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in net for net in _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()))))


def client_address(request: HttpRequest) -> str:
    peer = (request.META.get("REMOTE_ADDR") or "").strip()
    if not _trusted(peer):
        return peer or "unknown"
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer  # a garbled header from behind our own proxy: count it against the proxy
    return peer


def _key(name: str, parts: tuple[str, ...], window: int, now: float) -> str:
    digest = hashlib.sha256("\0".join(parts).encode()).hexdigest()[:40]
    return f"{name}:{digest}:{int(now // window)}"


def hit(name: str, *parts: str, window: int, now: float | None = None) -> int:
    """Count one more event for (name, parts) in the current window; return the window's count."""
    now = time.time() if now is None else now
    key = _key(name, parts, window, now)
    expires = (int(now // window) + 1) * window
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO core_ratecounter (key, count, expires) VALUES (%s, 1, %s) "
            "ON CONFLICT (key) DO UPDATE SET count = core_ratecounter.count + 1 RETURNING count",
            [key, expires])
        count = int(cursor.fetchone()[0])
        if random.random() < 0.01:  # sweep closed windows now and then
            cursor.execute("DELETE FROM core_ratecounter WHERE expires < %s", [int(now)])
    return count


def count(name: str, *parts: str, window: int, now: float | None = None) -> int:
    """The current window's count for (name, parts), without counting."""
    from parcelguard.core.models import RateCounter

    now = time.time() if now is None else now
    row = RateCounter.objects.filter(key=_key(name, parts, window, now)).values_list("count", flat=True).first()
    return int(row or 0)


def undo(name: str, *parts: str, window: int, now: float | None = None) -> None:
    """Take one back (an attempt that turned out to be legitimate)."""
    from django.db.models import F

    from parcelguard.core.models import RateCounter

    now = time.time() if now is None else now
    RateCounter.objects.filter(key=_key(name, parts, window, now), count__gt=0).update(count=F("count") - 1)


def clear(name: str, *parts: str, window: int, now: float | None = None) -> None:
    from parcelguard.core.models import RateCounter

    now = time.time() if now is None else now
    RateCounter.objects.filter(key=_key(name, parts, window, now)).delete()
