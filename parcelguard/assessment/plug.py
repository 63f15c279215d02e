"""How assessment and circulars plug into the platform's seams: their flows, the work waiting (the city
bureau: a finished period not yet assessed; a county centre: last month's circular not yet issued) and the
figures."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parcelguard.accounts.roles import Role
from parcelguard.assessment import scoring, selectors
from parcelguard.assessment.flow import ASSESSMENT_FLOW, CIRCULAR_FLOW
from parcelguard.assessment.models import Circular
from parcelguard.core import registry, workflow


def work(user: Any, now: dt.datetime) -> Iterable[registry.WorkItem]:
    role = getattr(user, "role", None)
    if role == Role.CITY_BUREAU and user.jurisdiction_id:
        done = set(selectors.assessments(user).values_list("period", flat=True))
        for period in scoring.last_periods():
            if period.code not in done:
                yield registry.WorkItem(
                    "assessment", f"assessment-due:{user.jurisdiction.code}:{period.code}",
                    _("Publish the county assessment for %(period)s") % {"period": period.code},
                    reverse("assessment:index") + f"?period={period.code}", _("To be published"),
                    since=period.until)
    if role == Role.COUNTY_CENTRE and user.jurisdiction_id:
        month = scoring.last_periods()[0]
        issued = Circular.objects.filter(issuer_id=user.jurisdiction_id, month=month.start).exists()
        if not issued:
            yield registry.WorkItem(
                "assessment", f"circular-due:{user.jurisdiction.code}:{month.code}",
                _("Issue the work circular for %(month)s") % {"month": month.code},
                reverse("assessment:circulars") + f"?month={month.code}", _("To be issued"), since=month.until)


def _published(user: Any, start: dt.datetime, end: dt.datetime, **_f: Any) -> int:
    return selectors.assessments(user).filter(published_at__gte=start, published_at__lt=end).count()


def _issued(user: Any, start: dt.datetime, end: dt.datetime, **_f: Any) -> int:
    return selectors.circulars(user).filter(issued_at__gte=start, issued_at__lt=end).count()


def register_all() -> None:
    workflow.register(ASSESSMENT_FLOW)
    workflow.register(CIRCULAR_FLOW)
    registry.register_work("assessment", gettext_lazy("Assessment and circulars"), work)
    registry.register_figure(registry.Figure(
        key="assessment.published", label=gettext_lazy("County assessments published"), compute=_published,
        section="assessment", help=gettext_lazy("Assessments of the counties published in the period.")))
    registry.register_figure(registry.Figure(
        key="assessment.circulars", label=gettext_lazy("Work circulars issued"), compute=_issued,
        section="assessment", help=gettext_lazy("Numbered work circulars issued in the period, inside your area.")))

