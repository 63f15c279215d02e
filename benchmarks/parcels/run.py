"""Benchmark of parcel_audit against hand-written pandas and Polars, and its SQL on PySpark local.

    .venv/bin/python benchmarks/parcels/run.py --parcels 10000000

Generates (once, cached under benchmarks/parcels/data/) a synthetic city and ingests it into a store,
then runs each engine in its own subprocess while sampling the resident memory of the subprocess and
all its children (the Spark JVM included), checks that every engine gives the same findings as the
ground truth, measures the scan floor (DuckDB reading the involved columns) and trace latency, and
prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ENGINES = ("duckdb", "polars", "pandas", "spark")
COLUMNS = ("waybill_no", "outlet_id", "accepted_at", "sender_id_hash", "realname_verified", "inspected",
           "screening_machine_id", "screened_at", "screening_result", "accept_date")


# -- worker side ------------------------------------------------------------------------------------
def _worker(engine: str, data: Path, args: argparse.Namespace) -> dict:
    from parcel_audit import AuditConfig, analyze

    store = data / "store"
    registries = {"machines": data / "machines.csv", "machine_status": data / "machine_status.csv"}
    config = AuditConfig(duckdb_memory_limit=args.memory_limit, duckdb_threads=2)
    timings: dict[str, float] = {}
    extra: dict = {}
    if engine == "floor":
        import duckdb

        conn = duckdb.connect()
        conn.execute("SET threads = 2")
        minimums = ", ".join(f"min({c})" for c in COLUMNS if c not in ("realname_verified", "inspected"))
        query = (f"SELECT {minimums}, bool_and(realname_verified), bool_and(inspected) FROM read_parquet("
                 f"'{store}/*/*.parquet', hive_partitioning = true)")
        runs = []
        for _ in range(3):
            started = time.perf_counter()
            conn.execute(query).fetchall()
            runs.append(time.perf_counter() - started)
        return {"seconds": min(runs), "runs": runs, "findings": None}
    # Imports are process start-up, not analysis: load them before the clock starts. (DuckDB's Arrow
    # bridge imports pandas, which this machine compiles from source on every start.)
    import pandas  # noqa: F401
    import pyarrow.dataset  # noqa: F401

    if engine in ("pandas", "polars"):
        sys.path.insert(0, str(HERE))
        module = __import__(f"rules_{engine}")
    started, cpu_started = time.perf_counter(), time.process_time()
    if engine == "duckdb":
        result = analyze(store, config=config, **registries)
        findings, timings = result.findings, result.timings
    elif engine == "spark":
        from parcel_audit._engine import spark_session

        session_started = time.perf_counter()
        session = spark_session(args.spark_master)
        session.conf.set("spark.sql.shuffle.partitions", "4")
        extra["session_start_s"] = time.perf_counter() - session_started
        started, cpu_started = time.perf_counter(), time.process_time()
        result = analyze(store, config=config, spark=session, **registries)
        findings, timings = result.findings, result.timings
    else:
        findings = module.analyze(store, registries["machines"], registries["machine_status"], config)
    seconds = time.perf_counter() - started
    # CPU of every thread of this process (DuckDB's and Polars' pools included; not a Spark JVM's)
    extra["cpu_seconds"] = time.process_time() - cpu_started
    from parcel_audit._findings import sort_findings

    findings = sort_findings(findings)
    if engine == "duckdb":
        extra["trace"] = _trace_latency(store, findings)
    return {"seconds": seconds, "timings": timings, "findings": [f.to_dict() for f in findings], **extra}


def _trace_latency(store: Path, findings: list) -> dict:
    import random

    import duckdb
    from parcel_audit import trace_waybill

    sample = duckdb.sql(
        f"SELECT waybill_no FROM read_parquet('{store}/*/*.parquet') USING SAMPLE 30 ROWS").fetchall()
    waybills = [w for (w,) in sample][:30]
    random.Random(0).shuffle(waybills)
    cold = time.perf_counter()
    trace_waybill(waybills[0], store, findings=findings)
    cold = time.perf_counter() - cold
    times = []
    for waybill in waybills[1:]:
        started = time.perf_counter()
        trace = trace_waybill(waybill, store, findings=findings)
        times.append(time.perf_counter() - started)
        assert trace is not None and trace.record["waybill_no"] == waybill
    missing = time.perf_counter()
    assert trace_waybill("NO-SUCH-WAYBILL-000", store) is None
    missing = time.perf_counter() - missing
    return {"first_ms": cold * 1000, "median_ms": statistics.median(times) * 1000,
            "max_ms": max(times) * 1000, "absent_ms": missing * 1000, "lookups": len(times)}


# -- parent side ------------------------------------------------------------------------------------
def _tree_rss(root: int) -> int:
    """Resident bytes of ``root`` and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            pid, ppid = int(entry), int(fields[1])
            rss[pid] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
            children.setdefault(ppid, []).append(pid)
        except (OSError, IndexError, ValueError):
            continue
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total


