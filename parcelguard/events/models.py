"""The business-management library (业务管理库): hazard events driven to closure through three tiers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from parcelguard.core import clock
from parcelguard.events import deadlines
from parcelguard.events.states import TERMINAL, RewardStatus, State, Tier


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class Source(models.TextChoices):
    GRID_WORKER = "grid_worker", _("Grid worker patrol")  # 网格员巡查
    COUNTY = "county", _("County centre")
    CITY = "city", _("City bureau")
    INSPECTION = "inspection", _("Inspection")  # 执法检查
    PARCEL_ANALYSIS = "parcel_analysis", _("Parcel analysis")  # 数据分析
    PUBLIC = "public", _("Public tip-off")  # 社会公众举报
    PARTNER = "partner", _("Partner department")  # 部门移送 (parcelguard/partners)


class HazardType(models.Model):
    """The configurable taxonomy of hazards (隐患类型), each with its default severity and the
    rectification period a reminder letter gives: N calendar days or N working days."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    default_severity = models.CharField(_("default severity"), max_length=10, choices=Severity.choices,
                                        default=Severity.MEDIUM)
    rectify_days = models.PositiveSmallIntegerField(_("rectification period (days)"), default=5)
    working_days = models.BooleanField(_("counted in working days"), default=False)
    requirement = models.CharField(_("what the reminder asks"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("hazard type")

    def __str__(self) -> str:
        return self.name

    def rectify_deadline(self, start: dt.date) -> dt.datetime:
        return deadlines.deadline_after(start, self.rectify_days, self.working_days)


class LegalBasis(models.Model):
    """The maintained list of legal bases a penalty may rest on, with the range of the fine (yuan)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    title = models.CharField(_("legal basis"), max_length=200)
    violation = models.CharField(_("violation"), max_length=200)
    # A decision names the article the party violated and the article the penalty is applied under.
    violated_article = models.CharField(_("article violated"), max_length=200, blank=True)
    penalty_article = models.CharField(_("article applied"), max_length=200, blank=True)
    min_amount = models.DecimalField(_("minimum fine"), max_digits=12, decimal_places=2, default=Decimal(0))
    max_amount = models.DecimalField(_("maximum fine"), max_digits=12, decimal_places=2)
    note = models.CharField(_("note"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("legal basis")
        verbose_name_plural = _("legal bases")

    def __str__(self) -> str:
        return f"{self.title} ({self.min_amount:,.0f}–{self.max_amount:,.0f})"

    def allows(self, amount: Decimal) -> bool:
        return self.min_amount <= amount <= self.max_amount


class Event(models.Model):
    """A hazard at a site (or, for a tip-off, at a place in a county) and where its handling stands."""

    scope_path = "jurisdiction_path"
    scope_enterprise = "enterprise_id"

    hazard_type = models.ForeignKey(HazardType, on_delete=models.PROTECT, related_name="events",
                                    verbose_name=_("hazard type"))
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    description = models.TextField(_("description"), max_length=2000)
    site = models.ForeignKey("registry.Site", null=True, blank=True, on_delete=models.PROTECT, related_name="events",
                             verbose_name=_("site"))
    enterprise = models.ForeignKey("registry.Enterprise", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="events", verbose_name=_("enterprise"))
    county = models.ForeignKey("accounts.Jurisdiction", on_delete=models.PROTECT, related_name="county_events",
                               verbose_name=_("county / district"))
    jurisdiction_path = models.CharField(max_length=200, editable=False, db_index=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.REPORTED,
                             db_index=True)
    tier = models.CharField(_("tier"), max_length=10, choices=Tier.choices, default=Tier.COUNTY)
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True, db_index=True,
                                    help_text=_("When the current step is due."))
    rectify_by = models.DateTimeField(_("rectify by"), null=True, blank=True)
    rework_count = models.PositiveSmallIntegerField(_("rework"), default=0)  # 返工次数
    reporter = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="reported_events", verbose_name=_("reporter"))
    reported_at = models.DateTimeField(_("reported"), db_index=True)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"))
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-reported_at", "-pk"]
        verbose_name = _("hazard event")
        indexes = [
            models.Index(fields=["state", "deadline"]),
            models.Index(fields=["tier", "state"]),
            # The dashboards filter by period and aggregate these columns: a covering index on
            # PostgreSQL answers them from the index alone (SQLite ignores INCLUDE).
            models.Index(fields=["reported_at"], name="event_reported_covering",
                         include=["jurisdiction_path", "hazard_type", "enterprise", "state", "escalated_at",
                                  "closed_at", "rectify_by", "deadline", "rework_count"]),
            # Time to close (median, 90th percentile) cannot come from the summary table: it reads the
            # closed events of a county or grid from this index alone (path prefix, then period).
            models.Index(fields=["jurisdiction_path", "reported_at"], name="event_closed_by_path",
                         opclasses=["varchar_pattern_ops", ""], condition=models.Q(state="closed"),
                         include=["escalated_at", "closed_at", "hazard_type", "enterprise"]),
            # ... and the closed events of the whole city (a type, brand or tier filter) by period
            models.Index(fields=["reported_at"], name="event_closed_by_report", condition=models.Q(state="closed"),
                         include=["escalated_at", "closed_at", "hazard_type", "enterprise", "jurisdiction_path"]),
            # ... and by the moment of closing (the trend's closed series at a period's edges)
            models.Index(fields=["closed_at"], name="event_closed_at", condition=models.Q(state="closed"),
                         include=["escalated_at", "hazard_type", "enterprise", "jurisdiction_path"]),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.hazard_type}"

    @property
    def is_open(self) -> bool:
        return self.state not in TERMINAL

    @property
    def deadline_status(self) -> str:
        return deadlines.status(self.deadline, clock.now()) if self.is_open else ""

    @property
    def due_day(self) -> dt.date | None:
        return deadlines.day_of(self.deadline) if self.deadline else None

    @property
    def where(self) -> str:
        from parcelguard.core.pii import mask_text

        return str(self.site) if self.site_id else mask_text(self.place)  # a tip-off's place may name a person


class Transition(models.Model):
    """One step of one event: append-only. The timeline on screen, the notification outbox and the source
    of the trail entry. Written only by `events.services._record`."""

    scope_path = "event__jurisdiction_path"
    scope_enterprise = "event__enterprise_id"

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="transitions")
    action = models.CharField(max_length=30)
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20)
    actor = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor_role = models.CharField(max_length=20)
    at = models.DateTimeField(db_index=True)
    reason = models.TextField(blank=True, max_length=2000)
    data = models.JSONField(default=dict, blank=True)
    document_number = models.CharField(max_length=60, blank=True)
    trail_seq = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["event", "action", "at"], name="transition_event_action_at")]

    def __str__(self) -> str:
        return f"{self.event_id} {self.action}"

    @property
    def label(self) -> Any:
        from parcelguard.events.states import STEPS_BY_ACTION

        found = STEPS_BY_ACTION.get(self.action)
        return found.label if found else self.action

    @property
    def to_label(self) -> Any:
        return State(self.to_state).label if self.to_state in State.values else self.to_state

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            from parcelguard.core.errors import Conflict

            raise Conflict("A transition is never changed once written.", code="transition_immutable")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        from parcelguard.core.errors import Conflict

        raise Conflict("A transition is never deleted.", code="transition_immutable")


class TransitionEvidence(models.Model):
    """The evidence a step carried: the files the user attached and the documents it issued."""

    transition = models.ForeignKey(Transition, on_delete=models.PROTECT, related_name="attachments")
    evidence = models.ForeignKey("evidence.Evidence", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=[("upload", "upload"), ("document", "document")],
                            default="upload")

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["transition", "evidence"], name="events_attachment_once")]


class StepLapse(models.Model):
    """One missed step of one event, recorded once (events.clocks.sweep): which step, whose it was, when it
    was due and to whom it was escalated. The unique constraint makes the sweep safe to run twice."""

    scope_path = "event__jurisdiction_path"
    scope_enterprise = "event__enterprise_id"

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="lapses")
    state = models.CharField(max_length=20)
    due = models.DateTimeField()
    owner_role = models.CharField(max_length=20)
    escalated_to = models.CharField(max_length=20, blank=True)  # "" = nobody above (the duty record)
    at = models.DateTimeField()

    class Meta:
        ordering = ["due", "pk"]
        constraints = [models.UniqueConstraint(fields=["event", "state", "due"], name="events_lapse_once")]
        indexes = [models.Index(fields=["escalated_to", "state"], name="lapse_escalated_to")]


class Outcome(models.TextChoices):
    FINE = "fine", _("Fine")  # 罚款
    ADMONITION = "admonition", _("Admonition interview, no penalty")  # 约谈


class Case(models.Model):
    """The city bureau's enforcement case (立案) for one escalated event, and its clocks."""

    scope_path = "event__jurisdiction_path"
    scope_enterprise = "event__enterprise_id"

    event = models.OneToOneField(Event, on_delete=models.PROTECT, related_name="case")
    opened_at = models.DateTimeField(_("case opened"))
    decide_by = models.DateTimeField(_("decide by"))
    extended = models.BooleanField(_("extended by 30 days"), default=False)
    notified_at = models.DateTimeField(_("penalty notified"), null=True, blank=True)
    defence_by = models.DateTimeField(_("defence or hearing request by"), null=True, blank=True)
    defence = models.TextField(_("defence"), blank=True)
    hearing_requested = models.BooleanField(_("hearing requested"), default=False)
    legal_basis = models.ForeignKey(LegalBasis, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("legal basis"))
    proposed_amount = models.DecimalField(_("proposed fine"), max_digits=12, decimal_places=2, null=True,
                                          blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True)
    amount = models.DecimalField(_("fine"), max_digits=12, decimal_places=2, null=True, blank=True)
    serve_by = models.DateTimeField(_("serve by"), null=True, blank=True)
    served_at = models.DateTimeField(_("served"), null=True, blank=True)
    pay_by = models.DateTimeField(_("pay by"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    enforced = models.BooleanField(_("enforced"), default=False)

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = _("case")
        indexes = [models.Index(fields=["decide_by"], name="case_decide_by")]

    def clocks(self) -> list[Any]:
        """The case clocks (events.clocks.case_clocks): running, met, missed or not applicable."""
        from parcelguard.events.clocks import case_clocks

        return case_clocks(self, self.event.state)

    @property
    def overdue(self) -> list[Any]:
        return [c for c in self.clocks() if c.state == "missed"]


class NotificationKind(models.TextChoices):
    ASSIGNED = "assigned", _("Waiting for you")
    DEADLINE_NEAR = "deadline_near", _("Deadline near")
    OVERDUE = "overdue", _("Overdue")
    ESCALATED = "escalated", _("Escalated")
    ANSWERED = "answered", _("Answered")
    UPDATE = "update", _("Update")


class Notification(models.Model):
    """The in-app inbox: one row per recipient, keyed by the subject it is about in the trail's form
    ("event:12", "reward:3") with the page to open; `event` is set when the subject is an event or
    belongs to one. `key` makes the sweep's reminders idempotent."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="notifications")
    subject = models.CharField(max_length=80, db_index=True, default="")
    url = models.CharField(max_length=200, blank=True)
    event = models.ForeignKey(Event, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications")
    transition = models.ForeignKey(Transition, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    message = models.CharField(max_length=300)
    key = models.CharField(max_length=80)
    created_at = models.DateTimeField(db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="events_notification_once")]
        indexes = [models.Index(fields=["user", "read_at"])]


class TipOff(models.Model):
    """A report from the public (举报). The reporter's name and phone are shown masked."""

    scope_path = "event__jurisdiction_path"

    event = models.OneToOneField(Event, on_delete=models.PROTECT, related_name="tipoff")
    anonymous = models.BooleanField(_("anonymous"), default=True)
    reporter_name = models.CharField(_("reporter name"), max_length=40, blank=True)
    reporter_phone = models.CharField(_("reporter phone"), max_length=30, blank=True)
    ip_hash = models.CharField(max_length=64, blank=True)

    pii_fields = ("reporter_name", "reporter_phone")


class Reward(models.Model):
    """The reward ledger (举报奖励): a substantiated tip-off earns a reward, approved then paid."""

    scope_path = "event__jurisdiction_path"

    event = models.OneToOneField(Event, on_delete=models.PROTECT, related_name="reward")
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2)
    status = models.CharField(_("status"), max_length=10, choices=RewardStatus.choices,
                              default=RewardStatus.PROPOSED)
    proposed_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField()
    approved_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    payment_ref = models.CharField(_("payment reference"), max_length=60, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1)  # bumped by every step (core.workflow)

    class Meta:
        ordering = ["-proposed_at"]
