"""The one scoping layer: what each user may see.

Every view, API route, export and background job asks here; nobody filters by jurisdiction by hand.
A scoped model declares how it hangs on the jurisdiction tree:

- `scope_path`: the lookup to a jurisdiction path string ("jurisdiction_path", "site__jurisdiction_path");
- `scope_enterprise`: the lookup to the owning enterprise's id, for enterprise users;
- or a `scope_queryset(qs, user)` classmethod for the rare model that needs more (an enterprise is
  visible to a county when it has a site there).

Users of the regulator (city, county, grid, procurator, admin) see their jurisdiction's subtree;
enterprise users see their own enterprise's records; anybody else sees nothing. A record outside the
scope is reported as "not found", so its existence does not leak.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from parcelguard.accounts.roles import Perm, Role, has_perm
from parcelguard.core.errors import Forbidden, NotFound


def scope[M: models.Model](user: Any, queryset: models.QuerySet[M] | type[M]) -> models.QuerySet[M]:
    qs: models.QuerySet[M] = queryset._default_manager.all() if isinstance(queryset, type) else queryset
    model = qs.model
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    custom = getattr(model, "scope_queryset", None)
    if custom is not None:
        return custom(qs, user)
    if user.role == Role.ENTERPRISE:
        lookup = getattr(model, "scope_enterprise", None)
        if lookup is None or user.enterprise_id is None:
            return qs.none()
        return qs.filter(**{lookup: user.enterprise_id})
    lookup = getattr(model, "scope_path", None)
    if lookup is None:
        raise TypeError(f"{model.__name__} declares no scope; it cannot be listed to users")
    if user.jurisdiction_id is None:
        return qs.none()
    return qs.filter(**{f"{lookup}__startswith": user.jurisdiction.path})


def get_for[M: models.Model](user: Any, queryset: models.QuerySet[M] | type[M], **lookup: Any) -> M:
    """One record inside the user's scope, or NotFound (the same answer as for a missing one)."""
    obj = scope(user, queryset).filter(**lookup).first()
    if obj is None:
        raise NotFound(_("Record not found."))
    return obj


def require(user: Any, perm: str) -> None:
    if not has_perm(user, perm):
        raise Forbidden(_("Your role may not do this."))


def jurisdiction_allowed(user: Any, jurisdiction: Any) -> bool:
    """May the user place a record at this node of the tree (on create, or when moving it)?"""
    if user.role == Role.ENTERPRISE:
        return True  # enterprises are bounded by their own enterprise, not by territory
    return user.jurisdiction is not None and user.jurisdiction.contains(jurisdiction)


def can_unmask(user: Any) -> bool:
    return has_perm(user, Perm.PII_UNMASK)
