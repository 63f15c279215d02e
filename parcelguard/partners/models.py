"""Inter-department coordination (部门协作联动): partner departments with their liaison contacts and the
memoranda signed with them, joint meetings (联席会议) whose decisions are tracked action items, and clue
transfers (线索移送, 行刑衔接) to and from partners.

Partners have no accounts yet. Every partner row carries a stable `code`; a later `accounts.User.partner`
(or a partner role scoped by `Transfer.partner_id`) can hang on it without changing these tables."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from parcelguard.accounts.roles import Role


class PartnerKind(models.TextChoices):
    POLICE = "police", _("Public security")  # 公安
    STATE_SECURITY = "state_security", _("State security")  # 国家安全
    MARKET = "market", _("Market regulation")  # 市场监管
    FIRE = "fire", _("Fire and rescue")  # 消防救援
    TRANSPORT = "transport", _("Transport")  # 交通运输
    CUSTOMS = "customs", _("Customs")  # 海关
    TOBACCO = "tobacco", _("Tobacco monopoly")  # 烟草专卖
    OTHER = "other", pgettext_lazy("partner kind", "Other")


class Partner(models.Model):
    """A partner department (公安局, 市场监督管理局, …) at one node of the jurisdiction tree."""

    scope_path = "jurisdiction_path"

    code = models.SlugField(_("code"), max_length=40, unique=True)  # what a future partner account names
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=PartnerKind.choices)
    jurisdiction = models.ForeignKey("accounts.Jurisdiction", on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("jurisdiction"))
    jurisdiction_path = models.CharField(max_length=200, db_index=True, editable=False)
    address = models.CharField(_("address"), max_length=200, blank=True)
    feedback_days = models.PositiveSmallIntegerField(
        _("feedback period (days)"), null=True, blank=True,
        help_text=_("Empty: the platform's default period for clue feedback."))
    feedback_working_days = models.BooleanField(_("counted in working days"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"))

    class Meta:
        ordering = ["jurisdiction_path", "kind", "name"]
        verbose_name = _("partner department")

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    """A liaison (联络员) of a partner department. The phone is personal data: masked on screen."""

    scope_path = "partner__jurisdiction_path"
    pii_fields = ("phone",)

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="contacts")
    name = models.CharField(_("name"), max_length=40)
    title = models.CharField(_("position"), max_length=60, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    primary = models.BooleanField(_("main liaison"), default=False)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["partner_id", "-primary", "name"]
        verbose_name = _("liaison contact")

    def __str__(self) -> str:
        return f"{self.name}（{self.partner.name}）"


class Memorandum(models.Model):
    """A memorandum of understanding (合作备忘录) signed with one or more partners: its PDF is evidence."""

    scope_path = "jurisdiction_path"

    title = models.CharField(_("title"), max_length=160)
    partners = models.ManyToManyField(Partner, related_name="memoranda", verbose_name=_("partner departments"))
    jurisdiction_path = models.CharField(max_length=200, db_index=True)
    signed_on = models.DateField(_("signed on"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    scope = models.TextField(_("scope"), max_length=2000)
    document = models.ForeignKey("evidence.Evidence", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("document"))
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"))

    class Meta:
        ordering = ["-signed_on", "-pk"]
        verbose_name = _("memorandum")

    def __str__(self) -> str:
        return self.title


class MeetingState(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", pgettext_lazy("meeting state", "Cancelled")


class Meeting(models.Model):
    """A joint meeting (联席会议): agenda, attending departments and people, minutes."""

    scope_path = "jurisdiction_path"

    title = models.CharField(_("title"), max_length=160)
    jurisdiction_path = models.CharField(max_length=200, db_index=True)
    starts_at = models.DateTimeField(_("time"))
    place = models.CharField(_("place"), max_length=160)
    agenda = models.TextField(_("agenda"), max_length=4000)
    partners = models.ManyToManyField(Partner, related_name="meetings", verbose_name=_("partner departments"))
    attendees = models.TextField(_("attendees"), max_length=4000, blank=True)  # one "name, unit, position" a line
    minutes = models.TextField(_("minutes"), max_length=20000, blank=True)
    minutes_file = models.ForeignKey("evidence.Evidence", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("signed minutes"))
    state = models.CharField(_("status"), max_length=12, choices=MeetingState.choices, default=MeetingState.PLANNED)
    version = models.PositiveIntegerField(default=1)
    convened_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"))
    held_at = models.DateTimeField(_("minutes recorded"), null=True, blank=True)

    class Meta:
        ordering = ["-starts_at", "-pk"]
        verbose_name = _("joint meeting")

    def __str__(self) -> str:
        return self.title

    @classmethod
    def scope_queryset(cls, qs: models.QuerySet[Any], user: Any) -> models.QuerySet[Any]:
        """The meetings of the user's area, and a higher tier's meeting that gave the user's area a decision
        to carry out (a county centre reads the city's meeting that assigned it work)."""
        if user.role == Role.ENTERPRISE or user.jurisdiction_id is None:
            return qs.none()
        path = user.jurisdiction.path
        mine = ActionItem.objects.filter(jurisdiction_path__startswith=path).values("meeting_id")
        return qs.filter(models.Q(jurisdiction_path__startswith=path) | models.Q(pk__in=mine))

    def attendee_lines(self) -> list[str]:
        return [line.strip() for line in self.attendees.splitlines() if line.strip()]


class ActionState(models.TextChoices):
    OPEN = "open", pgettext_lazy("action item", "Open")
    DONE = "done", pgettext_lazy("action item", "Done")
    CANCELLED = "cancelled", pgettext_lazy("action item", "Cancelled")


class ActionItem(models.Model):
    """A decision of a joint meeting (会议议定事项) tracked to its end: an owner in the bureau (who answers
    for it), the partner that acts, if any, and a due day."""

    scope_path = "jurisdiction_path"

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="actions")
    jurisdiction_path = models.CharField(max_length=200, db_index=True)
    text = models.TextField(_("decision"), max_length=2000)
    owner = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("owner"))
    partner = models.ForeignKey(Partner, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("partner department"))
    due_at = models.DateTimeField(_("due"), db_index=True)
    state = models.CharField(_("status"), max_length=12, choices=ActionState.choices, default=ActionState.OPEN)
    version = models.PositiveIntegerField(default=1)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    note = models.TextField(_("result"), max_length=2000, blank=True)

    class Meta:
        ordering = ["due_at", "pk"]
        verbose_name = _("action item")

    def __str__(self) -> str:
        return self.text[:40]


