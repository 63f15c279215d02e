"""The platform's registries over REST: the work waiting for the caller (every app's work sources merged,
core.registry.work_for) and every registered dashboard figure for a period (core.registry.figures)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from parcelguard.analytics.filters import Filters
from parcelguard.api.schemas import ERRORS, Text
from parcelguard.core import clock, registry

router = Router(tags=["work"])


class WorkItemOut(Schema):
    kind: str = Field(description="the source: event, warning, reward, selfcheck, …")
    subject: str = Field(description='the subject as the trail names it, e.g. "event:12"')
    title: str
    url: str
    state: str = Field(description="the subject's state, in words")
    due: dt.datetime | None
    since: dt.datetime | None
    overdue: bool


class WorkOut(Schema):
    count: int
    kinds: dict[str, int]
    items: list[WorkItemOut]


class WorkParams(Schema):
    kind: Text(30) | None = Field(None, description="only this source")
    limit: int = Field(100, ge=1, le=1000)


@router.get("/work", response={200: WorkOut, **ERRORS},
            summary="What waits for the caller: every app's work, overdue first, then by due moment")
def work(request: HttpRequest, params: Query[WorkParams]) -> WorkOut:
    now = clock.now()
    items = registry.work_for(request.user, now, kinds=[params.kind] if params.kind else None)
    kinds: dict[str, int] = {}
    for item in items:
        kinds[item.kind] = kinds.get(item.kind, 0) + 1
    return WorkOut(count=len(items), kinds=kinds, items=[
        WorkItemOut(kind=i.kind, subject=i.subject, title=str(i.title), url=i.url, state=str(i.state_label),
                    due=i.due, since=i.since, overdue=i.overdue(now)) for i in items[:params.limit]])


class FigureValueOut(Schema):
    key: str
    label: str
    section: str
    unit: str
    help: str
    value: float | int


class FiguresOut(Schema):
    start: dt.datetime = Field(description="the period's first moment")
    end: dt.datetime = Field(description="the period's end, exclusive")
    figures: list[FigureValueOut]


class PeriodParams(Schema):
    date_from: Text(10) | None = Field(None, alias="from", description="first day, YYYY-MM-DD (default: 12 months back)")
    date_to: Text(10) | None = Field(None, alias="to", description="last day, YYYY-MM-DD (default: today)")
    section: Text(30) | None = Field(None, description="only the figures of this section (events, parcels, …)")


@router.get("/analytics/figures", response={200: FiguresOut, **ERRORS},
            summary="Every registered figure for the period, inside the caller's scope (the period is the only "
                    "filter a registered figure takes; the dashboard figures at /analytics/figures/{name} take "
                    "place, brand, type and tier)")
def figures(request: HttpRequest, params: Query[PeriodParams]) -> FiguresOut:
    f = Filters.parse({"from": params.date_from, "to": params.date_to})
    section = params.section
    now = clock.now()
    chosen = [fig for fig in registry.figures() if section is None or fig.section == section]
    return FiguresOut(start=f.since, end=f.until, figures=[
        FigureValueOut(key=fig.key, label=str(fig.label), section=fig.section, unit=fig.unit, help=str(fig.help),
                       value=fig.compute(request.user, f.since, f.until, now=now)) for fig in chosen])
