"""The hazard workflow over REST: report, every transition, cases, lists, queue, inbox and tip-off rewards.

Actions take multipart form data (fields + `files`) so evidence travels with the step that needs it.
Every action sends the `version` the caller saw: if somebody acted meanwhile the answer is 409
`state_conflict` and nothing changes.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from parcelguard.api.schemas import ERRORS, Text
from parcelguard.core.pii import mask_name, mask_phone, mask_text
from parcelguard.events import selectors, services
from parcelguard.events.clocks import surcharge
from parcelguard.events.models import Case, Event, HazardType, LegalBasis, Reward, Transition

router = Router(tags=["events"])

Files = File[list[UploadedFile]]
MAX_VERSION = 2_000_000_000


# ---- outputs -------------------------------------------------------------------------------------------

class EventOut(Schema):
    id: int
    hazard_type: str
    hazard_type_name: str
    severity: str
    description: str
    site_id: int | None
    site_code: str | None
    enterprise_id: int | None
    brand: str | None
    county: str
    place: str
    latitude: float | None
    longitude: float | None
    source: str
    state: str
    tier: str
    deadline: dt.datetime | None
    due_day: dt.date | None
    deadline_status: str
    rectify_by: dt.datetime | None
    rework_count: int
    reported_at: dt.datetime
    escalated_at: dt.datetime | None
    closed_at: dt.datetime | None
    version: int

    @staticmethod
    def of(e: Event) -> EventOut:
        return EventOut(
            id=e.pk, hazard_type=e.hazard_type.code, hazard_type_name=e.hazard_type.name, severity=e.severity,
            description=mask_text(e.description), site_id=e.site_id, site_code=e.site.code if e.site else None,
            enterprise_id=e.enterprise_id, brand=e.enterprise.brand_id if e.enterprise else None,
            county=e.county.code, place=mask_text(e.place), latitude=e.latitude, longitude=e.longitude, source=e.source,
            state=e.state, tier=e.tier, deadline=e.deadline, due_day=e.due_day, deadline_status=e.deadline_status,
            rectify_by=e.rectify_by, rework_count=e.rework_count, reported_at=e.reported_at,
            escalated_at=e.escalated_at, closed_at=e.closed_at, version=e.version)


class EventPage(Schema):
    count: int
    items: list[EventOut]


class AttachmentOut(Schema):
    id: int
    kind: str
    name: str
    content_type: str
    sha256: str
    url: str


class TransitionOut(Schema):
    id: int
    action: str
    from_state: str
    to_state: str
    actor: str | None
    actor_role: str
    at: dt.datetime
    reason: str
    data: dict[str, Any]
    document_number: str
    attachments: list[AttachmentOut]

    @staticmethod
    def of(t: Transition) -> TransitionOut:
        return TransitionOut(
            id=t.pk, action=t.action, from_state=t.from_state, to_state=t.to_state,
            actor=t.actor.username if t.actor else None, actor_role=t.actor_role, at=t.at, reason=mask_text(t.reason),
            data=t.data, document_number=t.document_number,
            attachments=[AttachmentOut(id=a.pk, kind=a.kind, name=a.evidence.original_name,
                                       content_type=a.evidence.content_type, sha256=a.evidence.sha256,
                                       url=f"/events/{t.event_id}/evidence/{a.pk}/") for a in t.attachments.all()])


class ClockOut(Schema):
    label: str
    due: dt.date | None
    state: str  # running | met | missed | na (events.clocks)
    key: str = ""  # decide | defence | serve | pay | demand | court
    opens: dt.date | None = None  # a window's first day (court enforcement)
    note: str = ""


class CaseOut(Schema):
    opened_at: dt.datetime
    decide_by: dt.datetime
    extended: bool
    notified_at: dt.datetime | None
    defence_by: dt.datetime | None
    hearing_requested: bool
    legal_basis: str | None
    proposed_amount: Decimal | None
    decided_at: dt.datetime | None
    outcome: str
    amount: Decimal | None
    served_at: dt.datetime | None
    pay_by: dt.datetime | None
    paid_at: dt.datetime | None
    enforced: bool
    surcharge: Decimal = Decimal(0)  # 加处罚款 accrued on a fine paid late or not yet
    clocks: list[ClockOut]

    @staticmethod
    def of(c: Case) -> CaseOut:
        return CaseOut(
            opened_at=c.opened_at, decide_by=c.decide_by, extended=c.extended, notified_at=c.notified_at,
            defence_by=c.defence_by, hearing_requested=c.hearing_requested,
            legal_basis=c.legal_basis.code if c.legal_basis else None, proposed_amount=c.proposed_amount,
            decided_at=c.decided_at, outcome=c.outcome, amount=c.amount, served_at=c.served_at, pay_by=c.pay_by,
            paid_at=c.paid_at, enforced=c.enforced, surcharge=surcharge(c),
            clocks=[ClockOut(label=str(k.label), due=k.due, state=k.state, key=k.key, opens=k.opens, note=k.note)
                    for k in c.clocks()])


class EventDetailOut(Schema):
    event: EventOut
    allowed_actions: list[str]
    timeline: list[TransitionOut]
    case: CaseOut | None


# ---- reading -------------------------------------------------------------------------------------------

class EventListParams(Schema):
    q: Text(100) = ""  # type: ignore[valid-type]
    type: Text(40) = ""  # type: ignore[valid-type]
    state: Text(20) = ""  # type: ignore[valid-type]
    tier: Text(10) = ""  # type: ignore[valid-type]
    county: Text(20) = ""  # type: ignore[valid-type]
    brand: Text(10) = ""  # type: ignore[valid-type]
    source: Text(20) = ""  # type: ignore[valid-type]
    overdue: bool = False
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=10_000_000)


@router.get("/events", response={200: EventPage, **ERRORS}, summary="List hazard events (filtered, paginated)")
def event_list(request: HttpRequest, params: Query[EventListParams]) -> EventPage:
    qs = selectors.event_list(user=request.user, filters=params.dict(exclude={"limit", "offset"}))
    items = list(qs[params.offset: params.offset + params.limit])
    return EventPage(count=qs.count(), items=[EventOut.of(e) for e in items])


@router.get("/events/queue", response={200: EventPage, **ERRORS},
            summary="What waits for me, soonest deadline first")
def event_queue(request: HttpRequest, limit: int = Query(50, ge=1, le=200)) -> EventPage:
    qs = selectors.work_queue(request.user)
    return EventPage(count=qs.count(), items=[EventOut.of(e) for e in qs[:limit]])


@router.get("/events/{int:pk}", response={200: EventDetailOut, **ERRORS},
            summary="One event with its whole timeline, case and the steps I may take now")
def event_get(request: HttpRequest, pk: int) -> EventDetailOut:
    event = services.event_get_for(request.user, pk)
    case = Case.objects.select_related("legal_basis").filter(event=event).first()
    return EventDetailOut(
        event=EventOut.of(event), allowed_actions=[s.action for s in services.allowed_actions(request.user, event)],
        timeline=[TransitionOut.of(t) for t in selectors.timeline(event)], case=CaseOut.of(case) if case else None)


class HazardTypeOut(Schema):
    code: str
    name: str
    default_severity: str
    rectify_days: int
    working_days: bool


@router.get("/hazard-types", response={200: list[HazardTypeOut], **ERRORS}, summary="The hazard taxonomy")
def hazard_types(request: HttpRequest) -> list[HazardTypeOut]:
    return [HazardTypeOut(code=h.code, name=h.name, default_severity=h.default_severity,
                          rectify_days=h.rectify_days, working_days=h.working_days)
            for h in HazardType.objects.filter(active=True)]


class LegalBasisOut(Schema):
    code: str
    title: str
    violation: str
    min_amount: Decimal
    max_amount: Decimal


@router.get("/legal-bases", response={200: list[LegalBasisOut], **ERRORS},
            summary="The maintained list of legal bases with their penalty ranges")
def legal_bases(request: HttpRequest) -> list[LegalBasisOut]:
    return [LegalBasisOut(code=b.code, title=b.title, violation=b.violation, min_amount=b.min_amount,
                          max_amount=b.max_amount) for b in LegalBasis.objects.filter(active=True)]


# ---- report and the county tier --------------------------------------------------------------------------

class ReportIn(Schema):
    site_id: int = Field(..., ge=1, le=MAX_VERSION)
    hazard_type: Text(40, 1)  # type: ignore[valid-type]
    description: Text(2000, 4)  # type: ignore[valid-type]
    severity: Text(10) = ""  # type: ignore[valid-type]
    source: Text(20) = ""  # type: ignore[valid-type]
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)


@router.post("/events", response={201: EventOut, **ERRORS}, summary="Report a hazard with evidence")
def event_report(request: HttpRequest, body: Form[ReportIn], files: Files = None) -> Status[EventOut]:
    event = services.event_report(user=request.user, uploads=files or [], **body.dict())
    return Status(201, EventOut.of(services.event_get_for(request.user, event.pk)))  # type: ignore[arg-type]


def _done(request: HttpRequest, event: Event) -> EventOut:
    return EventOut.of(services.event_get_for(request.user, event.pk))


class VerifyIn(Schema):
    version: int = Field(..., ge=1, le=MAX_VERSION)
    note: Text(2000) = ""  # type: ignore[valid-type]
    site_id: int | None = Field(None, ge=1, le=MAX_VERSION)


@router.post("/events/{int:pk}/verify", response={200: EventOut, **ERRORS}, summary="County centre: verified on site")
def event_verify(request: HttpRequest, pk: int, body: Form[VerifyIn], files: Files = None) -> EventOut:
    return _done(request, services.event_verify(user=request.user, event_id=pk, uploads=files or [], **body.dict()))


class RejectIn(Schema):
    version: int = Field(..., ge=1, le=MAX_VERSION)
    reason_code: Text(30, 1)  # type: ignore[valid-type]
    reason: Text(2000) = ""  # type: ignore[valid-type]


@router.post("/events/{int:pk}/reject", response={200: EventOut, **ERRORS},
             summary="County centre: reject (duplicate, not a hazard, outside jurisdiction)")
def event_reject(request: HttpRequest, pk: int, body: Form[RejectIn]) -> EventOut:
    return _done(request, services.event_reject(user=request.user, event_id=pk, **body.dict()))


class RemindIn(Schema):
    version: int = Field(..., ge=1, le=MAX_VERSION)
    note: Text(2000) = ""  # type: ignore[valid-type]


@router.post("/events/{int:pk}/remind", response={200: EventOut, **ERRORS},
             summary="County centre: issue the reminder letter (提醒函) with its deadline")
def event_remind(request: HttpRequest, pk: int, body: Form[RemindIn]) -> EventOut:
    return _done(request, services.event_remind(user=request.user, event_id=pk, **body.dict()))


class AnswerIn(Schema):
    version: int = Field(..., ge=1, le=MAX_VERSION)
    note: Text(2000) = ""  # type: ignore[valid-type]


@router.post("/events/{int:pk}/answer", response={200: EventOut, **ERRORS},
             summary="Enterprise: answer with rectification evidence")
def event_answer(request: HttpRequest, pk: int, body: Form[AnswerIn], files: Files = None) -> EventOut:
    return _done(request, services.event_answer(user=request.user, event_id=pk, uploads=files or [], **body.dict()))


class ConfirmFixIn(Schema):
    version: int = Field(..., ge=1, le=MAX_VERSION)
    note: Text(2000) = ""  # type: ignore[valid-type]


@router.post("/events/{int:pk}/confirm-fix", response={200: EventOut, **ERRORS},
             summary="Grid worker: the fix holds on site; the event closes")
def event_confirm_fix(request: HttpRequest, pk: int, body: Form[ConfirmFixIn], files: Files = None) -> EventOut:
    return _done(request, services.event_confirm_fix(user=request.user, event_id=pk, uploads=files or [],
                                                     **body.dict()))


class FailFixIn(Schema):
    version: int = Field(..., ge=1, le=MAX_VERSION)
    reason: Text(2000, 1)  # type: ignore[valid-type]


@router.post("/events/{int:pk}/fail-fix", response={200: EventOut, **ERRORS},
             summary="Grid worker: the fix does not hold (rework 返工)")
def event_fail_fix(request: HttpRequest, pk: int, body: Form[FailFixIn], files: Files = None) -> EventOut:
    return _done(request, services.event_fail_fix(user=request.user, event_id=pk, uploads=files or [],
                                                  **body.dict()))


class EscalateIn(Schema):
    version: int = Field(..., ge=1, le=MAX_VERSION)
    reason: Text(2000, 1)  # type: ignore[valid-type]


@router.post("/events/{int:pk}/escalate", response={200: EventOut, **ERRORS},
             summary="County centre: escalate to the city bureau by hand")
def event_escalate(request: HttpRequest, pk: int, body: Form[EscalateIn]) -> EventOut:
    return _done(request, services.event_escalate(user=request.user, event_id=pk, **body.dict()))


# ---- the city tier: the case --------------------------------------------------------------------------------

class CaseOpenIn(Schema):
    version: int = Field(..., ge=1, le=MAX_VERSION)
    reason: Text(2000, 1)  # type: ignore[valid-type]


@router.post("/events/{int:pk}/case/open", response={200: EventOut, **ERRORS}, summary="City bureau: open a case (立案)")
def case_open(request: HttpRequest, pk: int, body: Form[CaseOpenIn]) -> EventOut:
    return _done(request, services.case_open(user=request.user, event_id=pk, **body.dict()))


class CaseDeclineIn(Schema):
    version: int = Field(..., ge=1, le=MAX_VERSION)
    reason: Text(2000, 1)  # type: ignore[valid-type]


@router.post("/events/{int:pk}/case/decline", response={200: EventOut, **ERRORS},
             summary="City bureau: decline to open a case; back to the county centre")
def case_decline(request: HttpRequest, pk: int, body: Form[CaseDeclineIn]) -> EventOut:
    return _done(request, services.case_decline(user=request.user, event_id=pk, **body.dict()))


class CaseInvestigateIn(Schema):
    version: int = Field(..., ge=1, le=MAX_VERSION)
    note: Text(2000) = ""  # type: ignore[valid-type]


@router.post("/events/{int:pk}/case/investigate", response={200: EventOut, **ERRORS},
             summary="City bureau: add investigation evidence")
def case_investigate(request: HttpRequest, pk: int, body: Form[CaseInvestigateIn], files: Files = None) -> EventOut:
    return _done(request, services.case_investigate(user=request.user, event_id=pk, uploads=files or [],
                                                    **body.dict()))


class CaseExtendIn(Schema):
    version: int = Field(..., ge=1, le=MAX_VERSION)
    reason: Text(2000, 1)  # type: ignore[valid-type]


@router.post("/events/{int:pk}/case/extend", response={200: EventOut, **ERRORS},
             summary="City bureau: +30 days to decide, with approval")
def case_extend(request: HttpRequest, pk: int, body: Form[CaseExtendIn]) -> EventOut:
    return _done(request, services.case_extend(user=request.user, event_id=pk, **body.dict()))


class CaseNotifyIn(Schema):
    version: int = Field(..., ge=1, le=MAX_VERSION)
    legal_basis: Text(40, 1)  # type: ignore[valid-type]
    outcome: Text(12) = "fine"  # type: ignore[valid-type]
    amount: Decimal | None = Field(None, ge=0, le=10_000_000, decimal_places=2)
    reason: Text(2000, 1)  # type: ignore[valid-type]


@router.post("/events/{int:pk}/case/notify", response={200: EventOut, **ERRORS},
             summary="City bureau: notify the proposed penalty (告知)")
def case_notify(request: HttpRequest, pk: int, body: Form[CaseNotifyIn]) -> EventOut:
    return _done(request, services.case_notify(user=request.user, event_id=pk, **body.dict()))


class CaseDefendIn(Schema):
    version: int = Field(..., ge=1, le=MAX_VERSION)
    reason: Text(4000, 1)  # type: ignore[valid-type]
    hearing_requested: bool = False


@router.post("/events/{int:pk}/case/defend", response={200: EventOut, **ERRORS},
             summary="Enterprise: state a defence or request a hearing (within 5 days)")
def case_defend(request: HttpRequest, pk: int, body: Form[CaseDefendIn]) -> EventOut:
    return _done(request, services.case_defend(user=request.user, event_id=pk, **body.dict()))


class CaseDecideIn(Schema):
    version: int = Field(..., ge=1, le=MAX_VERSION)
    outcome: Text(12, 1)  # type: ignore[valid-type]
    legal_basis: Text(40) = ""  # type: ignore[valid-type]
    amount: Decimal | None = Field(None, ge=0, le=10_000_000, decimal_places=2)
    reason: Text(2000, 1)  # type: ignore[valid-type]


@router.post("/events/{int:pk}/case/decide", response={200: EventOut, **ERRORS},
             summary="City bureau: decide (fine within the legal range, or admonition interview 约谈)")
def case_decide(request: HttpRequest, pk: int, body: Form[CaseDecideIn]) -> EventOut:
    return _done(request, services.case_decide(user=request.user, event_id=pk, **body.dict()))


class CaseServeIn(Schema):
    version: int = Field(..., ge=1, le=MAX_VERSION)
    note: Text(2000) = ""  # type: ignore[valid-type]


@router.post("/events/{int:pk}/case/serve", response={200: EventOut, **ERRORS},
             summary="City bureau: the decision was served (proof of service attached)")
def case_serve(request: HttpRequest, pk: int, body: Form[CaseServeIn], files: Files = None) -> EventOut:
    return _done(request, services.case_serve(user=request.user, event_id=pk, uploads=files or [], **body.dict()))


class CasePaidIn(Schema):
    version: int = Field(..., ge=1, le=MAX_VERSION)
    note: Text(2000) = ""  # type: ignore[valid-type]


@router.post("/events/{int:pk}/case/paid", response={200: EventOut, **ERRORS},
             summary="City bureau: the fine was paid (receipt attached)")
def case_paid(request: HttpRequest, pk: int, body: Form[CasePaidIn], files: Files = None) -> EventOut:
    return _done(request, services.case_paid(user=request.user, event_id=pk, uploads=files or [], **body.dict()))


class CaseEnforcedIn(Schema):
    version: int = Field(..., ge=1, le=MAX_VERSION)
    reason: Text(2000, 1)  # type: ignore[valid-type]


@router.post("/events/{int:pk}/case/enforced", response={200: EventOut, **ERRORS},
             summary="City bureau: the fine was enforced")
def case_enforced(request: HttpRequest, pk: int, body: Form[CaseEnforcedIn], files: Files = None) -> EventOut:
    return _done(request, services.case_enforced(user=request.user, event_id=pk, uploads=files or [],
                                                 **body.dict()))


# ---- inbox and rewards -----------------------------------------------------------------------------------------

class NotificationOut(Schema):
    id: int
    subject: str = Field(description='what it is about, in the trail\'s form: "event:12", "reward:3"')
    url: str
    event_id: int | None
    kind: str
    message: str
    created_at: dt.datetime
    read: bool
    openable: bool = Field(True, description="the caller may open what it is about (false: the event left their scope)")


class NotificationPage(Schema):
    count: int
    unread: int
    items: list[NotificationOut]


class InboxParams(Schema):
    unread: bool = False
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=10_000_000)


@router.get("/notifications", response={200: NotificationPage, **ERRORS}, summary="My inbox")
def notification_list(request: HttpRequest, params: Query[InboxParams]) -> NotificationPage:
    qs = selectors.inbox(request.user, unread_only=params.unread)
    rows = selectors.openable(request.user, qs[params.offset: params.offset + params.limit])
    return NotificationPage(count=qs.count(), unread=selectors.unread_count(request.user), items=[
        NotificationOut(id=n.pk, subject=n.subject, url=n.url if n.openable else "", event_id=n.event_id, kind=n.kind,
                        message=n.message, created_at=n.created_at, read=n.read_at is not None, openable=n.openable)
        for n in rows])


class MarkReadIn(Schema):
    ids: list[int] = Field(..., max_length=500, description="the notifications to mark read; [] marks all")


class MarkReadOut(Schema):
    marked: int


@router.post("/notifications/read", response={200: MarkReadOut, **ERRORS}, summary="Mark notifications read")
def notification_read(request: HttpRequest, body: MarkReadIn) -> MarkReadOut:
    return MarkReadOut(marked=services.notifications_mark_read(user=request.user, ids=body.ids or None))


class RewardOut(Schema):
    id: int
    event_id: int
    amount: Decimal
    status: str
    payment_ref: str

    @staticmethod
    def of(r: Reward) -> RewardOut:
        return RewardOut(id=r.pk, event_id=r.event_id, amount=r.amount, status=r.status, payment_ref=r.payment_ref)


class RewardProposeIn(Schema):
    amount: Decimal = Field(..., gt=0, le=100000, decimal_places=2)
    note: Text(200) = ""  # type: ignore[valid-type]


@router.post("/events/{int:pk}/reward", response={201: RewardOut, **ERRORS},
             summary="County centre: propose a reward for a substantiated tip-off")
def reward_propose(request: HttpRequest, pk: int, body: RewardProposeIn) -> Status[RewardOut]:
    reward = services.reward_propose(user=request.user, event_id=pk, **body.dict())
    return Status(201, RewardOut.of(reward))  # type: ignore[arg-type]


class RewardApproveIn(Schema):
    pass


@router.post("/rewards/{int:pk}/approve", response={200: RewardOut, **ERRORS}, summary="City bureau: approve a reward")
def reward_approve(request: HttpRequest, pk: int, body: RewardApproveIn) -> RewardOut:
    return RewardOut.of(services.reward_approve(user=request.user, reward_id=pk))


class RewardPayIn(Schema):
    payment_ref: Text(60, 1)  # type: ignore[valid-type]


@router.post("/rewards/{int:pk}/pay", response={200: RewardOut, **ERRORS}, summary="City bureau: record the payment")
def reward_pay(request: HttpRequest, pk: int, body: RewardPayIn) -> RewardOut:
    return RewardOut.of(services.reward_pay(user=request.user, reward_id=pk, payment_ref=body.payment_ref))


class TipOffOut(Schema):
    event_id: int
    anonymous: bool
    reporter_name: str
    reporter_phone: str


@router.get("/events/{int:pk}/tipoff", response={200: TipOffOut, **ERRORS},
            summary="The tip-off behind an event (reporter masked)")
def tipoff_get(request: HttpRequest, pk: int) -> TipOffOut:
    event = services.event_get_for(request.user, pk)
    t = selectors.tipoff_of(request.user, event)
    return TipOffOut(event_id=event.pk, anonymous=t.anonymous, reporter_name=mask_name(t.reporter_name),
                     reporter_phone=mask_phone(t.reporter_phone))
