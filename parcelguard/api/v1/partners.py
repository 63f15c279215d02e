"""Inter-department coordination over REST: partner departments (liaison phones masked), clue transfers
(list, one, send from an event, case or early warning with the source's evidence; receipt, chase,
feedback with the partner's letter, close, withdraw) and joint meeting decisions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from parcelguard.api.schemas import ERRORS, Text
from parcelguard.core import clock
from parcelguard.core.errors import NotFound
from parcelguard.core.pii import mask_phone
from parcelguard.partners import selectors, services
from parcelguard.partners.models import ActionItem, Partner, Transfer

router = Router(tags=["partners"])
Files = File[list[UploadedFile]]


class ContactOut(Schema):
    name: str
    title: str
    phone: str = Field(description="masked (standard policy)")
    primary: bool


class PartnerOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    jurisdiction: str
    feedback_days: int
    feedback_working_days: bool
    contacts: list[ContactOut]

    @staticmethod
    def of(p: Partner) -> PartnerOut:
        days, working = services.feedback_rule(p)
        return PartnerOut(id=p.pk, code=p.code, name=p.name, kind=p.kind, jurisdiction=p.jurisdiction.name,
                          feedback_days=days, feedback_working_days=working,
                          contacts=[ContactOut(name=c.name, title=c.title, phone=mask_phone(c.phone), primary=c.primary)
                                    for c in p.contacts.filter(active=True)])


class PartnerPage(Schema):
    count: int
    items: list[PartnerOut]


class PartnerParams(Schema):
    q: Text(100) = ""  # type: ignore[valid-type]
    kind: Text(20) = ""  # type: ignore[valid-type]
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=10_000_000)


@router.get("/partners", response={200: PartnerPage, **ERRORS}, summary="Partner departments inside my scope")
def partner_list(request: HttpRequest, params: Query[PartnerParams]) -> PartnerPage:
    qs = selectors.partners(request.user, {"q": params.q, "kind": params.kind})
    return PartnerPage(count=qs.count(), items=[PartnerOut.of(p) for p in qs[params.offset: params.offset + params.limit]])


class TransferOut(Schema):
    id: int
    direction: str
    number: str
    partner_id: int
    partner: str
    kind: str
    state: str
    version: int
    summary: str
    event_id: int | None
    case_id: int | None
    warning_id: int | None
    sent_at: dt.datetime
    feedback_due: dt.datetime | None
    feedback_late: bool
    receipt_at: dt.datetime | None
    reminders: int
    feedback: str
    feedback_at: dt.datetime | None

    @staticmethod
    def of(t: Transfer) -> TransferOut:
        now = clock.now()
        return TransferOut(
            id=t.pk, direction=t.direction, number=t.number, partner_id=t.partner_id, partner=t.partner.name,
            kind=t.kind, state=t.state, version=t.version, summary=t.summary, event_id=t.event_id,
            case_id=t.case_id, warning_id=t.warning_id, sent_at=t.sent_at, feedback_due=t.feedback_due,
            feedback_late=bool(t.feedback_due and t.state in selectors.WAITING and now >= t.feedback_due),
            receipt_at=t.receipt_at, reminders=t.reminders, feedback=t.feedback, feedback_at=t.feedback_at)


class TransferPage(Schema):
    count: int
    items: list[TransferOut]


class TransferParams(Schema):
    direction: Text(10) = ""  # type: ignore[valid-type]
    state: Text(12) = ""  # type: ignore[valid-type]
    kind: Text(20) = ""  # type: ignore[valid-type]
    partner: Text(12) = ""  # type: ignore[valid-type]
    overdue: bool = False
    q: Text(100) = ""  # type: ignore[valid-type]
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=10_000_000)


@router.get("/partners/transfers", response={200: TransferPage, **ERRORS},
            summary="Clue transfers inside my scope (filtered, paginated; newest first)")
def transfer_list(request: HttpRequest, params: Query[TransferParams]) -> TransferPage:
    filters = params.dict(exclude={"limit", "offset"})
    filters["overdue"] = "1" if params.overdue else ""
    qs = selectors.transfers(request.user, filters, clock.now())
    return TransferPage(count=qs.count(),
                        items=[TransferOut.of(t) for t in qs[params.offset: params.offset + params.limit]])


def _get(request: HttpRequest, pk: int) -> Transfer:
    found = selectors.transfer(request.user, pk)
    if found is None:
        raise NotFound(_("Record not found."))
    return found


@router.get("/partners/transfers/{int:pk}", response={200: TransferOut, **ERRORS}, summary="One clue transfer")
def transfer_get(request: HttpRequest, pk: int) -> TransferOut:
    return TransferOut.of(_get(request, pk))


class SendIn(Schema):
    partner_id: int = Field(ge=1, le=2_000_000_000)
    kind: Text(20)  # type: ignore[valid-type]
    summary: Text(4000)  # type: ignore[valid-type]
    event_id: int | None = Field(None, ge=1, le=2_000_000_000)
    case_id: int | None = Field(None, ge=1, le=2_000_000_000)
    warning_id: int | None = Field(None, ge=1, le=2_000_000_000)
    evidence_ids: list[int] = Field(default_factory=list, max_length=100,
                                    description="evidence files of the source record to transfer (at least one)")
    request: Text(1000) = ""  # type: ignore[valid-type]
    legal_basis: Text(300) = ""  # type: ignore[valid-type]


@router.post("/partners/transfers", response={201: TransferOut, **ERRORS},
             summary="Transfer a clue to a partner department (city bureau): issues the numbered letter")
def transfer_send(request: HttpRequest, body: SendIn) -> Any:
    made = services.transfer_send(user=request.user, partner_id=body.partner_id, kind=body.kind, summary=body.summary,
                                  event_id=body.event_id, case_id=body.case_id, warning_id=body.warning_id,
                                  evidence_ids=body.evidence_ids, request=body.request, legal_basis=body.legal_basis)
    return Status(201, TransferOut.of(made))  # type: ignore[arg-type]


class PartnersStepIn(Schema):
    version: int | None = Field(None, ge=1, le=2_000_000_000)
    note: Text(2000) = ""  # type: ignore[valid-type]


class ReceiptIn(PartnersStepIn):
    received_on: dt.date


@router.post("/partners/transfers/{int:pk}/receipt", response={200: TransferOut, **ERRORS},
             summary="Record the partner's receipt of the letter")
def transfer_receipt(request: HttpRequest, pk: int, body: ReceiptIn) -> TransferOut:
    return TransferOut.of(services.transfer_receipt(user=request.user, transfer_id=pk, version=body.version,
                                                    received_on=body.received_on, note=body.note))


@router.post("/partners/transfers/{int:pk}/chase", response={200: TransferOut, **ERRORS},
             summary="Record chasing the partner for feedback (a reason is required)")
def transfer_chase(request: HttpRequest, pk: int, body: PartnersStepIn) -> TransferOut:
    return TransferOut.of(services.transfer_chase(user=request.user, transfer_id=pk, version=body.version,
                                                  note=body.note))


class FeedbackIn(Schema):
    version: int | None = Field(None, ge=1, le=2_000_000_000)
    outcome: Text(12)  # type: ignore[valid-type]
    text: Text(4000)  # type: ignore[valid-type]


@router.post("/partners/transfers/{int:pk}/feedback", response={200: TransferOut, **ERRORS},
             summary="Record the partner's written feedback (multipart, with their letter as files)")
def transfer_feedback(request: HttpRequest, pk: int, body: Form[FeedbackIn], files: Files = None) -> TransferOut:
    return TransferOut.of(services.transfer_feedback(user=request.user, transfer_id=pk, version=body.version,
                                                     outcome=body.outcome, text=body.text, uploads=files or []))


@router.post("/partners/transfers/{int:pk}/close", response={200: TransferOut, **ERRORS},
             summary="Close a transfer whose feedback is recorded")
def transfer_close(request: HttpRequest, pk: int, body: PartnersStepIn) -> TransferOut:
    return TransferOut.of(services.transfer_close(user=request.user, transfer_id=pk, version=body.version,
                                                  note=body.note))


@router.post("/partners/transfers/{int:pk}/withdraw", response={200: TransferOut, **ERRORS},
             summary="Withdraw a transfer (a reason is required)")
def transfer_withdraw(request: HttpRequest, pk: int, body: PartnersStepIn) -> TransferOut:
    return TransferOut.of(services.transfer_withdraw(user=request.user, transfer_id=pk, version=body.version,
                                                     reason=body.note))


class ActionOut(Schema):
    id: int
    meeting_id: int
    meeting: str
    text: str
    owner: str
    partner: str
    due_at: dt.datetime
    state: str
    done_at: dt.datetime | None

    @staticmethod
    def of(a: ActionItem) -> ActionOut:
        return ActionOut(id=a.pk, meeting_id=a.meeting_id, meeting=a.meeting.title, text=a.text,
                         owner=a.owner.display_name or a.owner.username, partner=a.partner.name if a.partner else "",
                         due_at=a.due_at, state=a.state, done_at=a.done_at)


class ActionPage(Schema):
    count: int
    items: list[ActionOut]


class ActionParams(Schema):
    state: Text(12) = ""  # type: ignore[valid-type]
    overdue: bool = False
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=10_000_000)


@router.get("/partners/actions", response={200: ActionPage, **ERRORS},
            summary="Joint meeting decisions (action items) inside my scope, earliest due first")
def action_list(request: HttpRequest, params: Query[ActionParams]) -> ActionPage:
    qs = selectors.actions(request.user, {"state": params.state, "overdue": "1" if params.overdue else ""}, clock.now())
    return ActionPage(count=qs.count(), items=[ActionOut.of(a) for a in qs[params.offset: params.offset + params.limit]])
