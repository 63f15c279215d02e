"""Enterprise credit over REST: the current ratings (filtered, paginated), one rating with the deductions the
caller may see, an enterprise's sampling weight, the published method, publishing a new version and a
recompute (city bureau)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from parcelguard.accounts.scoping import get_for
from parcelguard.api.schemas import ERRORS, Text
from parcelguard.core.errors import NotFound
from parcelguard.credit import selectors, services
from parcelguard.credit.models import Rating
from parcelguard.registry.models import Enterprise

router = Router(tags=["credit"])


class RatingOut(Schema):
    id: int
    enterprise_id: int
    enterprise: str
    score: float
    grade: str
    previous_grade: str
    window_start: dt.datetime
    window_end: dt.datetime
    computed_at: dt.datetime
    method_version: int
    sampling_weight: float

    @staticmethod
    def of(r: Rating) -> RatingOut:
        return RatingOut(id=r.pk, enterprise_id=r.enterprise_id, enterprise=r.enterprise.name, score=float(r.score),
                         grade=r.grade, previous_grade=r.previous_grade, window_start=r.window_start,
                         window_end=r.window_end, computed_at=r.computed_at, method_version=r.ruleset.version,
                         sampling_weight=selectors.weights().get(r.grade, selectors.UNRATED_WEIGHT))


class RatingPage(Schema):
    count: int
    items: list[RatingOut]


class DeductionOut(Schema):
    subject: str
    at: dt.datetime
    units: float
    points: float
    note: str
    url: str | None


class RuleLineOut(Schema):
    code: str
    source: str
    label: str
    points_per_unit: float
    cap: float | None
    deducted: float
    deductions: list[DeductionOut]
    hidden: int = Field(description="Deductions outside the caller's area: counted in the score, not shown.")


class RatingDetailOut(Schema):
    rating: RatingOut
    lines: list[RuleLineOut]


class RatingParams(Schema):
    q: Text(100) = ""  # type: ignore[valid-type]
    grade: Text(2) = ""  # type: ignore[valid-type]
    county: Text(20) = ""  # type: ignore[valid-type]
    brand: Text(10) = ""  # type: ignore[valid-type]
    moved: Text(4) = ""  # type: ignore[valid-type]
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=10_000_000)


@router.get("/credit/ratings", response={200: RatingPage, **ERRORS},
            summary="Current credit ratings inside my scope (filtered, paginated; lowest score first)")
def rating_list(request: HttpRequest, params: Query[RatingParams]) -> RatingPage:
    qs = selectors.ratings(request.user, params.dict(exclude={"limit", "offset"}))
    return RatingPage(count=qs.count(), items=[RatingOut.of(r) for r in qs[params.offset: params.offset + params.limit]])


@router.get("/credit/ratings/{int:pk}", response={200: RatingDetailOut, **ERRORS},
            summary="One rating with every rule and the records that moved it")
def rating_get(request: HttpRequest, pk: int) -> RatingDetailOut:
    found = selectors.rating(request.user, pk)
    if found is None:
        raise NotFound(_("Record not found."))
    lines = [RuleLineOut(
        code=line.rule["code"], source=line.rule["source"], label=line.rule["label"],
        points_per_unit=float(line.rule["points"]), cap=float(line.rule["cap"]) if line.rule.get("cap") else None,
        deducted=float(line.total), hidden=line.hidden,
        deductions=[DeductionOut(subject=d.subject, at=d.at, units=float(d.units), points=float(d.points), note=d.note,
                                 url=url) for d, url, _note in line.rows]) for line in selectors.explain(request.user, found)]
    return RatingDetailOut(rating=RatingOut.of(found), lines=lines)


class WeightOut(Schema):
    enterprise_id: int
    grade: str
    sampling_weight: float


@router.get("/credit/enterprises/{int:pk}/sampling-weight", response={200: WeightOut, **ERRORS},
            summary="An enterprise's current grade and its sampling weight for random inspections")
def weight_get(request: HttpRequest, pk: int) -> WeightOut:
    enterprise = get_for(request.user, Enterprise, pk=pk)
    return WeightOut(enterprise_id=enterprise.pk, grade=selectors.current_grade(enterprise),
                     sampling_weight=selectors.sampling_weight(enterprise))


class RuleIn(Schema):
    code: Text(40) = ""  # type: ignore[valid-type]
    source: Text(40)  # type: ignore[valid-type]
    label: Text(60) = ""  # type: ignore[valid-type]
    points: float = Field(ge=0, le=100)
    cap: float | None = Field(None, gt=0, le=1000)


class GradeIn(Schema):
    grade: Text(2)  # type: ignore[valid-type]
    min: float = Field(ge=0, le=1000)


class MethodIn(Schema):
    title: Text(120)  # type: ignore[valid-type]
    window_days: int = Field(365, ge=30, le=1100)
    rules: list[RuleIn] = Field(max_length=50)
    grades: list[GradeIn] = Field(max_length=10)


class MethodOut(Schema):
    version: int
    title: str
    base: float
    window_days: int
    rules: list[dict[str, Any]]
    grades: list[dict[str, Any]]
    published_at: dt.datetime


def _method_out(m: Any) -> MethodOut:
    return MethodOut(version=m.version, title=m.title, base=float(m.base), window_days=m.window_days, rules=m.rules,
                     grades=m.grades, published_at=m.published_at)


@router.get("/credit/method", response={200: MethodOut, **ERRORS}, summary="The rating method in force")
def method_get(request: HttpRequest) -> MethodOut:
    return _method_out(services.current_ruleset())


@router.post("/credit/method", response={201: MethodOut, **ERRORS},
             summary="Publish a new version of the rating method (city bureau)")
def method_publish(request: HttpRequest, body: MethodIn) -> Any:
    made = services.ruleset_publish(user=request.user, title=body.title, window_days=body.window_days,
                                    rules=[r.dict() for r in body.rules], grades=[g.dict() for g in body.grades])
    return Status(201, _method_out(made))  # type: ignore[arg-type]


class RunOut(Schema):
    id: int
    method_version: int
    enterprises: int
    deductions: int
    seconds: float
    window_start: dt.datetime
    window_end: dt.datetime


@router.post("/credit/recompute", response={200: RunOut, **ERRORS},
             summary="Recompute every enterprise's rating now (city bureau)")
def recompute(request: HttpRequest) -> RunOut:
    run = services.recompute(user=request.user, trigger="manual")
    return RunOut(id=run.pk, method_version=run.ruleset.version, enterprises=run.enterprises,
                  deductions=run.deductions, seconds=run.seconds, window_start=run.window_start,
                  window_end=run.window_end)
