"""Inspections over REST: standards, plans and their draw (announce, draw, public verification),
inspections (list, read, submit the scored checklist with photos)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Form, Query, Router, Schema, Status
from pydantic import Field

from parcelguard.api.schemas import ERRORS, Page, Text
from parcelguard.core.errors import Invalid, NotFound
from parcelguard.inspections import selectors, services
from parcelguard.inspections.models import Inspection, Plan, Standard

router = Router(tags=["inspections"])


class StandardOut(Schema):
    id: int
    code: str
    version: int
    title: str
    total_points: float
    excellent_at: float
    pass_at: float
    published_at: dt.datetime | None
    items: list[dict[str, Any]]

    @staticmethod
    def of(s: Standard) -> StandardOut:
        return StandardOut(id=s.pk, code=s.code, version=s.version, title=s.title, total_points=float(s.total_points),
                           excellent_at=float(s.excellent_at), pass_at=float(s.pass_at), published_at=s.published_at,
                           items=s.items)


class PlanOut(Schema):
    id: int
    kind: str
    title: str
    starts_on: dt.date
    ends_on: dt.date
    state: str
    version: int
    standard_id: int
    ratio: float
    minimum: int
    counties: list[str]
    brands: list[str]
    site_kinds: list[str]
    commitment: str
    seed: str
    drawn: int

    @staticmethod
    def of(p: Plan) -> PlanOut:
        return PlanOut(id=p.pk, kind=p.kind, title=p.title, starts_on=p.starts_on, ends_on=p.ends_on, state=p.state,
                       version=p.version, standard_id=p.standard_id, ratio=float(p.ratio), minimum=p.minimum,
                       counties=p.counties, brands=p.brands, site_kinds=p.site_kinds, commitment=p.commitment,
                       seed=p.revealed_seed, drawn=len(p.result))


class InspectionOut(Schema):
    id: int
    plan_id: int
    site_id: int
    site_code: str
    enterprise_id: int
    state: str
    version: int
    due_at: dt.datetime
    number: str
    score: float | None
    max_score: float | None
    percent: float | None
    grade: str
    inspectors: list[str]  # certificate numbers
    answers: dict[str, Any]
    findings: list[dict[str, Any]]

    @staticmethod
    def of(i: Inspection) -> InspectionOut:
        return InspectionOut(
            id=i.pk, plan_id=i.plan_id, site_id=i.site_id, site_code=i.site.code, enterprise_id=i.enterprise_id,
            state=i.state, version=i.version, due_at=i.due_at, number=i.number,
            score=float(i.score) if i.score is not None else None,
            max_score=float(i.max_score) if i.max_score is not None else None,
            percent=float(i.percent) if i.percent is not None else None, grade=i.grade,
            inspectors=[o.certificate_no for o in i.inspectors.all()], answers=i.answers,
            findings=[{"item": f.item_code, "lost": float(f.lost), "note": f.note, "serious": f.serious,
                       "event_id": f.event_id} for f in i.findings.all()])


class PlanIn(Schema):
    kind: Text(12)  # type: ignore[valid-type]
    title: Text(120)  # type: ignore[valid-type]
    starts_on: Text(10)  # type: ignore[valid-type]
    ends_on: Text(10)  # type: ignore[valid-type]
    standard_id: int
    ratio: Text(10)  # type: ignore[valid-type]
    minimum: int = Field(1, ge=1, le=100000)
    counties: list[Text(20)] = []  # type: ignore[valid-type]
    brands: list[Text(10)] = []  # type: ignore[valid-type]
    site_kinds: list[Text(20)] = []  # type: ignore[valid-type]
    risk_weighted: bool = True


class StepIn(Schema):
    version: int | None = None


class SubmitIn(Schema):
    answers: Text(200_000)  # type: ignore[valid-type]  # JSON: {item code: {"ok"|"score"|"findings", "note"}}
    client_token: Text(64)  # type: ignore[valid-type]
    representative: Text(40) = ""  # type: ignore[valid-type]
    latitude: float | None = None
    longitude: float | None = None


class VerifyOut(Schema):
    ok: bool
    problems: list[str]
    commitment: str
    lists_sha256: str
    seed: str
    targets: list[Any]
    info: dict[str, Any]
    pool: list[Any]
    result: list[Any]


@router.get("/inspections/standards", response={200: list[StandardOut], **ERRORS}, summary="Evaluation standards")
def standard_list(request: HttpRequest) -> list[StandardOut]:
    return [StandardOut.of(s) for s in selectors.standards(request.user)[:200]]


@router.get("/inspections/standards/{int:pk}", response={200: StandardOut, **ERRORS}, summary="One standard")
def standard_get(request: HttpRequest, pk: int) -> StandardOut:
    found = selectors.standards(request.user).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("Record not found."))
    return StandardOut.of(found)


@router.get("/inspections/plans", response={200: Page[PlanOut], **ERRORS}, summary="Inspection plans")
def plan_list(request: HttpRequest, limit: int = Query(50, ge=1, le=200),
              offset: int = Query(0, ge=0, le=1_000_000)) -> Page[PlanOut]:
    qs = selectors.plans(request.user)
    return Page[PlanOut](count=qs.count(), items=[PlanOut.of(p) for p in qs[offset: offset + limit]])


@router.post("/inspections/plans", response={201: PlanOut, **ERRORS}, summary="Create a plan (draft)")
def plan_create(request: HttpRequest, body: PlanIn) -> Status[PlanOut]:
    plan = services.plan_create(user=request.user, **body.dict())
    return Status(201, PlanOut.of(plan))


def _plan(request: HttpRequest, pk: int) -> Plan:
    found = selectors.plans(request.user).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("Record not found."))
    return found


@router.get("/inspections/plans/{int:pk}", response={200: PlanOut, **ERRORS}, summary="One plan")
def plan_get(request: HttpRequest, pk: int) -> PlanOut:
    return PlanOut.of(_plan(request, pk))


@router.post("/inspections/plans/{int:pk}/commit", response={200: PlanOut, **ERRORS},
             summary="Announce the draw: freeze the candidate lists, publish SHA-256 of the secret seed")
def plan_commit(request: HttpRequest, pk: int, body: StepIn) -> PlanOut:
    return PlanOut.of(services.plan_commit(user=request.user, pk=pk, version=body.version))


@router.post("/inspections/plans/{int:pk}/draw", response={200: PlanOut, **ERRORS},
             summary="Reveal the seed, draw targets and inspectors, lock")
def plan_draw(request: HttpRequest, pk: int, body: StepIn) -> PlanOut:
    return PlanOut.of(services.plan_draw(user=request.user, pk=pk, version=body.version))


@router.get("/inspections/public/plans/{int:pk}/draw", response={200: VerifyOut, 404: ERRORS[404]}, auth=None, openapi_extra={"security": []},
            summary="Public: a plan's published draw data and its recomputation (no log-in)")
def plan_public_draw(request: HttpRequest, pk: int) -> VerifyOut:
    plan = selectors.public_plans().filter(pk=pk).first()
    if plan is None:
        raise NotFound(_("Record not found."))
    check = services.verify_plan(plan)
    return VerifyOut(ok=check["ok"], problems=check["problems"], commitment=plan.commitment, lists_sha256=plan.lists_sha256,
                     seed=plan.revealed_seed,
                     targets=plan.targets, info=plan.target_info, pool=plan.pool, result=plan.result)


def _inspections(request: HttpRequest) -> Any:
    return selectors.inspections(request.user).prefetch_related("inspectors", "findings")


@router.get("/inspections", response={200: Page[InspectionOut], **ERRORS},
            summary="Inspections in your scope (an enterprise: its own)")
def inspection_list(request: HttpRequest, state: Text(12) = "", plan: int | None = None,  # type: ignore[valid-type]
                    assigned_to_me: bool = False, limit: int = Query(50, ge=1, le=200),
                    offset: int = Query(0, ge=0, le=1_000_000)) -> Page[InspectionOut]:
    qs = selectors.assigned_to(request.user) if assigned_to_me else _inspections(request)
    if state:
        qs = qs.filter(state=state)
    if plan:
        qs = qs.filter(plan_id=plan)
    return Page[InspectionOut](count=qs.count(), items=[InspectionOut.of(i) for i in qs[offset: offset + limit]])


@router.get("/inspections/{int:pk}", response={200: InspectionOut, **ERRORS}, summary="One inspection")
def inspection_get(request: HttpRequest, pk: int) -> InspectionOut:
    found = _inspections(request).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("Record not found."))
    return InspectionOut.of(found)


@router.post("/inspections/{int:pk}/submit", response={200: InspectionOut, **ERRORS},
             summary="Submit the scored checklist (multipart: photo_<item code> files, a signature file); "
                     "the same client_token again answers the stored inspection")
def inspection_submit(request: HttpRequest, pk: int, body: Form[SubmitIn]) -> InspectionOut:
    try:
        answers = json.loads(body.answers)
        if not isinstance(answers, dict):
            raise ValueError
    except ValueError:
        raise Invalid(_("The answers are not valid."), code="invalid_answers") from None
    photos = {k.removeprefix("photo_"): request.FILES.getlist(k) for k in request.FILES if k.startswith("photo_")}
    services.inspection_submit(user=request.user, pk=pk, answers=answers, client_token=body.client_token,
                               representative=body.representative, signature=request.FILES.get("signature"),
                               photos=photos, latitude=body.latitude, longitude=body.longitude)
    return InspectionOut.of(_inspections(request).get(pk=pk))
