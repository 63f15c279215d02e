"""Registry conditions that need attention: named filters ("flags") usable in every list, and the
counts of them on each user's home page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from parcelguard.accounts.scoping import scope
from parcelguard.core import clock
from parcelguard.registry.models import END_OUTLET_FILING_DAYS, MachineStatus, SiteKind, Status

QS = models.QuerySet[Any]


def _address_mismatch(qs: QS) -> QS:
    return qs.exclude(actual_address="").exclude(actual_address=F("filed_address"))


def _filing_overdue(qs: QS) -> QS:
    limit = dt.timedelta(days=END_OUTLET_FILING_DAYS)
    return qs.filter(kind=SiteKind.STATION, opened_on__isnull=False).filter(
        Q(filed_on__isnull=True, opened_on__lt=clock.today() - limit) | Q(filed_on__gt=F("opened_on") + limit)
    )


def _no_safety_officer(qs: QS) -> QS:
    return qs.filter(kind__in=[SiteKind.OUTLET, SiteKind.SORTING_CENTRE], safety_officers__isnull=True,
                     status=Status.ACTIVE)


def _machine_down(qs: QS) -> QS:
    return qs.filter(status__in=[MachineStatus.BROKEN, MachineStatus.OFFLINE, MachineStatus.MAINTENANCE])


def _licence_expiring(qs: QS) -> QS:
    return qs.filter(licence_valid_until__lt=clock.today() + dt.timedelta(days=60))


@dataclass(frozen=True)
class Flag:
    kind: str
    name: str
    label: str | Promise
    apply: Callable[[QS], QS]


FLAGS: tuple[Flag, ...] = (
    Flag("sites", "address_mismatch", _("Actual address differs from the filed address"), _address_mismatch),
    Flag("sites", "filing_overdue", _("End outlet not filed within 20 days of opening"), _filing_overdue),
    Flag("machines", "down", _("X-ray machine broken, offline or in maintenance"), _machine_down),
    Flag("enterprises", "licence_expiring", _("Express licence expired or expiring within 60 days"),
         _licence_expiring),
    Flag("sites", "no_safety_officer", _("Outlet or sorting centre without a filed safety officer"),
         _no_safety_officer),
)


def register(flag: Flag) -> Flag:
    """Another app adds a flag (e.g. training: staff without a valid certificate) from its ready()."""
    global FLAGS
    if all((f.kind, f.name) != (flag.kind, flag.name) for f in FLAGS):
        FLAGS = (*FLAGS, flag)
    return flag


def flags_for(kind_slug: str) -> dict[str, Flag]:
    return {f.name: f for f in FLAGS if f.kind == kind_slug}


@dataclass(frozen=True)
class Item:
    label: str | Promise
    count: int
    url: str


def for_user(user: Any) -> list[Item]:
    from parcelguard.registry.kinds import KINDS

    items = []
    for flag in FLAGS:
        qs = scope(user, KINDS[flag.kind].model).exclude(status=Status.CLOSED)
        url = reverse("registry:list", args=[flag.kind]) + f"?flag={flag.name}"
        items.append(Item(flag.label, flag.apply(qs).distinct().count(), url))
    return items
