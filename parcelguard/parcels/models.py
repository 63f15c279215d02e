"""Parcel records in the platform: the batches enterprises push (the records themselves live in the
parcel_audit Parquet store under DATA_DIR/parcels), the analysis runs, and what they produce: early
warnings (预警), outlet-day compliance metrics and outlet risk scores."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from parcelguard.accounts.models import Jurisdiction


class BatchStatus(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")  # validated and stored (some rows may have been rejected)
    REFUSED = "refused", _("Refused")  # refused whole: nothing stored


class BatchSource(models.TextChoices):
    API = "api", _("API")
    UPLOAD = "upload", _("File upload")
    DEMO = "demo", _("Demo data")


class ParcelBatch(models.Model):
    """One push of parcel records: who, when, what came of it. The audit trail of the data coming in."""

    scope_enterprise = "enterprise_id"

    enterprise = models.ForeignKey("registry.Enterprise", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="parcel_batches", verbose_name=_("enterprise"))
    submitted_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("submitted by"))
    submitted_at = models.DateTimeField(_("submitted"), db_index=True)
    source = models.CharField(_("source"), max_length=10, choices=BatchSource.choices)
    filename = models.CharField(_("file"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=BatchStatus.choices)
    error_code = models.CharField(max_length=40, blank=True)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    accepted = models.PositiveIntegerField(_("accepted"), default=0)
    duplicates = models.PositiveIntegerField(_("duplicates"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    errors = models.JSONField(default=list, blank=True)  # the first row-level errors: {row, waybill_no, codes}
    dates = models.JSONField(default=list, blank=True)  # accept dates (ISO) that received rows
    analysed_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("parcel batch")

    @classmethod
    def scope_queryset(cls, qs: models.QuerySet[ParcelBatch], user: Any) -> models.QuerySet[ParcelBatch]:
        """Enterprises see their own batches; the regulator sees the batches of the enterprises it sees."""
        from parcelguard.accounts.roles import Role
        from parcelguard.accounts.scoping import scope
        from parcelguard.registry.models import Enterprise

        if user.role == Role.ENTERPRISE:
            return qs.filter(enterprise_id=user.enterprise_id) if user.enterprise_id else qs.none()
        return qs.filter(enterprise__in=scope(user, Enterprise).values("pk"))


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    NOTHING = "nothing", _("Nothing new")
    FAILED = "failed", _("Failed")


class AnalysisRun(models.Model):
    """One run of the parcel analysis (nightly, on demand, or for the demo)."""

    trigger = models.CharField(_("trigger"), max_length=20)
    requested_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING)
    first_day = models.DateField(null=True, blank=True)
    last_day = models.DateField(null=True, blank=True)
    findings = models.PositiveIntegerField(default=0)
    warnings_new = models.PositiveIntegerField(default=0)
    converted = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]


class WarningKind(models.TextChoices):
    SCREENED_WHILE_DOWN = "SCREENED_WHILE_DOWN", _("Screened while the machine was down")
    OVER_CAPACITY = "OVER_CAPACITY", _("More scans than the machine can do")
    SCREENED_BEFORE_ACCEPTED = "SCREENED_BEFORE_ACCEPTED", _("Screened before it was accepted")
    UNKNOWN_MACHINE = "UNKNOWN_MACHINE", _("Screened on an unregistered machine")
    SENDER_SPREAD = "SENDER_SPREAD", _("One sender at many outlets in a day")
    LOW_REALNAME = "LOW_REALNAME", _("Real-name check not done")
    LOW_INSPECTION = "LOW_INSPECTION", _("Inspection at acceptance not done")
    LOW_SCREENING = "LOW_SCREENING", _("X-ray screening not done")


class WarningSeverity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class WarningStatus(models.TextChoices):
    NEW = "new", _("New")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    CONVERTED = "converted", _("Converted to a hazard event")
    DISMISSED = "dismissed", _("Dismissed")


class EarlyWarning(models.Model):
    """One finding of the parcel analysis, kept once: `key` is (kind, subject, window start), so running
    the analysis again over the same data updates the warning instead of adding another."""

    scope_path = "jurisdiction_path"
    scope_enterprise = "enterprise_id"

    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=WarningKind.choices, db_index=True)
    subject_type = models.CharField(_("subject type"), max_length=10)  # outlet, machine, sender
    subject_id = models.CharField(_("subject"), max_length=100)
    site = models.ForeignKey("registry.Site", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="early_warnings", verbose_name=_("site"))
    machine = models.ForeignKey("registry.XrayMachine", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="early_warnings", verbose_name=_("X-ray machine"))
    enterprise = models.ForeignKey("registry.Enterprise", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("enterprise"))
    county = models.ForeignKey(Jurisdiction, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("county / district"))
    jurisdiction_path = models.CharField(max_length=200, db_index=True)
    window_start = models.DateTimeField(_("from"))
    window_end = models.DateTimeField(_("until"), null=True, blank=True)
    count = models.PositiveIntegerField(_("parcels"))
    severity = models.CharField(_("severity"), max_length=10, choices=WarningSeverity.choices, db_index=True)
    waybills = models.JSONField(_("example waybills"), default=list)
    risk_points = models.FloatField(_("risk contribution"), default=0)
    status = models.CharField(_("status"), max_length=15, choices=WarningStatus.choices,
                              default=WarningStatus.NEW, db_index=True)
    status_reason = models.CharField(_("reason"), max_length=300, blank=True)
    status_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    status_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)  # bumped by every step (core.workflow)
    event = models.ForeignKey("events.Event", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("hazard event"))
    first_seen_at = models.DateTimeField(_("first seen"))
    last_seen_at = models.DateTimeField(_("last seen"))
    first_run = models.ForeignKey(AnalysisRun, null=True, on_delete=models.SET_NULL, related_name="+")
    last_run = models.ForeignKey(AnalysisRun, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-window_start", "-id"]
        verbose_name = _("early warning")
        indexes = [models.Index(fields=["status", "severity"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.subject_id}"


class OutletDayMetric(models.Model):
    """Compliance of one outlet on one day of acceptance, as the analysis measured it."""

    scope_path = "site__jurisdiction_path"
    scope_enterprise = "site__enterprise_id"

    site = models.ForeignKey("registry.Site", on_delete=models.CASCADE, related_name="parcel_metrics")
    day = models.DateField()
    parcels = models.PositiveIntegerField()
    realname_rate = models.FloatField()
    inspection_rate = models.FloatField()
    screening_rate = models.FloatField()
    suspect_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["site", "day"]
        constraints = [models.UniqueConstraint(fields=["site", "day"], name="one_metric_per_outlet_day")]


class OutletRisk(models.Model):
    """An outlet's risk score from the latest analysis run that saw it, with the reasons (parcel_audit's
    documented formula: points per finding by severity plus the compliance shortfall)."""

    scope_path = "site__jurisdiction_path"
    scope_enterprise = "site__enterprise_id"

    site = models.OneToOneField("registry.Site", on_delete=models.CASCADE, related_name="parcel_risk")
    score = models.FloatField()
    contributions = models.JSONField(default=list)  # {kind, subject_id, window_start, severity, points}
    first_day = models.DateField()
    last_day = models.DateField()
    computed_at = models.DateTimeField()


class ParcelSettings(models.Model):
    """The bureau's switches for the analysis (one row)."""

    auto_convert_high = models.BooleanField(_("turn high-severity warnings into hazard events"), default=False)
    changed_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    changed_at = models.DateTimeField(null=True, blank=True)

    @classmethod
    def current(cls) -> ParcelSettings:
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj
