from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from parcelguard.trail.canonical import timestamp


class TrailEntry(models.Model):
    """One link of the hash-chained trace (全程闭环留痕). Written only by `trail_append`; on PostgreSQL a
    trigger refuses UPDATE and DELETE. `actor_name` keeps who acted even if the account is renamed."""

    seq = models.PositiveBigIntegerField(unique=True)
    at = models.DateTimeField()
    actor = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=60, db_index=True)
    subject = models.CharField(max_length=80, db_index=True)
    payload = models.JSONField(default=dict)
    evidence_hashes = models.JSONField(default=list)
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["seq"]
        verbose_name = _("trail entry")
        verbose_name_plural = _("trail entries")

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.subject}"

    def content(self) -> dict[str, Any]:
        """Exactly what the hash covers (together with prev_hash)."""
        return {
            "seq": self.seq, "at": timestamp(self.at), "actor": self.actor_name, "action": self.action,
            "subject": self.subject, "payload": self.payload, "evidence_hashes": list(self.evidence_hashes),
        }

    def as_dict(self) -> dict[str, Any]:
        return {**self.content(), "prev_hash": self.prev_hash, "entry_hash": self.entry_hash}


class VerifyRun(models.Model):
    """The outcome of each verification, shown on the trail page."""

    at = models.DateTimeField()
    by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    ok = models.BooleanField()
    entries = models.PositiveBigIntegerField(default=0)
    files = models.PositiveBigIntegerField(default=0)
    problem = models.TextField(blank=True)

    class Meta:
        ordering = ["-at"]
