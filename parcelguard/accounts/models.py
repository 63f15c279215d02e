from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from parcelguard.accounts.roles import Role


class Level(models.TextChoices):
    CITY = "city", _("City")
    COUNTY = "county", _("County / district")
    GRID = "grid", _("Grid")


class Jurisdiction(models.Model):
    """A node of the tree city → county/district → grid.

    `path` holds the codes from the root down ("350300/350302/350302003/"), so a subtree is one
    indexed prefix match: that is what scoping filters on.
    """

    scope_path = "path"

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    path = models.CharField(max_length=200, unique=True, editable=False)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["path"]
        verbose_name = _("jurisdiction")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        expected = {Level.CITY: None, Level.COUNTY: Level.CITY, Level.GRID: Level.COUNTY}[Level(self.level)]
        parent_level = self.parent.level if self.parent else None
        if parent_level != expected:
            raise ValidationError(_("A %(level)s must sit under a %(parent)s.") % {
                "level": self.get_level_display(), "parent": expected or "-"})
        if self.level == Level.COUNTY and not (len(self.code) == 6 and self.code.isdigit()):
            raise ValidationError({"code": _("A county is keyed by its 6-digit administrative division code.")})

    def save(self, *args: object, **kwargs: object) -> None:
        self.path = (self.parent.path if self.parent else "") + self.code + "/"
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def county(self) -> Jurisdiction | None:
        if self.level == Level.COUNTY:
            return self
        if self.level == Level.GRID:
            return self.parent
        return None

    def contains(self, other: Jurisdiction | None) -> bool:
        return other is not None and other.path.startswith(self.path)


class User(AbstractUser):
    scope_path = "jurisdiction__path"
    scope_enterprise = "enterprise_id"

    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    jurisdiction = models.ForeignKey(
        Jurisdiction, null=True, blank=True, on_delete=models.PROTECT, related_name="users",
        verbose_name=_("jurisdiction"),
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise", null=True, blank=True, on_delete=models.PROTECT, related_name="users",
        verbose_name=_("enterprise"),
    )
    display_name = models.CharField(_("display name"), max_length=60, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("user")

    def __str__(self) -> str:
        return self.display_name or self.username

    def clean(self) -> None:
        super().clean()
        if self.role == Role.ENTERPRISE:
            if not self.enterprise_id:
                raise ValidationError({"enterprise": _("An enterprise user belongs to one enterprise.")})
        elif not self.jurisdiction_id:
            raise ValidationError({"jurisdiction": _("This role belongs to one node of the jurisdiction tree.")})


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True, user__is_active=True)


class ApiToken(models.Model):
    """A bearer token for a machine client (an enterprise system pushing data). Only its hash is kept."""

    scope_path = "user__jurisdiction__path"
    scope_enterprise = "user__enterprise_id"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")

    @classmethod
    def issue(cls, user: User, name: str) -> tuple[ApiToken, str]:
        raw = "pg_" + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, prefix=raw[:10], token_hash=_hash_token(raw))
        return token, raw

    @classmethod
    def find(cls, raw: str) -> ApiToken | None:
        return cls.objects.active().select_related("user").filter(token_hash=_hash_token(raw)).first()
