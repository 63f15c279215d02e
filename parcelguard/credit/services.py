"""Writes of the credit mechanism: publish a rating method (a new version of the rules), recompute the
ratings of every active enterprise (nightly, or when the city bureau asks)."""

from __future__ import annotations

import datetime as dt
import re
import time
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from parcelguard.accounts.roles import Role
from parcelguard.core import clock
from parcelguard.core.errors import Conflict, Forbidden, Invalid
from parcelguard.credit import sources
from parcelguard.credit.models import Deduction, Grade, Rating, RecomputeRun, RuleSet
from parcelguard.registry.models import Enterprise, Status

CODE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
TENTH = Decimal("0.1")
CENT = Decimal("0.01")


def current_ruleset() -> RuleSet:
    found = RuleSet.objects.order_by("-version").first()
    if found is None:
        raise Conflict(_("No credit rating method is published."), code="no_ruleset")
    return found


def _decimal(value: Any, field: str, *, low: Decimal, high: Decimal, rule: str = "") -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        number = Decimal("NaN")
    if not number.is_finite() or not low <= number <= high:
        raise Invalid(_("%(field)s must be a number from %(low)s to %(high)s.")
                      % {"field": field, "low": low, "high": high},
                      code="invalid_number", details={"field": field, "rule": rule})
    return number


def clean_rules(rules: Any) -> list[dict[str, Any]]:
    if not isinstance(rules, list) or not rules:
        raise Invalid(_("A rating method needs at least one rule."), code="no_rules")
    cleaned, seen = [], set()
    for rule in rules:
        if not isinstance(rule, dict):
            raise Invalid(_("A rule must name its source and its points."), code="invalid_rule")
        source = sources.get(str(rule.get("source", "")))
        if source is None:
            raise Invalid(_("Unknown source of a rule: %(source)s.") % {"source": rule.get("source")},
                          code="unknown_source", details={"source": rule.get("source")})
        code = str(rule.get("code") or source.code)
        if not CODE.match(code) or code in seen:
            raise Invalid(_("Each rule needs its own code (lower-case letters, digits, underscores)."),
                          code="invalid_rule_code", details={"rule": code})
        seen.add(code)
        points = _decimal(rule.get("points"), _("Points per unit"), low=Decimal(0), high=Decimal(100), rule=code)
        cap = rule.get("cap")
        cap_value = (None if cap in (None, "") else
                     _decimal(cap, _("Cap"), low=Decimal("0.1"), high=Decimal(1000), rule=code))
        label = str(rule.get("label") or "").strip()[:60] or str(source.label)
        cleaned.append({"code": code, "source": source.code, "label": label, "points": str(points),
                        "cap": None if cap_value is None else str(cap_value)})
    return cleaned


def clean_grades(grades: Any) -> list[dict[str, Any]]:
    """[{"grade": "A", "min": 90}, …]: every grade once, thresholds strictly falling, the last one 0."""
    if not isinstance(grades, list) or [g.get("grade") for g in grades if isinstance(g, dict)] != Grade.values:
        raise Invalid(_("Give a threshold for each grade, A to D."), code="invalid_grades")
    cleaned, last = [], None
    for g in grades:
        low = _decimal(g.get("min"), g["grade"], low=Decimal(0), high=Decimal(1000))
        if last is not None and low >= last:
            raise Invalid(_("Grade thresholds must fall from A to D."), code="invalid_grades")
        last = low
        cleaned.append({"grade": g["grade"], "min": str(low)})
    if Decimal(cleaned[-1]["min"]) != 0:
        raise Invalid(_("The lowest grade starts at 0."), code="invalid_grades")
    return cleaned


def ruleset_publish(*, user: Any, title: str, rules: Any, grades: Any, window_days: Any = 365,
                    base: Any = 100) -> RuleSet:
    """The city bureau publishes a new version of the rating method; earlier versions stay as they were."""
    if getattr(user, "role", None) not in (Role.CITY_BUREAU, Role.ADMIN):
        raise Forbidden(_("Only the city bureau publishes the credit rating method."), code="role_not_allowed")
    title = (title or "").strip()[:120]
    if len(title) < 2:
        raise Invalid(_("Give the method a title."), code="title_required")
    cleaned_rules, cleaned_grades = clean_rules(rules), clean_grades(grades)
    days = int(_decimal(window_days, _("Window (days)"), low=Decimal(30), high=Decimal(1100)))
    start = _decimal(base, _("Starting score"), low=Decimal(1), high=Decimal(1000))
    if Decimal(cleaned_grades[0]["min"]) > start:
        raise Invalid(_("The threshold of A is above the starting score."), code="invalid_grades")
    from parcelguard.trail.services import trail_append

    try:
        with transaction.atomic():
            version = (RuleSet.objects.aggregate(v=Max("version"))["v"] or 0) + 1
            made = RuleSet.objects.create(version=version, title=title, base=start, window_days=days,
                                          rules=cleaned_rules, grades=cleaned_grades, published_at=clock.now(),
                                          published_by=user)
            trail_append(actor=user, action="credit.publish", subject=f"credit-method:{version}",
                         payload={"rules": cleaned_rules, "grades": cleaned_grades, "window_days": days})
    except IntegrityError:
        raise Conflict(_("Somebody published a version at the same moment; try again."),
                       code="state_conflict") from None
    return made


