"""Writes of inter-department coordination: partner departments, liaisons and memoranda; joint meetings
and their action items; clue transfers to partners (the letter, the evidence, receipt, chasing, feedback)
and clues received from partners (entered as hazard events). Every refusal raises before anything is
written; every write is one transaction."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from parcelguard.accounts.models import Jurisdiction
from parcelguard.accounts.roles import Role
from parcelguard.accounts.scoping import get_for, jurisdiction_allowed, scope
from parcelguard.core import clock, workflow
from parcelguard.core.errors import Conflict, Forbidden, Invalid
from parcelguard.events import deadlines
from parcelguard.partners.flow import ACTION_FLOW, MEETING_FLOW, TRANSFER_FLOW
from parcelguard.partners.models import (
    ActionItem,
    ClueKind,
    Contact,
    Direction,
    Feedback,
    Meeting,
    Memorandum,
    Partner,
    PartnerKind,
    Transfer,
    TransferState,
)

STAFF = (Role.CITY_BUREAU, Role.COUNTY_CENTRE)
PHONE = re.compile(r"^[0-9+\-() ]{5,30}$")

# What a transfer letter cites by default, per kind of partner (editable on the form).
LEGAL_BASIS = {
    PartnerKind.POLICE: "《中华人民共和国行政处罚法》第二十七条、《行政执法机关移送涉嫌犯罪案件的规定》",
    PartnerKind.STATE_SECURITY: "《中华人民共和国国家安全法》《中华人民共和国反恐怖主义法》",
}
DEFAULT_BASIS = "《中华人民共和国邮政法》《寄递渠道安全管理有关规定》"
KIND_TEXT = {
    ClueKind.CONTRABAND: "寄递禁寄物品", ClueKind.DRUGS: "利用寄递渠道运输毒品", ClueKind.WEAPONS: "寄递枪支弹药爆炸物品",
    ClueKind.FRAUD: "利用寄递渠道实施诈骗", ClueKind.WILDLIFE: "寄递野生动物制品", ClueKind.COUNTERFEIT: "寄递假冒伪劣商品",
    ClueKind.FIRE: "消防安全违法", ClueKind.TRANSPORT: "非法道路运输经营", ClueKind.OTHER: "违法",
}
REQUEST = "依法调查核实，涉嫌犯罪的依法立案侦查"


# ---- configuration ----------------------------------------------------------------------------------

def feedback_rule(partner: Partner) -> tuple[int, bool]:
    """(days, counted in working days) for a partner's feedback: the partner's own period if set (agreed
    in a memorandum), else PARTNERS_FEEDBACK_DAYS / PARTNERS_FEEDBACK_WORKING_DAYS (default 15 working days)."""
    days = partner.feedback_days or int(getattr(settings, "PARTNERS_FEEDBACK_DAYS", 15))
    working = partner.feedback_working_days
    if working is None:
        working = bool(getattr(settings, "PARTNERS_FEEDBACK_WORKING_DAYS", True))
    return days, working


def feedback_due(partner: Partner, sent_at: dt.datetime) -> dt.datetime:
    """The end of the last day for feedback, counted from the day the letter is sent (the day itself does
    not count), on the official calendar when counted in working days."""
    days, working = feedback_rule(partner)
    return deadlines.deadline_after(timezone.localtime(sent_at).date(), days, working)


# ---- small checks ------------------------------------------------------------------------------------

def _staff(user: Any, message: str) -> None:
    if workflow.role_of(user) not in STAFF:
        raise Forbidden(message, code="role_not_allowed")


def _text(value: Any, minimum: int, maximum: int, code: str, message: str) -> str:
    text = str(value or "").strip()
    if len(text) < minimum:
        raise Invalid(message, code=code)
    return text[:maximum]


def _date(value: Any, code: str, message: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if value.tzinfo else value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value or "").strip()[:10])
    except ValueError:
        raise Invalid(message, code=code) from None


def _moment(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else timezone.make_aware(value)
    try:
        parsed = dt.datetime.fromisoformat(str(value or "").strip())
    except ValueError:
        raise Invalid(_("Give a date and time."), code="invalid_time") from None
    return parsed if parsed.tzinfo else timezone.make_aware(parsed)


def _is_pdf(upload: Any) -> bool:
    if upload is None:
        return False
    upload.seek(0)
    head = upload.read(5)
    upload.seek(0)
    return bool(head == b"%PDF-")


def _partners(user: Any, ids: Sequence[Any]) -> list[Partner]:
    wanted = {int(i) for i in ids if str(i).strip().isdigit()}
    found = list(scope(user, Partner).filter(pk__in=wanted, active=True))
    if not wanted or len(found) != len(wanted):
        raise Invalid(_("Choose the partner departments."), code="partner_required")
    return found


# ---- partners, liaisons, memoranda -----------------------------------------------------------------------

def partner_create(*, user: Any, name: str, kind: str, jurisdiction_id: Any = None, address: str = "",
                   feedback_days: Any = None, feedback_working_days: bool | None = None) -> Partner:
    """A partner department at the user's node of the tree (or below it)."""
    _staff(user, _("Only the city bureau or a county centre keeps partner departments."))
    name = _text(name, 2, 100, "name_required", _("Give the department's name."))
    if kind not in PartnerKind.values:
        raise Invalid(_("Choose the kind of department."), code="invalid_kind")
    place = (Jurisdiction.objects.filter(pk=int(jurisdiction_id)).first()
             if str(jurisdiction_id or "").isdigit() else user.jurisdiction)
    if place is None or not jurisdiction_allowed(user, place):
        raise Invalid(_("Choose a jurisdiction inside your own."), code="jurisdiction_not_allowed")
    days = None
    if feedback_days not in (None, ""):
        try:
            days = int(feedback_days)
        except (TypeError, ValueError):
            days = 0
        if not 1 <= days <= 180:
            raise Invalid(_("The feedback period is 1 to 180 days."), code="invalid_feedback_days")
    if Partner.objects.filter(name=name, jurisdiction=place).exists():
        raise Conflict(_("This department is already on file."), code="partner_exists")
    code = f"{place.code}-{slugify(kind)}-{Partner.objects.filter(jurisdiction=place).count() + 1}"
    with transaction.atomic():
        partner = Partner.objects.create(
            code=code, name=name, kind=kind, jurisdiction=place, jurisdiction_path=place.path,
            address=(address or "").strip()[:200], feedback_days=days, feedback_working_days=feedback_working_days,
            created_at=clock.now())
        _trail(user, "partner.create", f"partner:{partner.pk}", {"name": name, "kind": kind, "code": code})
    return partner