class Direction(models.TextChoices):
    OUTGOING = "outgoing", _("Transferred by us")
    INCOMING = "incoming", _("Received from a partner")


class TransferState(models.TextChoices):
    SENT = "sent", _("Transferred")
    RECEIVED = "received", _("Receipt returned")
    ANSWERED = "answered", _("Feedback received")
    CLOSED = "closed", pgettext_lazy("transfer state", "Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    REGISTERED = "registered", _("Registered as a hazard event")


class ClueKind(models.TextChoices):
    CONTRABAND = "contraband", _("Suspected prohibited items")  # 禁寄物品
    DRUGS = "drugs", _("Suspected drugs")
    WEAPONS = "weapons", _("Suspected guns, ammunition or explosives")
    FRAUD = "fraud", _("Suspected fraud (sender spread, fake identities)")
    WILDLIFE = "wildlife", _("Suspected wildlife products")
    COUNTERFEIT = "counterfeit", _("Suspected counterfeit goods")
    FIRE = "fire", _("Fire hazard beyond our powers")
    TRANSPORT = "transport", _("Illegal transport operation")
    OTHER = "other", pgettext_lazy("clue kind", "Other")


class Feedback(models.TextChoices):
    CASE_OPENED = "case_opened", pgettext_lazy("clue feedback", "Case opened")  # 已立案
    NOT_OPENED = "not_opened", _("No case opened")  # 不予立案
    HANDLED = "handled", _("Dealt with by the partner")  # 已依法处理
    FORWARDED = "forwarded", _("Passed to another body")  # 已移交其他部门
    UNFOUNDED = "unfounded", _("Clue not confirmed")  # 经查不实


class Transfer(models.Model):
    """One clue transfer: sent by the bureau to a partner (with the letter and the evidence), or received
    from a partner (and entered as a hazard event). The feedback deadline is a column, swept by the work
    queue and the duty record."""

    scope_path = "jurisdiction_path"

    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="transfers",
                                verbose_name=_("partner department"))
    jurisdiction_path = models.CharField(max_length=200, db_index=True)
    kind = models.CharField(_("clue"), max_length=20, choices=ClueKind.choices)
    summary = models.TextField(_("facts"), max_length=4000)
    request = models.TextField(_("what we ask"), max_length=1000, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True)
    event = models.ForeignKey("events.Event", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("hazard event"))
    case = models.ForeignKey("events.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("case"))
    warning = models.ForeignKey("parcels.EarlyWarning", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+", verbose_name=_("early warning"))
    memorandum = models.ForeignKey(Memorandum, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    document = models.ForeignKey("documents.Document", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("transfer letter"))
    number = models.CharField(_("document number"), max_length=60, blank=True)  # ours, or the partner's 来函文号
    state = models.CharField(_("status"), max_length=12, choices=TransferState.choices, db_index=True)
    version = models.PositiveIntegerField(default=1)
    sent_at = models.DateTimeField(_("transferred"), db_index=True)  # for an incoming clue: when received
    sent_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    feedback_due = models.DateTimeField(_("feedback due"), null=True, blank=True, db_index=True)
    receipt_at = models.DateTimeField(_("receipt returned"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("last chased"), null=True, blank=True)
    reminders = models.PositiveSmallIntegerField(_("times chased"), default=0)
    feedback_at = models.DateTimeField(_("feedback received"), null=True, blank=True)
    feedback = models.CharField(_("feedback"), max_length=12, choices=Feedback.choices, blank=True)
    feedback_text = models.TextField(_("feedback text"), max_length=4000, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"))

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = _("clue transfer")
        indexes = [models.Index(fields=["direction", "state", "feedback_due"], name="partners_transfer_due")]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"

    @classmethod
    def scope_queryset(cls, qs: models.QuerySet[Any], user: Any) -> models.QuerySet[Any]:
        """Clues for the police are not for grid workers or enterprises (a clue may be about them)."""
        if user.role in (Role.GRID_WORKER, Role.ENTERPRISE) or user.jurisdiction_id is None:
            return qs.none()
        return qs.filter(jurisdiction_path__startswith=user.jurisdiction.path)

    @property
    def source_label(self) -> str:
        if self.case_id:
            return f"case:{self.case_id}"
        if self.warning_id:
            return f"warning:{self.warning_id}"
        return f"event:{self.event_id}" if self.event_id else ""
