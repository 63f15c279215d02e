"""County assessment and work circulars over REST: the method in force (and publishing a new version), the
assessment of a period computed now (not kept), publishing it, the published assessments with every county's
figures, the records behind one figure, and the circulars (list, one, issuing)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from parcelguard.accounts.models import Jurisdiction, Level
from parcelguard.api.schemas import ERRORS, Text
from parcelguard.assessment import indicators, scoring, selectors, services
from parcelguard.assessment.models import Assessment, Circular, Method
from parcelguard.core.errors import Forbidden, NotFound

router = Router(tags=["assessment"])


class AssessmentItemOut(Schema):
    code: str
    indicator: str
    label: str
    weight: float
    help: str


class AssessmentMethodOut(Schema):
    version: int
    title: str
    items: list[AssessmentItemOut]
    published_at: dt.datetime


def _method_out(m: Method) -> AssessmentMethodOut:
    return AssessmentMethodOut(version=m.version, title=m.title, published_at=m.published_at, items=[
        AssessmentItemOut(code=i["code"], indicator=i["indicator"], label=i["label"], weight=float(i["weight"]),
                help=str(indicators.INDICATORS[i["indicator"]].help)) for i in m.items])


def _reader(request: HttpRequest) -> None:
    if not selectors.can_read_assessments(request.user):
        raise Forbidden(_("Your role may not do this."), code="role_not_allowed")


@router.get("/assessment/method", response={200: AssessmentMethodOut, **ERRORS}, summary="The assessment method in force")
def method_get(request: HttpRequest) -> AssessmentMethodOut:
    _reader(request)
    return _method_out(services.current_method())


class AssessmentItemIn(Schema):
    code: Text(40) = ""  # type: ignore[valid-type]
    indicator: Text(40)  # type: ignore[valid-type]
    label: Text(60) = ""  # type: ignore[valid-type]
    weight: float = Field(ge=0, le=100)


class AssessmentMethodIn(Schema):
    title: Text(120)  # type: ignore[valid-type]
    items: list[AssessmentItemIn] = Field(max_length=30)


@router.post("/assessment/method", response={201: AssessmentMethodOut, **ERRORS},
             summary="Publish a new version of the assessment method (city bureau); weights add up to 100")
def method_publish(request: HttpRequest, body: AssessmentMethodIn) -> Any:
    made = services.method_publish(user=request.user, title=body.title,
                                   items=[{**i.dict(), "weight": repr(i.weight)} for i in body.items])
    return Status(201, _method_out(made))  # type: ignore[arg-type]


class AssessmentFigureOut(Schema):
    item: str
    num: int
    den: int
    rate: float | None
    points: float
    records_url: str | None = None


class CountyOut(Schema):
    county_code: str
    county: str
    rank: int
    score: float
    figures: list[AssessmentFigureOut]


class ResultOut(Schema):
    id: int | None
    number: str
    period: str
    start: dt.date
    end: dt.date = Field(description="exclusive")
    as_of: dt.datetime
    method_version: int
    published_at: dt.datetime | None
    counties: list[CountyOut]


class AssessmentPeriodParams(Schema):
    period: Text(10)  # type: ignore[valid-type]
    method: int | None = Field(None, ge=1, le=1_000_000)


@router.get("/assessment/preview", response={200: ResultOut, **ERRORS},
            summary="The assessment of a period computed now from the records (nothing kept)")
def preview(request: HttpRequest, params: Query[AssessmentPeriodParams]) -> ResultOut:
    _reader(request)
    period = scoring.parse_period(params.period)
    result = scoring.compute(request.user, period, services.method_of(params.method))
    return ResultOut(id=None, number="", period=period.code, start=period.start, end=period.end, as_of=result.as_of,
                     method_version=result.method.version, published_at=None, counties=[CountyOut(
                         county_code=r.county.code, county=r.county.name, rank=r.rank, score=float(r.score),
                         figures=[AssessmentFigureOut(item=line.code, num=line.num, den=line.den,
                                            rate=None if line.rate is None else float(line.rate),
                                            points=float(line.points)) for line in r.lines])
                         for r in result.counties])


def _in_order(a: Assessment, figures: dict[str, Any]) -> list[tuple[str, Any]]:
    """The figures in the method's order (PostgreSQL's jsonb does not keep the keys' order)."""
    return [(i["code"], figures[i["code"]]) for i in a.method.items if i["code"] in figures]


