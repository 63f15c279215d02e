"""The parcels block on a site's page: compliance trend and risk score, scoped like everything else."""

from __future__ import annotations

from typing import Any

from django import template

from parcelguard.accounts.scoping import scope
from parcelguard.parcels.models import OutletDayMetric, OutletRisk, WarningKind

register = template.Library()

_DAYS = 30
_W, _H = 240, 36


def _points(values: list[float]) -> str:
    if not values:
        return ""
    step = _W / max(len(values) - 1, 1)
    return " ".join(f"{i * step:.1f},{(1 - v) * (_H - 4) + 2:.1f}" for i, v in enumerate(values))


@register.simple_tag
def site_parcels(site: Any, user: Any) -> dict[str, Any] | None:
    """The site's last 30 days of compliance and its risk score; None when there is no data to show."""
    if site is None or not hasattr(site, "parcel_metrics"):
        return None
    metrics = list(scope(user, OutletDayMetric).filter(site=site).order_by("-day")[:_DAYS])[::-1]
    risk = scope(user, OutletRisk).filter(site=site).first()
    if not metrics and risk is None:
        return None
    series = {name: [getattr(m, f"{name}_rate") for m in metrics] for name in ("realname", "inspection", "screening")}
    return {
        "metrics": metrics, "recent": metrics[::-1][:14], "risk": risk, "width": _W, "height": _H,
        "reasons": [{**c, "label": dict(WarningKind.choices).get(c["kind"], ""),
                     "when": (c.get("window_start") or "")[:16].replace("T", " ")}
                    for c in (risk.contributions if risk else [])],
        "lines": [(name, _points(values), min(values) if values else None) for name, values in series.items()],
        "parcels": sum(m.parcels for m in metrics),
    }
