"""How the mechanism plugs into the platform's seams: its flow, the work waiting (an enterprise's report
due, a county centre's drawn reports), the duty record (spot checks not done in time) and its figure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parcelguard.accounts.roles import Role
from parcelguard.core import registry, workflow
from parcelguard.selfcheck import selectors
from parcelguard.selfcheck.flow import REPORT_FLOW
from parcelguard.selfcheck.services import current_month, due_at, first_of


def work(user: Any, now: dt.datetime) -> Iterable[registry.WorkItem]:
    role = getattr(user, "role", None)
    if role == Role.ENTERPRISE:
        last = first_of(current_month(now) - dt.timedelta(days=1))
        for duty in selectors.duties(user, last):
            if duty.report is None:
                yield registry.WorkItem(
                    "selfcheck", f"selfcheck-due:{duty.enterprise_id}:{duty.county.pk}:{last:%Y-%m}",
                    _("Monthly duty report %(month)s, %(county)s") % {"month": f"{last:%Y-%m}",
                                                                      "county": duty.county.name},
                    reverse("selfcheck:index"), _("To be filed"), due=due_at(last))
    elif role == Role.COUNTY_CENTRE:
        for report in selectors.waiting_checks(user):
            yield registry.WorkItem(
                "selfcheck", REPORT_FLOW.subject(report),
                _("Spot-check the monthly report of %(enterprise)s, %(month)s")
                % {"enterprise": report.enterprise.name, "month": f"{report.month:%Y-%m}"},
                reverse("selfcheck:detail", args=[report.pk]), report.get_state_display(),
                due=selectors.check_due(report), since=report.draw.drawn_at if report.draw else None)


def duty(user: Any, start: dt.datetime, end: dt.datetime, now: dt.datetime) -> Iterable[registry.Lapse]:
    """A drawn report the county centre did not check within the limit (late, or not yet)."""
    for report in selectors.reports(user).filter(draw__isnull=False):
        due = selectors.check_due(report)
        if not start <= due < end:
            continue
        done = report.checked_at
        if (done or now) >= due:
            yield registry.Lapse("selfcheck", REPORT_FLOW.subject(report),
                                 _("Spot check of %(enterprise)s's report %(month)s")
                                 % {"enterprise": report.enterprise.name, "month": f"{report.month:%Y-%m}"},
                                 reverse("selfcheck:detail", args=[report.pk]), report.jurisdiction_path, due,
                                 done_at=done, enterprise_id=report.enterprise_id)


def register_all() -> None:
    workflow.register(REPORT_FLOW)
    registry.register_work("selfcheck", gettext_lazy("Monthly duty reports"), work)
    registry.register_duty("selfcheck", gettext_lazy("Spot checks of monthly duty reports"), duty)
    registry.register_figure(registry.Figure(
        key="selfcheck.late_or_missing", label=gettext_lazy("Monthly duty reports late or missing"),
        compute=lambda user, start, end, now=None, **_f: selectors.late_or_missing(
            user, start, end, now or end), section="selfcheck",
        help=gettext_lazy("Reports falling due in the period that were filed after the due day or not at all.")))
