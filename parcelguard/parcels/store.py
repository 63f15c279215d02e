"""The platform's side of parcel_audit: where the Parquet store lives, the registries exported from the
Django models in the contract's shape (contracts.md section 2), and contract records as Arrow tables."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pyarrow as pa
from django.conf import settings

from parcelguard.registry.models import MachineStatusWindow, Site, XrayMachine

SHANGHAI = ZoneInfo("Asia/Shanghai")
RECORD_COLUMNS = ("waybill_no", "brand", "outlet_id", "accepted_at", "sender_id_hash", "realname_verified",
                  "inspected", "inspector_id", "screening_machine_id", "screened_at", "screening_result",
                  "item_category", "dest_county_code")
# contracts.md section 2 knows four kinds of outlet; the platform's other kinds accept parcels like outlets.
_CONTRACT_KIND = {"outlet": "outlet", "sorting_centre": "sorting_centre", "locker": "locker", "station": "station"}


def parcels_dir() -> Path:
    return Path(settings.DATA_DIR) / "parcels"


def store_dir() -> Path:
    return parcels_dir() / "store"


def rejects_dir() -> Path:
    return parcels_dir() / "rejects"


def store_days(store: Path | None = None) -> dict[dt.date, Path]:
    """The accept_date partitions of the store that hold data, by day."""
    store = store or store_dir()
    found: dict[dt.date, Path] = {}
    for p in sorted(store.glob("accept_date=*")):
        if p.is_dir() and any(p.glob("*.parquet")):
            found[dt.date.fromisoformat(p.name.split("=", 1)[1])] = p
    return found


@contextlib.contextmanager
def store_view(days: Iterable[dt.date]) -> Iterator[Path]:
    """A store directory holding only the given days: links to the real partitions, so that an analysis
    reads those days and nothing else."""
    partitions = store_days()
    with tempfile.TemporaryDirectory(prefix="parcels_view_") as tmp:
        view = Path(tmp)
        for day in sorted(set(days)):
            if day in partitions:
                (view / partitions[day].name).symlink_to(partitions[day].resolve(), target_is_directory=True)
        yield view


def local_naive(value: dt.datetime | None) -> str | None:
    """Contract time: local wall-clock (Asia/Shanghai) without an offset."""
    if value is None:
        return None
    return value.astimezone(SHANGHAI).replace(tzinfo=None).isoformat(sep=" ")


def aware(value: dt.datetime | None) -> dt.datetime | None:
    """A library time (naive, Asia/Shanghai wall-clock) as an aware datetime for the database."""
    if value is None:
        return None
    return value.replace(tzinfo=SHANGHAI) if value.tzinfo is None else value


def _hhmm(value: dt.time | None) -> str | None:
    return None if value is None else value.strftime("%H:%M")


def _strings(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> pa.Table:
    return pa.table({c: pa.array([r[c] for r in rows], type=pa.string()) for c in columns})


def registries(*, machine_codes: Iterable[str] | None = None, outlet_codes: Iterable[str] | None = None
               ) -> dict[str, pa.Table]:
    """outlets, machines and machine_status from the registry, as parcel_audit reads them. With codes
    given, only those rows (tracing one parcel needs one outlet and one machine)."""
    sites = Site.objects.all()
    machines = XrayMachine.objects.all()
    windows = MachineStatusWindow.objects.all()
    if outlet_codes is not None:
        sites = sites.filter(code__in=list(outlet_codes))
    if machine_codes is not None:
        codes = list(machine_codes)
        machines = machines.filter(code__in=codes)
        windows = windows.filter(machine__code__in=codes)
    outlets = [
        {"outlet_id": code, "brand": brand, "name": name, "county_code": county, "kind": _CONTRACT_KIND.get(kind, "outlet"),
         "opens": _hhmm(opens), "closes": _hhmm(closes)}
        for code, brand, name, county, kind, opens, closes in sites.values_list(
            "code", "enterprise__brand_id", "name", "county__code", "kind", "opens", "closes")
    ]
    machine_rows = [{"machine_id": code, "site_id": site, "capacity_per_hour": str(capacity)}
                    for code, site, capacity in machines.values_list("code", "site__code", "capacity_per_hour")]
    status_rows = [{"machine_id": code, "status": status, "start": local_naive(start), "end": local_naive(end)}
                   for code, status, start, end in windows.values_list("machine__code", "status", "start", "end")]
    return {
        "outlets": _strings(outlets, ("outlet_id", "brand", "name", "county_code", "kind", "opens", "closes")),
        "machines": _strings(machine_rows, ("machine_id", "site_id", "capacity_per_hour")),
        "machine_status": _strings(status_rows, ("machine_id", "status", "start", "end")),
    }


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    return json.dumps(value, ensure_ascii=False, default=str)[:500]


def records_table(records: Sequence[dict[str, Any]]) -> pa.Table:
    """Contract records (JSON objects) as an Arrow table of text columns, every contract column present,
    so that a missing or malformed value becomes a row-level error in ingestion, not a refusal."""
    return pa.table({c: pa.array([_text(r.get(c)) if isinstance(r, dict) else None for r in records],
                                 type=pa.string()) for c in RECORD_COLUMNS})
