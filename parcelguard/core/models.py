from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class UnmaskRecord(models.Model):
    """Every time a permitted user reveals one personal-data value, with the reason they gave."""

    scope_path = "actor__jurisdiction__path"
    scope_enterprise = "actor__enterprise_id"

    actor = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    model = models.CharField(max_length=40)
    object_id = models.BigIntegerField()
    field = models.CharField(max_length=40)
    reason = models.CharField(_("reason"), max_length=200)
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-at"]


class JobRun(models.Model):
    """One claimed time slot of one scheduled job (see parcelguard.core.schedule)."""

    job = models.CharField(max_length=40)
    slot = models.DateTimeField()
    enqueued_at = models.DateTimeField()

    class Meta:
        ordering = ["-slot"]
        constraints = [models.UniqueConstraint(fields=["job", "slot"], name="one_run_per_job_slot")]


class StatusChange(models.Model):
    """One step of one subject of any workflow (core.workflow): append-only, keyed by subject
    ("event:12", "warning:5"). Written only by `core.workflow.record`."""

    scope_path = "jurisdiction_path"
    scope_enterprise = "enterprise_id"

    flow = models.CharField(max_length=40)
    subject = models.CharField(max_length=80)
    object_id = models.BigIntegerField()
    action = models.CharField(max_length=40)
    from_state = models.CharField(max_length=30, blank=True)
    to_state = models.CharField(max_length=30)
    actor = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor_role = models.CharField(max_length=20)
    at = models.DateTimeField(db_index=True)
    reason = models.TextField(blank=True, max_length=2000)
    data = models.JSONField(default=dict, blank=True)
    trail_seq = models.BigIntegerField(null=True, blank=True)
    jurisdiction_path = models.CharField(max_length=200, blank=True, db_index=True)
    enterprise_id = models.BigIntegerField(null=True, blank=True)
    evidence = models.ManyToManyField("evidence.Evidence", blank=True, related_name="+")

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["subject", "at"], name="status_change_subject_at"),
                   models.Index(fields=["flow", "action", "at"], name="status_change_flow_action")]

    def __str__(self) -> str:
        return f"{self.subject} {self.action}"


class RateCounter(models.Model):
    """One fixed-window counter of a rate limit (core.ratelimit), shared by every server process.

    `key` names the limit, the client (and account) and the window; `expires` (Unix seconds) lets old
    windows be swept. Written only by `core.ratelimit`."""

    key = models.CharField(max_length=120, unique=True)
    count = models.PositiveIntegerField(default=0)
    expires = models.BigIntegerField(db_index=True)
