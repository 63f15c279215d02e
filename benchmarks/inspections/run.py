"""A province-sized double-random draw and its verification (issue 12): 50,000 targets in 100 counties,
2,000 inspectors (200 at the province, 18 per county; 5 % with a conflict of interest), risk weights 1–3.

    .venv/bin/python benchmarks/inspections/run.py [--targets 50000] [--inspectors 2000] [--drawn 5000]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from parcelguard.inspections import draw


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--targets", type=int, default=50000)
    parser.add_argument("--inspectors", type=int, default=2000)
    parser.add_argument("--drawn", type=int, default=5000)
    args = parser.parse_args()
    rng = random.Random(1)
    counties = [f"350000/35{c:04d}/" for c in range(100)]
    pool = [[i, "350000/" if i < args.inspectors // 10 else counties[i % 100],
             [rng.randrange(5000)] if rng.random() < 0.05 else []] for i in range(args.inspectors)]
    targets = [[t, rng.choice([1, 1, 1, 2, 3])] for t in range(args.targets)]
    info = {str(t): [counties[t % 100] + f"{t % 7}/", t % 5000] for t, _w in targets}
    seed = "a" * 64
    started = time.perf_counter()
    index = draw.Pool(pool)
    short = sum(1 for path, ent in info.values() if index.eligible_count(path, ent) < 2)
    checked = time.perf_counter() - started
    started = time.perf_counter()
    result = draw.run(seed, targets, args.drawn, info, pool)
    drew = time.perf_counter() - started
    started = time.perf_counter()
    ok = draw.verify(seed=seed, commitment_hex=draw.commitment(seed), targets=targets, n=args.drawn, info=info,
                     pool=pool, result=result)["ok"]
    verified = time.perf_counter() - started
    print(f"targets {args.targets}, inspectors {args.inspectors}, drawn {args.drawn}")
    print(f"eligibility check at announcement: {checked:.2f} s ({short} targets short)")
    print(f"draw: {drew:.2f} s; verification: {verified:.2f} s (ok={ok})")


if __name__ == "__main__":
    main()