def _run_worker(engine: str, data: Path, args: argparse.Namespace) -> dict:
    out = data / f"result-{engine}.json"
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", engine, "--data", str(data),
               "--memory-limit", args.memory_limit, "--spark-master", args.spark_master]
    process = subprocess.Popen(command, stdout=out.open("w"), stderr=subprocess.PIPE, text=True)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(process.pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = process.communicate()
    done.set()
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"{engine} failed:\n{stderr[-3000:]}")
    result = json.loads(out.read_text())
    result["peak_rss_mb"] = peak / 2**20
    return result


def _prepare(args: argparse.Namespace) -> Path:
    from parcel_audit import generate_city, ingest

    data = HERE / "data" / f"p{args.parcels}_s{args.seed}_d{args.days}"
    if not (data / "expected_findings.jsonl").exists():
        started = time.perf_counter()
        generate_city(data, parcels=args.parcels, seed=args.seed, days=args.days)
        print(f"generated {args.parcels} parcels in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    if not (data / "store").exists():
        started = time.perf_counter()
        report = ingest(data / "records.parquet", data / "store")
        print(f"ingested {report.rows_written} rows in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return data


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--parcels", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--memory-limit", default="1GB", help="DuckDB memory_limit")
    parser.add_argument("--spark-master", default="local[2]")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(_worker(args.worker, args.data, args), default=str))
        return 0

    data = _prepare(args)
    expected = [json.loads(line) for line in (data / "expected_findings.jsonl").read_text().splitlines()]
    floor = _run_worker("floor", data, args)
    results = {}
    for engine in args.engines.split(","):
        print(f"running {engine} ...", file=sys.stderr)
        results[engine] = _run_worker(engine, data, args)

    load = os.getloadavg()
    print(f"\n{args.parcels:,} parcels, {args.days} days, seed {args.seed}; load average at the end "
          f"{load[0]:.1f}/{load[1]:.1f}/{load[2]:.1f} on {os.cpu_count()} cores\n")
    print(f"Scan floor (DuckDB reading the {len(COLUMNS)} involved columns, best of 3): "
          f"{floor['seconds']:.2f} s\n")
    print("| engine | all analyses (s) | CPU (s) | floor / time | peak RSS (MB) | findings = ground truth |")
    print("|---|---:|---:|---:|---:|---|")
    for engine, result in results.items():
        same = result["findings"] == expected
        print(f"| {engine} | {result['seconds']:.2f} | {result['cpu_seconds']:.2f} | "
              f"{floor['seconds'] / result['seconds']:.0%} | "
              f"{result['peak_rss_mb']:.0f} | {'yes' if same else 'NO'} ({len(result['findings'])}) |")
    for engine in ("duckdb", "spark"):
        if engine in results and results[engine].get("timings"):
            timings = results[engine]["timings"]
            print(f"\n{engine} per query (s): " + ", ".join(f"{k} {v:.2f}" for k, v in timings.items()))
    if "spark" in results:
        print(f"\nSpark session start (not in the time above): {results['spark']['session_start_s']:.1f} s")
    if "duckdb" in results:
        t = results["duckdb"]["trace"]
        print(f"\nTrace one waybill ({t['lookups']} random lookups): median {t['median_ms']:.1f} ms, "
              f"max {t['max_ms']:.1f} ms, first {t['first_ms']:.1f} ms, absent waybill {t['absent_ms']:.1f} ms")
    agree = all(r["findings"] == expected for r in results.values())
    print(f"\nAll engines identical to the ground truth: {'yes' if agree else 'NO'}")
    return 0 if agree else 1


if __name__ == "__main__":
    raise SystemExit(main())