def _result_out(request: HttpRequest, a: Assessment) -> ResultOut:
    counties = []
    for s in selectors.scores(request.user, a):
        open_ = selectors.records_allowed(request.user, s.county)
        counties.append(CountyOut(county_code=s.county.code, county=s.county.name, rank=s.rank, score=float(s.score),
                                  figures=[AssessmentFigureOut(item=code, num=f["num"], den=f["den"],
                                                     rate=None if f["rate"] is None else float(f["rate"]),
                                                     points=float(f["points"]),
                                                     records_url=reverse("assessment:records",
                                                                         args=[a.pk, s.county.code, code])
                                                     if open_ else None)
                                           for code, f in _in_order(a, s.figures)]))
    return ResultOut(id=a.pk, number=a.number, period=a.period, start=a.start, end=a.end, as_of=a.as_of,
                     method_version=a.method.version, published_at=a.published_at, counties=counties)


class PublishIn(Schema):
    period: Text(10)  # type: ignore[valid-type]
    method: int | None = Field(None, ge=1, le=1_000_000)


@router.post("/assessment/results", response={201: ResultOut, **ERRORS},
             summary="Publish the assessment of a finished period (city bureau): figures, ranking and PDF kept")
def result_publish(request: HttpRequest, body: PublishIn) -> Any:
    made = services.assessment_publish(user=request.user, period=body.period, method_version=body.method)
    return Status(201, _result_out(request, made))  # type: ignore[arg-type]


class ResultRow(Schema):
    id: int
    number: str
    period: str
    method_version: int
    published_at: dt.datetime
    pdf_url: str


@router.get("/assessment/results", response={200: list[ResultRow], **ERRORS},
            summary="The published assessments of my city")
def result_list(request: HttpRequest) -> list[ResultRow]:
    _reader(request)
    return [ResultRow(id=a.pk, number=a.number, period=a.period, method_version=a.method.version,
                      published_at=a.published_at, pdf_url=reverse("assessment:pdf", args=[a.pk]))
            for a in selectors.assessments(request.user)[:500]]


@router.get("/assessment/results/{int:pk}", response={200: ResultOut, **ERRORS},
            summary="One published assessment: every county's figures, points, score and rank")
def result_get(request: HttpRequest, pk: int) -> ResultOut:
    found = selectors.assessments(request.user).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("Record not found."))
    return _result_out(request, found)


class RecordOut(Schema):
    subject: str
    title: str
    url: str
    when: dt.datetime | None
    counted: bool


@router.get("/assessment/results/{int:pk}/records/{county}/{item}", response={200: list[RecordOut], **ERRORS},
            summary="The records behind one figure of one county (the numerator's marked counted)")
def records(request: HttpRequest, pk: int, county: str, item: str) -> list[RecordOut]:
    found = selectors.assessments(request.user).filter(pk=pk).first()
    node = Jurisdiction.objects.filter(code=county, level=Level.COUNTY).first() if county.isdigit() else None
    line = next((i for i in (found.method.items if found else []) if i["code"] == item), None)
    if found is None or node is None or line is None or not selectors.records_allowed(request.user, node):
        raise NotFound(_("Record not found."))
    rows = indicators.INDICATORS[line["indicator"]].rows(
        request.user, node.path, scoring.Period(found.period, found.period_kind, found.start, found.end).since,
        scoring.Period(found.period, found.period_kind, found.start, found.end).until, found.as_of)
    return [RecordOut(subject=r.subject, title=r.title, url=r.url, when=r.when, counted=r.counted) for r in rows]


class CircularOut(Schema):
    id: int
    number: str
    title: str
    issuer: str
    month: str
    issued_at: dt.datetime
    pdf_url: str
    content: dict[str, Any]


def _circular_out(c: Circular) -> CircularOut:
    return CircularOut(id=c.pk, number=c.number, title=c.title, issuer=c.issuer_name, month=f"{c.month:%Y-%m}",
                       issued_at=c.issued_at, pdf_url=reverse("assessment:circular-pdf", args=[c.pk]),
                       content=c.content)


@router.get("/assessment/circulars", response={200: list[CircularOut], **ERRORS},
            summary="The circulars I may read (an enterprise: those addressed to it)")
def circular_list(request: HttpRequest) -> list[CircularOut]:
    return [_circular_out(c) for c in selectors.circulars(request.user)[:500]]


@router.get("/assessment/circulars/{int:pk}", response={200: CircularOut, **ERRORS}, summary="One circular")
def circular_get(request: HttpRequest, pk: int) -> CircularOut:
    found = selectors.circulars(request.user).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("Record not found."))
    return _circular_out(found)


class CircularIn(Schema):
    month: Text(7)  # type: ignore[valid-type]
    title: Text(120) = ""  # type: ignore[valid-type]
    practice: Text(3000) = ""  # type: ignore[valid-type]


@router.post("/assessment/circulars", response={201: CircularOut, **ERRORS},
             summary="Issue a numbered circular on a month (county centre or city bureau); sent to the enterprises named")
def circular_issue(request: HttpRequest, body: CircularIn) -> Any:
    made = services.circular_issue(user=request.user, month=body.month, title=body.title, practice=body.practice)
    return Status(201, _circular_out(made))  # type: ignore[arg-type]
