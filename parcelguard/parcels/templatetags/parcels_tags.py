"""The parcels block on a site's page: compliance trend and risk score, scoped like everything else."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from parcelguard.accounts.scoping import scope
from parcelguard.parcels.models import OutletDayMetric, OutletRisk, WarningKind, WarningSeverity

register = template.Library()

# Codes kept in parcel records and warnings, in words (the records keep the codes the enterprises push).
SCREENING_RESULTS = {"pass": pgettext_lazy("screening result", "Passed"),
                     "suspect": pgettext_lazy("screening result", "Suspect"),
                     "reject": pgettext_lazy("screening result", "Rejected")}
SUBJECT_TYPES = {"outlet": _("Outlet"), "machine": _("X-ray machine"), "sender": _("Sender")}


def _label(labels: dict[str, Any], code: Any) -> Any:
    return labels.get(code, code) if code else code


@register.filter
def screening_result_label(code: str | None) -> Any:
    """`pass`, `suspect`, `reject` in words; an unknown code as it is."""
    return _label(SCREENING_RESULTS, code)


@register.filter
def subject_type_label(code: str | None) -> Any:
    """A warning's subject type (`outlet`, `machine`, `sender`) in words."""
    return _label(SUBJECT_TYPES, code)


@register.filter
def severity_label(code: str | None) -> Any:
    """A warning severity code (`low`, `medium`, `high`) by its label in WarningSeverity."""
    return _label(dict(WarningSeverity.choices), code)

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
