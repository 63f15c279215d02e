"""Command line: ``waybill-privacy audit | mask | audit-image`` (also ``parcelguard privacy ...``).

``audit`` reads JSON Lines ``{"id": ..., "text": ...}`` and writes one result per input line, in
order (``contracts.md`` section 4). A line that cannot be read yields an error line naming it,
``{"line": 7, "error": {"code": "invalid_json", "message": "..."}}``, and the rest is processed; the
exit status is then 1. ``mask`` masks CSV, JSON Lines or Parquet waybill records column by column,
streaming in chunks. ``audit-image`` OCRs photos and prints one JSON object per photo.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from collections.abc import Callable, Iterable
from contextlib import ExitStack, suppress
from pathlib import Path
from typing import IO, Any

from ._audit import audit_text
from ._errors import RecordFormatError, WaybillPrivacyError
from ._masking import DEFAULT_FIELDS, mask_value, parse_fields, record_masker
from ._types import FieldKind, Policy

__all__ = ["main"]

_FORMATS = ("csv", "jsonl", "parquet")


def _progress(iterable: Iterable[Any], *, desc: str, total: int | None = None, unit: str = "line") -> Any:
    """Wrap ``iterable`` in a tqdm bar when stderr is a terminal (and tqdm is installed)."""
    if not sys.stderr.isatty():
        return iterable
    try:
        from tqdm import tqdm
    except ImportError:
        return iterable
    return tqdm(iterable, desc=desc, total=total, unit=unit, file=sys.stderr, leave=False)


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False)


def _error_line(number: int, code: str, message: str, item_id: Any = None) -> dict[str, Any]:
    out: dict[str, Any] = {"line": number}
    if item_id is not None:
        out["id"] = item_id
    out["error"] = {"code": code, "message": message}
    return out


def audit_line(raw: bytes, number: int, policy: Policy, explain: bool = False) -> tuple[dict[str, Any], bool]:
    """The output object for one input line and whether the line was valid."""
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return _error_line(
            number, "invalid_utf8", f"line is not valid UTF-8 ({exc.reason} at byte {exc.start})"
        ), False
    line = line.rstrip("\r\n").removeprefix("\ufeff") if number == 1 else line.rstrip("\r\n")
    if not line.strip():
        return _error_line(number, "empty_line", "empty line"), False
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        return _error_line(number, "invalid_json", f"{exc.msg} at column {exc.colno}"), False
    if not isinstance(obj, dict):
        return _error_line(number, "invalid_record", "expected a JSON object with 'id' and 'text'"), False
    item_id = obj.get("id")
    text = obj.get("text")
    if not isinstance(text, str):
        return _error_line(number, "invalid_record", "'text' must be a string", item_id), False
    if item_id is not None and not isinstance(item_id, str | int):
        return _error_line(number, "invalid_record", "'id' must be a string or a number", None), False
    result = audit_text(text, policy=policy)
    out = {"id": item_id, **result.to_dict()}
    if explain:  # optional fields, outside the contract's required shape
        out["reasons"] = list(result.reasons)
        out["summary"] = result.summary()
    return out, True


def run_audit(
    source: IO[bytes], sink: IO[str], policy: Policy, total: int | None = None, explain: bool = False
) -> int:
    """Stream ``source`` (JSON Lines bytes) to ``sink``; 1 if any line was malformed, else 0."""
    status = 0
    for number, raw in enumerate(_progress(source, desc="audit", total=total), start=1):
        out, ok = audit_line(raw, number, policy, explain)
        if not ok:
            status = 1
        sink.write(_dumps(out))
        sink.write("\n")
    sink.flush()
    return status


def _cmd_audit(args: argparse.Namespace) -> int:
    policy = Policy.parse(args.policy)
    with ExitStack() as stack:
        source: IO[bytes] = (
            stack.enter_context(open(args.input, "rb")) if args.input not in (None, "-") else sys.stdin.buffer
        )
        sink: IO[str] = (
            stack.enter_context(open(args.output, "w", encoding="utf-8", newline="\n"))
            if args.output not in (None, "-")
            else sys.stdout
        )
        return run_audit(source, sink, policy, explain=args.explain)


# --- mask ---------------------------------------------------------------------------------------


def _guess_format(path: str | None, given: str | None) -> str:
    if given:
        return given
    if path and path != "-":
        suffix = Path(path).suffix.lower().lstrip(".")
        if suffix in ("csv", "txt", "tsv"):
            return "csv"
        if suffix in ("jsonl", "ndjson", "json"):
            return "jsonl"
        if suffix in ("parquet", "pq"):
            return "parquet"
    raise RecordFormatError("cannot tell the input format; pass --format csv|jsonl|parquet")


def _resolve_columns(header: Iterable[str], spec: str | None) -> dict[str, FieldKind]:
    names = list(header)
    if spec is None:
        mapping = {c: k for c, k in DEFAULT_FIELDS.items() if c in names}
        if not mapping:
            raise RecordFormatError(
                "no known personal-data column in the input; name them with --columns name=COL,phone=COL"
            )
        return mapping
    mapping = parse_fields(spec)
    missing = [c for c in mapping if c not in names]
    if missing:
        raise RecordFormatError(f"column(s) not in the input: {', '.join(missing)}")
    return mapping


def mask_csv(source: IO[str], sink: IO[str], spec: str | None, policy: Policy) -> int:
    reader = csv.DictReader(source)
    if reader.fieldnames is None:
        return 0
    mapping = _resolve_columns(reader.fieldnames, spec)
    mask = record_masker(policy=policy, fields=mapping)
    writer = csv.DictWriter(sink, fieldnames=reader.fieldnames, lineterminator="\n")
    writer.writeheader()
    for row in _progress(reader, desc="mask", unit="row"):
        writer.writerow(mask(row))
    sink.flush()
    return 0


# Objects holding one party's details: inside them the plain names (name, phone, address ...) are personal.
PARTY_KEYS = frozenset({
    "sender", "recipient", "receiver", "consignee", "consignor", "shipper", "contact", "contacts", "party",
    "parties", "from", "to", "addressee", "寄件人", "收件人", "发件人", "收货人"})
PARTY_FIELDS: dict[str, FieldKind] = {
    "name": FieldKind.NAME, "full_name": FieldKind.NAME, "contact_name": FieldKind.NAME, "姓名": FieldKind.NAME,
    "phone": FieldKind.PHONE, "mobile": FieldKind.PHONE, "tel": FieldKind.PHONE, "telephone": FieldKind.PHONE,
    "phone_number": FieldKind.PHONE, "电话": FieldKind.PHONE, "手机": FieldKind.PHONE,
    "address": FieldKind.ADDRESS, "addr": FieldKind.ADDRESS, "full_address": FieldKind.ADDRESS, "地址": FieldKind.ADDRESS,
    "detail_address": FieldKind.ADDRESS, "id_number": FieldKind.ID_NUMBER, "id_no": FieldKind.ID_NUMBER,
    "id_card": FieldKind.ID_NUMBER, "身份证号": FieldKind.ID_NUMBER,
}


def mask_nested(obj: Any, mapping: dict[str, FieldKind], mask: Any, policy: Policy,
                in_party: bool = False, depth: int = 0) -> Any:
    """Mask a JSON value: its personal columns (``mapping``), and inside party objects (``sender``,
    ``recipient``, ``consignee``, a list of ``parties`` ...) their plain fields (``name``, ``phone``,
    ``address`` ...), at any depth. Numbers in a personal field (a phone sent as a number) are masked as
    text. A party object whose fields are not strings, numbers or null is refused (``RecordFormatError``),
    never passed through."""
    if depth > 32:
        raise RecordFormatError("records nested more than 32 levels deep")
    if isinstance(obj, list):
        return [mask_nested(v, mapping, mask, policy, in_party, depth + 1) for v in obj]
    if not isinstance(obj, dict):
        return obj
    if in_party:
        fields = {**mapping, **PARTY_FIELDS}
    elif depth:  # inside an object that is not a party: only qualified names (sender_phone ...)
        fields = {k: v for k, v in mapping.items() if k not in PARTY_FIELDS}
    else:
        fields = mapping
    flat: dict[str, FieldKind] = {}
    out: dict[str, Any] = {}
    for key, value in obj.items():
        kind = fields.get(key) or (fields.get(key.lower()) if isinstance(key, str) else None)
        if kind is None:
            party = in_party or (isinstance(key, str) and key.lower() in PARTY_KEYS)
            out[key] = mask_nested(value, mapping, mask, policy, party, depth + 1)
        elif value is None or isinstance(value, bool):
            out[key] = value
        elif isinstance(value, (str, int, float)):
            flat[key] = kind
            out[key] = str(value)
        else:  # a list of phones, an address object: every text inside is masked as this kind
            out[key] = _mask_all(value, kind, policy, depth + 1)
    if flat:
        values = {k: out[k] for k in flat}
        out.update(mask(values) if fields is mapping and not depth else
                   record_masker(policy=policy, fields=flat)(values))
    return out


def _mask_all(obj: Any, kind: FieldKind, policy: Policy, depth: int) -> Any:
    if depth > 32:
        raise RecordFormatError("records nested more than 32 levels deep")
    if isinstance(obj, list):
        return [_mask_all(v, kind, policy, depth + 1) for v in obj]
    if isinstance(obj, dict):
        return {k: _mask_all(v, kind, policy, depth + 1) for k, v in obj.items()}
    if obj is None or isinstance(obj, bool):
        return obj
    return mask_value(str(obj), kind, policy)


def mask_jsonl(source: IO[bytes], sink: IO[str], spec: str | None, policy: Policy) -> int:
    mapping = parse_fields(spec) if spec is not None else dict(DEFAULT_FIELDS)
    mask = record_masker(policy=policy, fields=mapping)
    status = 0
    for number, raw in enumerate(_progress(source, desc="mask", unit="row"), start=1):
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw.decode("utf-8"))
            if not isinstance(obj, dict):
                raise ValueError("not a JSON object")
        except (UnicodeDecodeError, ValueError) as exc:
            print(f"line {number}: skipped, {exc}", file=sys.stderr)
            status = 1
            continue
        try:
            masked = mask_nested(obj, mapping, mask, policy)
        except RecordFormatError as exc:
            print(f"line {number}: skipped, {exc}", file=sys.stderr)
            status = 1
            continue
        sink.write(_dumps(masked))
        sink.write("\n")
    sink.flush()
    return status


def mask_parquet(source: str, target: str, spec: str | None, policy: Policy, chunk_size: int) -> int:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise RecordFormatError("Parquet needs pyarrow: pip install pyarrow") from exc
    try:
        pf = pq.ParquetFile(source)
    except (OSError, pa.ArrowException) as exc:
        raise RecordFormatError(f"cannot read Parquet file {source!r}: {exc}") from exc
    schema = pf.schema_arrow
    mapping = _resolve_columns(schema.names, spec)
    mask = record_masker(policy=policy, fields=mapping)
    with pq.ParquetWriter(target, schema) as writer:
        batches = _progress(pf.iter_batches(batch_size=chunk_size), desc="mask", total=None, unit="chunk")
        for batch in batches:
            columns = {c: batch.column(c).to_pylist() for c in mapping}
            rows = [dict(zip(columns, vals, strict=True)) for vals in zip(*columns.values(), strict=True)]
            masked = [mask(r) for r in rows]
            arrays = [
                pa.array([m[name] for m in masked], type=batch.schema.field(name).type)
                if name in mapping
                else batch.column(name)
                for name in batch.schema.names
            ]
            writer.write_batch(pa.RecordBatch.from_arrays(arrays, schema=batch.schema))
    return 0


def _cmd_mask(args: argparse.Namespace) -> int:
    fmt = _guess_format(args.input, args.format)
    policy = Policy.parse(args.policy)
    if fmt == "parquet":
        if args.input in (None, "-") or args.output in (None, "-"):
            raise RecordFormatError("Parquet needs a file for both input and --output")
        return mask_parquet(args.input, args.output, args.columns, policy, args.chunk_size)
    with ExitStack() as stack:
        if args.output in (None, "-"):
            sink: IO[str] = sys.stdout
        else:
            sink = stack.enter_context(open(args.output, "w", encoding="utf-8", newline=""))
        if fmt == "csv":
            if args.input in (None, "-"):
                src: IO[str] = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8-sig", newline="")
            else:
                src = stack.enter_context(open(args.input, encoding="utf-8-sig", newline=""))
            return mask_csv(src, sink, args.columns, policy)
        bsrc: IO[bytes] = (
            sys.stdin.buffer if args.input in (None, "-") else stack.enter_context(open(args.input, "rb"))
        )
        return mask_jsonl(bsrc, sink, args.columns, policy)


# --- audit-image ------------------------------------------------------------------------------


def _cmd_audit_image(args: argparse.Namespace) -> int:
    from ._image import audit_image

    policy = Policy.parse(args.policy)
    out_dir = Path(args.blur_out) if args.blur_out else None
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
    status = 0
    for photo in _progress(args.photos, desc="photos", unit="photo"):
        try:
            result = audit_image(photo, policy=policy)
        except WaybillPrivacyError as exc:
            print(_dumps({"source": photo, "error": {"code": type(exc).__name__, "message": str(exc)}}))
            status = 1
            continue
        doc = result.to_dict()
        if out_dir is not None:
            target = out_dir / (Path(photo).stem + ".blurred.png")
            result.save_blurred(target)
            doc["blurred"] = str(target)
        print(_dumps(doc), flush=True)
    return status


def build_parser(prog: str = "waybill-privacy") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog, description="Find and mask personal information on waybills (隐私面单审核与脱敏)."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    policies = [p.value for p in Policy]

    audit = sub.add_parser("audit", help="audit JSON Lines texts {id, text}; one result line per input line")
    audit.add_argument("--input", "-i", help="JSON Lines file (default: standard input)")
    audit.add_argument("--output", "-o", help="where to write the results (default: standard output)")
    audit.add_argument(
        "--policy", choices=policies, default="standard", help="masking policy for masked_text"
    )
    audit.add_argument(
        "--explain", action="store_true", help="add 'reasons' and 'summary' (plain Chinese) to each result"
    )
    audit.set_defaults(func=_cmd_audit)

    mask = sub.add_parser("mask", help="mask waybill records (CSV, JSON Lines, Parquet) column by column")
    mask.add_argument("input", nargs="?", default="-", help="input file, '-' for standard input (CSV/JSONL)")
    mask.add_argument("--output", "-o", help="output file (default: standard output; required for Parquet)")
    mask.add_argument("--format", choices=_FORMATS, help="input format (default: from the file extension)")
    mask.add_argument(
        "--columns",
        help="KIND=COLUMN pairs, e.g. name=sender_name,phone=sender_phone,address=sender_address,"
        "id_number=sender_id (default: the usual sender_/recipient_ column names)",
    )
    mask.add_argument("--policy", choices=policies, default="standard")
    mask.add_argument("--chunk-size", type=int, default=65536, help="Parquet rows per chunk (default 65536)")
    mask.set_defaults(func=_cmd_mask)

    image = sub.add_parser("audit-image", help="OCR waybill photos and audit them; one JSON line per photo")
    image.add_argument("photos", nargs="+", metavar="PHOTO")
    image.add_argument(
        "--blur-out", metavar="DIR", help="write a copy of each photo with exposed data blurred"
    )
    image.add_argument("--policy", choices=policies, default="standard")
    image.set_defaults(func=_cmd_audit_image)
    return parser


def _utf8_stdout() -> None:
    """JSON Lines and CSV are UTF-8 whatever the terminal's locale (a GBK or ASCII console included)."""
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None:
        with suppress(ValueError, OSError):  # a stream that cannot switch keeps its encoding
            reconfigure(encoding="utf-8")


def main(argv: list[str] | None = None, prog: str = "waybill-privacy") -> int:
    """Run the command line; return the exit status (0 ok, 1 some input rejected, 2 usage error)."""
    parser = build_parser(prog)
    args = parser.parse_args(argv)
    _utf8_stdout()
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except WaybillPrivacyError as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    except OSError as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
