"""Procuratorial oversight (检察监督): the procuratorate's public-interest case files (公益诉讼案件) with
their investigation record, its recommendations (检察建议) to the postal bureau item by item, the reply
clock, the follow-up (跟进调查), the suit (行政公益诉讼) and its compliance checks — and the bureau's side:
rectification tasks per item and the written reply (书面回复) built from its own records.

Who writes what: the procurator writes case files, investigation records, recommendations, items,
item checks and suits; the city bureau writes tasks and the reply. Neither writes the other's objects,
and the procurator never writes an event, a case or a registry record (those flows do not list it)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Matter(models.TextChoices):
    HUB_HAZARDS = "hub_hazards", _("Hazards at a sorting hub")
    SCREENING = "screening", _("Security screening (X-ray) not done")
    WAYBILL_PRIVACY = "waybill_privacy", _("Waybills not de-identified")
    FIRE_SAFETY = "fire_safety", _("Fire safety")
    OTHER = "other", pgettext_lazy("matter", "Other")


class CaseState(models.TextChoices):
    OPEN = "open", pgettext_lazy("case file", "Open")
    CLOSED = "closed", pgettext_lazy("case file", "Closed")


class CaseFile(models.Model):
    """A public-interest case file (公益诉讼案件) of the procuratorate against the bureau of `jurisdiction`."""

    scope_path = "jurisdiction_path"

    number = models.CharField(_("case number"), max_length=80, unique=True)
    procuratorate = models.CharField(_("procuratorate"), max_length=100)
    matter = models.CharField(_("matter"), max_length=20, choices=Matter.choices)
    summary = models.TextField(_("summary"), max_length=4000)
    jurisdiction = models.ForeignKey("accounts.Jurisdiction", on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("supervised bureau's area"))
    jurisdiction_path = models.CharField(max_length=200, db_index=True)
    sites = models.ManyToManyField("registry.Site", blank=True, related_name="+", verbose_name=_("sites"))
    enterprises = models.ManyToManyField("registry.Enterprise", blank=True, related_name="+",
                                         verbose_name=_("enterprises"))
    opened_on = models.DateField(_("opened on"))
    state = models.CharField(_("status"), max_length=10, choices=CaseState.choices, default=CaseState.OPEN)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-opened_on", "-pk"]

    def __str__(self) -> str:
        return self.number


class RecordKind(models.TextChoices):
    ON_SITE = "on_site", _("On-site check")
    JOINT = "joint", _("Joint inspection with the bureau")
    CONSULTATION = "consultation", _("Consultation meeting (磋商)")
    HEARING = "hearing", _("Public hearing (公开听证)")


class Investigation(models.Model):
    """One entry of a case file's investigation record; its evidence's hashes are on the trail."""

    scope_path = "case__jurisdiction_path"

    case = models.ForeignKey(CaseFile, on_delete=models.PROTECT, related_name="investigations")
    kind = models.CharField(_("kind"), max_length=20, choices=RecordKind.choices)
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    participants = models.CharField(_("participants"), max_length=500, blank=True)
    findings = models.TextField(_("findings"), max_length=4000)
    supervisors_opinion = models.TextField(_("people's supervisors' opinion"), max_length=2000, blank=True)
    evidence = models.ManyToManyField("evidence.Evidence", blank=True, related_name="+")
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()
    trail_seq = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["held_on", "pk"]


class RecState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("recommendation", "Draft")
    SERVED = "served", _("Served, awaiting the reply")
    REPLIED = "replied", _("Replied")
    FOLLOWED_UP = "followed_up", _("Followed up")
    SUED = "sued", _("Suit filed")
    JUDGED = "judged", _("Judged; compliance checks")
    CLOSED = "closed", pgettext_lazy("recommendation", "Closed")


class ServiceMethod(models.TextChoices):
    DIRECT = "direct", _("Served directly")
    ANNOUNCED = "announced", _("Served by public announcement (宣告送达)")
    MAIL = "mail", _("Served by mail")


class Recommendation(models.Model):
    """A procuratorial recommendation (检察建议) addressed to the bureau of `jurisdiction`. Serving it
    starts the reply clock (`due_on`, the last day to reply)."""

    scope_path = "jurisdiction_path"

    case = models.ForeignKey(CaseFile, on_delete=models.PROTECT, related_name="recommendations",
                             verbose_name=_("case file"))
    number = models.CharField(_("document number"), max_length=80, unique=True)  # the procuratorate's 文号
    title = models.CharField(_("title"), max_length=200)
    addressee = models.CharField(_("addressee"), max_length=100)
    jurisdiction = models.ForeignKey("accounts.Jurisdiction", on_delete=models.PROTECT, related_name="+")
    jurisdiction_path = models.CharField(max_length=200, db_index=True)
    issued_on = models.DateField(_("issued on"))
    urgent = models.BooleanField(_("urgent (15-day reply)"), default=False)
    state = models.CharField(_("status"), max_length=20, choices=RecState.choices, default=RecState.DRAFT)
    version = models.PositiveIntegerField(default=1)
    served_on = models.DateField(_("served on"), null=True, blank=True)
    service_method = models.CharField(_("service"), max_length=12, choices=ServiceMethod.choices, blank=True)
    received_by = models.CharField(_("received by"), max_length=100, blank=True)
    due_on = models.DateField(_("reply due"), null=True, blank=True, db_index=True)
    original_due_on = models.DateField(_("reply due before the extension"), null=True, blank=True)
    extension_reason = models.TextField(_("reason for the extension"), max_length=2000, blank=True)
    replied_at = models.DateTimeField(_("replied"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-issued_on", "-pk"]

    def __str__(self) -> str:
        return self.number

    @property
    def extended(self) -> bool:
        return self.original_due_on is not None


class Finding(models.TextChoices):
    RECTIFIED = "rectified", _("Rectified")
    PARTLY = "partly", _("Partly rectified")
    NOT_RECTIFIED = "not_rectified", _("Not rectified")


class Item(models.Model):
    """One numbered problem of a recommendation, linked to what the platform already knows of it."""

    scope_path = "recommendation__jurisdiction_path"

    recommendation = models.ForeignKey(Recommendation, on_delete=models.PROTECT, related_name="items")
    position = models.PositiveSmallIntegerField(_("no."))
    problem = models.TextField(_("problem found"), max_length=2000)
    request = models.TextField(_("what is recommended"), max_length=2000)
    sites = models.ManyToManyField("registry.Site", blank=True, related_name="+", verbose_name=_("sites"))
    events = models.ManyToManyField("events.Event", blank=True, related_name="+", verbose_name=_("hazard events"))
    warnings = models.ManyToManyField("parcels.EarlyWarning", blank=True, related_name="+",
                                      verbose_name=_("early warnings"))
    samples = models.ManyToManyField("privacy.WaybillSample", blank=True, related_name="+",
                                     verbose_name=_("waybill audit results"))
    finding = models.CharField(_("last finding"), max_length=15, choices=Finding.choices, blank=True)

    class Meta:
        ordering = ["recommendation_id", "position"]
        constraints = [models.UniqueConstraint(fields=["recommendation", "position"], name="oversight_item_position")]

    def __str__(self) -> str:
        return f"{self.recommendation.number} ({self.position})"


class Task(models.Model):
    """The bureau's rectification task for one item, assigned to a county: linked to a hazard event of
    the normal workflow (whose closing is its evidence), or done by the bureau itself with evidence."""

    scope_path = "jurisdiction_path"

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="tasks")
    county = models.ForeignKey("accounts.Jurisdiction", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("county / district"))
    jurisdiction_path = models.CharField(max_length=200, db_index=True)
    title = models.CharField(_("task"), max_length=200)
    event = models.ForeignKey("events.Event", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("hazard event"))
    due_on = models.DateField(_("to be done by"))
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_note = models.TextField(_("what was done"), max_length=2000, blank=True)
    evidence = models.ManyToManyField("evidence.Evidence", blank=True, related_name="+")
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["item_id", "pk"]


class Reply(models.Model):
    """The bureau's written reply (书面回复): the numbered PDF and the item-by-item content it printed."""

    scope_path = "recommendation__jurisdiction_path"

    recommendation = models.OneToOneField(Recommendation, on_delete=models.PROTECT, related_name="reply")
    document = models.ForeignKey("documents.Document", on_delete=models.PROTECT, related_name="+")
    content = models.JSONField(default=dict)
    issued_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField()
    late = models.BooleanField(default=False)


