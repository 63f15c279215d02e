"""Roles and what each may do: the role/permission matrix as data (documented in docs/roles.md).

What a user may *see* is decided by scoping (parcelguard.accounts.scoping); what a user may *do* is
decided here. Both must allow an action.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CITY_BUREAU = "city_bureau", _("City postal bureau")
    COUNTY_CENTRE = "county_centre", _("County safety centre")
    GRID_WORKER = "grid_worker", _("Grid worker")
    ENTERPRISE = "enterprise", _("Enterprise safety officer")
    PROCURATOR = "procurator", _("Procurator")
    ADMIN = "admin", _("Administrator")


class Perm:
    REGISTRY_VIEW = "registry.view"
    REGISTRY_EDIT = "registry.edit"
    REGISTRY_IMPORT = "registry.import"
    EXPORT = "data.export"
    PII_UNMASK = "pii.unmask"
    ACCOUNTS_MANAGE = "accounts.manage"
    API_TOKENS = "api.tokens"
    PARCELS_PUSH = "parcels.push"  # send parcel records (enterprise systems, uploads)
    PARCELS_TRACE = "parcels.trace"  # look up a waybill or a sender hash
    PARCELS_ANALYZE = "parcels.analyze"  # run the analysis now; switch auto-conversion
    WARNINGS_VIEW = "warnings.view"
    WARNINGS_ACT = "warnings.act"  # acknowledge, dismiss, convert to a hazard event


_ALL = frozenset(v for k, v in vars(Perm).items() if k.isupper())

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.CITY_BUREAU: frozenset(
        {Perm.REGISTRY_VIEW, Perm.REGISTRY_EDIT, Perm.REGISTRY_IMPORT, Perm.EXPORT, Perm.PII_UNMASK,
         Perm.PARCELS_TRACE, Perm.PARCELS_ANALYZE, Perm.WARNINGS_VIEW, Perm.WARNINGS_ACT}
    ),
    Role.COUNTY_CENTRE: frozenset(
        {Perm.REGISTRY_VIEW, Perm.REGISTRY_EDIT, Perm.REGISTRY_IMPORT, Perm.EXPORT, Perm.PII_UNMASK,
         Perm.PARCELS_TRACE, Perm.WARNINGS_VIEW, Perm.WARNINGS_ACT}
    ),
    Role.GRID_WORKER: frozenset({Perm.REGISTRY_VIEW}),
    Role.ENTERPRISE: frozenset(
        {Perm.REGISTRY_VIEW, Perm.REGISTRY_EDIT, Perm.REGISTRY_IMPORT, Perm.EXPORT, Perm.API_TOKENS,
         Perm.PARCELS_PUSH, Perm.PARCELS_TRACE}
    ),
    # Oversight of the regulator: sees everything in its area, changes nothing.
    Role.PROCURATOR: frozenset({Perm.REGISTRY_VIEW, Perm.EXPORT, Perm.PARCELS_TRACE, Perm.WARNINGS_VIEW}),
    Role.ADMIN: _ALL,
}


def permissions_of(user: Any) -> frozenset[str]:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    return ROLE_PERMISSIONS.get(user.role, frozenset())


def has_perm(user: Any, perm: str) -> bool:
    return perm in permissions_of(user)
