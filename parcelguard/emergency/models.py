"""Emergency management (应急管理): enterprises' emergency plans (应急预案/专项预案), drills (应急演练) with
the action items their problems become, and incidents (突发事件) routed up the tiers against the clock."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


def _visible_enterprises(user: Any) -> Any:
    from parcelguard.accounts.scoping import scope
    from parcelguard.registry.models import Enterprise

    return scope(user, Enterprise).values("pk")


class PlanKind(models.TextChoices):
    GENERAL = "general", _("Comprehensive emergency plan")
    SUSPICIOUS = "suspicious", _("Special plan: suspicious parcels")
    FIRE = "fire", _("Special plan: fire")
    BACKLOG = "backlog", _("Special plan: mass backlog")
    DATA = "data", _("Special plan: data leak")
    WEATHER = "weather", _("Special plan: severe weather")


class Plan(models.Model):
    """One version of an enterprise's emergency plan of one kind. Filing a new one supersedes the previous
    one of the same kind (kept, marked superseded). Valid while not superseded and before its review date
    (at most three years after approval)."""

    enterprise = models.ForeignKey("registry.Enterprise", on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("enterprise"))
    kind = models.CharField(_("kind"), max_length=20, choices=PlanKind.choices)
    title = models.CharField(_("title"), max_length=200)
    version_label = models.CharField(_("version"), max_length=30)
    approved_by = models.CharField(_("approved by"), max_length=80)
    approved_on = models.DateField(_("approved on"))
    review_on = models.DateField(_("review due"))
    file = models.ForeignKey("evidence.Evidence", on_delete=models.PROTECT, related_name="+", verbose_name=_("file"))
    pages = models.PositiveIntegerField(_("pages"), default=0)
    filed_at = models.DateTimeField(_("filed"))
    filed_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    superseded_by = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["enterprise_id", "kind", "-filed_at"]
        constraints = [models.UniqueConstraint(fields=["enterprise", "kind"], condition=Q(superseded_at__isnull=True),
                                               name="emergency_one_current_plan_a_kind")]

    def __str__(self) -> str:
        return f"{self.title} {self.version_label}"

    @classmethod
    def scope_queryset(cls, qs: models.QuerySet[Plan], user: Any) -> models.QuerySet[Plan]:
        return qs.filter(enterprise_id__in=_visible_enterprises(user))

    @property
    def current(self) -> bool:
        return self.superseded_at is None

    def valid_on(self, day: Any) -> bool:
        return self.current and self.approved_on <= day < self.review_on


class DrillKind(models.TextChoices):
    CITY = "city", _("City's annual industry-wide drill")
    ENTERPRISE = "enterprise", _("Enterprise's own drill")


class Scenario(models.TextChoices):
    SUSPICIOUS = "suspicious", _("Suspicious parcel")
    FIRE = "fire", _("Fire")
    INJURY = "injury", _("Injury")
    BACKLOG = "backlog", _("Mass backlog")
    DATA = "data", _("Data leak")


class Drill(models.Model):
    """A drill held: the city's annual industry-wide one (organised by the city bureau, enterprises take part)
    or an enterprise's own."""

    kind = models.CharField(_("kind"), max_length=20, choices=DrillKind.choices)
    enterprise = models.ForeignKey("registry.Enterprise", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("enterprise"))
    jurisdiction_path = models.CharField(max_length=200, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    scenario = models.CharField(_("scenario"), max_length=20, choices=Scenario.choices)
    held_on = models.DateField(_("held on"))
    place = models.CharField(_("place"), max_length=200)
    participants = models.PositiveIntegerField(_("participants"), default=0)
    participant_note = models.CharField(_("who took part"), max_length=500, blank=True)
    enterprises = models.ManyToManyField("registry.Enterprise", blank=True, related_name="+",
                                         verbose_name=_("enterprises taking part"))
    evaluation = models.TextField(_("evaluation"), max_length=4000, blank=True)
    photos = models.ManyToManyField("evidence.Evidence", blank=True, related_name="+")
    recorded_at = models.DateTimeField(_("recorded"))
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return self.title

    @classmethod
    def scope_queryset(cls, qs: models.QuerySet[Drill], user: Any) -> models.QuerySet[Drill]:
        from parcelguard.accounts.roles import Role

        if user.role == Role.ENTERPRISE:
            if not user.enterprise_id:
                return qs.none()
            return qs.filter(Q(enterprise_id=user.enterprise_id) | Q(enterprises=user.enterprise_id)).distinct()
        if user.jurisdiction_id is None:
            return qs.none()
        return qs.filter(Q(jurisdiction_path__startswith=user.jurisdiction.path) | Q(kind=DrillKind.CITY)
                         | Q(enterprise_id__in=_visible_enterprises(user))).distinct()


class ActionState(models.TextChoices):
    OPEN = "open", pgettext_lazy("action state", "Open")
    DONE = "done", pgettext_lazy("action state", "Done")


class DrillAction(models.Model):
    """A problem a drill found, become an action item: who fixes it by when; completed with evidence."""

    drill = models.ForeignKey(Drill, on_delete=models.PROTECT, related_name="actions")
    problem = models.CharField(_("problem found"), max_length=500)
    measure = models.CharField(_("what is to be done"), max_length=500, blank=True)
    owner_enterprise = models.ForeignKey("registry.Enterprise", null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="+", verbose_name=_("owner"))
    owner_jurisdiction = models.ForeignKey("accounts.Jurisdiction", null=True, blank=True,
                                           on_delete=models.PROTECT, related_name="+")
    jurisdiction_path = models.CharField(max_length=200, db_index=True)
    due_on = models.DateField(_("due"))
    state = models.CharField(_("status"), max_length=10, choices=ActionState.choices, default=ActionState.OPEN)
    version = models.PositiveIntegerField(default=1)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_note = models.CharField(_("what was done"), max_length=1000, blank=True)
    evidence = models.ManyToManyField("evidence.Evidence", blank=True, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.problem

    @classmethod
    def scope_queryset(cls, qs: models.QuerySet[DrillAction], user: Any) -> models.QuerySet[DrillAction]:
        from parcelguard.accounts.roles import Role

        if user.role == Role.ENTERPRISE:
            return qs.filter(owner_enterprise_id=user.enterprise_id) if user.enterprise_id else qs.none()
        return qs.filter(drill__in=Drill.scope_queryset(Drill.objects.all(), user).values("pk"))

    @property
    def owner_name(self) -> str:
        if self.owner_enterprise_id:
            return self.owner_enterprise.name  # type: ignore[union-attr]
        return self.owner_jurisdiction.name if self.owner_jurisdiction_id else ""  # type: ignore[union-attr]


class IncidentKind(models.TextChoices):
    SUSPICIOUS = "suspicious", _("Suspicious parcel")
    FIRE = "fire", _("Fire")
    INJURY = "injury", _("Injury")
    BACKLOG = "backlog", _("Mass backlog")
    DATA = "data", _("Data leak")


class IncidentState(models.TextChoices):
    REPORTED = "reported", pgettext_lazy("incident state", "Reported")
    FORWARDED = "forwarded", _("Forwarded to the city")
    IN_CHARGE = "in_charge", _("City in charge")
    CLOSED = "closed", pgettext_lazy("incident state", "Closed")


class Incident(models.Model):
    """A sudden incident (突发事件) reported by an enterprise or an officer, routed county → city."""

    scope_path = "jurisdiction_path"
    scope_enterprise = "enterprise_id"

    kind = models.CharField(_("kind"), max_length=20, choices=IncidentKind.choices)
    occurred_at = models.DateTimeField(_("occurred"))
    county = models.ForeignKey("accounts.Jurisdiction", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("county / district"))
    jurisdiction_path = models.CharField(max_length=200, db_index=True)
    site = models.ForeignKey("registry.Site", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("site"))
    enterprise = models.ForeignKey("registry.Enterprise", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("enterprise"))
    place = models.CharField(_("place"), max_length=200)
    summary = models.TextField(_("what happened"), max_length=4000)
    first_measures = models.TextField(_("first measures"), max_length=4000)
    casualties = models.PositiveIntegerField(_("people hurt"), default=0)
    state = models.CharField(_("status"), max_length=20, choices=IncidentState.choices,
                             default=IncidentState.REPORTED)
    version = models.PositiveIntegerField(default=1)
    reported_at = models.DateTimeField(_("reported"))
    reported_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    forwarded_at = models.DateTimeField(_("forwarded"), null=True, blank=True)
    taken_at = models.DateTimeField(_("taken charge"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # the limits in force when the incident was reported (settings may change later; the clock may not)
    report_minutes = models.PositiveIntegerField(default=60)
    forward_minutes = models.PositiveIntegerField(default=30)
    take_charge_minutes = models.PositiveIntegerField(default=60)
    evidence = models.ManyToManyField("evidence.Evidence", blank=True, related_name="+")
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        indexes = [models.Index(fields=["state", "jurisdiction_path"], name="emergency_incident_state_path")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.place}"


class IncidentUpdate(models.Model):
    """A follow-up report (续报) on an incident, by anyone involved."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="updates")
    at = models.DateTimeField()
    author = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    author_role = models.CharField(max_length=20)
    text = models.TextField(max_length=4000)
    evidence = models.ManyToManyField("evidence.Evidence", blank=True, related_name="+")

    class Meta:
        ordering = ["at", "pk"]