def grade_of(score: Decimal, grades: list[dict[str, Any]]) -> str:
    for g in grades:
        if score >= Decimal(g["min"]):
            return str(g["grade"])
    return str(grades[-1]["grade"])


def score_hits(ruleset: RuleSet, hits_by_rule: dict[str, list[sources.Hit]]) -> tuple[Decimal, dict[str, Decimal]]:
    """The score from the hits of one enterprise: each rule deducts points × units, at most its cap."""
    totals: dict[str, Decimal] = {}
    for rule in ruleset.rules:
        raw = sum((Decimal(rule["points"]) * h.units for h in hits_by_rule.get(rule["code"], [])), Decimal(0))
        if rule.get("cap") is not None:
            raw = min(raw, Decimal(rule["cap"]))
        totals[rule["code"]] = raw.quantize(CENT, rounding=ROUND_HALF_UP)
    score = max(Decimal(0), ruleset.base - sum(totals.values(), Decimal(0)))
    return score.quantize(TENTH, rounding=ROUND_HALF_UP), totals


def recompute(*, user: Any = None, trigger: str = "manual", now: dt.datetime | None = None,
              enterprise_ids: list[int] | None = None) -> RecomputeRun:
    """Rate every active enterprise (or the ones named) under the current method over its window ending
    now. Each rating keeps its deductions; the previous rating of each enterprise stays as history."""
    if user is not None and getattr(user, "role", None) not in (Role.CITY_BUREAU, Role.ADMIN):
        raise Forbidden(_("Only the city bureau recomputes credit ratings."), code="role_not_allowed")
    ruleset = current_ruleset()
    now = now or clock.now()
    start = now - dt.timedelta(days=ruleset.window_days)
    began = time.perf_counter()
    wanted = Enterprise.objects.filter(status=Status.ACTIVE)
    if enterprise_ids is not None:
        wanted = wanted.filter(pk__in=enterprise_ids)
    ids = set(wanted.values_list("pk", flat=True))
    by_source: dict[str, list[sources.Hit]] = {}
    for rule in ruleset.rules:
        source = sources.get(rule["source"])
        if source is not None and rule["source"] not in by_source:
            by_source[rule["source"]] = [h for h in source.fetch(start, now) if h.enterprise_id in ids]
    hits: dict[int, dict[str, list[sources.Hit]]] = defaultdict(lambda: defaultdict(list))
    for rule in ruleset.rules:
        for h in by_source.get(rule["source"], []):
            hits[h.enterprise_id][rule["code"]].append(h)
    previous = dict(Rating.objects.filter(enterprise_id__in=ids, current=True).values_list("enterprise_id", "grade"))
    from parcelguard.trail.services import trail_append

    with transaction.atomic():
        run = RecomputeRun.objects.create(
            ruleset=ruleset, trigger=trigger, started_at=now, requested_by=user, window_start=start, window_end=now,
            jurisdiction_path=user.jurisdiction.path if user is not None and user.jurisdiction_id else "")
        Rating.objects.filter(enterprise_id__in=ids, current=True).update(current=False)
        ratings = []
        for enterprise_id in sorted(ids):
            score, totals = score_hits(ruleset, hits.get(enterprise_id, {}))
            ratings.append(Rating(
                enterprise_id=enterprise_id, run=run, ruleset=ruleset, window_start=start, window_end=now,
                computed_at=now, score=score, grade=grade_of(score, ruleset.grades),
                previous_grade=previous.get(enterprise_id, ""), current=True,
                totals={k: str(v) for k, v in totals.items() if v}))
        Rating.objects.bulk_create(ratings, batch_size=1000)
        made = {r.enterprise_id: r for r in Rating.objects.filter(run=run).only("pk", "enterprise_id")}
        rows = [Deduction(rating_id=made[e].pk, rule=code, source=rule_source,
                          subject=h.subject, object_id=h.object_id, at=h.at, units=h.units,
                          points=(Decimal(points) * h.units).quantize(CENT, rounding=ROUND_HALF_UP),
                          jurisdiction_path=h.jurisdiction_path, note=h.note[:200])
                for e, per_rule in hits.items()
                for code, rule_source, points in [(r["code"], r["source"], r["points"]) for r in ruleset.rules]
                for h in per_rule.get(code, [])]
        Deduction.objects.bulk_create(rows, batch_size=2000)
        grades = defaultdict(int)
        for r in ratings:
            grades[r.grade] += 1
        RecomputeRun.objects.filter(pk=run.pk).update(
            finished_at=clock.now(), enterprises=len(ratings), deductions=len(rows),
            seconds=round(time.perf_counter() - began, 3))
        trail_append(actor=user, action="credit.recompute", subject=f"credit-run:{run.pk}",
                     payload={"method": ruleset.version, "trigger": trigger, "enterprises": len(ratings),
                              "deductions": len(rows), "grades": dict(sorted(grades.items())),
                              "window": [start.isoformat(), now.isoformat()]})
    run.refresh_from_db()
    return run
