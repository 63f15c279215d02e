"""Procuratorial oversight over REST: case files and their investigation record, recommendations with
their items and reply clock, service, extension, the bureau's tasks and reply, the follow-up, suit,
judgment, compliance checks and closing. Steps with evidence take multipart form data (fields + `files`);
item-by-item results travel as a JSON object in the `results` field."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from parcelguard.accounts.scoping import get_for
from parcelguard.api.schemas import ERRORS, Text
from parcelguard.core import clock
from parcelguard.core.errors import Invalid
from parcelguard.oversight import selectors, services
from parcelguard.oversight.models import CaseFile, Recommendation, Task

router = Router(tags=["oversight"])
Files = File[list[UploadedFile]]
MAX_ID = 2_000_000_000


class OversightItemOut(Schema):
    id: int
    position: int
    problem: str
    request: str
    sites: list[int]
    events: list[int]
    warnings: list[int]
    samples: list[int]
    finding: str


class OversightClockOut(Schema):
    due_on: dt.date | None
    days_left: int | None
    replied: bool
    late: bool
    extended: bool


class RecommendationOut(Schema):
    id: int
    case_id: int
    number: str
    title: str
    addressee: str
    issued_on: dt.date
    urgent: bool
    state: str
    version: int
    served_on: dt.date | None
    service_method: str
    clock: OversightClockOut
    reply_number: str | None
    reply_pdf: str | None
    bundle: str
    items: list[OversightItemOut]

    @staticmethod
    def of(rec: Recommendation) -> RecommendationOut:
        c = selectors.clock_of(rec, clock.now())
        reply = getattr(rec, "reply", None) if hasattr(rec, "reply") else None
        items = [OversightItemOut(id=i.pk, position=i.position, problem=i.problem, request=i.request,
                         sites=[s.pk for s in i.sites.all()], events=[e.pk for e in i.events.all()],
                         warnings=[w.pk for w in i.warnings.all()], samples=[s.pk for s in i.samples.all()],
                         finding=i.finding) for i in rec.items.prefetch_related("sites", "events", "warnings", "samples")]
        return RecommendationOut(
            id=rec.pk, case_id=rec.case_id, number=rec.number, title=rec.title, addressee=rec.addressee,
            issued_on=rec.issued_on, urgent=rec.urgent, state=rec.state, version=rec.version, served_on=rec.served_on,
            service_method=rec.service_method,
            clock=OversightClockOut(due_on=c.due_on, days_left=c.days_left, replied=c.replied, late=c.late, extended=c.extended),
            reply_number=reply.document.number if reply else None,
            reply_pdf=reverse("oversight:reply-pdf", args=[rec.pk]) if reply else None,
            bundle=reverse("oversight:bundle", args=[rec.pk]), items=items)


def _rec(request: HttpRequest, pk: int) -> RecommendationOut:
    return RecommendationOut.of(get_for(request.user, selectors.recommendations(request.user), pk=pk))


@router.get("/oversight/recommendations", response={200: list[RecommendationOut], **ERRORS},
            summary="Recommendations in your area, with their reply clock")
def recommendation_list(request: HttpRequest) -> list[RecommendationOut]:
    return [RecommendationOut.of(r) for r in selectors.recommendations(request.user)[:500]]


@router.get("/oversight/recommendations/{int:pk}", response={200: RecommendationOut, **ERRORS},
            summary="One recommendation")
def recommendation_get(request: HttpRequest, pk: int) -> RecommendationOut:
    return _rec(request, pk)


class CaseIn(Schema):
    number: Text(80, 1)  # type: ignore[valid-type]
    procuratorate: Text(100, 1)  # type: ignore[valid-type]
    matter: Text(20, 1)  # type: ignore[valid-type]
    summary: Text(4000, 1)  # type: ignore[valid-type]
    opened_on: dt.date
    sites: list[Text(40)] = []  # type: ignore[valid-type]
    enterprises: list[int] = []


class OversightCaseOut(Schema):
    id: int
    number: str
    procuratorate: str
    matter: str
    state: str
    opened_on: dt.date
    records: int
    recommendations: list[int]

    @staticmethod
    def of(case: CaseFile) -> OversightCaseOut:
        return OversightCaseOut(id=case.pk, number=case.number, procuratorate=case.procuratorate, matter=case.matter,
                       state=case.state, opened_on=case.opened_on, records=case.investigations.count(),
                       recommendations=list(case.recommendations.values_list("pk", flat=True)))


@router.get("/oversight/cases", response={200: list[OversightCaseOut], **ERRORS}, summary="Case files in your area")
def case_list(request: HttpRequest) -> list[OversightCaseOut]:
    return [OversightCaseOut.of(c) for c in selectors.case_files(request.user)[:500]]


@router.post("/oversight/cases", response={201: OversightCaseOut, **ERRORS}, summary="Procurator: open a case file")
def case_open(request: HttpRequest, body: CaseIn) -> Status[OversightCaseOut]:
    case = services.case_open(user=request.user, number=body.number, procuratorate=body.procuratorate,
                              matter=body.matter, summary=body.summary, opened_on=body.opened_on,
                              site_ids=body.sites, enterprise_ids=body.enterprises)
    return Status(201, OversightCaseOut.of(case))  # type: ignore[arg-type]


class RecordIn(Schema):
    kind: Text(20, 1)  # type: ignore[valid-type]
    held_on: dt.date
    findings: Text(4000, 1)  # type: ignore[valid-type]
    place: Text(200) = ""  # type: ignore[valid-type]
    participants: Text(500) = ""  # type: ignore[valid-type]
    supervisors_opinion: Text(2000) = ""  # type: ignore[valid-type]


@router.post("/oversight/cases/{int:pk}/records", response={201: OversightCaseOut, **ERRORS},
             summary="Procurator: add to the investigation record, with evidence")
def case_record(request: HttpRequest, pk: int, body: Form[RecordIn], files: Files = None) -> Status[OversightCaseOut]:
    services.investigation_record(user=request.user, case_id=pk, uploads=files or [], **body.dict())
    return Status(201, OversightCaseOut.of(get_for(request.user, CaseFile, pk=pk)))  # type: ignore[arg-type]


class OversightItemIn(Schema):
    problem: Text(2000, 1)  # type: ignore[valid-type]
    request: Text(2000, 1)  # type: ignore[valid-type]
    sites: list[Text(40)] = []  # type: ignore[valid-type]
    events: list[int] = []
    warnings: list[int] = []
    samples: list[int] = []


class RecommendationIn(Schema):
    number: Text(80, 1)  # type: ignore[valid-type]
    title: Text(200, 1)  # type: ignore[valid-type]
    addressee: Text(100, 1)  # type: ignore[valid-type]
    issued_on: dt.date
    urgent: bool = False
    items: list[OversightItemIn] = Field(default_factory=list, max_length=services.MAX_ITEMS)


@router.post("/oversight/cases/{int:pk}/recommendations", response={201: RecommendationOut, **ERRORS},
             summary="Procurator: draft a recommendation with its items")
def recommendation_create(request: HttpRequest, pk: int, body: RecommendationIn) -> Status[RecommendationOut]:
    rec = services.recommendation_create(user=request.user, case_id=pk, number=body.number, title=body.title,
                                         addressee=body.addressee, issued_on=body.issued_on, urgent=body.urgent,
                                         items=[i.dict() for i in body.items])
    return Status(201, _rec(request, rec.pk))  # type: ignore[arg-type]


class ServeIn(Schema):
    version: int = Field(..., ge=1, le=MAX_ID)
    served_on: dt.date
    method: Text(12, 1)  # type: ignore[valid-type]
    received_by: Text(100) = ""  # type: ignore[valid-type]


@router.post("/oversight/recommendations/{int:pk}/serve", response={200: RecommendationOut, **ERRORS},
             summary="Procurator: serve (starts the reply clock)")
def recommendation_serve(request: HttpRequest, pk: int, body: Form[ServeIn], files: Files = None) -> RecommendationOut:
    services.recommendation_serve(user=request.user, pk=pk, uploads=files or [], **body.dict())
    return _rec(request, pk)


class ExtendIn(Schema):
    version: int = Field(..., ge=1, le=MAX_ID)
    due_on: dt.date
    reason: Text(2000, 1)  # type: ignore[valid-type]


@router.post("/oversight/recommendations/{int:pk}/extend", response={200: RecommendationOut, **ERRORS},
             summary="Procurator: extend the reply period once, with a reason")
def recommendation_extend(request: HttpRequest, pk: int, body: ExtendIn) -> RecommendationOut:
    services.recommendation_extend(user=request.user, pk=pk, **body.dict())
    return _rec(request, pk)


class TaskIn(Schema):
    item_id: int = Field(..., ge=1, le=MAX_ID)
    county_id: int = Field(..., ge=1, le=MAX_ID)
    title: Text(200, 1)  # type: ignore[valid-type]
    due_on: dt.date
    event_id: int | None = Field(None, ge=1, le=MAX_ID)


class TaskOut(Schema):
    id: int
    recommendation_id: int
    item: int
    county: str
    title: str
    due_on: dt.date
    event_id: int | None
    event_state: str | None
    done_at: dt.datetime | None

    @staticmethod
    def of(t: Task) -> TaskOut:
        return TaskOut(id=t.pk, recommendation_id=t.item.recommendation_id, item=t.item.position, county=t.county.name,
                       title=t.title, due_on=t.due_on, event_id=t.event_id,
                       event_state=t.event.state if t.event_id else None, done_at=t.done_at)


@router.get("/oversight/tasks", response={200: list[TaskOut], **ERRORS}, summary="Rectification tasks in your area")
def task_list(request: HttpRequest) -> list[TaskOut]:
    return [TaskOut.of(t) for t in selectors.tasks(request.user)[:1000]]


@router.post("/oversight/recommendations/{int:pk}/tasks", response={201: TaskOut, **ERRORS},
             summary="City bureau: set a rectification task for an item")
def task_create(request: HttpRequest, pk: int, body: TaskIn) -> Status[TaskOut]:
    get_for(request.user, selectors.items(request.user), pk=body.item_id, recommendation_id=pk)
    task = services.task_create(user=request.user, **body.dict())
    return Status(201, TaskOut.of(get_for(request.user, selectors.tasks(request.user), pk=task.pk)))  # type: ignore[arg-type]


class DoneIn(Schema):
    note: Text(2000, 1)  # type: ignore[valid-type]


@router.post("/oversight/tasks/{int:pk}/done", response={200: TaskOut, **ERRORS},
             summary="Bureau or county centre: a task without an event is done, with evidence")
def task_done(request: HttpRequest, pk: int, body: Form[DoneIn], files: Files = None) -> TaskOut:
    services.task_done(user=request.user, task_id=pk, note=body.note, uploads=files or [])
    return TaskOut.of(get_for(request.user, selectors.tasks(request.user), pk=pk))


class ReplyIn(Schema):
    version: int = Field(..., ge=1, le=MAX_ID)
    summary: Text(4000) = ""  # type: ignore[valid-type]
    contact_name: Text(40) = ""  # type: ignore[valid-type]
    contact_phone: Text(30) = ""  # type: ignore[valid-type]


class DraftItemOut(Schema):
    position: int
    status: str
    open_until: dt.date | None
    tasks: list[dict[str, Any]]
    linked: list[dict[str, Any] | None]


@router.get("/oversight/recommendations/{int:pk}/draft", response={200: list[DraftItemOut], **ERRORS},
            summary="The reply as the records stand now, item by item")
def reply_draft(request: HttpRequest, pk: int) -> list[DraftItemOut]:
    rec = get_for(request.user, selectors.recommendations(request.user), pk=pk)
    return [DraftItemOut(**i) for i in selectors.reply_draft(rec).as_json()["items"]]


@router.post("/oversight/recommendations/{int:pk}/reply", response={200: RecommendationOut, **ERRORS},
             summary="City bureau: issue the written reply (numbered PDF)")
def reply_issue(request: HttpRequest, pk: int, body: ReplyIn) -> RecommendationOut:
    services.reply_issue(user=request.user, pk=pk, **body.dict())
    return _rec(request, pk)


class ChecksIn(Schema):
    version: int = Field(..., ge=1, le=MAX_ID)
    checked_on: dt.date
    results: Text(100_000, 2) = Field(..., description='JSON: {"<item id>": {"result": "rectified|partly|not_rectified", "note": "…"}}')  # type: ignore[valid-type]


def _results(raw: str) -> dict[str, Any]:
    try:
        value = json.loads(raw)
    except ValueError:
        raise Invalid("results must be a JSON object.", code="invalid_results") from None
    if not isinstance(value, dict):
        raise Invalid("results must be a JSON object.", code="invalid_results")
    return value


@router.post("/oversight/recommendations/{int:pk}/follow-up", response={200: RecommendationOut, **ERRORS},
             summary="Procurator: the follow-up, item by item, with evidence")
def follow_up(request: HttpRequest, pk: int, body: Form[ChecksIn], files: Files = None) -> RecommendationOut:
    services.follow_up(user=request.user, pk=pk, version=body.version, checked_on=body.checked_on,
                       results=_results(body.results), uploads=files or [])
    return _rec(request, pk)


@router.post("/oversight/recommendations/{int:pk}/compliance-check", response={200: RecommendationOut, **ERRORS},
             summary="Procurator: a check after the judgment, item by item, with evidence")
def compliance_check(request: HttpRequest, pk: int, body: Form[ChecksIn], files: Files = None) -> RecommendationOut:
    services.compliance_check(user=request.user, pk=pk, version=body.version, checked_on=body.checked_on,
                              results=_results(body.results), uploads=files or [])
    return _rec(request, pk)


class SuitIn(Schema):
    version: int = Field(..., ge=1, le=MAX_ID)
    court: Text(100, 1)  # type: ignore[valid-type]
    case_number: Text(80, 1)  # type: ignore[valid-type]
    filed_on: dt.date
    claims: Text(4000, 1)  # type: ignore[valid-type]


@router.post("/oversight/recommendations/{int:pk}/suit", response={200: RecommendationOut, **ERRORS},
             summary="Procurator: record the administrative public-interest suit")
def suit(request: HttpRequest, pk: int, body: SuitIn) -> RecommendationOut:
    services.suit_record(user=request.user, pk=pk, **body.dict())
    return _rec(request, pk)


class JudgmentIn(Schema):
    version: int = Field(..., ge=1, le=MAX_ID)
    judged_on: dt.date
    judgment: Text(4000, 1)  # type: ignore[valid-type]


@router.post("/oversight/recommendations/{int:pk}/judgment", response={200: RecommendationOut, **ERRORS},
             summary="Procurator: record the judgment")
def judgment(request: HttpRequest, pk: int, body: JudgmentIn) -> RecommendationOut:
    services.judgment_record(user=request.user, pk=pk, **body.dict())
    return _rec(request, pk)


class CloseIn(Schema):
    version: int = Field(..., ge=1, le=MAX_ID)
    reason: Text(2000, 1)  # type: ignore[valid-type]


@router.post("/oversight/recommendations/{int:pk}/close", response={200: RecommendationOut, **ERRORS},
             summary="Procurator: close")
def close(request: HttpRequest, pk: int, body: CloseIn) -> RecommendationOut:
    services.recommendation_close(user=request.user, pk=pk, **body.dict())
    return _rec(request, pk)
