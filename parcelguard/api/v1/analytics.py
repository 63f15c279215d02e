"""The data-analysis library over REST: each dashboard figure and the duty record, with the same filters
as the pages (period, county, grid, brand, hazard type, tier). The parcel figures (`compliance`,
`outlets`, `warnings`) take the period, place and brand; hazard type and tier do not apply to them.
`warnings` is null for a caller without the permission to see early warnings."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from parcelguard.analytics import duty, indicators
from parcelguard.analytics.filters import Filters
from parcelguard.api.schemas import ERRORS, Text

router = Router(tags=["analytics"])

FigureName = Literal["types", "areas", "brands", "states", "loop", "trend", "enforcement", "map", "compliance",
                     "outlets", "warnings"]


class FilterParams(Schema):
    date_from: Text(10) | None = Field(None, alias="from", description="first day, YYYY-MM-DD (default: 12 months back)")
    date_to: Text(10) | None = Field(None, alias="to", description="last day, YYYY-MM-DD (default: today)")
    county: Text(20) | None = Field(None, description="county division code")
    grid: Text(20) | None = Field(None, description="grid code")
    brand: Text(10) | None = None
    type: Text(40) | None = Field(None, description="hazard type code")
    tier: Literal["county", "city"] | None = Field(None, description="handling tier: city once escalated")

    def filters(self) -> Filters:
        return Filters.parse({"from": self.date_from, "to": self.date_to, "county": self.county, "grid": self.grid,
                              "brand": self.brand, "type": self.type, "tier": self.tier})


class FigureOut(Schema):
    figure: str
    query: str
    data: Any
    taken_at: str | None = Field(None, description="when the data was taken (ISO 8601): figures come from summary "
                                                   "tables rebuilt every few minutes, or are computed on request")


class DutyLineOut(Schema):
    rule: str
    rule_name: str
    event_ids: list[int]
    subjects: list[str] = Field(description='the subjects in the trail\'s form: "event:12", "selfcheck:5"')
    url: str = Field("", description="a registered source's line: the subject's page")
    subject: str
    county: str
    detail: str


class DutyOut(Schema):
    as_of: str
    query: str
    counts: dict[str, int]
    lines: list[DutyLineOut]


@router.get("/analytics/figures/{name}", response={200: FigureOut, **ERRORS},
            summary="One dashboard figure (aggregated in the database, scoped to the caller)")
def figure(request: HttpRequest, name: FigureName, params: Query[FilterParams]) -> FigureOut:
    f = params.filters()
    data, taken_at = indicators.figure_taken(name, request.user, f)
    return FigureOut(figure=name, query=f.query(), data=data, taken_at=taken_at)


@router.get("/analytics/duty", response={200: DutyOut, **ERRORS},
            summary="The duty record (履职): the regulator's lapses in the period")
def duty_record(request: HttpRequest, params: Query[FilterParams]) -> DutyOut:
    f = params.filters()
    record = duty.duty_record(request.user, f)
    return DutyOut(as_of=record.as_of.isoformat(), query=f.query(),
                   counts={k: len(v) for k, v in record.lines.items()},
                   lines=[DutyLineOut(rule=k, rule_name=duty.heading(k), event_ids=line.event_ids,
                                      subjects=line.subjects, url=line.url, subject=line.subject,
                                      county=line.county, detail=line.detail)
                          for k, v in record.lines.items() for line in v])