def contact_add(*, user: Any, partner_id: int, name: str, title: str = "", phone: str = "",
                primary: bool = False) -> Contact:
    _staff(user, _("Only the city bureau or a county centre keeps partner departments."))
    partner = get_for(user, Partner, pk=partner_id)
    name = _text(name, 2, 40, "name_required", _("Give the liaison's name."))
    phone = (phone or "").strip()
    if phone and not PHONE.match(phone):
        raise Invalid(_("The phone number is not valid."), code="invalid_phone")
    with transaction.atomic():
        if primary:
            Contact.objects.filter(partner=partner, primary=True).update(primary=False)
        contact = Contact.objects.create(partner=partner, name=name, title=(title or "").strip()[:60], phone=phone,
                                         primary=primary)
        _trail(user, "partner.contact", f"partner:{partner.pk}", {"contact": contact.pk, "primary": primary})
    return contact


def memorandum_add(*, user: Any, partner_ids: Sequence[Any], title: str, signed_on: Any, scope_text: str,
                   upload: Any, valid_until: Any = None) -> Memorandum:
    """A signed memorandum (合作备忘录): its PDF is kept as evidence, never changed."""
    _staff(user, _("Only the city bureau or a county centre keeps partner departments."))
    partners = _partners(user, partner_ids)
    title = _text(title, 4, 160, "title_required", _("Give the memorandum's title."))
    signed = _date(signed_on, "invalid_date", _("Give the day it was signed."))
    if signed > clock.today():
        raise Invalid(_("The signing day cannot be in the future."), code="date_in_future")
    until = _date(valid_until, "invalid_date", _("Give a valid day.")) if valid_until else None
    if until is not None and until <= signed:
        raise Invalid(_("A memorandum ends after it was signed."), code="invalid_period")
    text = _text(scope_text, 4, 2000, "scope_required", _("Say what the memorandum covers."))
    if not _is_pdf(upload):
        raise Invalid(_("Attach the signed memorandum as a PDF."), code="pdf_required")
    with transaction.atomic():
        evidence = workflow.store_uploads(user, [upload], "partners:memorandum")[0][0]
        memo = Memorandum.objects.create(title=title, jurisdiction_path=user.jurisdiction.path, signed_on=signed,
                                         valid_until=until, scope=text, document=evidence, created_by=user,
                                         created_at=clock.now())
        memo.partners.set(partners)
        from parcelguard.trail.services import trail_append

        trail_append(actor=user, action="partner.memorandum", subject=f"memorandum:{memo.pk}",
                     payload={"title": title, "signed_on": signed.isoformat(), "partners": [p.pk for p in partners]},
                     evidence_hashes=[evidence.sha256])
    return memo


