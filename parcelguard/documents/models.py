from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DocType(models.TextChoices):
    REMINDER = "reminder", _("Reminder letter")
    RECTIFICATION = "rectification", _("Rectification notice")
    CASE_FILING = "case_filing", _("Case-filing approval form")
    PENALTY_NOTICE = "penalty_notice", _("Notice of proposed penalty")
    PENALTY_DECISION = "penalty_decision", _("Penalty decision")
    REPLY = "reply", _("Reply to a procuratorial recommendation")
    CLUE_TRANSFER = "clue_transfer", _("Clue transfer letter")


class DocumentCounter(models.Model):
    """The last number issued per issuing body, document type and year. Incremented under a row lock; never reset."""

    issuer = models.CharField(max_length=20, blank=True, default="")  # "" the bureau, else the county's code
    doc_type = models.CharField(max_length=30, choices=DocType.choices)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["issuer", "doc_type", "year"],
                                               name="documents_counter_issuer_unique")]


class Document(models.Model):
    """An issued official document (文书): its number (文号) and the PDF, stored as evidence."""

    issuer = models.CharField(max_length=20, blank=True, default="")  # the numbering series (issuers.Issuer.key)
    doc_type = models.CharField(max_length=30, choices=DocType.choices)
    number = models.CharField(_("document number"), max_length=60, unique=True)
    year = models.PositiveSmallIntegerField()
    seq = models.PositiveIntegerField()
    evidence = models.ForeignKey("evidence.Evidence", on_delete=models.PROTECT, related_name="+")
    subject = models.CharField(max_length=80, db_index=True)
    issued_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    issued_at = models.DateTimeField()

    class Meta:
        ordering = ["-issued_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["issuer", "doc_type", "year", "seq"],
                                               name="documents_issuer_number_unique")]

    def __str__(self) -> str:
        return self.number
