"""The double-random draw (双随机) as pure functions: no database, no clock, so anybody can recompute a
published draw from the published seed and candidate lists (see docs/inspections.md).

Targets: weighted sampling without replacement (Efraimidis–Spirakis): each target gets the key
``-ln(u) / weight`` where ``u`` is SHA-256("<seed>|t|<site id>") read as a number in (0, 1); the ``n``
smallest keys are drawn, in key order. A target of weight 3 is about three times as likely to be drawn
as one of weight 1 when few are drawn.

Inspectors: for each drawn target in drawing order, two officers are drawn with one seeded generator
(``random.Random("<seed>|inspectors")``) among the eligible ones — an officer is eligible when the
target lies inside the officer's jurisdiction and the officer is not tied to the target's enterprise;
the pair is never the previous target's pair when a third eligible officer exists.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
from collections.abc import Sequence
from typing import Any

PER_TARGET = 2


class DrawError(ValueError):
    def __init__(self, code: str, **details: Any) -> None:
        super().__init__(code)
        self.code = code
        self.details = details


def commitment(seed: str) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()


def lists_digest(targets: Sequence[Any], info: Any, pool: Sequence[Any]) -> str:
    """SHA-256 of the candidate lists in canonical JSON; published with the commitment and mixed into the
    draw, so a list changed after the announcement changes the draw and fails the check."""
    canonical = json.dumps({"targets": targets, "info": info, "pool": pool}, sort_keys=True, separators=(",", ":"),
                           ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _uniform(seed: str, label: str, ident: int) -> float:
    digest = hashlib.sha256(f"{seed}|{label}|{ident}".encode()).digest()
    return (int.from_bytes(digest[:8], "big") + 1) / (2**64 + 2)


def draw_targets(seed: str, targets: Sequence[Sequence[Any]], n: int) -> list[int]:
    """`targets`: [[site id, weight], ...]. The `n` drawn site ids in drawing order."""
    keyed = sorted((-math.log(_uniform(seed, "t", int(t))) / float(w), int(t)) for t, w in targets if float(w) > 0)
    return [t for _k, t in keyed[:n]]


class Pool:
    """The inspector pool indexed for eligibility: by jurisdiction path, and ties by enterprise."""

    def __init__(self, pool: Sequence[Sequence[Any]]) -> None:
        self.by_path: dict[str, list[int]] = {}
        self.tied: dict[int, set[int]] = {}
        for inspector, path, ties in sorted(pool, key=lambda p: int(p[0])):
            self.by_path.setdefault(str(path), []).append(int(inspector))
            for enterprise in ties:
                self.tied.setdefault(int(enterprise), set()).add(int(inspector))
        self._cands: dict[str, list[int]] = {}

    def candidates(self, path: str) -> list[int]:
        """Officers whose jurisdiction contains `path` (the target's), ascending by id."""
        found = self._cands.get(path)
        if found is None:
            found = sorted(i for p, ids in self.by_path.items() if path.startswith(p) for i in ids)
            self._cands[path] = found
        return found

    def eligible_count(self, path: str, enterprise: int) -> int:
        cands = self.candidates(path)
        tied = self.tied.get(int(enterprise), set())
        return len(cands) - len(tied & set(cands)) if tied else len(cands)


def _pick(rng: random.Random, cands: list[int], banned: set[int]) -> int | None:
    for _try in range(32):
        i = cands[rng.randrange(len(cands))]
        if i not in banned:
            return i
    left = [i for i in cands if i not in banned]
    return rng.choice(left) if left else None


def assign(seed: str, drawn: Sequence[int], info: dict[Any, Sequence[Any]], pool: Sequence[Sequence[Any]],
           per: int = PER_TARGET) -> list[list[Any]]:
    """[[site id, [inspector ids]], ...] for the drawn targets; `info` maps a site id (int or str) to
    [path, enterprise id]."""
    index = Pool(pool)
    rng = random.Random(f"{seed}|inspectors")
    out: list[list[Any]] = []
    previous: list[int] = []
    for target in drawn:
        path, enterprise = info[str(target)] if str(target) in info else info[target]
        cands = index.candidates(str(path))
        tied = index.tied.get(int(enterprise), set())
        eligible = len(cands) - len(tied & set(cands)) if tied else len(cands)
        if eligible < per:
            raise DrawError("too_few_inspectors", target=int(target), eligible=eligible)
        chosen: list[int] = []
        for _k in range(per):
            banned = tied | set(chosen)
            if len(previous) == per and chosen and chosen[0] in previous and eligible > per:
                banned |= set(previous)  # never the previous pair again where a third officer exists
            pick = _pick(rng, cands, banned)
            if pick is None:
                pick = _pick(rng, cands, tied | set(chosen))
            if pick is None:
                raise DrawError("too_few_inspectors", target=int(target), eligible=eligible)
            chosen.append(pick)
        out.append([int(target), chosen])
        previous = chosen
    return out


def run(seed: str, targets: Sequence[Sequence[Any]], n: int, info: dict[Any, Sequence[Any]],
        pool: Sequence[Sequence[Any]]) -> list[list[Any]]:
    """The draw: the revealed seed and the lists' digest make the working seed "<seed>|<digest>"."""
    working = f"{seed}|{lists_digest(targets, info, pool)}"
    return assign(working, draw_targets(working, targets, n), info, pool)


def verify(*, seed: str, commitment_hex: str, targets: Sequence[Sequence[Any]], n: int,
           info: dict[Any, Sequence[Any]], pool: Sequence[Sequence[Any]], result: Sequence[Any],
           digest: str = "") -> dict[str, Any]:
    """Recompute a published draw. `ok` only when the seed matches the commitment published before the draw,
    the lists match the digest published with it (when given) and the recomputed draw equals the published one."""
    problems: list[str] = []
    if commitment(seed) != commitment_hex:
        problems.append("seed_mismatch")
    if digest and lists_digest(targets, info, pool) != digest:
        problems.append("lists_mismatch")
    try:
        again = run(seed, targets, n, info, pool)
    except (DrawError, KeyError, TypeError, ValueError):
        again = None
        problems.append("not_computable")
    if again is not None and [[int(t), [int(i) for i in ids]] for t, ids in result] != again:
        problems.append("result_mismatch")
    return {"ok": not problems, "problems": problems, "recomputed": again}
