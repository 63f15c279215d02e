"""Inspections (执法检查): scored evaluation standards as data (考评标准), the published inspection item
list (抽查事项清单), the pool of certified inspectors, inspection plans with their double-random draw
(双随机) and the inspections it assigns, filled on a phone and published (一公开)."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Method(models.TextChoices):
    YESNO = "yesno", _("Yes or no")  # full points or none
    GRADED = "graded", _("Graded")  # any score from 0 to the item's points
    DEDUCT = "deduct", _("Deduction per finding")  # points minus a deduction for each finding, not below 0


class EvidenceNeed(models.TextChoices):
    PHOTO = "photo", _("Photo")
    DOCUMENT = "document", _("Document")
    NONE = "none", _("None")


class Standard(models.Model):
    """An evaluation standard (考评标准) as data: items grouped by section. A published version never
    changes; a new version (a copy) does. `items` is a list of
    {code, section, text, points, method, deduct, evidence, basis, site_kinds, serious, hazard_type}."""

    code = models.CharField(_("code"), max_length=40)
    version = models.PositiveIntegerField(_("version"), default=1)
    title = models.CharField(_("title"), max_length=120)
    total_points = models.DecimalField(_("total points"), max_digits=7, decimal_places=1, default=Decimal(100))
    excellent_at = models.DecimalField(_("model site from"), max_digits=5, decimal_places=1, default=Decimal(90))
    pass_at = models.DecimalField(_("pass from"), max_digits=5, decimal_places=1, default=Decimal(75))
    items = models.JSONField(default=list)
    jurisdiction_path = models.CharField(max_length=200, db_index=True)
    based_on = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"))
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        ordering = ["code", "-version"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="inspections_standard_version")]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"

    @classmethod
    def scope_queryset(cls, qs: models.QuerySet[Standard], user: object) -> models.QuerySet[Standard]:
        """Regulators see standards made in their subtree and the published ones of the nodes above them;
        everybody else (enterprises, the procurator outside the tree) sees only published standards."""
        from django.db.models import Q

        path = getattr(getattr(user, "jurisdiction", None), "path", "") or ""
        published = Q(published_at__isnull=False)
        if getattr(user, "role", "") == "enterprise" or not path:
            return qs.filter(published)
        above = [path[: i + 1] for i, ch in enumerate(path) if ch == "/"]
        return qs.filter(Q(jurisdiction_path__startswith=path) | (published & Q(jurisdiction_path__in=above)))

    @property
    def sections(self) -> list[tuple[str, list[dict]]]:
        out: dict[str, list[dict]] = {}
        for item in self.items:
            out.setdefault(item.get("section", ""), []).append(item)
        return list(out.items())


class CatalogueItem(models.Model):
    """One line of the published inspection item list (抽查事项清单)."""

    scope_path = "jurisdiction_path"

    code = models.CharField(_("code"), max_length=40)
    title = models.CharField(_("inspection item"), max_length=200)
    basis = models.CharField(_("legal basis"), max_length=300)
    target = models.CharField(_("target"), max_length=200)
    method = models.CharField(_("method"), max_length=200)
    position = models.PositiveIntegerField(default=0)
    jurisdiction_path = models.CharField(max_length=200, db_index=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "code"]
        constraints = [models.UniqueConstraint(fields=["jurisdiction_path", "code"], name="inspections_item_code")]

    def __str__(self) -> str:
        return self.title


class Inspector(models.Model):
    """An officer of the inspector pool (执法检查人员名录): a law-enforcement certificate and its validity.
    `ties` are the enterprises the officer must never inspect (relatives, former employer)."""

    scope_path = "jurisdiction_path"

    user = models.OneToOneField("accounts.User", on_delete=models.PROTECT, related_name="inspector",
                                verbose_name=_("officer"))
    certificate_no = models.CharField(_("law-enforcement certificate no."), max_length=30, unique=True)
    valid_until = models.DateField(_("valid until"))
    jurisdiction_path = models.CharField(max_length=200, db_index=True)
    active = models.BooleanField(_("active"), default=True)
    ties = models.ManyToManyField("registry.Enterprise", through="Tie", blank=True, related_name="+")

    class Meta:
        ordering = ["certificate_no"]

    def __str__(self) -> str:
        return self.certificate_no


class Tie(models.Model):
    """A conflict of interest: the officer is never drawn for this enterprise's sites."""

    inspector = models.ForeignKey(Inspector, on_delete=models.CASCADE, related_name="tie_rows")
    enterprise = models.ForeignKey("registry.Enterprise", on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("enterprise"))
    reason = models.CharField(_("reason"), max_length=200)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["inspector", "enterprise"], name="inspections_one_tie")]


class PlanKind(models.TextChoices):
    ROUTINE = "routine", _("Routine inspection")  # 日常检查
    SPECIAL = "special", _("Special inspection")  # 专项检查
    EVALUATION = "evaluation", _("Evaluation round")  # 平安寄递考评


class PlanState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("plan state", "Draft")
    COMMITTED = "committed", _("Draw announced")  # the seed's commitment and the candidate lists are public
    DRAWN = "drawn", _("Drawn and locked")
    CLOSED = "closed", pgettext_lazy("plan state", "Closed")


