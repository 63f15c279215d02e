"""The per-outlet risk score and its explanation.

score = min(100, sum of the points of the findings attributed to the outlet
                 + risk_compliance_weight x mean compliance shortfall over the period)

- A finding's points depend on its severity (``AuditConfig.risk_points``: low 5, medium 15, high 40).
- Attribution: ``outlet`` findings to their outlet; SCREENED_WHILE_DOWN and OVER_CAPACITY to the site
  of the machine in the machine registry. UNKNOWN_MACHINE (no registered site) and SENDER_SPREAD (a
  sender's behaviour) raise no outlet's score; they stand on their own in the findings list.
- Compliance shortfall: for real-name, inspection and screening, ``max(0, target - rate)`` with the
  rate taken over all the outlet's parcels in the period; the three are averaged.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyarrow as pa

from parcel_audit._config import AuditConfig
from parcel_audit._findings import Finding

if TYPE_CHECKING:
    from parcel_audit._analyze import OutletDayMetrics

__all__ = ["RiskContribution", "RiskScore", "risk_scores"]

_MACHINE_KINDS = ("SCREENED_WHILE_DOWN", "OVER_CAPACITY")


@dataclass(frozen=True, slots=True)
class RiskContribution:
    """One reason an outlet's score went up: a finding (``kind`` and its window) or ``COMPLIANCE``."""

    kind: str
    subject_id: str
    window_start: dt.datetime | None
    severity: str | None
    points: float


@dataclass(frozen=True, slots=True)
class RiskScore:
    outlet_id: str
    score: float
    contributions: tuple[RiskContribution, ...]


def risk_scores(
    findings: Sequence[Finding],
    metrics: Sequence[OutletDayMetrics],
    machines: pa.Table,
    config: AuditConfig,
) -> list[RiskScore]:
    """Risk score of every outlet that has parcels or findings, highest first."""
    site_of = dict(zip(machines.column("machine_id").to_pylist(), machines.column("site_id").to_pylist(),
                       strict=True))
    parts: dict[str, list[RiskContribution]] = defaultdict(list)
    for f in findings:
        outlet = f.subject_id if f.subject_type == "outlet" else None
        if f.kind in _MACHINE_KINDS:
            outlet = site_of.get(f.subject_id)
        if outlet is None:
            continue
        parts[outlet].append(
            RiskContribution(f.kind, f.subject_id, f.window_start, f.severity, config.risk_points[f.severity])
        )
    totals: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0, 0.0])
    for m in metrics:
        t = totals[m.outlet_id]
        t[0] += m.parcels
        t[1] += m.realname_rate * m.parcels
        t[2] += m.inspection_rate * m.parcels
        t[3] += m.screening_rate * m.parcels
    for outlet, (parcels, realname, inspected, screened) in totals.items():
        targets = (config.realname_target, config.inspection_target, config.screening_target)
        rates = (realname / parcels, inspected / parcels, screened / parcels)
        gap = sum(max(0.0, target - rate) for target, rate in zip(targets, rates, strict=True)) / 3
        points = round(config.risk_compliance_weight * gap, 6)
        if points > 0:
            parts[outlet].append(RiskContribution("COMPLIANCE", outlet, None, None, points))
        else:
            parts.setdefault(outlet, [])
    scores = [
        RiskScore(
            outlet_id=outlet,
            score=round(min(100.0, sum(c.points for c in contributions)), 1),
            contributions=tuple(sorted(contributions, key=lambda c: (-c.points, c.kind,
                                                                     c.window_start or dt.datetime.min))),
        )
        for outlet, contributions in parts.items()
    ]
    return sorted(scores, key=lambda s: (-s.score, s.outlet_id))
