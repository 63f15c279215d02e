"""Privacy-waybill samples (隐私面单抽查): one audited waybill of an enterprise, seen at one of its sites.

A sample never holds the personal data it found: only the masked text, each finding's type, offsets,
masked form and reason. The photo itself is evidence (immutable, served only to whoever may see it).
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class SampleSource(models.TextChoices):
    PHOTO = "photo", _("Photo")
    TEXT = "text", _("Text")


class WaybillSample(models.Model):
    scope_path = "site__jurisdiction_path"
    scope_enterprise = "enterprise_id"

    enterprise = models.ForeignKey("registry.Enterprise", on_delete=models.PROTECT, related_name="waybill_samples",
                                   verbose_name=_("enterprise"))
    site = models.ForeignKey("registry.Site", on_delete=models.PROTECT, related_name="waybill_samples",
                             verbose_name=_("site"))
    source = models.CharField(_("source"), max_length=10, choices=SampleSource.choices)
    photo = models.ForeignKey("evidence.Evidence", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+", verbose_name=_("photo"))
    blurred = models.ForeignKey("evidence.Evidence", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+", verbose_name=_("blurred copy"))
    image_width = models.PositiveIntegerField(null=True, blank=True)
    image_height = models.PositiveIntegerField(null=True, blank=True)
    audited_at = models.DateTimeField(_("audited"), db_index=True)
    auditor = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("auditor"))
    compliant = models.BooleanField(_("compliant"))
    masked_text = models.TextField(_("masked text"), blank=True)
    findings = models.JSONField(_("findings"), default=list)
    summary = models.CharField(_("summary"), max_length=500, blank=True)
    event = models.ForeignKey("events.Event", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("hazard event"))

    class Meta:
        ordering = ["-audited_at", "-pk"]
        verbose_name = _("waybill sample")
        indexes = [models.Index(fields=["enterprise", "audited_at"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.site}"

    @property
    def failing(self) -> list[dict[str, Any]]:
        return [f for f in self.findings if not f.get("meets_standard")]

    @property
    def reasons(self) -> list[str]:
        return [f["reason"] for f in self.failing if f.get("reason")]
