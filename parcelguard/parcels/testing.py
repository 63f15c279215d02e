"""Contract records made on the spot, for tests and examples."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any


def sender(label: str) -> str:
    return hashlib.sha256(label.encode()).hexdigest()


def record(n: int, outlet: str, accepted_at: dt.datetime, *, brand: str = "ZTO", machine: str | None = None,
           screened_after: dt.timedelta = dt.timedelta(minutes=20), **fields: Any) -> dict[str, Any]:
    """One valid parcel (contracts.md §1): real-name checked, inspected, screened on ``machine`` if given."""
    row: dict[str, Any] = {
        "waybill_no": f"{brand}{n:012d}", "brand": brand, "outlet_id": outlet,
        "accepted_at": accepted_at.isoformat(sep=" "), "sender_id_hash": sender(f"sender-{n}"),
        "realname_verified": True, "inspected": True, "inspector_id": f"{outlet}-I1",
        "screening_machine_id": machine, "screened_at": (accepted_at + screened_after).isoformat(sep=" ")
        if machine else None, "screening_result": "pass" if machine else None,
        "item_category": "clothing", "dest_county_code": "350303",
    }
    row.update(fields)
    return row


def day_of_parcels(start: int, count: int, outlet: str, day: dt.date, **kwargs: Any) -> list[dict[str, Any]]:
    """``count`` parcels accepted at one outlet on one day, one every 10 minutes from 08:00."""
    base = dt.datetime.combine(day, dt.time(8, 0))
    return [record(start + i, outlet, base + dt.timedelta(minutes=10 * i), **kwargs) for i in range(count)]


def make_warning(site: Any, *, status: str = "new", kind: str = "LOW_SCREENING", n: int = 1,
                 severity: str = "high") -> Any:
    """An early warning placed directly in a status (no analysis run), at one site or (site None) a sender."""
    from parcelguard.core import clock
    from parcelguard.parcels.models import EarlyWarning

    now = clock.now()
    return EarlyWarning.objects.create(
        key=f"w{n}", kind=kind, subject_type="outlet" if site else "sender", subject_id=site.code if site else f"s{n}",
        site=site, enterprise=site.enterprise if site else None, county=site.county if site else None,
        jurisdiction_path=site.jurisdiction_path if site else "350300/", window_start=now, count=12,
        severity=severity, status=status, first_seen_at=now, last_seen_at=now)
