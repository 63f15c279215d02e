"""Reads of the credit mechanism: the current ratings inside the user's scope (filtered), one rating with
the deductions the user may see, an enterprise's history, and the sampling weight other apps read."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Q, QuerySet

from parcelguard.accounts.roles import Role
from parcelguard.accounts.scoping import scope
from parcelguard.credit import sources
from parcelguard.credit.models import Deduction, Rating, RecomputeRun, RuleSet
from parcelguard.registry.models import Site

DEFAULT_WEIGHTS = {"A": 1.0, "B": 1.5, "C": 2.0, "D": 3.0}
UNRATED_WEIGHT = 1.0


def ratings(user: Any, filters: dict[str, str] | None = None) -> QuerySet[Rating]:
    """The current rating of each enterprise the user may see; filters: grade, county (id), brand, q."""
    qs = scope(user, Rating).filter(current=True).select_related("enterprise", "enterprise__brand", "ruleset")
    f = filters or {}
    if f.get("grade"):
        qs = qs.filter(grade=f["grade"])
    if f.get("brand"):
        qs = qs.filter(enterprise__brand_id=f["brand"])
    if f.get("county") and str(f["county"]).isdigit():
        qs = qs.filter(Exists(Site.objects.filter(enterprise=OuterRef("enterprise_id"), county_id=int(f["county"]))))
    if f.get("q"):
        qs = qs.filter(Q(enterprise__name__icontains=f["q"]) | Q(enterprise__credit_code__icontains=f["q"]))
    if f.get("moved") == "down":  # grades are letters: a later letter is a lower grade
        qs = qs.exclude(previous_grade="").filter(previous_grade__lt=F("grade"))
    elif f.get("moved") == "up":
        qs = qs.exclude(previous_grade="").filter(previous_grade__gt=F("grade"))
    return qs.order_by("score", "enterprise__name")


def rating(user: Any, pk: int) -> Rating | None:
    return scope(user, Rating).select_related("enterprise", "ruleset", "run").filter(pk=pk).first()


def history(user: Any, enterprise_id: int) -> QuerySet[Rating]:
    return scope(user, Rating).filter(enterprise_id=enterprise_id).select_related("ruleset").order_by("-computed_at", "-pk")


@dataclass(frozen=True)
class Line:
    """One rule of the method applied to a rating: its deductions the user may see, and the total."""

    rule: dict[str, Any]
    source: Any
    total: Any
    rows: list[tuple[Deduction, str | None, str]]  # the deduction, its record's page, what to call it
    hidden: int  # deductions outside the user's area (counted in the score, not shown)


def explain(user: Any, found: Rating) -> list[Line]:
    """Every rule of the rating's method with the records that moved the score, each linked to its page.
    A county sees the records in its own area; the ones elsewhere are only counted."""
    visible = scope(user, Deduction.objects.filter(rating=found))
    per_rule: dict[str, list[Deduction]] = defaultdict(list)
    for d in visible:
        per_rule[d.rule].append(d)
    counts: dict[str, int] = defaultdict(int)
    for code in Deduction.objects.filter(rating=found).values_list("rule", flat=True):
        counts[code] += 1
    lines = []
    for rule in found.ruleset.rules:
        source = sources.get(rule["source"])
        rows = per_rule.get(rule["code"], [])
        lines.append(Line(rule, source, found.totals.get(rule["code"], "0"),
                          [(d, _link(source, d), _note(d)) for d in rows], counts[rule["code"]] - len(rows)))
    return lines


def _note(d: Deduction) -> str:
    if d.source == "early_warning":
        from parcelguard.parcels.models import WarningKind

        return str(dict(WarningKind.choices).get(d.note, d.note))
    return d.note


def _link(source: sources.CreditSource | None, d: Deduction) -> str | None:
    if source is None:
        return None
    return source.link(sources.Hit(0, d.subject, d.object_id, d.at, d.units, d.jurisdiction_path, d.note))


def runs(user: Any) -> QuerySet[RecomputeRun]:
    if getattr(user, "role", None) == Role.ENTERPRISE:
        return RecomputeRun.objects.none()
    return RecomputeRun.objects.select_related("ruleset", "requested_by").order_by("-started_at")


def methods() -> QuerySet[RuleSet]:
    return RuleSet.objects.order_by("-version")


def grade_counts(user: Any) -> dict[str, int]:
    counts = {g: 0 for g in DEFAULT_WEIGHTS}
    for grade in ratings(user).values_list("grade", flat=True):
        counts[grade] = counts.get(grade, 0) + 1
    return counts


# ---- credit drives supervision ---------------------------------------------------------------------

def weights() -> dict[str, float]:
    return {**DEFAULT_WEIGHTS, **getattr(settings, "CREDIT_SAMPLING_WEIGHTS", {})}


def sampling_weights(enterprise_ids: list[int]) -> dict[int, float]:
    """The sampling weight of each enterprise for random inspections (双随机): its current grade's weight
    (A 1.0, B 1.5, C 2.0, D 3.0 unless settings.CREDIT_SAMPLING_WEIGHTS says otherwise); an enterprise
    not rated yet weighs 1.0. A draw that picks with these weights inspects lower credit more often."""
    table = weights()
    grades = dict(Rating.objects.filter(enterprise_id__in=enterprise_ids, current=True)
                  .values_list("enterprise_id", "grade"))
    return {e: table.get(grades.get(e, ""), UNRATED_WEIGHT) for e in enterprise_ids}


def sampling_weight(enterprise: Any) -> float:
    """The sampling weight of one enterprise (an Enterprise or its id); see sampling_weights."""
    pk = getattr(enterprise, "pk", enterprise)
    return sampling_weights([int(pk)])[int(pk)]


def current_grade(enterprise: Any) -> str:
    pk = getattr(enterprise, "pk", enterprise)
    return Rating.objects.filter(enterprise_id=pk, current=True).values_list("grade", flat=True).first() or ""
