"""Hand-written Polars implementation of the parcel_audit rules (contract section 3), for comparison."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from parcel_audit import AuditConfig, Finding

COLUMNS = ["waybill_no", "outlet_id", "accepted_at", "sender_id_hash", "realname_verified", "inspected",
           "screening_machine_id", "screened_at", "screening_result"]
EXAMPLES = pl.col("waybill_no").sort().head(20).alias("waybills")


def _findings(frame: pl.DataFrame, kind: str, subject_type: str, severities: list[str]) -> list[Finding]:
    return [Finding(kind, subject_type, str(r["subject"]), r["start"], r["end"], int(r["count"]), sev,
                    tuple(r["waybills"]))
            for r, sev in zip(frame.iter_rows(named=True), severities, strict=True)]


def analyze(store: Path, machines_csv: Path, status_csv: Path, config: AuditConfig) -> list[Finding]:
    lf = pl.scan_parquet(str(store / "*" / "*.parquet"), hive_partitioning=False).select(COLUMNS)
    df = lf.with_columns(pl.col("accepted_at").dt.truncate("1d").alias("day")).collect()
    machines = pl.read_csv(machines_csv)
    status = pl.read_csv(status_csv, try_parse_dates=True, schema_overrides={
        "start": pl.Datetime("us"), "end": pl.Datetime("us")})
    out: list[Finding] = []
    one_day = pl.duration(days=1)

    # Outlet-day kinds in one aggregation
    od = df.group_by("outlet_id", "day").agg(
        pl.len().alias("parcels"),
        pl.col("realname_verified").sum().alias("realname_ok"),
        pl.col("inspected").sum().alias("inspected_ok"),
        pl.col("screening_machine_id").is_not_null().sum().alias("screened_ok"),
        (pl.col("screened_at") < pl.col("accepted_at")).sum().alias("before"),
    )
    for kind, failed, ok_col, target in (
        ("SCREENED_BEFORE_ACCEPTED", pl.col("screened_at") < pl.col("accepted_at"), None, None),
        ("LOW_REALNAME", ~pl.col("realname_verified"), "realname_ok", config.realname_target),
        ("LOW_INSPECTION", ~pl.col("inspected"), "inspected_ok", config.inspection_target),
        ("LOW_SCREENING", pl.col("screening_machine_id").is_null(), "screened_ok", config.screening_target),
    ):
        if target is None:
            hit = od.filter(pl.col("before") > 0).with_columns(pl.col("before").alias("count"),
                                                               pl.lit(0.0).alias("shortfall"))
        else:
            hit = od.filter(pl.col(ok_col).cast(pl.Float64) < target * pl.col("parcels").cast(pl.Float64)).with_columns(
                (pl.col("parcels") - pl.col(ok_col)).alias("count"),
                (target - pl.col(ok_col).cast(pl.Float64) / pl.col("parcels").cast(pl.Float64)).alias("shortfall"))
        examples = df.filter(failed).join(hit.select("outlet_id", "day"), on=["outlet_id", "day"]).group_by(
            "outlet_id", "day").agg(EXAMPLES)
        hit = hit.join(examples, on=["outlet_id", "day"]).select(
            pl.col("outlet_id").alias("subject"), pl.col("day").alias("start"),
            (pl.col("day") + one_day).alias("end"), "count", "waybills", "shortfall")
        sev = ([config.severity_of(kind)] * hit.height if target is None
               else [config.shortfall_severity(x) for x in hit["shortfall"].to_list()])
        out += _findings(hit, kind, "outlet", sev)

    scanned = df.filter(pl.col("screening_machine_id").is_not_null())
    # UNKNOWN_MACHINE
    unknown = scanned.join(machines.select("machine_id"), left_on="screening_machine_id", right_on="machine_id",
                           how="anti").with_columns(
        pl.col("screened_at").dt.truncate("1d").fill_null(pl.col("day")).alias("sday"))
    hit = unknown.group_by("screening_machine_id", "sday").agg(pl.len().alias("count"), EXAMPLES).select(
        pl.col("screening_machine_id").alias("subject"), pl.col("sday").alias("start"),
        (pl.col("sday") + one_day).alias("end"), "count", "waybills")
    out += _findings(hit, "UNKNOWN_MACHINE", "machine", [config.severity_of("UNKNOWN_MACHINE")] * hit.height)

    # SENDER_SPREAD
    senders = df.filter(pl.col("sender_id_hash").is_not_null())
    hit = senders.group_by("sender_id_hash", "day").agg(
        pl.col("outlet_id").n_unique().alias("outlets"), pl.len().alias("count"), EXAMPLES).filter(
        pl.col("outlets") >= config.sender_min_outlets).select(
        pl.col("sender_id_hash").alias("subject"), pl.col("day").alias("start"),
        (pl.col("day") + one_day).alias("end"), "count", "waybills")
    out += _findings(hit, "SENDER_SPREAD", "sender", [config.severity_of("SENDER_SPREAD")] * hit.height)

    # SCREENED_WHILE_DOWN
    timed = scanned.filter(pl.col("screened_at").is_not_null()).select(
        "waybill_no", "screening_machine_id", "screened_at")
    # An inequality join (IEJoin) rather than joining every scan to every window of its machine.
    windows = status.select("machine_id", "start", "end").unique().with_columns(
        pl.col("end").fill_null(pl.datetime(9999, 12, 31)).alias("end_key"))
    hit = timed.join_where(
        windows,
        pl.col("screening_machine_id") == pl.col("machine_id"),
        pl.col("screened_at") >= pl.col("start"),
        pl.col("screened_at") < pl.col("end_key"),
    ).group_by("screening_machine_id", "start", "end").agg(pl.len().alias("count"), EXAMPLES).rename(
        {"screening_machine_id": "subject"})
    out += _findings(hit, "SCREENED_WHILE_DOWN", "machine", [config.severity_of("SCREENED_WHILE_DOWN")] * hit.height)

    # OVER_CAPACITY
    timed = timed.with_columns(pl.col("screened_at").dt.truncate("1m").alias("minute"))
    over = timed.group_by("screening_machine_id", "minute").agg(pl.len().alias("scans")).join(
        machines, left_on="screening_machine_id", right_on="machine_id").filter(
        pl.col("scans").cast(pl.Float64) * 60 > pl.col("capacity_per_hour").cast(pl.Float64)).sort(
        "screening_machine_id", "minute").with_columns(
        ((pl.col("screening_machine_id") != pl.col("screening_machine_id").shift())
         | (pl.col("minute") - pl.col("minute").shift() != pl.duration(minutes=1))).fill_null(True)
        .cum_sum().alias("run"))
    runs = over.group_by("run").agg(pl.col("screening_machine_id").first().alias("subject"),
                                    pl.col("minute").min().alias("start"),
                                    (pl.col("minute").max() + pl.duration(minutes=1)).alias("end"),
                                    pl.col("scans").sum().alias("count"))
    examples = timed.join(over.select("screening_machine_id", "minute", "run"),
                          on=["screening_machine_id", "minute"]).group_by("run").agg(EXAMPLES)
    hit = runs.join(examples, on="run")
    out += _findings(hit, "OVER_CAPACITY", "machine", [config.severity_of("OVER_CAPACITY")] * hit.height)
    return out
