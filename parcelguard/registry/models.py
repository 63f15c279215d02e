"""The basic-information library (基础信息库): who and what is supervised."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from parcelguard.accounts.models import Jurisdiction
from parcelguard.registry.validators import normalize_credit_code, validate_credit_code, validate_licence_no

END_OUTLET_FILING_DAYS = 20  # end outlets must be filed within 20 days of opening


class Status(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    CLOSED = "closed", pgettext_lazy("site status", "Closed")


class Brand(models.Model):
    code = models.CharField(_("brand code"), max_length=10, primary_key=True)
    name = models.CharField(_("brand"), max_length=40)

    class Meta:
        ordering = ["code"]
        verbose_name = _("brand")

    def __str__(self) -> str:
        return self.name


class Versioned(models.Model):
    """Registry rows carry a version so two people editing the same record cannot overwrite each other."""

    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class Enterprise(Versioned):
    scope_enterprise = "pk"

    name = models.CharField(_("enterprise name"), max_length=120)
    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, related_name="enterprises", verbose_name=_("brand"))
    credit_code = models.CharField(_("unified social credit code"), max_length=18, unique=True,
                                   validators=[validate_credit_code])
    licence_no = models.CharField(_("express licence no."), max_length=20, blank=True,
                                  validators=[validate_licence_no])
    licence_valid_until = models.DateField(_("licence valid until"), null=True, blank=True)
    legal_representative = models.CharField(_("legal representative"), max_length=40)
    contact_name = models.CharField(_("contact"), max_length=40, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    address = models.CharField(_("registered address"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)

    pii_fields = ("legal_representative", "contact_name", "contact_phone")

    class Meta:
        ordering = ["name"]
        verbose_name = _("enterprise")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.credit_code = normalize_credit_code(self.credit_code)

    @classmethod
    def scope_queryset(cls, qs: models.QuerySet[Enterprise], user: Any) -> models.QuerySet[Enterprise]:
        """Enterprises are not territorial: a county sees those with a site in its area."""
        from parcelguard.accounts.roles import Role

        if user.role == Role.ENTERPRISE:
            return qs.filter(pk=user.enterprise_id) if user.enterprise_id else qs.none()
        if user.jurisdiction_id is None:
            return qs.none()
        if user.jurisdiction.parent_id is None:  # the whole city
            return qs
        has_site = Site.objects.filter(enterprise=OuterRef("pk"), jurisdiction_path__startswith=user.jurisdiction.path)
        return qs.filter(Exists(has_site))

    @property
    def licence_expired(self) -> bool:
        from parcelguard.core import clock

        return self.licence_valid_until is not None and self.licence_valid_until < clock.today()


class SiteKind(models.TextChoices):
    OUTLET = "outlet", _("Outlet")  # 营业网点
    SORTING_CENTRE = "sorting_centre", _("Sorting centre")  # 分拨中心
    STATION = "station", _("End outlet / station")  # 末端网点/驿站
    LOCKER = "locker", _("Smart parcel locker")  # 智能快件箱
    INTRA_CITY = "intra_city", _("Intra-city delivery")  # 同城配送
    CROWDSOURCED = "crowdsourced", _("Crowdsourced delivery")  # 众包配送


class Site(Versioned):
    """Every place the field knows: outlets, sorting centres, stations, lockers, new-format operators."""

    scope_path = "jurisdiction_path"
    scope_enterprise = "enterprise_id"

    code = models.CharField(_("site code"), max_length=40, unique=True,
                            help_text=_("The outlet_id used in parcel records."))
    name = models.CharField(_("site name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=SiteKind.choices)
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="sites",
                                   verbose_name=_("enterprise"))
    county = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="county_sites",
                               limit_choices_to={"level": "county"}, verbose_name=_("county / district"))
    grid = models.ForeignKey(Jurisdiction, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="grid_sites", limit_choices_to={"level": "grid"}, verbose_name=_("grid"))
    jurisdiction_path = models.CharField(max_length=200, editable=False, db_index=True)
    filed_address = models.CharField(_("filed address"), max_length=200)
    actual_address = models.CharField(_("actual address"), max_length=200, blank=True,
                                      help_text=_("Where the site really operates, as last seen on site."))
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    opens = models.TimeField(_("opens"), null=True, blank=True)
    closes = models.TimeField(_("closes"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    filed_on = models.DateField(_("filed on"), null=True, blank=True)
    manager_name = models.CharField(_("manager"), max_length=40, blank=True)
    manager_phone = models.CharField(_("manager phone"), max_length=30, blank=True)

    pii_fields = ("manager_name", "manager_phone")

    class Meta:
        ordering = ["code"]
        verbose_name = _("site")
        indexes = [models.Index(fields=["kind", "status"])]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.jurisdiction_path = (self.grid or self.county).path
        super().save(*args, **kwargs)

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.grid_id and self.county_id and self.grid.parent_id != self.county_id:
            raise ValidationError({"grid": _("The grid is not in the chosen county.")})
        if (self.opens is None) != (self.closes is None):
            raise ValidationError({"closes": _("Give both opening and closing time, or neither (24 hours).")})

    @property
    def address_mismatch(self) -> bool:
        return bool(self.actual_address) and self.actual_address.strip() != self.filed_address.strip()

    @property
    def filing_deadline(self) -> dt.date | None:
        if self.kind != SiteKind.STATION or self.opened_on is None:
            return None
        return self.opened_on + dt.timedelta(days=END_OUTLET_FILING_DAYS)

    @property
    def filing_overdue(self) -> bool:
        from parcelguard.core import clock

        deadline = self.filing_deadline
        if deadline is None:
            return False
        return (self.filed_on or clock.today()) > deadline


class SiteChild(Versioned):
    """A record that belongs to one site and is seen by whoever sees the site."""

    scope_path = "site__jurisdiction_path"
    scope_enterprise = "site__enterprise_id"

    class Meta:
        abstract = True


class SafetyOfficer(SiteChild):
    """安全员: the enterprise's filed safety officer at a site."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="safety_officers", verbose_name=_("site"))
    name = models.CharField(_("name"), max_length=40)
    phone = models.CharField(_("phone"), max_length=30)
    filed_on = models.DateField(_("filed on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)

    pii_fields = ("name", "phone")

    class Meta:
        ordering = ["site__code", "name"]
        verbose_name = _("safety officer")

    def __str__(self) -> str:
        return self.name


class StaffPosition(models.TextChoices):
    COURIER = "courier", _("Courier")
    CLERK = "clerk", _("Acceptance clerk")
    SCREENER = "screener", _("X-ray screener")
    SORTER = "sorter", _("Sorter")
    MANAGER = "manager", _("Manager")


class Staff(SiteChild):
    """从业人员: practitioners at a site."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="staff", verbose_name=_("site"))
    name = models.CharField(_("name"), max_length=40)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    position = models.CharField(_("position"), max_length=20, choices=StaffPosition.choices)
    id_number_hash = models.CharField(max_length=64, blank=True, editable=False,
                                      help_text="HMAC-SHA256 of the ID number; the number itself is never stored")
    trained_on = models.DateField(_("trained on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)

    pii_fields = ("name", "phone")

    class Meta:
        ordering = ["site__code", "name"]
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")

    def __str__(self) -> str:
        return self.name


class MachineStatus(models.TextChoices):
    IN_SERVICE = "in_service", _("In service")
    OFFLINE = "offline", _("Offline")
    MAINTENANCE = "maintenance", _("Maintenance")
    BROKEN = "broken", _("Broken")
    RETIRED = "retired", _("Retired")


class XrayMachine(SiteChild):
    """过机安检 equipment. Its down-windows are what the parcel analysis checks screenings against."""

    code = models.CharField(_("machine id"), max_length=40, unique=True)
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="machines", verbose_name=_("site"))
    model_name = models.CharField(_("model"), max_length=60)
    serial_no = models.CharField(_("serial no."), max_length=60)
    capacity_per_hour = models.PositiveIntegerField(_("capacity per hour"))
    networked = models.BooleanField(_("networked"), default=False)
    status = models.CharField(_("status"), max_length=12, choices=MachineStatus.choices,
                              default=MachineStatus.IN_SERVICE)
    installed_on = models.DateField(_("installed on"), null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("X-ray machine")

    def __str__(self) -> str:
        return f"{self.code} {self.model_name}"


class MachineStatusWindow(models.Model):
    """A window in which a machine could not screen: [start, end), end null = still so."""

    scope_path = "machine__site__jurisdiction_path"
    scope_enterprise = "machine__site__enterprise_id"

    machine = models.ForeignKey(XrayMachine, on_delete=models.PROTECT, related_name="status_windows")
    status = models.CharField(_("status"), max_length=12, choices=[
        (MachineStatus.OFFLINE, MachineStatus.OFFLINE.label),
        (MachineStatus.MAINTENANCE, MachineStatus.MAINTENANCE.label),
        (MachineStatus.BROKEN, MachineStatus.BROKEN.label),
    ])
    start = models.DateTimeField(_("from"))
    end = models.DateTimeField(_("until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["machine", "-start"]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__isnull=True) | models.Q(end__gt=models.F("start")),
                                   name="status_window_end_after_start"),
        ]


class Camera(SiteChild):
    code = models.CharField(_("camera id"), max_length=40, unique=True)
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="cameras", verbose_name=_("site"))
    location = models.CharField(_("location"), max_length=60, help_text=_("e.g. acceptance counter, X-ray exit"))
    stream_url = models.CharField(_("stream address"), max_length=300)
    protocol = models.CharField(_("protocol"), max_length=10,
                                choices=[("rtsp", "RTSP"), ("hls", "HLS"), ("gb28181", "GB/T 28181"), ("rtmp", "RTMP")])
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)

    class Meta:
        ordering = ["code"]
        verbose_name = _("camera")

    def __str__(self) -> str:
        return f"{self.code} {self.location}"


class ChangeRecord(models.Model):
    """One change to one registry record: who, when, and each field's old and new value.

    Personal-data fields are stored masked here: the history must not become a second copy of them.
    """

    model = models.CharField(max_length=40, db_index=True)
    object_id = models.BigIntegerField()
    action = models.CharField(max_length=10, choices=[("create", _("Created")), ("update", _("Updated")),
                                                        ("import", _("Imported"))])
    actor = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(db_index=True)
    changes = models.JSONField(default=dict)
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["model", "object_id", "at"])]