def _trail(user: Any, action: str, subject: str, payload: dict[str, Any]) -> None:
    from parcelguard.trail.services import trail_append

    trail_append(actor=user, action=action, subject=subject, payload=payload)


def memorandum_in_force(partner: Partner, day: dt.date) -> Memorandum | None:
    return (partner.memoranda.filter(signed_on__lte=day).exclude(valid_until__lt=day)
            .order_by("-signed_on").first())


# ---- joint meetings and action items ---------------------------------------------------------------------

def meeting_convene(*, user: Any, title: str, starts_at: Any, place: str, agenda: str, partner_ids: Sequence[Any],
                    attendees: str = "") -> Meeting:
    _staff(user, _("Only the city bureau or a county centre convenes joint meetings."))
    partners = _partners(user, partner_ids)
    title = _text(title, 4, 160, "title_required", _("Give the meeting's title."))
    when = _moment(starts_at)
    place = _text(place, 2, 160, "place_required", _("Say where the meeting is held."))
    agenda = _text(agenda, 4, 4000, "agenda_required", _("Give the agenda."))
    now = clock.now()
    with transaction.atomic():
        meeting = Meeting.objects.create(title=title, jurisdiction_path=user.jurisdiction.path, starts_at=when,
                                         place=place, agenda=agenda, attendees=(attendees or "").strip()[:4000],
                                         convened_by=user, created_at=now)
        meeting.partners.set(partners)
        workflow.record(MEETING_FLOW, meeting, MEETING_FLOW.step("convene"), actor=user, role=user.role,
                        from_state="", to_state=meeting.state, at=now,
                        data={"partners": [p.pk for p in partners], "starts_at": when.isoformat()})
    return meeting


