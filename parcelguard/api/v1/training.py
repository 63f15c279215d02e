"""Training and exams over REST: positions, who may work in which position, issuing an exam paper, a paper's
result (no answers, no key), the candidate's paper by its secret token (public: start, read, submit), the
public certificate check, and importing questions into the bank (city bureau)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from parcelguard.api.schemas import ERRORS, Text
from parcelguard.core import clock
from parcelguard.core.errors import NotFound
from parcelguard.core.pii import mask_name
from parcelguard.training import selectors, services
from parcelguard.training.models import Attempt

router = Router(tags=["training"])
PUBLIC = {"security": []}


class PositionOut(Schema):
    code: str
    name: str
    staff_position: str
    renewal_months: int
    pass_mark: int
    exam_minutes: int
    mix: dict[str, int]
    courses: list[str]


@router.get("/training/positions", response={200: list[PositionOut], **ERRORS},
            summary="Key positions with their required courses, renewal period and exam")
def position_list(request: HttpRequest) -> list[PositionOut]:
    return [PositionOut(code=p.code, name=p.name, staff_position=p.staff_position, renewal_months=p.renewal_months,
                        pass_mark=p.pass_mark, exam_minutes=p.exam_minutes, mix=p.mix,
                        courses=[c.code for c in p.courses.all()]) for p in selectors.positions()]


class CertOut(Schema):
    number: str
    position: str
    issued_on: dt.date
    valid_until: dt.date


class StaffOut(Schema):
    staff_id: int
    name: str
    site: str
    registered_position: str
    needs: str | None
    status: str = Field(description="ok, expiring, expired, none (never certified) or not_key")
    may_work_as: list[CertOut]


class StaffParams(Schema):
    flag: Text(10) = ""  # type: ignore[valid-type]
    position: Text(30) = ""  # type: ignore[valid-type]


@router.get("/training/staff", response={200: list[StaffOut], **ERRORS},
            summary="Who may work in which position today (staff in my scope, with their valid certificates)")
def staff_list(request: HttpRequest, params: Query[StaffParams]) -> list[StaffOut]:
    rows = selectors.staff_rows(request.user, clock.today(), flag=params.flag, position=params.position)
    return [StaffOut(staff_id=r.staff.pk, name=mask_name(r.staff.name), site=r.staff.site.code,
                     registered_position=r.staff.position, needs=r.needs.code if r.needs else None, status=r.status,
                     may_work_as=[CertOut(number=c.number, position=c.position.code, issued_on=c.issued_on,
                                          valid_until=c.valid_until) for c in r.valid]) for r in rows]


class IssueIn(Schema):
    staff_id: int
    position: Text(30)  # type: ignore[valid-type]


class AttemptOut(Schema):
    id: int
    staff_id: int
    position: str
    state: str
    seed: str
    questions: int
    issued_at: dt.datetime
    started_at: dt.datetime | None
    deadline: dt.datetime | None
    submitted_at: dt.datetime | None
    score: int | None
    total: int
    certificate: str | None

    @staticmethod
    def of(a: Attempt) -> AttemptOut:
        cert = getattr(a, "certificate", None) if a.state == "passed" else None
        return AttemptOut(id=a.pk, staff_id=a.staff_id, position=a.position.code, state=a.state, seed=a.seed,
                          questions=len(a.questions), issued_at=a.issued_at, started_at=a.started_at,
                          deadline=a.deadline, submitted_at=a.submitted_at, score=a.score, total=a.total,
                          certificate=cert.number if cert else None)


class IssuedOut(AttemptOut):
    token: str = Field(description="The candidate's secret: /training/public/exam/<token>/ or the public API")


@router.post("/training/exams", response={201: IssuedOut, **ERRORS},
             summary="Issue an exam paper to a staff member for a key position (drawn now from the candidate's seed)")
def exam_issue(request: HttpRequest, body: IssueIn) -> Any:
    a = services.exam_issue(user=request.user, staff_id=body.staff_id, position=body.position)
    return Status(201, IssuedOut(**AttemptOut.of(a).dict(), token=a.token))  # type: ignore[arg-type]


@router.get("/training/exams/{int:pk}", response={200: AttemptOut, **ERRORS},
            summary="One exam paper's state and score (never the answers or the key)")
def exam_get(request: HttpRequest, pk: int) -> AttemptOut:
    found = selectors.attempts(request.user).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("Record not found."))
    return AttemptOut.of(found)


class QuestionOut(Schema):
    id: int
    kind: str
    text: str
    options: list[str]
    image_url: str | None


class PaperOut(Schema):
    position: str
    candidate: str
    state: str
    deadline: dt.datetime | None
    questions: list[QuestionOut]
    score: int | None
    total: int
    passed: bool | None
    certificate: str | None


def _paper(a: Attempt) -> PaperOut:
    from django.templatetags.static import static

    qs = selectors.paper(a) if a.state == "started" else []
    cert = getattr(a, "certificate", None) if a.state == "passed" else None
    done = a.state in ("passed", "failed")
    return PaperOut(position=a.position.code, candidate=mask_name(a.staff.name), state=a.state, deadline=a.deadline,
                    questions=[QuestionOut(id=q.pk, kind=q.kind, text=q.text, options=q.options,
                                           image_url=static(f"training/xray/{q.image}") if q.image else None)
                               for q in qs],
                    score=a.score if done else None, total=a.total, passed=(a.state == "passed") if done else None,
                    certificate=cert.number if cert else None)


def _attempt(token: str) -> Attempt:
    found = selectors.attempt_by_token(token)
    if found is None:
        raise NotFound(_("No such exam paper."))
    return found


@router.get("/training/public/exam/{token}", response={200: PaperOut, 404: ERRORS[404]}, auth=None,
            openapi_extra=PUBLIC, summary="Public (candidate's secret token): the paper, without the key")
def paper_get(request: HttpRequest, token: str) -> PaperOut:
    return _paper(_attempt(token))


@router.post("/training/public/exam/{token}/start", response={200: PaperOut, 404: ERRORS[404], 409: ERRORS[409]},
             auth=None, openapi_extra=PUBLIC, summary="Public (candidate): start the exam; the time limit runs")
def paper_start(request: HttpRequest, token: str) -> PaperOut:
    return _paper(services.exam_start(token=token))


class TrainingSubmitIn(Schema):
    answers: dict[str, list[int]] = Field(max_length=200)


@router.post("/training/public/exam/{token}/submit",
             response={200: PaperOut, 404: ERRORS[404], 409: ERRORS[409], 422: ERRORS[422]}, auth=None,
             openapi_extra=PUBLIC, summary="Public (candidate): hand the paper in, once, before the time limit")
def paper_submit(request: HttpRequest, token: str, body: TrainingSubmitIn) -> PaperOut:
    return _paper(services.exam_submit(token=token, answers=body.answers))


class TrainingVerifyOut(Schema):
    number: str
    holder: str = Field(description="masked")
    enterprise: str
    position: str
    issued_on: dt.date
    valid_until: dt.date
    valid_today: bool


@router.get("/training/public/certificates/{token}", response={200: TrainingVerifyOut, 404: ERRORS[404]}, auth=None,
            openapi_extra=PUBLIC, summary="Public: check a certificate from its QR code (name masked, no ID number)")
def certificate_verify(request: HttpRequest, token: str) -> TrainingVerifyOut:
    cert = selectors.certificate_by_token(token)
    if cert is None:
        raise NotFound(_("No such certificate."))
    today = clock.today()
    return TrainingVerifyOut(number=cert.number, holder=mask_name(cert.staff.name), enterprise=cert.staff.site.enterprise.name,
                     position=cert.position.name, issued_on=cert.issued_on, valid_until=cert.valid_until,
                     valid_today=cert.issued_on <= today <= cert.valid_until)


class QuestionIn(Schema):
    code: Text(20)  # type: ignore[valid-type]
    kind: Text(10)  # type: ignore[valid-type]
    text: Text(300)  # type: ignore[valid-type]
    options: list[Text(200)] = Field(default_factory=list, max_length=8)  # type: ignore[valid-type]
    answer: list[int] = Field(default_factory=list, max_length=8)
    image: Text(60) = ""  # type: ignore[valid-type]
    positions: list[Text(30)] = Field(default_factory=list, max_length=10)  # type: ignore[valid-type]


class BankIn(Schema):
    questions: list[QuestionIn] = Field(max_length=2000)


class BankOut(Schema):
    imported: int


@router.post("/training/bank", response={200: BankOut, **ERRORS},
             summary="Import questions into the bank (city bureau); a question without a correct answer refuses all")
def bank_import(request: HttpRequest, body: BankIn) -> BankOut:
    saved = services.bank_import(user=request.user, questions=[q.dict() for q in body.questions])
    return BankOut(imported=len(saved))
