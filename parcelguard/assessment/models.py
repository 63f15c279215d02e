"""Assessment and circulars (考核奖惩评价, 工作通报): the county assessment method the city publishes (weights kept
as data, versioned), each published assessment of a period with every county's figures and rank, and the
numbered circulars a county centre or the city issues to the enterprises concerned."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class Method(models.Model):
    """A published assessment method (市对县综治考评办法). `items`: [{"code", "indicator", "label", "weight"}]:
    each item scores `weight` × the indicator's rate (0–1); the weights add up to 100. A published version
    never changes; a new version does."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    title = models.CharField(_("title"), max_length=120)
    items = models.JSONField(default=list)
    published_at = models.DateTimeField(_("published"))
    published_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")

    class Meta:
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


class PeriodKind(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")


class AssessmentState(models.TextChoices):
    PUBLISHED = "published", _("Published")


class Assessment(models.Model):
    """One published assessment of the city's counties for one period under one method version."""

    scope_path = "jurisdiction_path"

    city = models.ForeignKey("accounts.Jurisdiction", on_delete=models.PROTECT, related_name="+")
    jurisdiction_path = models.CharField(max_length=200, db_index=True)  # the city's path
    period = models.CharField(_("period"), max_length=10)  # "2026-11", "2026-Q3", "2026"
    period_kind = models.CharField(_("period kind"), max_length=10, choices=PeriodKind.choices)
    start = models.DateField(_("from"))
    end = models.DateField(_("until"))  # exclusive
    as_of = models.DateTimeField(_("figures taken at"))
    method = models.ForeignKey(Method, on_delete=models.PROTECT, related_name="assessments")
    number = models.CharField(_("document number"), max_length=60, unique=True)
    state = models.CharField(_("status"), max_length=12, choices=AssessmentState.choices,
                             default=AssessmentState.PUBLISHED)
    version = models.PositiveIntegerField(default=1)
    published_at = models.DateTimeField(_("published"))
    published_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    pdf = models.ForeignKey("evidence.Evidence", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-start", "-published_at"]
        constraints = [models.UniqueConstraint(fields=["city", "period", "method"], name="assessment_once")]

    def __str__(self) -> str:
        return f"{self.period} v{self.method_id}"


class CountyScore(models.Model):
    """One county's line in a published assessment: each item's figures (numerator, denominator, rate,
    points), the total and the rank (ties share a rank)."""

    scope_path = "jurisdiction_path"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="scores")
    county = models.ForeignKey("accounts.Jurisdiction", on_delete=models.PROTECT, related_name="+")
    jurisdiction_path = models.CharField(max_length=200, db_index=True)
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2)
    rank = models.PositiveIntegerField(_("rank"))
    figures = models.JSONField(default=dict)  # {item code: {"num", "den", "rate", "points"}}

    class Meta:
        ordering = ["rank", "county__code"]
        constraints = [models.UniqueConstraint(fields=["assessment", "county"], name="assessment_county_once")]


class CircularState(models.TextChoices):
    ISSUED = "issued", _("Issued")


class Circular(models.Model):
    """A numbered work circular (工作通报) for one month, issued by a county centre or the city bureau under
    its own name and numbering: late monthly reporters, spot-check results, good practice. Kept as issued."""

    issuer = models.ForeignKey("accounts.Jurisdiction", on_delete=models.PROTECT, related_name="+")
    issuer_name = models.CharField(_("issued by"), max_length=80)
    jurisdiction_path = models.CharField(max_length=200, db_index=True)  # the issuer's path
    number = models.CharField(_("document number"), max_length=60, unique=True)
    year = models.PositiveSmallIntegerField()
    seq = models.PositiveIntegerField()
    title = models.CharField(_("title"), max_length=120)
    month = models.DateField(_("month"))  # the first day of the month the circular reports on
    content = models.JSONField(default=dict)  # {"late": [...], "checks": [...], "good": [...], "practice": str}
    state = models.CharField(_("status"), max_length=12, choices=CircularState.choices, default=CircularState.ISSUED)
    version = models.PositiveIntegerField(default=1)
    issued_at = models.DateTimeField(_("issued"))
    issued_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    pdf = models.ForeignKey("evidence.Evidence", on_delete=models.PROTECT, related_name="+")
    addressees = models.ManyToManyField("registry.Enterprise", blank=True, related_name="+",
                                        verbose_name=_("sent to"))

    class Meta:
        ordering = ["-issued_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["issuer", "year", "seq"], name="circular_number_once")]

    def __str__(self) -> str:
        return self.number

    @classmethod
    def scope_queryset(cls, qs: models.QuerySet[Circular], user: Any) -> models.QuerySet[Circular]:
        """An enterprise sees only the circulars addressed to it; a regulator those issued inside its area
        and those of the bodies above it (a county centre reads the city's circulars)."""
        role = getattr(user, "role", None)
        if role == "enterprise":
            return qs.filter(addressees=user.enterprise_id) if user.enterprise_id else qs.none()
        if user.jurisdiction_id is None:
            return qs.none()
        path = user.jurisdiction.path
        parts = [p for p in path.split("/") if p]
        above = ["/".join(parts[:i]) + "/" for i in range(1, len(parts))]
        return qs.filter(models.Q(jurisdiction_path__startswith=path) | models.Q(jurisdiction_path__in=above))


class Counter(models.Model):
    """The last number an issuing body gave a kind of document in a year; incremented under a row lock."""

    issuer = models.ForeignKey("accounts.Jurisdiction", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20)  # "circular" | "assessment"
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["issuer", "kind", "year"], name="assessment_counter_once")]
