"""Hand-written pandas implementation of the parcel_audit rules (contract section 3), for comparison."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.csv as pacsv
import pyarrow.dataset as ds
from parcel_audit import AuditConfig, Finding

COLUMNS = ["waybill_no", "outlet_id", "accepted_at", "sender_id_hash", "realname_verified", "inspected",
           "screening_machine_id", "screened_at", "screening_result"]
DAY = pd.Timedelta(days=1)
MINUTE = pd.Timedelta(minutes=1)


def _examples(frame: pd.DataFrame, keys: list[str]) -> pd.Series:
    top = frame.sort_values("waybill_no").groupby(keys, sort=False).head(20)
    return top.groupby(keys)["waybill_no"].agg(tuple)


def _rows(kind, subject_type, subjects, starts, ends, counts, examples, severities):
    return [Finding(kind, subject_type, str(s), None if pd.isna(a) else a.to_pydatetime(),
                    None if pd.isna(b) else b.to_pydatetime(), int(c), sev, tuple(e))
            for s, a, b, c, e, sev in zip(subjects, starts, ends, counts, examples, severities, strict=True)]


def analyze(store: Path, machines_csv: Path, status_csv: Path, config: AuditConfig) -> list[Finding]:
    df = ds.dataset(store, format="parquet", partitioning="hive").to_table(columns=COLUMNS).to_pandas()
    machines = pacsv.read_csv(machines_csv).to_pandas()
    status = pacsv.read_csv(status_csv, convert_options=pacsv.ConvertOptions(
        column_types={"start": "timestamp[us]", "end": "timestamp[us]"})).to_pandas()
    df["day"] = df["accepted_at"].dt.floor("D")
    out: list[Finding] = []

    # Outlet-day kinds
    g = df.groupby(["outlet_id", "day"])
    parcels = g.size()
    for kind, failed_mask, target in (
        ("SCREENED_BEFORE_ACCEPTED", df["screened_at"] < df["accepted_at"], None),
        ("LOW_REALNAME", ~df["realname_verified"], config.realname_target),
        ("LOW_INSPECTION", ~df["inspected"], config.inspection_target),
        ("LOW_SCREENING", df["screening_machine_id"].isna(), config.screening_target),
    ):
        failed = df[failed_mask]
        counts = failed.groupby(["outlet_id", "day"]).size()
        if target is not None:
            ok = parcels.loc[counts.index] - counts
            rate = ok / parcels.loc[counts.index]
            keep = ok.astype(float) < target * parcels.loc[counts.index].astype(float)
            counts, shortfall = counts[keep], (target - rate)[keep]
            severities = [config.shortfall_severity(float(x)) for x in shortfall]
        else:
            severities = [config.severity_of(kind)] * len(counts)
        examples = _examples(failed, ["outlet_id", "day"]).loc[counts.index]
        o = counts.index.get_level_values(0)
        d = counts.index.get_level_values(1)
        out += _rows(kind, "outlet", o, d, d + DAY, counts.values, examples.values, severities)

    # UNKNOWN_MACHINE
    scanned = df[df["screening_machine_id"].notna()]
    unknown = scanned[~scanned["screening_machine_id"].isin(machines["machine_id"])].copy()
    unknown["sday"] = unknown["screened_at"].dt.floor("D").fillna(unknown["day"])
    counts = unknown.groupby(["screening_machine_id", "sday"]).size()
    examples = _examples(unknown, ["screening_machine_id", "sday"]).loc[counts.index]
    d = counts.index.get_level_values(1)
    out += _rows("UNKNOWN_MACHINE", "machine", counts.index.get_level_values(0), d, d + DAY, counts.values,
                 examples.values, [config.severity_of("UNKNOWN_MACHINE")] * len(counts))

    # SENDER_SPREAD
    senders = df[df["sender_id_hash"].notna()]
    spread = senders.groupby(["sender_id_hash", "day"])["outlet_id"].nunique()
    spread = spread[spread >= config.sender_min_outlets]
    hit = senders.merge(spread.rename("n").reset_index(), on=["sender_id_hash", "day"])
    counts = hit.groupby(["sender_id_hash", "day"]).size()
    examples = _examples(hit, ["sender_id_hash", "day"]).loc[counts.index]
    d = counts.index.get_level_values(1)
    out += _rows("SENDER_SPREAD", "sender", counts.index.get_level_values(0), d, d + DAY, counts.values,
                 examples.values, [config.severity_of("SENDER_SPREAD")] * len(counts))

    # SCREENED_WHILE_DOWN
    # merge_asof finds, per scan, the latest window of its machine starting at or before it, instead of
    # joining every scan to every window. Exact when a machine's windows do not overlap (true in the
    # generated city); overlapping windows would need the full join.
    windows = status[["machine_id", "start", "end"]].drop_duplicates().sort_values("start")
    timed = scanned[scanned["screened_at"].notna()][["waybill_no", "screening_machine_id", "screened_at"]]
    candidates = timed[timed["screening_machine_id"].isin(windows["machine_id"])].sort_values("screened_at")
    joined = pd.merge_asof(candidates, windows, left_on="screened_at", right_on="start",
                           left_by="screening_machine_id", right_by="machine_id")
    inside = joined[joined["start"].notna() & (joined["end"].isna() | (joined["screened_at"] < joined["end"]))].copy()
    inside["machine_id"] = inside["screening_machine_id"]
    inside["end_key"] = inside["end"].fillna(pd.Timestamp.max)
    keys = ["machine_id", "start", "end_key"]
    counts = inside.groupby(keys).size()
    examples = _examples(inside, keys).loc[counts.index]
    ends = counts.index.get_level_values(2).to_series().replace(pd.Timestamp.max, pd.NaT)
    out += _rows("SCREENED_WHILE_DOWN", "machine", counts.index.get_level_values(0),
                 counts.index.get_level_values(1), ends, counts.values, examples.values,
                 [config.severity_of("SCREENED_WHILE_DOWN")] * len(counts))

    # OVER_CAPACITY
    timed = timed.assign(minute=timed["screened_at"].dt.floor("min"))
    per_minute = timed.groupby(["screening_machine_id", "minute"]).size().rename("scans").reset_index()
    per_minute = per_minute.merge(machines, left_on="screening_machine_id", right_on="machine_id")
    over = per_minute[per_minute["scans"].astype(float) * 60 > per_minute["capacity_per_hour"].astype(float)]
    over = over.sort_values(["machine_id", "minute"])
    new_run = (over["machine_id"] != over["machine_id"].shift()) | (over["minute"] - over["minute"].shift() != MINUTE)
    over = over.assign(run=np.cumsum(new_run.values))
    runs = over.groupby("run").agg(machine_id=("machine_id", "first"), start=("minute", "min"),
                                   last=("minute", "max"), scans=("scans", "sum"))
    hits = timed.merge(over[["machine_id", "minute", "run"]], left_on=["screening_machine_id", "minute"],
                       right_on=["machine_id", "minute"])
    examples = _examples(hits, ["run"]).loc[runs.index]
    out += _rows("OVER_CAPACITY", "machine", runs["machine_id"], runs["start"], runs["last"] + MINUTE,
                 runs["scans"].values, examples.values, [config.severity_of("OVER_CAPACITY")] * len(runs))
    return out
