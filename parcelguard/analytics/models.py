"""Reports kept in the platform: the monthly report per county and for the city, as a stored PDF."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Report(models.Model):
    """One monthly report (月度分析报告) of one jurisdiction (the city or a county); regenerating replaces
    the file. Scoped like the jurisdiction it covers: a county sees its own, the city sees all."""

    scope_path = "jurisdiction__path"

    jurisdiction = models.ForeignKey("accounts.Jurisdiction", on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("jurisdiction"))
    month = models.DateField(_("month"), help_text=_("The first day of the month reported on."))
    title = models.CharField(_("title"), max_length=120)
    pdf = models.FileField(_("PDF"), upload_to="reports/%Y/")
    size = models.PositiveIntegerField(default=0)
    figures = models.JSONField(default=dict, blank=True)
    generated_at = models.DateTimeField(_("generated"))
    generated_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    seconds = models.FloatField(default=0)

    class Meta:
        ordering = ["-month", "jurisdiction__path"]
        verbose_name = _("monthly report")
        constraints = [models.UniqueConstraint(fields=["jurisdiction", "month"], name="analytics_report_once")]

    def __str__(self) -> str:
        return self.title


class FigureSnapshot(models.Model):
    """A summary table of precomputed figures: each dashboard figure of the default view (the last twelve
    months, no other filter) for every jurisdiction, refreshed by the background job (`analytics_refresh`),
    so the view most users open costs one indexed read at any size. Other filters compute live."""

    name = models.CharField(max_length=20)
    scope_key = models.CharField(max_length=220)  # whose view: "p:<jurisdiction path>" or "e:<enterprise id>"
    query = models.CharField(max_length=300)  # the filters' query string
    data = models.JSONField()
    computed_at = models.DateTimeField()
    seconds = models.FloatField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["name", "scope_key", "query"], name="analytics_snapshot_once")]
