"""Idiomatic lazy Polars implementation of the parcel_audit rules (contract section 3), the baseline.

Written the way a Polars user would write it: one lazy scan of the store with projection and predicate
push-down, equi-joins on the machine key (never a join of every scan to every window), findings found
without decoding ``waybill_no`` and their example waybills fetched afterwards in a targeted pass over
only the parcels of the groups that hit, independent queries collected together (``pl.collect_all``),
no Python loops over rows. The earlier eager baseline (``collect()`` of the whole store, then a
``join_where`` whose machine equality was a post-filter) was a weak baseline and is gone.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
from parcel_audit import AuditConfig, Finding

COLUMNS = ["waybill_no", "outlet_id", "accepted_at", "sender_id_hash", "realname_verified", "inspected",
           "screening_machine_id", "screened_at", "screening_result"]
EXAMPLES = pl.col("waybill_no").sort().head(20).alias("waybills")
ONE_DAY = pl.duration(days=1)
OD_KEYS = ["outlet_id", "day"]
# Outlet-day kinds: (kind, the parcel failing it, the column counting the compliant ones, target attribute)
OUTLET_DAY_KINDS = (
    ("SCREENED_BEFORE_ACCEPTED", pl.col("screened_at") < pl.col("accepted_at"), "before", None),
    ("LOW_REALNAME", ~pl.col("realname_verified"), "realname_ok", "realname_target"),
    ("LOW_INSPECTION", ~pl.col("inspected"), "inspected_ok", "inspection_target"),
    ("LOW_SCREENING", pl.col("screening_machine_id").is_null(), "screened_ok", "screening_target"),
)


def _findings(frame: pl.DataFrame, kind: str, subject_type: str, severities: list[str]) -> list[Finding]:
    return [Finding(kind, subject_type, str(r["subject"]), r["start"], r["end"], int(r["count"]), sev,
                    tuple(r["waybills"]))
            for r, sev in zip(frame.iter_rows(named=True), severities, strict=True)]


def analyze(store: Path, machines_csv: Path, status_csv: Path, config: AuditConfig) -> list[Finding]:
    parcels = pl.scan_parquet(str(store / "*" / "*.parquet"), hive_partitioning=False).select(COLUMNS)
    parcels = parcels.with_columns(pl.col("accepted_at").dt.truncate("1d").alias("day"))
    machines = pl.scan_csv(machines_csv).select("machine_id", "capacity_per_hour")
    status = pl.scan_csv(status_csv, schema_overrides={"start": pl.Datetime("us"), "end": pl.Datetime("us")})
    timed = parcels.filter(pl.col("screened_at").is_not_null() & pl.col("screening_machine_id").is_not_null())

    # Pass 1: every query that finds findings, none of them reads waybill_no.
    outlet_day = parcels.group_by(OD_KEYS).agg(
        pl.len().alias("parcels"),
        pl.col("realname_verified").sum().alias("realname_ok"),
        pl.col("inspected").sum().alias("inspected_ok"),
        pl.col("screening_machine_id").is_not_null().sum().alias("screened_ok"),
        (pl.col("screened_at") < pl.col("accepted_at")).sum().alias("before"),
    )
    spread = parcels.filter(pl.col("sender_id_hash").is_not_null()).group_by("sender_id_hash", "day").agg(
        pl.col("outlet_id").n_unique().alias("outlets"), pl.len().alias("count")).filter(
        pl.col("outlets") >= config.sender_min_outlets)
    per_minute = timed.with_columns(pl.col("screened_at").dt.truncate("1m").alias("minute")).join(
        machines, left_on="screening_machine_id", right_on="machine_id").group_by(
        "screening_machine_id", "minute").agg(pl.len().alias("scans"), pl.col("capacity_per_hour").first()).filter(
        pl.col("scans").cast(pl.Float64) * 60 > pl.col("capacity_per_hour").cast(pl.Float64))
    od, spread, over = pl.collect_all([outlet_day, spread, per_minute])

    # Outlet-day findings and their failing parcels' examples, all kinds in one targeted pass.
    hits: dict[str, pl.DataFrame] = {}
    for kind, _failed, ok_col, target_attr in OUTLET_DAY_KINDS:
        if target_attr is None:
            hit = od.filter(pl.col("before") > 0).with_columns(pl.col("before").alias("count"),
                                                               pl.lit(0.0).alias("shortfall"))
        else:
            target = getattr(config, target_attr)
            share = pl.col(ok_col).cast(pl.Float64) / pl.col("parcels").cast(pl.Float64)
            hit = od.filter(pl.col(ok_col).cast(pl.Float64) < target * pl.col("parcels").cast(pl.Float64)
                            ).with_columns((pl.col("parcels") - pl.col(ok_col)).alias("count"),
                                           (target - share).alias("shortfall"))
        hits[kind] = hit.select(*OD_KEYS, "count", "shortfall").with_columns(pl.lit(True).alias(f"hit_{kind}"))
    flags = pl.concat([h.select(*OD_KEYS, f"hit_{k}") for k, h in hits.items()], how="diagonal").group_by(
        OD_KEYS).agg(pl.all().any())
    od_examples = parcels.join(flags.lazy(), on=OD_KEYS).group_by(OD_KEYS).agg(
        pl.col("waybill_no").filter(pl.col(f"hit_{kind}") & failed).sort().head(20).alias(kind)
        for kind, failed, _ok, _target in OUTLET_DAY_KINDS)

    # Machine-side examples and the findings that need the parcels again.
    unknown = timed.join(machines.select("machine_id"), left_on="screening_machine_id", right_on="machine_id",
                         how="anti").with_columns(pl.col("screened_at").dt.truncate("1d").alias("sday")).group_by(
        "screening_machine_id", "sday").agg(pl.len().alias("count"), EXAMPLES)
    spread_examples = parcels.join(spread.lazy().select("sender_id_hash", "day"), on=["sender_id_hash", "day"]
                                   ).group_by("sender_id_hash", "day").agg(EXAMPLES)
    windows = status.select("machine_id", "start", "end").unique()
    # A window bounded in time is keyed by every day it touches, so scans meet it by an equi-join on
    # (machine, day); an open window (end null, still down) meets its machine's scans by machine alone.
    bounded = windows.filter(pl.col("end").is_not_null()).with_columns(
        pl.date_ranges(pl.col("start").dt.date(), (pl.col("end") - pl.duration(microseconds=1)).dt.date()
                       ).alias("sday")).explode("sday")
    in_bounded = timed.with_columns(pl.col("screened_at").dt.date().alias("sday")).join(
        bounded, left_on=["screening_machine_id", "sday"], right_on=["machine_id", "sday"]).filter(
        (pl.col("screened_at") >= pl.col("start")) & (pl.col("screened_at") < pl.col("end")))
    in_open = timed.join(windows.filter(pl.col("end").is_null()), left_on="screening_machine_id",
                         right_on="machine_id").filter(pl.col("screened_at") >= pl.col("start"))
    while_down = pl.concat([in_bounded.select("screening_machine_id", "start", "end", "waybill_no"),
                            in_open.select("screening_machine_id", "start", "end", "waybill_no")]).group_by(
        "screening_machine_id", "start", "end").agg(pl.len().alias("count"), EXAMPLES)
    over = over.sort("screening_machine_id", "minute").with_columns(
        ((pl.col("screening_machine_id") != pl.col("screening_machine_id").shift())
         | (pl.col("minute") - pl.col("minute").shift() != pl.duration(minutes=1))).fill_null(True)
        .cum_sum().alias("run"))
    over_examples = timed.with_columns(pl.col("screened_at").dt.truncate("1m").alias("minute")).join(
        over.lazy().select("screening_machine_id", "minute", "run"), on=["screening_machine_id", "minute"]
    ).group_by("run").agg(EXAMPLES)
    od_examples, unknown, spread_examples, while_down, over_examples = pl.collect_all(
        [od_examples, unknown, spread_examples, while_down, over_examples])

    out: list[Finding] = []
    for kind, _failed, _ok, target_attr in OUTLET_DAY_KINDS:
        hit = hits[kind].join(od_examples.select(*OD_KEYS, pl.col(kind).alias("waybills")), on=OD_KEYS).select(
            pl.col("outlet_id").alias("subject"), pl.col("day").alias("start"), (pl.col("day") + ONE_DAY).alias("end"),
            "count", "waybills", "shortfall")
        severities = ([config.severity_of(kind)] * hit.height if target_attr is None
                      else [config.shortfall_severity(x) for x in hit["shortfall"].to_list()])
        out += _findings(hit, kind, "outlet", severities)
    hit = unknown.select(pl.col("screening_machine_id").alias("subject"), pl.col("sday").alias("start"),
                         (pl.col("sday") + ONE_DAY).alias("end"), "count", "waybills")
    out += _findings(hit, "UNKNOWN_MACHINE", "machine", [config.severity_of("UNKNOWN_MACHINE")] * hit.height)
    hit = spread.join(spread_examples, on=["sender_id_hash", "day"]).select(
        pl.col("sender_id_hash").alias("subject"), pl.col("day").alias("start"),
        (pl.col("day") + ONE_DAY).alias("end"), "count", "waybills")
    out += _findings(hit, "SENDER_SPREAD", "sender", [config.severity_of("SENDER_SPREAD")] * hit.height)
    hit = while_down.rename({"screening_machine_id": "subject"})
    out += _findings(hit, "SCREENED_WHILE_DOWN", "machine", [config.severity_of("SCREENED_WHILE_DOWN")] * hit.height)
    runs = over.group_by("run").agg(pl.col("screening_machine_id").first().alias("subject"),
                                    pl.col("minute").min().alias("start"),
                                    (pl.col("minute").max() + pl.duration(minutes=1)).alias("end"),
                                    pl.col("scans").sum().alias("count"))
    hit = runs.join(over_examples, on="run")
    out += _findings(hit, "OVER_CAPACITY", "machine", [config.severity_of("OVER_CAPACITY")] * hit.height)
    return out
