"""Enterprise credit (企业信用评价): the rating method the bureau publishes (rules kept as data, versioned),
each enterprise's ratings with every deduction that moved them, and the recompute runs."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class RuleSet(models.Model):
    """A published rating method (信用评价办法). `rules`: [{"code", "source", "label", "points", "cap"}] —
    each rule deducts `points` per unit its source counts, at most `cap` (none: no cap). `grades`:
    [{"grade": "A", "min": 90}, …] from the highest threshold down; below the last: the last grade's
    successor ("D"). A published version never changes; a new version does."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    title = models.CharField(_("title"), max_length=120)
    base = models.DecimalField(_("starting score"), max_digits=6, decimal_places=1, default=100)
    window_days = models.PositiveIntegerField(_("window (days)"), default=365)
    rules = models.JSONField(default=list)
    grades = models.JSONField(default=list)
    published_at = models.DateTimeField(_("published"))
    published_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")

    class Meta:
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


class Grade(models.TextChoices):
    A = "A", _("A (trustworthy)")
    B = "B", _("B (fairly trustworthy)")
    C = "C", _("C (watch)")
    D = "D", _("D (untrustworthy)")


class RecomputeRun(models.Model):
    """One recompute of the ratings: nightly (no user) or asked for by the city bureau."""

    scope_path = "jurisdiction_path"

    ruleset = models.ForeignKey(RuleSet, on_delete=models.PROTECT, related_name="runs")
    trigger = models.CharField(_("trigger"), max_length=10)  # nightly | manual | test
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    requested_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    jurisdiction_path = models.CharField(max_length=200, blank=True, db_index=True)
    window_start = models.DateTimeField(_("from"))
    window_end = models.DateTimeField(_("until"))
    enterprises = models.PositiveIntegerField(_("enterprises"), default=0)
    deductions = models.PositiveIntegerField(_("deductions"), default=0)
    seconds = models.FloatField(default=0)

    class Meta:
        ordering = ["-started_at", "-id"]


class Rating(models.Model):
    """One enterprise's rating from one run: its score, grade and the deductions that made them."""

    scope_enterprise = "enterprise_id"

    enterprise = models.ForeignKey("registry.Enterprise", on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("enterprise"))
    run = models.ForeignKey(RecomputeRun, on_delete=models.PROTECT, related_name="ratings")
    ruleset = models.ForeignKey(RuleSet, on_delete=models.PROTECT, related_name="+")
    window_start = models.DateTimeField(_("from"))
    window_end = models.DateTimeField(_("until"))
    computed_at = models.DateTimeField(_("computed"))
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=1)
    grade = models.CharField(_("grade"), max_length=2, choices=Grade.choices, db_index=True)
    previous_grade = models.CharField(_("previous grade"), max_length=2, blank=True)
    current = models.BooleanField(default=True)
    totals = models.JSONField(default=dict)  # {rule code: points deducted after the cap}

    class Meta:
        ordering = ["score", "enterprise_id"]
        indexes = [models.Index(fields=["enterprise", "current"], name="credit_rating_current"),
                   models.Index(fields=["current", "grade"], name="credit_rating_grade")]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.grade} {self.score}"

    @classmethod
    def scope_queryset(cls, qs: models.QuerySet[Rating], user: Any) -> models.QuerySet[Rating]:
        """A rating is seen by whoever sees its enterprise (a county: enterprises with a site in it)."""
        from parcelguard.accounts.scoping import scope
        from parcelguard.registry.models import Enterprise

        return qs.filter(enterprise__in=scope(user, Enterprise).values("pk"))

    @property
    def deducted(self) -> Any:
        return self.ruleset.base - self.score


class Deduction(models.Model):
    """One record that moved a rating: which rule, how many units, how many points (before the cap)."""

    scope_path = "jurisdiction_path"
    scope_enterprise = "rating__enterprise_id"

    rating = models.ForeignKey(Rating, on_delete=models.CASCADE, related_name="deduction_rows")
    rule = models.CharField(_("rule"), max_length=40)
    source = models.CharField(_("source"), max_length=40)
    subject = models.CharField(_("record"), max_length=80)  # "event:12", "case:3", "selfcheck:9"
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    at = models.DateTimeField(_("when"))
    units = models.DecimalField(_("units"), max_digits=12, decimal_places=4)
    points = models.DecimalField(_("points"), max_digits=8, decimal_places=2)
    jurisdiction_path = models.CharField(max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["rule", "at", "id"]
