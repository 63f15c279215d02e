"""Command line: ``parcel-audit {ingest,analyze,trace,trace-sender,generate}``.

The platform mounts the same parser as ``parcelguard parcels ...`` by calling
``main(argv, prog="parcelguard parcels")``. Exit status: 0 done, 1 a ParcelAuditError, 2 bad usage.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from tqdm import tqdm

from parcel_audit._analyze import analyze
from parcel_audit._config import AuditConfig
from parcel_audit._errors import ParcelAuditError
from parcel_audit._findings import read_findings, write_findings
from parcel_audit._generate import generate_city
from parcel_audit._ingest import ingest
from parcel_audit._trace import trace_sender, trace_waybill

__all__ = ["main"]


def _progress() -> bool:
    return sys.stderr.isatty()


def _json_default(value: Any) -> Any:
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2, default=_json_default))


def _config(args: argparse.Namespace) -> AuditConfig:
    values: dict[str, Any] = {"progress": _progress()}
    for name in ("sender_min_outlets", "realname_target", "inspection_target", "screening_target",
                 "chunk_days", "engine", "spark_master", "max_reject_share"):
        value = getattr(args, name, None)
        if value is not None:
            values[name] = value
    if getattr(args, "memory_limit", None):
        values["duckdb_memory_limit"] = args.memory_limit
    if getattr(args, "threads", None):
        values["duckdb_threads"] = args.threads
    if getattr(args, "brands", None):
        values["known_brands"] = frozenset(b.strip().upper() for b in args.brands.split(",") if b.strip())
    if getattr(args, "no_other_brands", False):
        values["allow_other_brands"] = False
    return AuditConfig(**values)


def _cmd_ingest(args: argparse.Namespace) -> int:
    config = _config(args)
    reports = []
    for source in tqdm(args.sources, disable=not config.progress or len(args.sources) < 2, unit="file"):
        reject = args.rejects if len(args.sources) == 1 else None
        reports.append(ingest(source, args.store, reject_path=reject, config=config))
    for report in reports:
        print(f"{report.source}: read {report.rows_read}, written {report.rows_written}, "
              f"already present {report.rows_already_present}, rejected {report.rows_rejected}"
              + (f" -> {report.reject_path}" if report.rows_rejected else ""))
        for issue, n in report.fields_nulled.items():
            print(f"  kept with an empty {issue.split(':')[-1]}: {n} ({issue}) -> {report.field_issues_path}")
        for reason, count in report.rejects_by_reason.items():
            print(f"  {reason}: {count}")
    return 0


def _cmd_analyze(args: argparse.Namespace) -> int:
    config = _config(args)
    result = analyze(args.records, outlets=args.outlets, machines=args.machines,
                     machine_status=args.machine_status, config=config, reject_path=args.rejects)
    write_findings(result.findings, args.out)
    if args.metrics:
        import pyarrow.csv as pacsv
        import pyarrow.parquet as pq

        path = Path(args.metrics)
        path.parent.mkdir(parents=True, exist_ok=True)
        table = result.metrics_table()
        if path.suffix.lower() == ".parquet":
            pq.write_table(table, path)
        else:
            pacsv.write_csv(table, path)
    if args.risk:
        Path(args.risk).write_text(
            json.dumps([dataclasses.asdict(r) for r in result.risk], ensure_ascii=False, indent=2,
                       default=_json_default) + "\n", encoding="utf-8")
    counts: dict[str, int] = {}
    for f in result.findings:
        counts[f.kind] = counts.get(f.kind, 0) + 1
    print(f"{len(result.findings)} findings ({result.engine}) -> {args.out}")
    for kind, n in counts.items():
        print(f"  {kind}: {n}")
    for issue, n in result.fields_nulled.items():
        print(f"warning: {n} parcels kept and analysed with a malformed optional field set to empty ({issue})"
              f" -> {result.field_issues_path}", file=sys.stderr)
    if result.rows_rejected:
        print(f"error: {result.rows_rejected} record rows have bad required fields and were NOT analysed; "
              f"the rows and their reasons are in {result.reject_path}", file=sys.stderr)
        return 1
    return 0


def _cmd_trace(args: argparse.Namespace) -> int:
    findings = read_findings(args.findings) if args.findings else []
    trace = trace_waybill(args.waybill_no, args.records, outlets=args.outlets, machines=args.machines,
                          machine_status=args.machine_status, findings=findings)
    if trace is None:
        print(f"{args.waybill_no}: not found", file=sys.stderr)
        return 1
    data = dataclasses.asdict(trace)
    data["findings"] = [f.to_dict() for f in trace.findings]
    _print_json(data)
    return 0


def _cmd_trace_sender(args: argparse.Namespace) -> int:
    table = trace_sender(args.sender_id_hash, args.records, start=args.start, end=args.end)
    _print_json(table.to_pylist())
    return 0


def _cmd_generate(args: argparse.Namespace) -> int:
    city = generate_city(args.out, parcels=args.parcels, seed=args.seed, days=args.days,
                         records_format=args.format)
    print(f"{city.parcels} parcels -> {city.records}")
    print(f"{len(city.expected)} expected findings -> {city.ground_truth}")
    return 0


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text}") from exc


def _add_rule_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sender-min-outlets", type=int, help="SENDER_SPREAD threshold (default 5)")
    parser.add_argument("--realname-target", type=float, help="real-name target rate (default 1.0)")
    parser.add_argument("--inspection-target", type=float, help="inspection target rate (default 1.0)")
    parser.add_argument("--screening-target", type=float, help="screening target rate (default 1.0)")
    parser.add_argument("--engine", choices=("duckdb", "spark"), help="SQL engine (default duckdb)")
    parser.add_argument("--spark-master", help="Spark master URL, e.g. local[*] or spark://host:7077")
    parser.add_argument("--chunk-days", type=int, help="analyse this many days at a time (bounded memory)")
    parser.add_argument("--max-reject-share", type=float,
                        help="refuse a whole file when more than this share of rows have bad required fields")
    parser.add_argument("--memory-limit", help="DuckDB memory limit (default 1GB)")
    parser.add_argument("--threads", type=int, help="DuckDB threads (default: all cores)")


def build_parser(prog: str = "parcel-audit") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description="Three-systems analysis of parcel records.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help="validate records into the partitioned Parquet store")
    p.add_argument("sources", nargs="+", help="CSV or Parquet files of parcel records")
    p.add_argument("--store", required=True, help="store directory (created if missing)")
    p.add_argument("--rejects", help="reject file (CSV); default under STORE/_rejects/")
    p.add_argument("--brands", help="comma-separated known brand codes (default the nine national brands)")
    p.add_argument("--no-other-brands", action="store_true", help="reject brands not in --brands")
    p.add_argument("--max-reject-share", type=float,
                   help="refuse a whole file when more than this share of rows have bad required fields")
    p.set_defaults(func=_cmd_ingest)

    p = sub.add_parser("analyze", help="run every finding rule")
    p.add_argument("--records", required=True, help="store directory, or one CSV/Parquet records file")
    p.add_argument("--outlets", required=True)
    p.add_argument("--machines", required=True)
    p.add_argument("--machine-status", required=True)
    p.add_argument("--out", required=True, help="findings file: .jsonl or .parquet")
    p.add_argument("--metrics", help="also write outlet-day compliance metrics (.csv or .parquet)")
    p.add_argument("--risk", help="also write outlet risk scores with their explanation (.json)")
    p.add_argument("--rejects", help="for a records file: where to write the rejected rows (CSV); default a "
                                     "kept temporary file, named in the output")
    _add_rule_options(p)
    p.set_defaults(func=_cmd_analyze)

    p = sub.add_parser("trace", help="everything known about one waybill")
    p.add_argument("waybill_no")
    p.add_argument("--records", required=True, help="store directory")
    p.add_argument("--outlets")
    p.add_argument("--machines")
    p.add_argument("--machine-status")
    p.add_argument("--findings", help="findings file, to list the findings that involve the parcel")
    p.set_defaults(func=_cmd_trace)

    p = sub.add_parser("trace-sender", help="every parcel of one sender hash in a period")
    p.add_argument("sender_id_hash")
    p.add_argument("--records", required=True, help="store directory")
    p.add_argument("--from", dest="start", type=_date, required=True)
    p.add_argument("--to", dest="end", type=_date, required=True)
    p.set_defaults(func=_cmd_trace_sender)

    p = sub.add_parser("generate", help="write a synthetic city with seeded anomalies and ground truth")
    p.add_argument("--parcels", type=int, required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--days", type=int, default=30)
    p.add_argument("--format", choices=("parquet", "csv"), default="parquet")
    p.set_defaults(func=_cmd_generate)
    return parser


def main(argv: list[str] | None = None, prog: str = "parcel-audit") -> int:
    parser = build_parser(prog)
    args = parser.parse_args(None if argv is None else list(argv))
    try:
        code: int = args.func(args)
    except ParcelAuditError as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return 1
    return code


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
