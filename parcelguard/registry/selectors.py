"""Reads of the registry: scoped, filtered, searched and sorted lists."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q

from parcelguard.accounts.scoping import scope
from parcelguard.registry.kinds import Kind


def registry_list(*, user: Any, kind: Kind, q: str = "", filters: dict[str, str] | None = None,
                  sort: str = "", flag: str = "") -> models.QuerySet[Any]:
    from parcelguard.registry.attention import flags_for

    qs = scope(user, kind.model).select_related(*kind.related)
    named = flags_for(kind.slug).get(flag)
    if named is not None:
        qs = named.apply(qs).distinct()
    if q:
        cond = Q()
        for name in kind.search:
            cond |= Q(**{f"{name}__icontains": q.strip()})
        qs = qs.filter(cond)
    distinct = False
    for name, value in (filters or {}).items():
        lookup = kind.filters.get(name)
        if lookup and value:
            qs = qs.filter(**{lookup: value})
            distinct = distinct or lookup.startswith("sites__")
    if distinct:
        qs = qs.distinct()
    field_name = sort.lstrip("-")
    return qs.order_by(sort if field_name in kind.sortable else kind.default_sort, "pk")
