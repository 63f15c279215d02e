"""A synthetic city (Putian, 莆田) with seeded anomalies of every finding kind and their ground truth.

The background is clean by construction, so every expected finding comes from a planted anomaly:

- each outlet accepts its day's parcels one per time slot between 08:00 and 20:00 and screens each a
  fixed delay later on its own machine, whose capacity is set above the most scans a minute can hold
  (at most ceil(60 / slot) + 1), so no background minute is over capacity;
- every background parcel is real-name verified, inspected and screened after acceptance;
- each background sender ships from one outlet only; maintenance windows lie at night, when no
  outlet machine scans.

The ground truth is computed here from the planted parcels with NumPy masks, not by the SQL rules.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from parcel_audit._config import AuditConfig
from parcel_audit._errors import ConfigError
from parcel_audit._findings import MAX_EXAMPLES, Finding, sort_findings, write_findings

__all__ = ["GeneratedCity", "generate_city"]

COUNTIES = ("350302", "350303", "350304", "350305", "350322")
BRANDS = ("SF", "EMS", "ZTO", "YTO", "STO", "YD", "JT", "DBL", "JD")
FIRST_DAY = dt.date(2026, 11, 1)
_OPEN_S = 8 * 3600
_BUSINESS_S = 12 * 3600
_CATEGORIES = np.array(["clothing", "electronics", "documents", "food", "cosmetics", "books", "daily"])
_SECOND = np.timedelta64(1, "s")


@dataclass(frozen=True, slots=True)
class GeneratedCity:
    """Paths of a generated city and the findings its planted anomalies must produce."""

    records: Path
    outlets: Path
    machines: Path
    machine_status: Path
    ground_truth: Path
    expected: list[Finding]
    parcels: int


def _hash(seed: int, label: str) -> str:
    return hashlib.sha256(f"parcel-audit-demo:{seed}:{label}".encode()).hexdigest()


def _ts(day: dt.date, seconds: float = 0) -> np.datetime64:
    return np.datetime64(dt.datetime.combine(day, dt.time())) + np.timedelta64(int(seconds), "s")


class _Builder:
    """Columns of the parcels under construction, as NumPy arrays, plus the planted anomalies."""

    def __init__(self, parcels: int, days: int, seed: int) -> None:
        if days < 2:
            raise ConfigError("generate needs at least 2 days")
        if parcels < 500 * days // 10 or parcels < 1000:
            raise ConfigError("generate needs at least 1000 parcels (and 50 per day)")
        self.rng = np.random.default_rng(seed)
        self.seed = seed
        self.days = [FIRST_DAY + dt.timedelta(days=i) for i in range(days)]
        n_outlets = max(45, min(600, parcels // 20000))
        self.outlets = [
            {
                "outlet_id": f"PT-{BRANDS[(i // 5) % 9]}-{COUNTIES[i % 5]}-{i:04d}",
                "brand": BRANDS[(i // 5) % 9],
                "name": f"莆田{BRANDS[(i // 5) % 9]}网点{i:04d}",
                "county_code": COUNTIES[i % 5],
                "kind": "station" if i % 7 == 6 else "outlet",
                "opens": "08:00",
                "closes": "20:00",
            }
            for i in range(n_outlets)
        ]
        self.centres = [
            {"outlet_id": f"PT-{b}-SC", "brand": b, "name": f"莆田{b}分拨中心", "county_code": "350322",
             "kind": "sorting_centre", "opens": None, "closes": None}
            for b in BRANDS
        ]
        self.expected: list[Finding] = []
        self.config = AuditConfig()
        # Machine capacity above the most scans one minute can hold (see the module docstring),
        # computed from the busiest possible outlet-day so that it is known before planting.
        busiest = math.ceil(parcels / (n_outlets * days))
        per_minute = math.ceil(60 / (_BUSINESS_S / busiest)) + 1
        base = max(10, per_minute + 3) * 60
        self.capacity = base + 60 * (np.arange(n_outlets) % 3)
        self.capacity_sc = 600

    # -- background -----------------------------------------------------------------------------
    def background(self, total: int) -> None:
        n_out, n_days = len(self.outlets), len(self.days)
        per = np.full(n_out * n_days, total // (n_out * n_days), dtype=np.int64)
        per[: total - per.sum()] += 1
        outlet_idx = np.repeat(np.repeat(np.arange(n_out), n_days), per)
        day_idx = np.repeat(np.tile(np.arange(n_days), n_out), per)
        # Position j of each parcel within its outlet-day, and the outlet-day's slot length.
        starts = np.repeat(np.cumsum(per) - per, per)
        j = np.arange(total) - starts
        n = np.repeat(per, per)
        slot = _BUSINESS_S / np.maximum(n, 1)
        offset = _OPEN_S + (j + self.rng.random(total)) * slot
        day0 = np.array([_ts(d) for d in self.days])
        self.accepted = day0[day_idx] + (offset * 1e6).astype("timedelta64[us]")
        self.delay = self.rng.integers(30, 600, n_out)
        self.outlet_idx = outlet_idx
        self.screened = self.accepted + (self.delay[outlet_idx] * 1e6).astype("timedelta64[us]")
        self.outlet = np.array([o["outlet_id"] for o in self.outlets], dtype=object)[outlet_idx]
        self.machine = np.array([f"{o['outlet_id']}-X1" for o in self.outlets], dtype=object)[outlet_idx]
        self.brand = np.array([o["brand"] for o in self.outlets], dtype=object)[outlet_idx]
        seq = np.arange(total)
        self.waybill = np.char.add(self.brand.astype(str), np.char.zfill((seq * 7919 + 13 * self.seed)
                                   .astype(str), 13)).astype(object)
        pool = np.array([_hash(self.seed, f"sender:{i}") for i in range(n_out * 64)], dtype=object)
        self.sender = pool[outlet_idx * 64 + self.rng.integers(0, 64, total)]
        self.realname = np.ones(total, dtype=bool)
        self.inspected = np.ones(total, dtype=bool)
        self.result = np.where(self.rng.random(total) < 0.002, "suspect", "pass").astype(object)
        self.category = _CATEGORIES[self.rng.integers(0, len(_CATEGORIES), total)].astype(object)
        self.dest = np.array(COUNTIES, dtype=object)[self.rng.integers(0, 5, total)]
        self.windows: list[dict[str, Any]] = []
        for i, o in enumerate(self.outlets):
            for d in self.days[i % 3 :: 3]:
                self.windows.append({"machine_id": f"{o['outlet_id']}-X1", "status": "maintenance",
                                     "start": _ts(d, 22 * 3600), "end": _ts(d, 30 * 3600)})
        # A centre machine that went offline and never came back, with no scans: no finding.
        self.windows.append({"machine_id": "PT-EMS-SC-X1", "status": "offline",
                             "start": _ts(self.days[0], 9 * 3600), "end": None})

    def add(self, rows: dict[str, np.ndarray]) -> None:
        for name, values in rows.items():
            setattr(self, name, np.concatenate([getattr(self, name), values]))

    def _mask(self, outlet: int, day: dt.date) -> np.ndarray:
        lo, hi = _ts(day), _ts(day + dt.timedelta(days=1))
        mask: np.ndarray = (self.outlet == self.outlets[outlet]["outlet_id"]) & (self.accepted >= lo) & (
            self.accepted < hi)
        return mask

    def _expect(self, kind: str, subject_type: str, subject: str, start: Any, end: Any, mask: np.ndarray,
                measure: float | None = None) -> None:
        count = int(mask.sum())
        if count == 0:
            raise ConfigError(f"generator planted no parcel for {kind}; use more parcels")
        severity = (self.config.shortfall_severity(measure) if measure is not None
                    else self.config.severity_of(kind))
        self.expected.append(Finding(kind, subject_type, subject, _py(start), _py(end), count, severity,
                                     tuple(sorted(self.waybill[mask].tolist())[:MAX_EXAMPLES])))

    # -- anomalies ------------------------------------------------------------------------------
    def plant(self) -> None:
        days = self.days
        mid = days[len(days) // 2]
        # 1. Jiayuguan: a YD outlet's X-ray machine broken from mid-period 14:00 and never repaired,
        #    yet its parcels keep "passing" screening on it.
        x = next(i for i, o in enumerate(self.outlets) if o["brand"] == "YD")
        machine = f"{self.outlets[x]['outlet_id']}-X1"
        start = _ts(mid, 14 * 3600)
        self.windows = [w for w in self.windows if not (w["machine_id"] == machine and w["start"] >= start)]
        self.windows.append({"machine_id": machine, "status": "broken", "start": start, "end": None})
        self._expect("SCREENED_WHILE_DOWN", "machine", machine, start, None,
                     (self.machine == machine) & (self.screened >= start))
        # 2. A closed offline window around real scans of another outlet's machine.
        y = 1
        day = days[0]
        machine = f"{self.outlets[y]['outlet_id']}-X1"
        inside = np.flatnonzero((self.machine == machine) & self._mask(y, day))
        first = self.screened[inside[len(inside) // 2]]
        start, end = first - 300 * _SECOND, first + 5400 * _SECOND
        self.windows.append({"machine_id": machine, "status": "offline", "start": start, "end": end})
        self._expect("SCREENED_WHILE_DOWN", "machine", machine, start, end,
                     (self.machine == machine) & (self.screened >= start) & (self.screened < end))
        # 3. OVER_CAPACITY: two minutes of burst on an outlet machine at noon ...
        z, day = 2, days[1]
        self._burst(self.outlets[z]["outlet_id"], f"{self.outlets[z]['outlet_id']}-X1",
                    int(self.capacity[z]), _ts(day, 12 * 3600), minutes=2, tag="A")
        # ... and a sorting centre machine overloaded from 23:58 to 00:01, across midnight.
        self._burst("PT-SF-SC", "PT-SF-SC-X1", self.capacity_sc, _ts(days[-1], -120), minutes=3, tag="B")
        # 4. SCREENED_BEFORE_ACCEPTED: a few parcels screened ten minutes before their acceptance.
        p, day = 3, days[-1]
        rows = np.flatnonzero(self._mask(p, day))[::5][:7]
        self.screened[rows] = self.accepted[rows] - 600 * _SECOND
        flagged = np.zeros(len(self.waybill), dtype=bool)
        flagged[rows] = True
        self._expect("SCREENED_BEFORE_ACCEPTED", "outlet", self.outlets[p]["outlet_id"], _ts(day),
                     _ts(day + dt.timedelta(days=1)), flagged)
        # 5. UNKNOWN_MACHINE: an outlet screening on a machine nobody registered.
        q, day = 4, days[0]
        rows = np.flatnonzero(self._mask(q, day))[::3][:9]
        self.machine[rows] = "PT-UNREG-0001"
        day_of_scan = self.screened[rows].astype("datetime64[D]")
        for d in np.unique(day_of_scan):
            mask = np.zeros(len(self.waybill), dtype=bool)
            mask[rows[day_of_scan == d]] = True
            self._expect("UNKNOWN_MACHINE", "machine", "PT-UNREG-0001", d.astype("datetime64[us]"),
                         (d + 1).astype("datetime64[us]"), mask)
        # 6. SENDER_SPREAD: one sender at 6 outlets, one at exactly 5, one at 4 (below threshold).
        day = days[1]
        for label, outlets, expected in (("spread6", range(10, 16), True), ("spread5", range(16, 21), True),
                                         ("spread4", range(21, 25), False)):
            sender = _hash(self.seed, label)
            firsts = [np.flatnonzero(self._mask(o, day))[0] for o in outlets]
            self.sender[firsts] = sender
            if expected:
                self._expect("SENDER_SPREAD", "sender", sender, _ts(day), _ts(day + dt.timedelta(days=1)),
                             self.sender == sender)
        # 7-9. LOW_REALNAME / LOW_INSPECTION / LOW_SCREENING, one mild and one severe for inspection.
        self._low("LOW_REALNAME", 30, days[0], 0.04)
        self._low("LOW_INSPECTION", 31, days[1], 0.10)
        self._low("LOW_INSPECTION", 32, days[-1], 0.50)
        self._low("LOW_SCREENING", 33, days[0], 0.25)

    def _low(self, kind: str, outlet: int, day: dt.date, share: float) -> None:
        candidates = np.flatnonzero(self._mask(outlet, day))
        k = max(1, int(len(candidates) * share))
        rows = candidates[:: max(1, len(candidates) // k)][:k]
        if kind == "LOW_REALNAME":
            self.realname[rows] = False
        elif kind == "LOW_INSPECTION":
            self.inspected[rows] = False
        else:
            self.machine[rows] = None
            self.screened[rows] = np.datetime64("NaT")
            self.result[rows] = None
        failed = np.zeros(len(self.waybill), dtype=bool)
        failed[rows] = True
        self._expect(kind, "outlet", self.outlets[outlet]["outlet_id"], _ts(day), _ts(day + dt.timedelta(days=1)),
                     failed, measure=1.0 - (len(candidates) - k) / len(candidates))

    def _burst(self, outlet: str, machine: str, capacity: int, start: np.datetime64, minutes: int,
               tag: str) -> None:
        per_minute = capacity // 60 + 2
        k = per_minute * minutes
        screened = start + (np.repeat(np.arange(minutes) * 60, per_minute)
                            + np.tile(np.linspace(3, 57, per_minute).astype(int), minutes)) * _SECOND
        brand = outlet.split("-")[1]
        self.add({
            "accepted": (screened - 60 * _SECOND).astype("datetime64[us]"),
            "screened": screened.astype("datetime64[us]"),
            "outlet_idx": np.full(k, -1),
            "outlet": np.full(k, outlet, dtype=object),
            "machine": np.full(k, machine, dtype=object),
            "brand": np.full(k, brand, dtype=object),
            "waybill": np.array([f"{brand}9{tag}{i:011d}" for i in range(k)], dtype=object),
            "sender": np.array([_hash(self.seed, f"burst:{tag}:{i}") for i in range(k)], dtype=object),
            "realname": np.ones(k, dtype=bool),
            "inspected": np.ones(k, dtype=bool),
            "result": np.full(k, "pass", dtype=object),
            "category": np.full(k, "daily", dtype=object),
            "dest": np.full(k, COUNTIES[0], dtype=object),
        })
        end = start + minutes * 60 * _SECOND
        self._expect("OVER_CAPACITY", "machine", machine, start, end,
                     (self.machine == machine) & (self.screened >= start) & (self.screened < end))

    # -- output ---------------------------------------------------------------------------------
    def records(self) -> pa.Table:
        screened = pa.array(self.screened.astype("datetime64[us]"), type=pa.timestamp("us"),
                            mask=np.isnat(self.screened))
        return pa.table({
            "waybill_no": pa.array(self.waybill, type=pa.string()),
            "brand": pa.array(self.brand, type=pa.string()),
            "outlet_id": pa.array(self.outlet, type=pa.string()),
            "accepted_at": pa.array(self.accepted.astype("datetime64[us]"), type=pa.timestamp("us")),
            "sender_id_hash": pa.array(self.sender, type=pa.string()),
            "realname_verified": pa.array(self.realname),
            "inspected": pa.array(self.inspected),
            "inspector_id": pc.binary_join_element_wise(pa.array(self.outlet, type=pa.string()), "I1", "-"),
            "screening_machine_id": pa.array(self.machine, type=pa.string()),
            "screened_at": screened,
            "screening_result": pa.array(self.result, type=pa.string()),
            "item_category": pa.array(self.category, type=pa.string()),
            "dest_county_code": pa.array(self.dest, type=pa.string()),
        })

    def machines(self) -> pa.Table:
        rows = [{"machine_id": f"{o['outlet_id']}-X1", "site_id": o["outlet_id"],
                 "capacity_per_hour": int(self.capacity[i])} for i, o in enumerate(self.outlets)]
        rows += [{"machine_id": f"{c['outlet_id']}-X{k}", "site_id": c["outlet_id"],
                  "capacity_per_hour": self.capacity_sc if k == 1 else 3600}
                 for c in self.centres for k in (1, 2)]
        return pa.Table.from_pylist(rows)

    def status(self) -> pa.Table:
        return pa.Table.from_pylist([
            {"machine_id": w["machine_id"], "status": w["status"], "start": _iso(w["start"]),
             "end": None if w["end"] is None else _iso(w["end"])}
            for w in sorted(self.windows, key=lambda w: (w["machine_id"], w["start"]))
        ], schema=pa.schema([("machine_id", pa.string()), ("status", pa.string()), ("start", pa.string()),
                             ("end", pa.string())]))


def _py(value: Any) -> dt.datetime | None:
    if value is None:
        return None
    return np.datetime64(value, "us").astype(dt.datetime)  # type: ignore[no-any-return]


def _iso(value: Any) -> str:
    stamp = _py(value)
    assert stamp is not None
    return stamp.isoformat(sep=" ")


def generate_city(
    out_dir: str | Path,
    *,
    parcels: int,
    seed: int = 0,
    days: int = 30,
    records_format: str = "parquet",
) -> GeneratedCity:
    """Write a synthetic Putian city to ``out_dir``: ``records.parquet`` (or ``.csv``), ``outlets.csv``,
    ``machines.csv``, ``machine_status.csv`` and ``expected_findings.jsonl`` (the ground truth).

    The same ``parcels``, ``seed`` and ``days`` always give the same files.
    """
    if records_format not in ("parquet", "csv"):
        raise ConfigError("records_format must be parquet or csv")
    builder = _Builder(parcels, days, seed)
    extras = (builder.capacity_sc // 60 + 2) * 3 + (int(builder.capacity[2]) // 60 + 2) * 2
    builder.background(parcels - extras)
    builder.plant()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    records = out / f"records.{records_format}"
    table = builder.records()
    if records_format == "parquet":
        pq.write_table(table, records, compression="zstd", row_group_size=1_000_000)
    else:
        pacsv.write_csv(table, records)
    outlets = out / "outlets.csv"
    pacsv.write_csv(pa.Table.from_pylist(builder.outlets + builder.centres), outlets)
    machines = out / "machines.csv"
    pacsv.write_csv(builder.machines(), machines)
    status = out / "machine_status.csv"
    pacsv.write_csv(builder.status(), status)
    expected = sort_findings(builder.expected)
    truth = write_findings(expected, out / "expected_findings.jsonl")
    (out / "city.json").write_text(json.dumps({"parcels": table.num_rows, "seed": seed, "days": days,
                                               "first_day": FIRST_DAY.isoformat()}, indent=2) + "\n")
    return GeneratedCity(records, outlets, machines, status, truth, expected, table.num_rows)
