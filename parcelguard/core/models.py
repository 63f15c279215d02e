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
