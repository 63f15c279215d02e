"""Enterprise self-inspection (企业自查自纠): the safety officer's monthly duty report (履职月报告) over
the enterprise's outlets in one county, and the county centre's reproducible spot checks (履职抽查)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Checklist(models.Model):
    """The self-inspection checklist (自查清单) as data: items grouped by section. A published version
    never changes; a new version does."""

    code = models.CharField(_("code"), max_length=40)
    version = models.PositiveIntegerField(_("version"), default=1)
    title = models.CharField(_("title"), max_length=120)
    items = models.JSONField(default=list)  # [{"code": "realname", "section": "三项制度", "text": "…"}]
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        ordering = ["code", "-version"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="selfcheck_checklist_version")]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


class ReportState(models.TextChoices):
    SUBMITTED = "submitted", pgettext_lazy("report state", "Submitted")
    DRAWN = "drawn", _("Drawn for a spot check")
    CONFIRMED = "confirmed", _("Spot check: true")
    FALSE = "false_report", _("Spot check: false report")


class CheckMethod(models.TextChoices):
    ON_SITE = "on_site", _("On site")
    VIDEO = "video", _("By video")


class SpotDraw(models.Model):
    """One reproducible draw of reports to spot-check: anyone can recompute `chosen` from `seed` and
    `population` (see services.draw_verify)."""

    scope_path = "jurisdiction_path"

    county = models.ForeignKey("accounts.Jurisdiction", on_delete=models.PROTECT, related_name="+")
    jurisdiction_path = models.CharField(max_length=200, db_index=True)
    month = models.DateField(_("month"))
    seed = models.CharField(_("seed"), max_length=64)
    population = models.JSONField(default=list)  # report ids, ascending
    chosen = models.JSONField(default=list)  # report ids, in drawing order
    drawn_at = models.DateTimeField(_("drawn"))
    drawn_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-drawn_at"]


class MonthlyReport(models.Model):
    """One enterprise's monthly duty report for its outlets in one county."""

    scope_path = "jurisdiction_path"
    scope_enterprise = "enterprise_id"

    enterprise = models.ForeignKey("registry.Enterprise", on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("enterprise"))
    county = models.ForeignKey("accounts.Jurisdiction", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("county / district"))
    jurisdiction_path = models.CharField(max_length=200, db_index=True)
    month = models.DateField(_("month"))  # the first day of the month reported on
    due_at = models.DateTimeField(_("due"))
    submitted_at = models.DateTimeField(_("submitted"))
    submitted_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    checklist = models.ForeignKey(Checklist, on_delete=models.PROTECT, related_name="+")
    answers = models.JSONField(default=dict)  # {item code: {"ok": bool, "note": str}}
    problems_found = models.PositiveIntegerField(_("problems found"), default=0)
    problems_fixed = models.PositiveIntegerField(_("problems fixed"), default=0)
    trainings_held = models.PositiveIntegerField(_("training sessions held"), default=0)
    drills_held = models.PositiveIntegerField(_("drills held"), default=0)
    summary = models.TextField(_("summary"), max_length=2000, blank=True)
    state = models.CharField(_("status"), max_length=20, choices=ReportState.choices, default=ReportState.SUBMITTED)
    version = models.PositiveIntegerField(default=1)
    draw = models.ForeignKey(SpotDraw, null=True, blank=True, on_delete=models.PROTECT, related_name="reports")
    check_method = models.CharField(_("check method"), max_length=10, choices=CheckMethod.choices, blank=True)
    check_note = models.TextField(_("check note"), max_length=2000, blank=True)
    checked_at = models.DateTimeField(_("checked"), null=True, blank=True)
    event = models.ForeignKey("events.Event", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    evidence = models.ManyToManyField("evidence.Evidence", blank=True, related_name="+")

    class Meta:
        ordering = ["-month", "enterprise_id"]
        constraints = [models.UniqueConstraint(fields=["enterprise", "county", "month"],
                                               name="selfcheck_one_report_a_month")]
        indexes = [models.Index(fields=["month", "jurisdiction_path"], name="selfcheck_month_path")]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.month:%Y-%m}"

    @property
    def late(self) -> bool:
        return self.submitted_at >= self.due_at
