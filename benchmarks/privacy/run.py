"""Benchmark waybill_privacy against jionlp and Microsoft Presidio on the same synthetic data.

    uv run --group bench python benchmarks/privacy/run.py            # default: --n 2000, a few minutes
    .venv/bin/python benchmarks/privacy/run.py --n 500 --no-photos    # quick look

Prints precision/recall/F1 per type on clean and OCR-damaged texts, false positives per 1,000
PII-free texts, throughput on one core (the process is pinned to CPU 0 for the text and record
parts) and peak memory; then the photo audit's warm time per photo on all cores.

A prediction matches a gold item of the same type when their spans overlap by at least half of
their union (IoU ≥ 0.5); each gold item matches once. jionlp covers phones and ID numbers only.
Presidio runs its no-model engine (NoOpNlpEngine: no spaCy model) with Chinese PatternRecognizers
written here; its default recognizers use ``\\b``, which never matches beside Chinese characters, so
these use lookarounds.
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate
from waybill_privacy import audit_text, record_masker, validate_id_number

TYPES = ("name", "phone", "address", "id_number")
Span = tuple[str, int, int]


# --- the tools ------------------------------------------------------------------------------------


def ours(text: str) -> list[Span]:
    return [(str(f.type), f.start, f.end) for f in audit_text(text).findings]


def make_jionlp() -> Callable[[str], list[Span]]:
    import jionlp as jio

    def run(text: str) -> list[Span]:
        out: list[Span] = []
        for item in jio.extract_phone_number(text, detail=True):
            s, e = item["offset"]
            out.append(_strip("phone", text, s, e))
        for item in jio.extract_id_card(text, detail=True):
            s, e = item["offset"]
            out.append(_strip("id_number", text, s, e))
        return out

    return run


def _strip(kind: str, text: str, s: int, e: int) -> Span:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return kind, s, e


def make_presidio() -> Callable[[str], list[Span]]:
    from presidio_analyzer import AnalyzerEngine, Pattern, PatternRecognizer, RecognizerRegistry
    from presidio_analyzer.nlp_engine.no_op_nlp_engine import NoOpNlpEngine

    class IdRecognizer(PatternRecognizer):
        def validate_result(self, pattern_text: str) -> bool:
            return validate_id_number(pattern_text)

    cjk = r"\u4e00-\u9fff"
    label = r"(?:收件人|寄件人|收货人|发件人|联系人|姓名|收|寄)[:：\s]*"
    recognizers = [
        PatternRecognizer(
            supported_entity="CN_MOBILE",
            supported_language="zh",
            patterns=[Pattern("mobile", r"(?<!\d)(?:(?:\+|00)?86[- ]?)?1[3-9]\d{9}(?!\d)", 0.6)],
        ),
        PatternRecognizer(
            supported_entity="CN_LANDLINE",
            supported_language="zh",
            patterns=[Pattern("landline", r"(?<!\d)0\d{2,3}[- ]?[2-9]\d{6,7}(?:-\d{1,4})?(?!\d)", 0.5)],
        ),
        IdRecognizer(
            supported_entity="CN_ID",
            supported_language="zh",
            patterns=[
                Pattern("id18", r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])", 0.5),
                Pattern("id15", r"(?<![0-9A-Za-z])\d{15}(?![0-9A-Za-z])", 0.3),
            ],
        ),
        PatternRecognizer(
            supported_entity="CN_NAME",
            supported_language="zh",
            patterns=[
                Pattern("labelled", rf"(?<={label})[{cjk}][{cjk}*]{{1,2}}(?=[\s,，]|\d|$)", 0.5),
                Pattern("before_phone", rf"(?<![{cjk}])[{cjk}][{cjk}*]{{1,2}}(?=\s?1[3-9]\d{{9}})", 0.4),
            ],
        ),
        PatternRecognizer(
            supported_entity="CN_ADDRESS",
            supported_language="zh",
            patterns=[
                Pattern(
                    "address",
                    rf"[{cjk}]{{2,12}}(?:省|自治区|市|州|盟)\s?[{cjk}]{{0,10}}(?:市|区|县|旗)\s?"
                    rf"[{cjk}0-9０-９]{{1,20}}?(?:路|街|道|巷|村|组)[{cjk}0-9０-９A-Za-z\-*#]{{0,30}}",
                    0.5,
                )
            ],
        ),
    ]
    registry = RecognizerRegistry(supported_languages=["zh"])
    for r in recognizers:
        registry.add_recognizer(r)
    engine = NoOpNlpEngine(models=[{"lang_code": "zh", "model_name": "none"}])
    analyzer = AnalyzerEngine(registry=registry, nlp_engine=engine, supported_languages=["zh"])
    kinds = {
        "CN_MOBILE": "phone",
        "CN_LANDLINE": "phone",
        "CN_ID": "id_number",
        "CN_NAME": "name",
        "CN_ADDRESS": "address",
    }

    def run(text: str) -> list[Span]:
        return [(kinds[r.entity_type], r.start, r.end) for r in analyzer.analyze(text=text, language="zh")]

    return run


# --- scoring --------------------------------------------------------------------------------------


def score(samples: list[generate.Sample], preds: list[list[Span]]) -> dict[str, tuple[int, int, int]]:
    """(true positives, false positives, false negatives) per type."""
    out = {t: [0, 0, 0] for t in TYPES}
    for sample, pred in zip(samples, preds, strict=True):
        used: set[int] = set()
        for kind, s, e in pred:
            if kind not in out:
                continue
            hit = None
            for i, (gk, gs, ge) in enumerate(sample.spans):
                if i in used or gk != kind:
                    continue
                inter = min(e, ge) - max(s, gs)
                if inter > 0 and inter / (max(e, ge) - min(s, gs)) >= 0.5:
                    hit = i
                    break
            if hit is None:
                out[kind][1] += 1
            else:
                used.add(hit)
                out[kind][0] += 1
        for i, (gk, _, _) in enumerate(sample.spans):
            if i not in used:
                out[gk][2] += 1
    return {k: (v[0], v[1], v[2]) for k, v in out.items()}


def f1(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def timed(fn: Callable[[str], list[Span]], texts: list[str], repeat: int) -> tuple[list[list[Span]], float]:
    """The predictions and the best CPU time of ``repeat`` passes (CPU time: the machine is shared)."""
    best = float("inf")
    out: list[list[Span]] = []
    for _ in range(repeat):
        gc.collect()
        t0 = time.process_time()
        out = [fn(t) for t in texts]
        best = min(best, time.process_time() - t0)
    return out, best


# --- photos ---------------------------------------------------------------------------------------


def photo_timing(count: int) -> tuple[float, float, int]:
    """(mean, max) warm seconds per photo and how many were audited correctly."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "libs" / "waybill_privacy" / "tests"))
    import test_image
    from waybill_privacy import audit_image

    photo = test_image.make_photo()
    audit_image(photo)  # warm-up: model load and first run
    times, good = [], 0
    cpu0 = time.process_time()
    for _ in range(count):
        t0 = time.perf_counter()
        r = audit_image(photo)  # wall time: the OCR uses both cores
        times.append(time.perf_counter() - t0)
        good += any(f.finding.text.replace(" ", "") == "13812345678" for f in r.findings)
    print(f"photo audit CPU time (all threads): {(time.process_time() - cpu0) / count:.3f} s per photo")
    return sum(times) / len(times), max(times), good


