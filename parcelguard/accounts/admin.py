"""Account and reference-data management for administrators (Django's admin, in Chinese).

Registry records are not edited here: they go through the registry pages and services, which check
scope, keep history and write the trail."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from parcelguard.accounts.models import ApiToken, Jurisdiction, User
from parcelguard.accounts.roles import Perm, has_perm
from parcelguard.registry.models import Brand


class PlatformAdminSite(admin.AdminSite):
    site_header = _("ParcelGuard administration")
    site_title = _("ParcelGuard administration")

    def has_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and has_perm(request.user, Perm.ACCOUNTS_MANAGE))


site = PlatformAdminSite(name="platform_admin")


class _Everything(admin.ModelAdmin):
    """The administrator role may manage these models entirely."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return site.has_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return site.has_permission(request)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return site.has_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return site.has_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # nothing is hard-deleted: deactivate users, close sites


@admin.register(User, site=site)
class PlatformUserAdmin(_Everything, UserAdmin):
    list_display = ("username", "display_name", "role", "jurisdiction", "enterprise", "is_active")
    list_filter = ("role", "is_active", "jurisdiction__level")
    search_fields = ("username", "display_name")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Role and place"), {"fields": ("display_name", "role", "jurisdiction", "enterprise", "phone")}),
        (_("Status"), {"fields": ("is_active", "last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"fields": ("username", "password1", "password2", "display_name", "role",
                                        "jurisdiction", "enterprise")}),)
    readonly_fields = ("last_login", "date_joined")
    autocomplete_fields = ("jurisdiction",)


@admin.register(Jurisdiction, site=site)
class JurisdictionAdmin(_Everything):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")
    readonly_fields = ("path",)


@admin.register(Brand, site=site)
class BrandAdmin(_Everything):
    list_display = ("code", "name")
    search_fields = ("code", "name")


@admin.register(ApiToken, site=site)
class ApiTokenAdmin(_Everything):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("user", "prefix", "token_hash", "created_at", "last_used_at")
    fields = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False  # tokens are issued by their owners, who see the secret once
