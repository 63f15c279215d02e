"""The remote video library's records: a camera's video channel (its GB/T 28181 codes), the media
server's health checks, snapshots taken as evidence, and video patrols (视频巡查) with their findings."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.Model):
    """The picture of one registered camera as the media gateway knows it (国标通道)."""

    camera = models.OneToOneField("registry.Camera", on_delete=models.PROTECT, related_name="video",
                                  verbose_name=_("camera"))
    device_code = models.CharField(_("GB/T 28181 device code"), max_length=20)
    channel_code = models.CharField(_("GB/T 28181 channel code"), max_length=20, unique=True)
    published = models.BooleanField(_("on the published list of monitoring points"), default=False)
    # A test-pattern camera that `parcelguard media` pushes with ffmpeg (the demo's live cameras).
    simulated = models.BooleanField(default=False)
    created_at = models.DateTimeField()

    scope_path = "camera__site__jurisdiction_path"
    scope_enterprise = "camera__site__enterprise_id"

    class Meta:
        ordering = ["camera__site__code", "camera__code"]
        verbose_name = _("video channel")
        constraints = [models.UniqueConstraint(fields=["device_code", "channel_code"], name="video_channel_once")]

    def __str__(self) -> str:
        return f"{self.channel_code} {self.camera.location}"

    @property
    def stream(self) -> str:
        """The stream's name on the media server: device_channel, as GB/T 28181 gateways name them."""
        return f"{self.device_code}_{self.channel_code}"


class HealthCheck(models.Model):
    """One look at one channel by the health check: was its stream being received at that moment?"""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="checks")
    at = models.DateTimeField(db_index=True)
    online = models.BooleanField()
    server_up = models.BooleanField(default=True)
    # "gateway": the platform's own health check; "push": reported by an enterprise's or vendor's system
    source = models.CharField(max_length=10, default="gateway")
    jurisdiction_path = models.CharField(max_length=200, db_index=True)
    enterprise_id = models.BigIntegerField(null=True)

    scope_path = "jurisdiction_path"
    scope_enterprise = "enterprise_id"

    class Meta:
        ordering = ["-at", "channel_id"]
        constraints = [models.UniqueConstraint(fields=["channel", "at"], name="video_check_once_per_moment")]


class Snapshot(models.Model):
    """A frame taken from a camera as evidence: the evidence row holds the JPEG and its SHA-256."""

    class Origin(models.TextChoices):
        LIVE = "live", _("live picture")
        RECORDING = "recording", _("recording")

    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="snapshots")
    evidence = models.ForeignKey("evidence.Evidence", on_delete=models.PROTECT, related_name="+")
    moment = models.DateTimeField(_("moment shown"))
    origin = models.CharField(max_length=10, choices=Origin.choices)
    taken_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    taken_at = models.DateTimeField()
    event = models.ForeignKey("events.Event", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    jurisdiction_path = models.CharField(max_length=200, db_index=True)
    enterprise_id = models.BigIntegerField(null=True)
    # 行政处罚法 Art. 41: a reviewer (not the taker) records whether the picture may support a penalty.
    review_ok = models.BooleanField(null=True, blank=True)
    review_note = models.CharField(max_length=500, blank=True)
    reviewed_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)

    scope_path = "jurisdiction_path"
    scope_enterprise = "enterprise_id"

    class Meta:
        ordering = ["-taken_at", "-pk"]

    @property
    def admissible(self) -> bool:
        """May support a penalty (Art. 41): reviewed as admissible, from a camera on the published list."""
        return bool(self.review_ok) and self.channel.published


class Patrol(models.Model):
    """One officer's video patrol (视频巡查) of a county's cameras."""

    county = models.ForeignKey("accounts.Jurisdiction", on_delete=models.PROTECT, related_name="+")
    officer = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    summary = models.TextField(blank=True)
    jurisdiction_path = models.CharField(max_length=200, db_index=True)
    # The draw (reproducible): seed = SHA-256 of county | moment | population; population = [[channel id,
    # weight], …] ascending by id; chosen = the channel ids drawn, in drawn order.
    seed = models.CharField(max_length=64, blank=True)
    population = models.JSONField(default=list)
    chosen = models.JSONField(default=list)

    scope_path = "jurisdiction_path"

    class Meta:
        ordering = ["-started_at", "-pk"]


class PatrolCheck(models.Model):
    """One checklist item looked at on one camera during a patrol; a failed item carries its snapshot
    and the hazard event it opened."""

    patrol = models.ForeignKey(Patrol, on_delete=models.PROTECT, related_name="checks")
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="+")
    item = models.CharField(max_length=40)
    ok = models.BooleanField()
    note = models.CharField(max_length=500, blank=True)
    snapshot = models.ForeignKey(Snapshot, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "pk"]
        constraints = [models.UniqueConstraint(fields=["patrol", "channel", "item"], name="video_check_once")]