class CheckRound(models.TextChoices):
    FOLLOW_UP = "follow_up", _("Follow-up investigation")
    COMPLIANCE = "compliance", _("Compliance check after the judgment")


class ItemCheck(models.Model):
    """The procurator's on-site check of one item after the reply (or after the judgment)."""

    scope_path = "item__recommendation__jurisdiction_path"

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="checks")
    round = models.CharField(_("round"), max_length=12, choices=CheckRound.choices)
    result = models.CharField(_("result"), max_length=15, choices=Finding.choices)
    note = models.TextField(_("what was found"), max_length=2000)
    checked_on = models.DateField(_("checked on"))
    evidence = models.ManyToManyField("evidence.Evidence", blank=True, related_name="+")
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["checked_on", "pk"]


class Suit(models.Model):
    """An administrative public-interest suit (行政公益诉讼) after a recommendation that was not answered
    by performance."""

    scope_path = "recommendation__jurisdiction_path"

    recommendation = models.OneToOneField(Recommendation, on_delete=models.PROTECT, related_name="suit")
    court = models.CharField(_("court"), max_length=100)
    case_number = models.CharField(_("court case number"), max_length=80)
    filed_on = models.DateField(_("filed on"))
    claims = models.TextField(_("claims"), max_length=4000)
    judgment = models.TextField(_("judgment"), max_length=4000, blank=True)
    judged_on = models.DateField(_("judged on"), null=True, blank=True)
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()