def _actions(user: Any, meeting: Meeting, actions: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Check every decision before any is written: text, an owner in the user's scope, a due day."""
    staff = scope(user, get_user_model()).filter(is_active=True, role__in=STAFF)
    partner_ids = set(meeting.partners.values_list("pk", flat=True))
    cleaned = []
    for n, item in enumerate(actions, start=1):
        text = str(item.get("text") or "").strip()
        if not text:
            continue
        owner = staff.filter(pk=int(item["owner_id"])).first() if str(item.get("owner_id") or "").isdigit() else None
        if owner is None:
            raise Invalid(_("Decision %(n)d: choose who answers for it.") % {"n": n}, code="owner_required")
        due = _date(item.get("due_on"), "due_required", _("Decision %(n)d: give a due day.") % {"n": n})
        partner = item.get("partner_id")
        partner_id = int(partner) if str(partner or "").isdigit() else None
        if partner_id is not None and partner_id not in partner_ids:
            raise Invalid(_("Decision %(n)d: the partner did not attend.") % {"n": n}, code="partner_not_attending")
        cleaned.append({"text": text[:2000], "owner": owner, "partner_id": partner_id, "due_on": due})
    return cleaned


def meeting_record(*, user: Any, meeting_id: int, version: int | None, minutes: str,
                   actions: Sequence[dict[str, Any]] = (), upload: Any = None) -> Meeting:
    """The meeting was held: its minutes, the signed minutes (PDF, optional) and its decisions, each an
    action item with an owner and a due day."""
    meeting = get_for(user, Meeting, pk=meeting_id)
    minutes = _text(minutes, 10, 20000, "minutes_required", _("Write the minutes (at least 10 characters)."))
    if upload is not None and not _is_pdf(upload):
        raise Invalid(_("Attach the signed minutes as a PDF."), code="pdf_required")
    cleaned = _actions(user, meeting, actions)
    if meeting.starts_at > clock.now():
        raise Conflict(_("The meeting has not taken place yet."), code="meeting_not_held")
    made: list[ActionItem] = []

    def after(obj: Meeting) -> list[tuple[Any, str]]:
        attached = workflow.store_uploads(user, [upload], "partners:minutes") if upload is not None else []
        if attached:
            Meeting.objects.filter(pk=obj.pk).update(minutes_file=attached[0][0])
            obj.minutes_file = attached[0][0]
        for item in cleaned:
            made.append(_action_create(user, obj, item))
        return attached

    return workflow.transition(MEETING_FLOW, user=user, pk=meeting.pk, action="record", version=version,
                               after=after, changes={"minutes": minutes, "held_at": clock.now()},
                               data={"actions": len(cleaned)})


def _action_create(user: Any, meeting: Meeting, item: dict[str, Any]) -> ActionItem:
    # the owner's area when it lies inside the meeting's: a county centre sees the decisions it carries out
    owner_path = item["owner"].jurisdiction.path if item["owner"].jurisdiction_id else ""
    path = owner_path if owner_path.startswith(meeting.jurisdiction_path) else meeting.jurisdiction_path
    action = ActionItem.objects.create(
        meeting=meeting, jurisdiction_path=path, text=item["text"], owner=item["owner"],
        partner_id=item["partner_id"], due_at=deadlines.end_of(item["due_on"]))
    workflow.record(ACTION_FLOW, action, ACTION_FLOW.step("assign"), actor=user, role=user.role, from_state="",
                    to_state=action.state, data={"meeting": meeting.pk, "owner": item["owner"].pk,
                                                 "due": item["due_on"].isoformat()})
    return action


def meeting_cancel(*, user: Any, meeting_id: int, version: int | None, reason: str) -> Meeting:
    return workflow.transition(MEETING_FLOW, user=user, pk=meeting_id, action="cancel", version=version,
                               reason=reason)


def action_complete(*, user: Any, action_id: int, version: int | None, note: str,
                    uploads: Sequence[Any] = ()) -> ActionItem:
    return workflow.transition(ACTION_FLOW, user=user, pk=action_id, action="complete", version=version,
                               reason=note, uploads=uploads,
                               changes={"done_at": clock.now(), "note": (note or "").strip()[:2000]})


def action_drop(*, user: Any, action_id: int, version: int | None, reason: str) -> ActionItem:
    return workflow.transition(ACTION_FLOW, user=user, pk=action_id, action="drop", version=version, reason=reason,
                               changes={"done_at": clock.now(), "note": (reason or "").strip()[:2000]})


# ---- clue transfers ------------------------------------------------------------------------------------

def _source(user: Any, event_id: Any, case_id: Any, warning_id: Any) -> dict[str, Any]:
    """The record the clue comes from, fetched inside the user's scope, and the evidence it carries."""
    from parcelguard.events.models import Case, Event, TransitionEvidence
    from parcelguard.parcels.models import EarlyWarning

    given = [x for x in (event_id, case_id, warning_id) if x not in (None, "", 0)]
    if len(given) != 1:
        raise Invalid(_("A clue comes from one hazard event, case or early warning."), code="source_required")
    found: dict[str, Any] = {"event": None, "case": None, "warning": None}
    if case_id:
        found["case"] = get_for(user, Case.objects.select_related("event"), pk=int(case_id))
        found["event"] = found["case"].event
    elif warning_id:
        found["warning"] = get_for(user, EarlyWarning, pk=int(warning_id))
        found["event"] = found["warning"].event
    else:
        found["event"] = get_for(user, Event, pk=int(event_id))
    event = found["event"]
    found["evidence"] = ({te.evidence_id: te.evidence for te in TransitionEvidence.objects.filter(
        transition__event=event).select_related("evidence").order_by("pk")} if event is not None else {})
    record = found["case"] or found["warning"] or event
    found["path"] = record.jurisdiction_path if hasattr(record, "jurisdiction_path") else event.jurisdiction_path
    return found


def source_evidence(user: Any, *, event_id: Any = None, case_id: Any = None, warning_id: Any = None) -> list[Any]:
    """The evidence files of the record a clue comes from: what the transfer form offers to attach."""
    return list(_source(user, event_id, case_id, warning_id)["evidence"].values())


def _source_text(src: dict[str, Any]) -> str:
    parts = []
    if src["case"] is not None:
        parts.append(f"执法案件 #{src['case'].pk}")
    if src["warning"] is not None:
        w = src["warning"]
        parts.append(f"数据分析预警 #{w.pk}（{w.get_kind_display()}，{w.subject_id}，涉及{w.count}件）")
    if src["event"] is not None:
        e = src["event"]
        parts.append(f"隐患事件 #{e.pk}（{e.hazard_type.name}，{e.where}）")
    return "；".join(parts)


def letter_context(transfer: Transfer, partner: Partner, evidence: Sequence[Any], source_text: str,
                   user: Any) -> dict[str, Any]:
    from parcelguard.documents.services import authority

    memo = transfer.memorandum
    return {
        "authority": authority(), "addressee": partner.name, "found_on": transfer.sent_at,
        "kind_text": KIND_TEXT.get(ClueKind(transfer.kind), "违法"), "facts": transfer.summary,
        "legal_basis": transfer.legal_basis, "memorandum_text": memo.title if memo else "",
        "request": transfer.request, "deadline": deadlines.day_of(transfer.feedback_due) if transfer.feedback_due else None,
        "evidence_list": [f"{ev.original_name}（SHA-256：{ev.sha256[:16]}…）" for ev in evidence],
        "source_text": source_text, "found_by": "寄递安全监管平台",
        "contact_name": getattr(user, "display_name", "") or user.username, "contact_phone": getattr(user, "phone", ""),
    }


def transfer_send(*, user: Any, partner_id: int, kind: str, summary: str, event_id: Any = None, case_id: Any = None,
                  warning_id: Any = None, evidence_ids: Sequence[Any] = (), uploads: Sequence[Any] = (),
                  request: str = "", legal_basis: str = "") -> Transfer:
    """The city bureau transfers a clue to a partner: the letter (线索移送函) is numbered and issued in the
    bureau's name, the evidence is attached (files of the source record and new uploads) and the feedback
    deadline set. A clue without evidence is refused."""
    if workflow.role_of(user) not in TRANSFER_FLOW.step("send").roles:
        raise Forbidden(_("Only the city bureau transfers clues to partner departments."), code="role_not_allowed")
    partner = get_for(user, Partner.objects.filter(active=True), pk=partner_id)
    if kind not in ClueKind.values:
        raise Invalid(_("Choose what the clue is about."), code="invalid_kind")
    summary = _text(summary, 10, 4000, "facts_required", _("Describe the facts of the clue (at least 10 characters)."))
    src = _source(user, event_id, case_id, warning_id)
    wanted = {int(i) for i in evidence_ids if str(i).strip().isdigit()}
    if wanted - set(src["evidence"]):
        raise Invalid(_("Only the source record's own evidence can be attached."), code="evidence_not_of_source")
    chosen = [src["evidence"][pk] for pk in sorted(wanted)]
    if not chosen and not uploads:
        raise Invalid(TRANSFER_FLOW.message("evidence_required"), code="evidence_required")
    now = clock.now()
    basis = (legal_basis or "").strip()[:300] or LEGAL_BASIS.get(PartnerKind(partner.kind), DEFAULT_BASIS)
    with transaction.atomic():
        transfer = Transfer.objects.create(
            direction=Direction.OUTGOING, partner=partner, jurisdiction_path=src["path"], kind=kind, summary=summary,
            request=(request or "").strip()[:1000] or REQUEST, legal_basis=basis, event=src["event"],
            case=src["case"], warning=src["warning"], memorandum=memorandum_in_force(partner, clock.today()),
            state=TransferState.SENT, sent_at=now, sent_by=user, feedback_due=feedback_due(partner, now),
            updated_at=now)
        attached = [(ev, "source") for ev in chosen] + workflow.store_uploads(user, uploads, "clue_transfer:send")
        evidence = [ev for ev, _kind in attached]
        from parcelguard.documents.services import document_issue

        document = document_issue(actor=user, doc_type="clue_transfer", subject=TRANSFER_FLOW.subject(transfer),
                                  context=letter_context(transfer, partner, evidence, _source_text(src), user))
        Transfer.objects.filter(pk=transfer.pk).update(document=document, number=document.number)
        transfer.document, transfer.number = document, document.number
        workflow.record(TRANSFER_FLOW, transfer, TRANSFER_FLOW.step("send"), actor=user, role=user.role,
                        from_state="", to_state=transfer.state, attached=[*attached, (document.evidence, "document")],
                        at=now, data={"partner": partner.pk, "number": document.number, "source": transfer.source_label,
                                      "feedback_due": deadlines.day_of(transfer.feedback_due).isoformat()})
    return transfer


def _step(user: Any, transfer_id: int, action: str, version: int | None, **kw: Any) -> Transfer:
    return workflow.transition(TRANSFER_FLOW, user=user, pk=transfer_id, action=action, version=version, **kw)


def transfer_receipt(*, user: Any, transfer_id: int, version: int | None, received_on: Any, note: str = "",
                     uploads: Sequence[Any] = ()) -> Transfer:
    """The partner signed for the letter (回执) on a day not before it was sent nor after today."""
    transfer = get_for(user, Transfer, pk=transfer_id)
    day = _date(received_on, "invalid_date", _("Give the day the partner signed for it."))
    if day > clock.today() or day < timezone.localtime(transfer.sent_at).date():
        raise Invalid(_("The receipt day lies between the transfer and today."), code="invalid_receipt_day")
    at = timezone.make_aware(dt.datetime.combine(day, dt.time(12)))
    return _step(user, transfer_id, "receipt", version, reason=note, uploads=uploads, changes={"receipt_at": at},
                 data={"received_on": day.isoformat()})


def transfer_chase(*, user: Any, transfer_id: int, version: int | None, note: str) -> Transfer:
    from django.db.models import F

    return _step(user, transfer_id, "chase", version, reason=note,
                 changes={"reminded_at": clock.now(), "reminders": F("reminders") + 1})


def transfer_feedback(*, user: Any, transfer_id: int, version: int | None, outcome: str, text: str,
                      uploads: Sequence[Any] = ()) -> Transfer:
    """The partner's written feedback (反馈函), with the letter as evidence."""
    if outcome not in Feedback.values:
        raise Invalid(_("Choose what the partner did with the clue."), code="invalid_outcome")
    now = clock.now()
    transfer = get_for(user, Transfer, pk=transfer_id)
    late = transfer.feedback_due is not None and now >= transfer.feedback_due
    return _step(user, transfer_id, "feedback", version, reason=text, uploads=uploads,
                 changes={"feedback": outcome, "feedback_text": (text or "").strip()[:4000], "feedback_at": now},
                 data={"outcome": outcome, "late": late})


def transfer_close(*, user: Any, transfer_id: int, version: int | None, note: str = "") -> Transfer:
    return _step(user, transfer_id, "close", version, reason=note, changes={"closed_at": clock.now()})


def transfer_withdraw(*, user: Any, transfer_id: int, version: int | None, reason: str) -> Transfer:
    return _step(user, transfer_id, "withdraw", version, reason=reason, changes={"closed_at": clock.now()})


def transfer_register(*, user: Any, partner_id: int, number: str, received_on: Any, kind: str, summary: str,
                      hazard_type: str, site_id: Any = None, county_id: Any = None, place: str = "",
                      uploads: Sequence[Any] = ()) -> Transfer:
    """A clue transferred to us by a partner (their letter and its enclosures as evidence) enters as a
    hazard event (source: partner) at the site named, or at a place in a county."""
    from parcelguard.events.services import event_from_partner

    role = workflow.role_of(user)
    if role not in TRANSFER_FLOW.step("register").roles:
        raise Forbidden(_("Only the city bureau or a county centre registers a partner's clue."),
                        code="role_not_allowed")
    partner = get_for(user, Partner, pk=partner_id)
    if kind not in ClueKind.values:
        raise Invalid(_("Choose what the clue is about."), code="invalid_kind")
    number = _text(number, 2, 60, "number_required", _("Give the number of the partner's letter."))
    day = _date(received_on, "invalid_date", _("Give the day the letter was received."))
    if day > clock.today():
        raise Invalid(_("The day received cannot be in the future."), code="date_in_future")
    summary = _text(summary, 10, 4000, "facts_required", _("Describe the facts of the clue (at least 10 characters)."))
    if not uploads:
        raise Invalid(_("Attach the partner's letter (a scan or photo)."), code="evidence_required")
    now = clock.now()
    with transaction.atomic():
        event = event_from_partner(user=user, partner_name=partner.name, hazard_type=hazard_type,
                                   description=f"{partner.name}移送线索（{number}）：{summary}", site_id=site_id,
                                   county_id=county_id, place=place, uploads=uploads)
        transfer = Transfer.objects.create(
            direction=Direction.INCOMING, partner=partner, jurisdiction_path=event.jurisdiction_path, kind=kind,
            summary=summary, number=number, event=event, state=TransferState.REGISTERED,
            sent_at=timezone.make_aware(dt.datetime.combine(day, dt.time(9))), sent_by=user, updated_at=now)
        from parcelguard.events.models import TransitionEvidence

        attached = [(te.evidence, "source") for te in TransitionEvidence.objects.filter(transition__event=event)]
        workflow.record(TRANSFER_FLOW, transfer, TRANSFER_FLOW.step("register"), actor=user, role=role,
                        from_state="", to_state=transfer.state, attached=attached, at=now,
                        data={"partner": partner.pk, "number": number, "event": event.pk})
    return transfer
