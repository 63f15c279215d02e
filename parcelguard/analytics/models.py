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


class EventCube(models.Model):
    """The monthly summary table (月度汇总表) that filtered dashboards aggregate instead of the events:
    counts of events per group of dimensions, rebuilt whole by the background job (`analytics.cube`).
    One table, four grains (see docs/analytics.md, "Speed"):

    - "c": month of report × county × brand × hazard type × handling tier;
    - "p": the same × closing month × due month (counts taken at the end of a past period);
    - "g": month of report × the event's jurisdiction path (its grid) × tier × closing month × due month;
    - "gb", "gt": month of report × grid × brand / hazard type × tier (areas under a brand or type filter);
    - "w", "y": segment (a week cut at the month's end) of report / of closing × county × type × tier (the
      trend; "wg"/"yg" by grid, "wb"/"yb" by county and brand);
    - "k": day a case was opened × county × brand × hazard type of its event (enforcement);
    - "f": day a case was decided × county × brand × hazard type (fines, their sum, admonitions);
    - "kg", "fg": the same by grid (no brand or type).

    Counts that depend on the moment they are taken at (due, overdue) are taken at `computed_at`; the
    closing and due months let a past whole-month period be taken at its own end."""

    scope_path = "path"

    grain = models.CharField(max_length=2)
    day = models.DateField()  # the month (its 1st day) for c, p, g…; the segment's first day for w…, y…; the day for k, f
    path = models.CharField(max_length=200)  # county path, or the event's jurisdiction path (g)
    brand = models.CharField(max_length=40, blank=True)  # "" = no enterprise (a tip-off); c, p, k, f
    type_id = models.IntegerField(null=True)  # hazard type (not g)
    escalated = models.BooleanField()  # handled at city tier
    closed_month = models.DateField(null=True)  # month of closing, closed events (p, g)
    due_month = models.DateField(null=True)  # first month whose end is at or after rectify_by, not rejected
    n = models.IntegerField()
    rejected = models.IntegerField(default=0)
    g_open = models.IntegerField(default=0)
    g_county = models.IntegerField(default=0)
    g_escalated = models.IntegerField(default=0)
    g_case = models.IntegerField(default=0)
    g_closed = models.IntegerField(default=0)
    ontime = models.IntegerField(default=0)  # closed before the rectification deadline
    rework_events = models.IntegerField(default=0)
    rework_total = models.IntegerField(default=0)
    due_now = models.IntegerField(default=0)  # open (not closed or rejected) with rectify_by <= computed_at
    overdue_now = models.IntegerField(default=0)  # open with deadline <= computed_at
    fines = models.IntegerField(default=0)  # grain f: fines decided
    fine_amount = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    admonitions = models.IntegerField(default=0)  # grain f: admonition interviews decided
    computed_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["grain", "day"], name="analytics_cube_grain_day")]
