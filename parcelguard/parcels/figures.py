"""The parcel analysis's dashboard figures, each defined once (core.registry): early warnings counted
inside the user's scope over the half-open period [start, end) of their window start."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from parcelguard.accounts.roles import Perm, has_perm
from parcelguard.accounts.scoping import scope
from parcelguard.core import registry
from parcelguard.parcels.flow import WARNING_FLOW
from parcelguard.parcels.models import EarlyWarning, WarningStatus


def _warnings(user: Any, start: dt.datetime, end: dt.datetime) -> QuerySet[EarlyWarning]:
    if not has_perm(user, Perm.WARNINGS_VIEW):
        return EarlyWarning.objects.none()
    return scope(user, EarlyWarning).filter(window_start__gte=start, window_start__lt=end)


def raised(user: Any, start: dt.datetime, end: dt.datetime, **_filters: Any) -> int:
    return _warnings(user, start, end).count()


def still_open(user: Any, start: dt.datetime, end: dt.datetime, **_filters: Any) -> int:
    return _warnings(user, start, end).filter(status__in=WARNING_FLOW.open_states).count()


def converted(user: Any, start: dt.datetime, end: dt.datetime, **_filters: Any) -> int:
    return _warnings(user, start, end).filter(status=WarningStatus.CONVERTED).count()


FIGURES = (
    registry.Figure("warnings.raised", _("Early warnings raised"), raised, section="parcels",
                    help=_("Early warnings whose window starts in the period.")),
    registry.Figure("warnings.open", _("Early warnings still open"), still_open, section="parcels",
                    help=_("Of those, the ones neither dismissed nor turned into a hazard event.")),
    registry.Figure("warnings.converted", _("Early warnings turned into hazard events"), converted,
                    section="parcels", help=_("Of those, the ones turned into a hazard event.")),
)