# --- main -----------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--n", type=int, default=2000, help="labelled texts per set (PII-free: 2n, records: 10n)"
    )
    parser.add_argument("--seed", type=int, default=20261127)
    parser.add_argument("--no-photos", action="store_true")
    parser.add_argument("--only-photos", action="store_true", help="time the photo audit only")
    parser.add_argument("--photos", type=int, default=10)
    parser.add_argument("--tools", default="ours,jionlp,presidio")
    parser.add_argument(
        "--repeat", type=int, default=2, help="timed passes per tool and set; the best counts"
    )
    args = parser.parse_args()

    all_cpus = os.sched_getaffinity(0)
    if args.only_photos:
        mean, worst, good = photo_timing(args.photos)
        print(
            f"photo audit on {len(all_cpus)} cores, warm: mean {mean:.3f} s, max {worst:.3f} s per photo "
            f"({good}/{args.photos} found the phone)"
        )
        return
    os.sched_setaffinity(0, {min(all_cpus)})
    data = generate.dataset(args.n, args.seed)
    sets = {
        "clean": data["clean"],
        "ocr": data["ocr"],
        "pii_free": data["pii_free"],
        "unseen": data["unseen"],
    }
    print(
        f"data: {args.n} clean, {args.n} OCR-damaged, {len(sets['pii_free'])} PII-free texts, "
        f"{len(data['records'])} records (seed {args.seed}); pinned to CPU {min(all_cpus)}"
    )

    tools: dict[str, Callable[[str], list[Span]]] = {}
    for name in args.tools.split(","):
        tools[name] = {"ours": lambda: ours, "jionlp": make_jionlp, "presidio": make_presidio}[name]()
        tools[name]("收件人：张三 13812345678")  # warm-up

    rows: list[tuple[str, str, str, float, float, float]] = []
    speed: dict[str, float] = {}
    fp_rate: dict[str, float] = {}
    for tool, fn in tools.items():
        total_time, total_texts = 0.0, 0
        for set_name, samples in sets.items():
            preds, secs = timed(fn, [s.text for s in samples], args.repeat)
            total_time += secs
            total_texts += len(samples)
            if set_name == "pii_free":
                fp_rate[tool] = 1000 * sum(len(p) for p in preds) / len(samples)
                continue
            for kind, (tp, fp, fn_) in score(samples, preds).items():
                if tool == "jionlp" and kind in ("name", "address"):
                    continue
                p, r, f = f1(tp, fp, fn_)
                rows.append((set_name, kind, tool, p, r, f))
        speed[tool] = total_texts / total_time

    print("\n| set | type | tool | precision | recall | F1 |")
    print("|---|---|---|---:|---:|---:|")
    for set_name, kind, tool, p, r, f in sorted(rows, key=lambda x: (x[0], TYPES.index(x[1]), x[2])):
        print(f"| {set_name} | {kind} | {tool} | {p:.4f} | {r:.4f} | {f:.4f} |")

    print("\n| tool | texts/s (1 core) | FP per 1,000 PII-free texts |")
    print("|---|---:|---:|")
    for tool in tools:
        print(f"| {tool} | {speed[tool]:,.0f} | {fp_rate[tool]:.2f} |")
    if "presidio" in speed and "ours" in speed:
        print(f"\nours / presidio throughput: {speed['ours'] / speed['presidio']:.1f}x")

    records = data["records"]
    print()
    for policy in ("standard", "strict"):
        mask = record_masker(policy=policy)
        best = float("inf")
        for _ in range(args.repeat):
            gc.collect()
            t0 = time.process_time()
            for rec in records:
                mask(rec)
            best = min(best, time.process_time() - t0)
        print(
            f"records masked ({policy}; 8 columns, 6-7 of them personal data): "
            f"{len(records) / best:,.0f} records/s (1 core)"
        )
    mask = record_masker(policy="standard")

    texts = (
        [s.text for s in sets["clean"]] + [s.text for s in sets["ocr"]] + [s.text for s in sets["pii_free"]]
    )
    tracemalloc.start()
    for t in texts:
        audit_text(t)
    for rec in records:
        mask(rec)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"peak traced memory of our audit and masking (streaming): {peak / 2**20:.2f} MiB; "
        f"process max RSS so far (all tools, data): {rss:.0f} MiB"
    )

    if not args.no_photos:
        os.sched_setaffinity(0, all_cpus)
        mean, worst, good = photo_timing(args.photos)
        print(
            f"photo audit on {len(all_cpus)} cores, warm: mean {mean:.3f} s, max {worst:.3f} s per photo "
            f"({good}/{args.photos} found the phone)"
        )


if __name__ == "__main__":
    main()
