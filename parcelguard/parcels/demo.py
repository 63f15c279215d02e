"""A month of parcel records for the demo city, on its real outlets and machines.

The background is compliant by construction (real-name checked, inspected, screened after acceptance on
the outlet's own machine or its brand's sorting centre, never inside a closed down-window, senders who
ship from one outlet), so what the analysis finds is what was planted here:

- the Jiayuguan pattern: the demo's broken Yunda sorting-centre machine (broken, no end) keeps
  "screening" the parcels of the Yunda outlets routed to it;
- a few outlet-days without real-name checks, inspection or screening; parcels screened before they
  were accepted; an unregistered machine; a burst beyond a machine's capacity; one sender at six outlets.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from parcelguard.demo.city import ANCHOR
from parcelguard.registry.models import MachineStatusWindow, Site, SiteKind, Status, XrayMachine

_US = np.timedelta64(1, "us")
_MIN = 60_000_000  # microseconds in a minute


@dataclass
class DemoParcels:
    table: pa.Table
    first_day: dt.date
    last_day: dt.date
    broken_machine: str


def _hashes(seed: int, labels: np.ndarray) -> np.ndarray:
    return np.array([hashlib.sha256(f"demo:{seed}:{x}".encode()).hexdigest() for x in labels], dtype=object)


def _naive(value: dt.datetime) -> np.datetime64:
    from parcelguard.parcels.store import SHANGHAI

    return np.datetime64(value.astimezone(SHANGHAI).replace(tzinfo=None), "us")


def generate(parcels: int = 200_000, days: int = 30, seed: int = 2021) -> DemoParcels:
    rng = np.random.default_rng(seed)
    last = ANCHOR - dt.timedelta(days=1)
    first = last - dt.timedelta(days=days - 1)
    outlets = list(Site.objects.filter(kind=SiteKind.OUTLET, status=Status.ACTIVE).select_related("enterprise")
                   .order_by("code"))
    machines = list(XrayMachine.objects.select_related("site").order_by("code"))
    own = {m.site_id: m.code for m in machines if m.site.kind == SiteKind.OUTLET}
    centre: dict[str, list[str]] = {}
    for m in machines:
        if m.site.kind == SiteKind.SORTING_CENTRE:
            centre.setdefault(m.site.enterprise.brand_id, []).append(m.code)
    every_centre = sorted(c for codes in centre.values() for c in codes)

    # Parcels per outlet-day: busier and quieter outlets, all days alike.
    n_out = len(outlets)
    weight = rng.uniform(0.4, 1.6, n_out)
    per_outlet = np.maximum(1, np.round(weight / weight.sum() * parcels / days)).astype(np.int64)
    outlet_idx = np.repeat(np.tile(np.arange(n_out), days), np.tile(per_outlet, days))
    day_idx = np.repeat(np.repeat(np.arange(days), n_out), np.tile(per_outlet, days))
    total = len(outlet_idx)
    day0 = np.datetime64(first.isoformat(), "us") + day_idx * np.timedelta64(1, "D").astype("timedelta64[us]")
    closes = np.array([(o.closes.hour if o.closes else 20) for o in outlets])
    open_minutes = (closes[outlet_idx] - 8) * 60 - 30
    accepted = day0 + (8 * 60 + rng.random(total) * open_minutes).astype(np.int64) * _MIN * _US
    accepted += rng.integers(0, 60_000_000, total) * _US

    brand = np.array([o.enterprise.brand_id for o in outlets], dtype=object)[outlet_idx]
    route = []
    for i, o in enumerate(outlets):
        pool = centre.get(o.enterprise.brand_id) or every_centre
        route.append(own.get(o.pk) or pool[i % len(pool)])
    machine = np.array(route, dtype=object)[outlet_idx]
    at_outlet = np.array([o.pk in own for o in outlets])[outlet_idx]
    delay_min = np.where(at_outlet, rng.integers(5, 30, total), rng.integers(120, 360, total))
    screened = accepted + delay_min * _MIN * _US

    # A parcel whose machine was in a closed down-window waits for it to come back.
    for w in MachineStatusWindow.objects.select_related("machine").exclude(end=None):
        start, end = _naive(w.start), _naive(w.end)
        inside = (machine == w.machine.code) & (screened >= start) & (screened < end)
        screened[inside] = end + rng.integers(1, 120, int(inside.sum())) * _MIN * _US
    broken = MachineStatusWindow.objects.filter(end=None, status="broken").select_related("machine").first()

    outlet_codes = np.array([o.code for o in outlets], dtype=object)
    cols = {
        "waybill_no": np.array([f"{b}{i:012d}" for b, i in zip(brand, range(1, total + 1), strict=True)],
                               dtype=object),
        "brand": brand, "outlet_id": outlet_codes[outlet_idx], "accepted_at": accepted,
        "realname_verified": np.ones(total, dtype=bool), "inspected": np.ones(total, dtype=bool),
        "screening_machine_id": machine, "screened_at": screened,
        "screening_result": np.where(rng.random(total) < 0.002, "suspect", "pass").astype(object),
    }
    sender_slot = outlet_idx * 64 + rng.integers(0, 64, total)
    slots, inverse = np.unique(sender_slot, return_inverse=True)
    cols["sender_id_hash"] = _hashes(seed, slots)[inverse]  # each sender ships from one outlet
    _plant(rng, cols, outlet_idx, day_idx, outlets, own, seed)
    valid_scan = cols["screening_machine_id"] != None  # noqa: E711 (element-wise)
    table = pa.table({
        "waybill_no": pa.array(cols["waybill_no"], pa.string()),
        "brand": pa.array(cols["brand"], pa.string()),
        "outlet_id": pa.array(cols["outlet_id"], pa.string()),
        "accepted_at": pa.array(cols["accepted_at"], pa.timestamp("us")),
        "sender_id_hash": pa.array(cols["sender_id_hash"], pa.string()),
        "realname_verified": pa.array(cols["realname_verified"]),
        "inspected": pa.array(cols["inspected"]),
        "inspector_id": pa.array(np.char.add(cols["outlet_id"].astype(str), "-I1"), pa.string()),
        "screening_machine_id": pa.array(cols["screening_machine_id"], pa.string()),
        "screened_at": pa.array(cols["screened_at"], pa.timestamp("us"), mask=~valid_scan),
        "screening_result": pa.array(np.where(valid_scan, cols["screening_result"], None), pa.string()),
        "item_category": pa.array(np.array(["clothing", "electronics", "documents", "food", "cosmetics", "books"],
                                           dtype=object)[rng.integers(0, 6, len(cols["brand"]))], pa.string()),
        "dest_county_code": pa.array(np.array(["350302", "350303", "350304", "350305", "350322"], dtype=object)[
            rng.integers(0, 5, len(cols["brand"]))], pa.string()),
    })
    return DemoParcels(table, first, last, broken.machine.code if broken else "")


def _plant(rng: np.random.Generator, cols: dict[str, np.ndarray], outlet_idx: np.ndarray, day_idx: np.ndarray,
           outlets: list[Site], own: dict[int, str], seed: int) -> None:
    n_days = int(day_idx.max()) + 1
    picks = rng.choice(len(outlets), 12, replace=False)

    def rows(k: int, day: int) -> np.ndarray:
        return np.flatnonzero((outlet_idx == picks[k]) & (day_idx == day))

    for k, day, share in ((0, 3, 0.05), (1, 11, 0.15), (2, 20, 0.4)):
        r = rows(k, day)
        cols["realname_verified"][r[: max(1, int(len(r) * share))]] = False
    for k, day, share in ((3, 6, 0.1), (4, 17, 0.3)):
        r = rows(k, day)
        cols["inspected"][r[: max(1, int(len(r) * share))]] = False
    for k, day in ((5, 9), (6, 25)):
        r = rows(k, day)[:3]
        cols["screening_machine_id"][r] = None
    r = rows(7, 14)[:4]
    cols["screened_at"][r] = cols["accepted_at"][r] - 10 * _MIN * _US
    r = rows(8, 22)[:6]
    cols["screening_machine_id"][r] = "XRUNREG0001"
    # One sender at six outlets on one day.
    day = n_days - 5
    hit = [rows(k, day)[0] for k in range(9, 12)] + [np.flatnonzero((outlet_idx == i) & (day_idx == day))[0]
                                                     for i in range(3) if i not in picks[9:12]]
    cols["sender_id_hash"][np.array(hit[:6])] = hashlib.sha256(f"demo:{seed}:spread".encode()).hexdigest()
    # A burst beyond an outlet machine's capacity: 2 minutes at noon.
    with_machine = [i for i, o in enumerate(outlets) if o.pk in own]
    if with_machine:
        o = outlets[with_machine[0]]
        capacity = XrayMachine.objects.get(code=own[o.pk]).capacity_per_hour
        k = (capacity // 60 + 3) * 2
        day0 = np.datetime64((ANCHOR - dt.timedelta(days=8)).isoformat(), "us")
        scans = day0 + (12 * 60 * _MIN + np.linspace(0, 2 * _MIN - 1, k).astype(np.int64)) * _US
        extra = {
            "waybill_no": np.array([f"{o.enterprise.brand_id}9{i:011d}" for i in range(k)], dtype=object),
            "brand": np.full(k, o.enterprise.brand_id, dtype=object), "outlet_id": np.full(k, o.code, dtype=object),
            "accepted_at": scans - 5 * _MIN * _US, "sender_id_hash": _hashes(seed, np.arange(10**6, 10**6 + k)),
            "realname_verified": np.ones(k, dtype=bool), "inspected": np.ones(k, dtype=bool),
            "screening_machine_id": np.full(k, own[o.pk], dtype=object), "screened_at": scans,
            "screening_result": np.full(k, "pass", dtype=object),
        }
        for name, values in extra.items():
            cols[name] = np.concatenate([cols[name], values])
