"""Emergency management over REST: incidents in my scope (filtered, paginated) with their clocks, reporting
one (JSON; photos go through the page), the next step on one; plans in my scope and the enterprises without
a valid plan; drills."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from parcelguard.api.schemas import ERRORS, Text
from parcelguard.core import clock
from parcelguard.core.errors import Conflict, NotFound
from parcelguard.emergency import selectors, services
from parcelguard.emergency.models import Drill, Incident, Plan

router = Router(tags=["emergency"])


class StageOut(Schema):
    key: str
    label: str
    start: dt.datetime | None
    due: dt.datetime | None
    done_at: dt.datetime | None
    limit_minutes: int
    status: str = Field(description="waiting | running | overdue | on_time | late")
    minutes_left: int = Field(description="to the due moment; negative when overdue or done late")


class IncidentOut(Schema):
    id: int
    kind: str
    state: str
    version: int
    occurred_at: dt.datetime
    reported_at: dt.datetime
    county: str
    site_id: int | None
    enterprise_id: int | None
    place: str
    summary: str
    first_measures: str
    casualties: int
    clock: list[StageOut]

    @staticmethod
    def of(i: Incident) -> IncidentOut:
        now = clock.now()
        return IncidentOut(
            id=i.pk, kind=i.kind, state=i.state, version=i.version, occurred_at=i.occurred_at,
            reported_at=i.reported_at, county=i.county.code, site_id=i.site_id, enterprise_id=i.enterprise_id,
            place=i.place, summary=i.summary, first_measures=i.first_measures, casualties=i.casualties,
            clock=[StageOut(key=s.key, label=str(s.label), start=s.start, due=s.due, done_at=s.done_at,
                            limit_minutes=s.minutes, status=s.status(now), minutes_left=s.minutes_left(now))
                   for s in services.stages(i)])


class IncidentPage(Schema):
    count: int
    items: list[IncidentOut]


class IncidentParams(Schema):
    state: Text(20) = ""  # type: ignore[valid-type]
    kind: Text(20) = ""  # type: ignore[valid-type]
    county: Text(20) = ""  # type: ignore[valid-type]
    q: Text(100) = ""  # type: ignore[valid-type]
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=10_000_000)


class IncidentIn(Schema):
    kind: Text(20)  # type: ignore[valid-type]
    occurred_at: Text(40) = Field(description="local time YYYY-MM-DDTHH:MM[:SS] (Asia/Shanghai) or with an offset")  # type: ignore[valid-type]
    site_id: int | None = None
    place: Text(200)  # type: ignore[valid-type]
    summary: Text(4000)  # type: ignore[valid-type]
    first_measures: Text(4000)  # type: ignore[valid-type]
    casualties: int = Field(0, ge=0, le=100000)


class EmergencyStepIn(Schema):
    action: Text(20) = Field(description="forward | take_charge | follow_up (text required)")  # type: ignore[valid-type]
    version: int | None = None
    text: Text(2000) = ""  # type: ignore[valid-type]


@router.get("/emergency/incidents", response={200: IncidentPage, **ERRORS},
            summary="Incidents inside my scope (filtered, paginated; newest first) with their clocks")
def incident_list(request: HttpRequest, params: Query[IncidentParams]) -> IncidentPage:
    qs = selectors.filter_incidents(request.user, params.dict(exclude={"limit", "offset"}))
    return IncidentPage(count=qs.count(),
                        items=[IncidentOut.of(i) for i in qs[params.offset: params.offset + params.limit]])


def _incident(request: HttpRequest, pk: int) -> Incident:
    found = selectors.incidents(request.user).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("Record not found."))
    return found


@router.get("/emergency/incidents/{int:pk}", response={200: IncidentOut, **ERRORS}, summary="One incident")
def incident_get(request: HttpRequest, pk: int) -> IncidentOut:
    return IncidentOut.of(_incident(request, pk))


@router.post("/emergency/incidents", response={201: IncidentOut, **ERRORS},
             summary="Report an incident (enterprise safety officer, grid worker, county centre)")
def incident_create(request: HttpRequest, body: IncidentIn) -> Status:
    made = services.incident_report(user=request.user, **body.dict())
    return Status(201, IncidentOut.of(_incident(request, made.pk)))  # type: ignore[arg-type]


@router.post("/emergency/incidents/{int:pk}/steps", response={200: IncidentOut, **ERRORS},
             summary="Take the next step: forward (county), take_charge (city) or a follow_up report; closing "
                     "needs evidence and is done on the page")
def incident_step(request: HttpRequest, pk: int, body: EmergencyStepIn) -> IncidentOut:
    args = {"user": request.user, "incident_id": pk, "version": body.version}
    if body.action == "forward":
        services.incident_forward(note=body.text, **args)
    elif body.action == "take_charge":
        services.incident_take_charge(note=body.text, **args)
    elif body.action == "follow_up":
        services.incident_follow_up(text=body.text, **args)
    else:
        raise Conflict(_("Unknown step."), code="unknown_action")
    return IncidentOut.of(_incident(request, pk))


class EmergencyPlanOut(Schema):
    id: int
    enterprise_id: int
    enterprise: str
    kind: str
    title: str
    version: str
    approved_on: dt.date
    review_on: dt.date
    status: str = Field(description="valid | expiring | expired | superseded")
    sha256: str

    @staticmethod
    def of(p: Plan, day: dt.date) -> EmergencyPlanOut:
        return EmergencyPlanOut(id=p.pk, enterprise_id=p.enterprise_id, enterprise=p.enterprise.name, kind=p.kind,
                       title=p.title, version=p.version_label, approved_on=p.approved_on, review_on=p.review_on,
                       status=selectors.plan_status(p, day), sha256=p.file.sha256)


class PlanPage(Schema):
    count: int
    items: list[EmergencyPlanOut]


class PlanParams(Schema):
    kind: Text(20) = ""  # type: ignore[valid-type]
    validity: Text(20) = "current"  # type: ignore[valid-type]
    q: Text(100) = ""  # type: ignore[valid-type]
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=10_000_000)


@router.get("/emergency/plans", response={200: PlanPage, **ERRORS},
            summary="Emergency plans inside my scope (validity: current, valid, expiring, expired, superseded, all)")
def plan_list(request: HttpRequest, params: Query[PlanParams]) -> PlanPage:
    day = clock.today()
    qs = selectors.filter_plans(request.user, params.dict(exclude={"limit", "offset"}), day)
    return PlanPage(count=qs.count(), items=[EmergencyPlanOut.of(p, day) for p in qs[params.offset: params.offset + params.limit]])


class EnterpriseRef(Schema):
    id: int
    name: str


class EmergencyEnterprisePage(Schema):
    count: int
    items: list[EnterpriseRef]


@router.get("/emergency/plans/missing", response={200: EmergencyEnterprisePage, **ERRORS},
            summary="Active enterprises inside my scope without a valid comprehensive emergency plan today")
def plan_missing(request: HttpRequest) -> EmergencyEnterprisePage:
    qs = selectors.without_valid_plan(request.user, clock.today())
    return EmergencyEnterprisePage(count=qs.count(), items=[EnterpriseRef(id=e.pk, name=e.name) for e in qs[:1000]])


class DrillOut(Schema):
    id: int
    kind: str
    title: str
    scenario: str
    held_on: dt.date
    place: str
    participants: int
    enterprise_id: int | None
    open_actions: int

    @staticmethod
    def of(d: Drill) -> DrillOut:
        return DrillOut(id=d.pk, kind=d.kind, title=d.title, scenario=d.scenario, held_on=d.held_on, place=d.place,
                        participants=d.participants, enterprise_id=d.enterprise_id,
                        open_actions=d.actions.filter(state="open").count())


class DrillPage(Schema):
    count: int
    items: list[DrillOut]


class DrillParams(Schema):
    kind: Text(20) = ""  # type: ignore[valid-type]
    year: Text(4) = ""  # type: ignore[valid-type]
    q: Text(100) = ""  # type: ignore[valid-type]
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=10_000_000)


@router.get("/emergency/drills", response={200: DrillPage, **ERRORS}, summary="Drills inside my scope")
def drill_list(request: HttpRequest, params: Query[DrillParams]) -> DrillPage:
    qs = selectors.filter_drills(request.user, params.dict(exclude={"limit", "offset"}))
    return DrillPage(count=qs.count(), items=[DrillOut.of(d) for d in qs[params.offset: params.offset + params.limit]])