class Plan(models.Model):
    """An inspection plan: what kind, when, where (scope), by which standard, how many (ratio), and its
    double-random draw: commitment (SHA-256 of a secret seed) → candidate lists → seed revealed → draw."""

    scope_path = "jurisdiction_path"

    kind = models.CharField(_("kind"), max_length=12, choices=PlanKind.choices)
    title = models.CharField(_("title"), max_length=120)
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"))
    counties = models.JSONField(default=list, blank=True)  # county codes; empty = the whole jurisdiction
    brands = models.JSONField(default=list, blank=True)  # brand codes; empty = all
    site_kinds = models.JSONField(default=list, blank=True)  # site kinds; empty = all
    standard = models.ForeignKey(Standard, on_delete=models.PROTECT, related_name="plans",
                                 verbose_name=_("evaluation standard"))
    ratio = models.DecimalField(_("sampling ratio"), max_digits=5, decimal_places=4)
    minimum = models.PositiveIntegerField(_("at least"), default=1)
    risk_weighted = models.BooleanField(_("weighted by risk"), default=True)
    jurisdiction_path = models.CharField(max_length=200, db_index=True)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"))
    state = models.CharField(_("status"), max_length=12, choices=PlanState.choices, default=PlanState.DRAFT)
    version = models.PositiveIntegerField(default=1)
    # the draw
    commitment = models.CharField(_("commitment"), max_length=64, blank=True)  # sha256(seed), public
    lists_sha256 = models.CharField(_("candidate lists digest"), max_length=64, blank=True)  # public
    secret_seed = models.CharField(max_length=64, blank=True)  # revealed (shown) once drawn
    committed_at = models.DateTimeField(_("announced"), null=True, blank=True)
    targets = models.JSONField(default=list, blank=True)  # [[site id, weight], ...] ascending, frozen at commit
    pool = models.JSONField(default=list, blank=True)  # [[inspector id, path, [tied enterprise ids]], ...]
    target_info = models.JSONField(default=dict, blank=True)  # {site id: [path, enterprise id]}
    result = models.JSONField(default=list, blank=True)  # [[site id, [inspector id, inspector id]], ...]
    drawn_at = models.DateTimeField(_("drawn"), null=True, blank=True)
    overrides = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-starts_on", "-pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def revealed_seed(self) -> str:
        return self.secret_seed if self.state in (PlanState.DRAWN, PlanState.CLOSED) else ""


class InspectionState(models.TextChoices):
    ASSIGNED = "assigned", _("Assigned")
    SUBMITTED = "submitted", pgettext_lazy("inspection state", "Submitted")
    PUBLISHED = "published", _("Results published")
    CANCELLED = "cancelled", _("Cancelled by a redraw")


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("Model site")  # 示范
    PASS = "pass", _("Up to standard")  # 达标
    FAIL = "fail", _("Below standard")  # 不达标


class Inspection(models.Model):
    """One drawn target inspected by its drawn inspectors with the plan's standard."""

    scope_path = "jurisdiction_path"
    scope_enterprise = "enterprise_id"

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="inspections")
    site = models.ForeignKey("registry.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("site"))
    enterprise = models.ForeignKey("registry.Enterprise", on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("enterprise"))
    jurisdiction_path = models.CharField(max_length=200, db_index=True)
    standard = models.ForeignKey(Standard, on_delete=models.PROTECT, related_name="+")
    inspectors = models.ManyToManyField(Inspector, related_name="inspections")
    due_at = models.DateTimeField(_("due"))
    state = models.CharField(_("status"), max_length=12, choices=InspectionState.choices,
                             default=InspectionState.ASSIGNED)
    version = models.PositiveIntegerField(default=1)
    number = models.CharField(_("record no."), max_length=40, blank=True)
    answers = models.JSONField(default=dict, blank=True)  # {code: {"score", "findings", "note", "photos": [ev ids]}}
    score = models.DecimalField(_("score"), max_digits=7, decimal_places=1, null=True, blank=True)
    max_score = models.DecimalField(_("out of"), max_digits=7, decimal_places=1, null=True, blank=True)
    percent = models.DecimalField(_("percent"), max_digits=5, decimal_places=1, null=True, blank=True)
    grade = models.CharField(_("grade"), max_length=10, choices=Grade.choices, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    client_token = models.CharField(max_length=64, blank=True)
    representative = models.CharField(_("site representative"), max_length=40, blank=True)
    signature = models.ForeignKey("evidence.Evidence", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    evidence = models.ManyToManyField("evidence.Evidence", blank=True, related_name="+")

    class Meta:
        ordering = ["due_at", "pk"]
        indexes = [models.Index(fields=["state", "due_at"], name="inspections_state_due")]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"


class Finding(models.Model):
    """A failed item of an inspection and the hazard event it opened in the three-tier workflow."""

    scope_path = "inspection__jurisdiction_path"
    scope_enterprise = "inspection__enterprise_id"

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="findings")
    item_code = models.CharField(max_length=40)
    item_text = models.CharField(max_length=300)
    lost = models.DecimalField(max_digits=6, decimal_places=1)
    note = models.CharField(max_length=500)
    serious = models.BooleanField(default=False)
    event = models.ForeignKey("events.Event", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["inspection_id", "pk"]
