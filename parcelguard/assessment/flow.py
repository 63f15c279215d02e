"""The two records of this app as flows (core.workflow): an assessment is published by the city bureau, a
circular issued by a county centre or the city bureau; both are kept as issued (one step, then terminal)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from parcelguard.accounts.roles import Role
from parcelguard.assessment.models import AssessmentState, CircularState
from parcelguard.core import workflow

ASSESSMENT_FLOW = workflow.Flow(
    name="assessment", label=_("County assessment"), model="assessment.Assessment", states=AssessmentState,
    steps=(workflow.step("publish", _("Publish the assessment"), [], AssessmentState.PUBLISHED, {Role.CITY_BUREAU},
                         note="市对县综治考评: the result published with its method, ranking and PDF"),),
    terminal=frozenset({AssessmentState.PUBLISHED}),
    scope_of=lambda a: (a.jurisdiction_path, None),
)

CIRCULAR_FLOW = workflow.Flow(
    name="circular", label=_("Work circular"), model="assessment.Circular", states=CircularState,
    steps=(workflow.step("issue", _("Issue the circular"), [], CircularState.ISSUED,
                         {Role.CITY_BUREAU, Role.COUNTY_CENTRE},
                         note="工作通报: numbered by the issuing body, sent to the enterprises named"),),
    terminal=frozenset({CircularState.ISSUED}),
    scope_of=lambda c: (c.jurisdiction_path, None),
)
