"""The monthly report's flow as data (core.workflow): filed by the enterprise, drawn for a spot check,
found true or false by the county centre."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from parcelguard.accounts.roles import Role
from parcelguard.core import workflow
from parcelguard.selfcheck.models import ReportState as S

C, E = Role.COUNTY_CENTRE, Role.ENTERPRISE

REPORT_FLOW = workflow.Flow(
    name="selfcheck", label=_("Monthly duty report"), model="selfcheck.MonthlyReport", states=S,
    steps=(
        workflow.step("submit", _("File the monthly report"), [], S.SUBMITTED, {E},
                      note="the safety officer files 履职月报告 by the due day"),
        workflow.step("draw", _("Drawn for a spot check"), [S.SUBMITTED], S.DRAWN, {C},
                      note="履职抽查: reproducible random draw by the county centre"),
        workflow.step("confirm", _("Spot check: report true"), [S.DRAWN], S.CONFIRMED, {C}, evidence=True,
                      note="verified on site or by video"),
        workflow.step("find_false", _("Spot check: false report"), [S.DRAWN], S.FALSE, {C}, reason=True,
                      evidence=True, note="a hazard event is opened against the enterprise"),
    ),
    terminal=frozenset({S.CONFIRMED, S.FALSE}),
    scope_of=lambda report: (report.jurisdiction_path, report.enterprise_id),
)
