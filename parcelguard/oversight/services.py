"""Writes of procuratorial oversight.

The procurator's side: open a case file, add to its investigation record, draft a recommendation with its
items, serve it (starting the reply clock), extend the clock once, record the follow-up item by item,
record a suit, its judgment and the compliance checks, close. The bureau's side: split a served
recommendation into rectification tasks (linked to an existing hazard event or opening one through the
normal workflow), mark a task without an event done with evidence, and issue the written reply.

Every write checks the role, fetches through the user's scope, validates everything before it writes and
writes in one transaction: a refused call leaves nothing behind."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from parcelguard.accounts.models import Jurisdiction, Level
from parcelguard.accounts.roles import Role
from parcelguard.accounts.scoping import get_for, jurisdiction_allowed, scope
from parcelguard.core import clock, workflow
from parcelguard.core.errors import Conflict, Forbidden, Invalid
from parcelguard.oversight import clock as rclock
from parcelguard.oversight.flow import RECOMMENDATION_FLOW as FLOW
from parcelguard.oversight.models import (
    CaseFile,
    CaseState,
    CheckRound,
    Finding,
    Investigation,
    Item,
    ItemCheck,
    Matter,
    Recommendation,
    RecordKind,
    RecState,
    Reply,
    ServiceMethod,
    Suit,
    Task,
)
from parcelguard.trail.services import trail_append

MAX_ITEMS = 50


# ---- small checks --------------------------------------------------------------------------------------

def _require_role(user: Any, role: str, message: str) -> None:
    if workflow.role_of(user) != role:
        raise Forbidden(message, code="role_not_allowed")


def _procurator(user: Any) -> None:
    _require_role(user, Role.PROCURATOR, _("Only the procuratorate records this."))


def _bureau(user: Any) -> None:
    _require_role(user, Role.CITY_BUREAU, _("Only the city bureau does this."))


def _text(value: Any, name: str, *, minimum: int = 2, maximum: int = 2000, required: bool = True) -> str:
    text = str(value or "").strip()
    if required and len(text) < minimum:
        raise Invalid(_("This field is required: %(field)s.") % {"field": name}, code="required",
                      details={"field": name})
    if len(text) > maximum:
        raise Invalid(_("Too long: %(field)s (at most %(n)d characters).") % {"field": name, "n": maximum},
                      code="too_long", details={"field": name})
    return text


def _date(value: Any, name: str, *, required: bool = True, not_future: bool = True) -> dt.date | None:
    if value in (None, ""):
        if required:
            raise Invalid(_("Give a date: %(field)s.") % {"field": name}, code="required", details={"field": name})
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        try:
            value = dt.date.fromisoformat(str(value).strip()[:10])
        except ValueError:
            raise Invalid(_("Give the date as YYYY-MM-DD: %(field)s.") % {"field": name}, code="invalid_date",
                          details={"field": name}) from None
    if not_future and value > rclock.today():
        raise Invalid(_("The date cannot be in the future: %(field)s.") % {"field": name}, code="future_date",
                      details={"field": name})
    return value


def _ids(values: Any, name: str) -> list[int]:
    if values in (None, ""):
        return []
    if isinstance(values, str):
        values = [v for v in values.replace("，", ",").replace(" ", ",").split(",") if v.strip()]
    out = []
    for v in values:
        try:
            out.append(int(str(v).strip().lstrip("#")))
        except ValueError:
            raise Invalid(_("Give record numbers: %(field)s.") % {"field": name}, code="invalid_reference",
                          details={"field": name, "value": str(v)}) from None
    return sorted(set(out))


def _visible(user: Any, model: Any, ids: list[int], name: str) -> list[int]:
    """Linked records must exist inside the user's scope; an unknown one is named, not ignored."""
    found = set(scope(user, model).filter(pk__in=ids).values_list("pk", flat=True))
    missing = [i for i in ids if i not in found]
    if missing:
        raise Invalid(_("No such record in your area: %(field)s %(ids)s.")
                      % {"field": name, "ids": ", ".join(map(str, missing))}, code="unknown_reference",
                      details={"field": name, "ids": missing})
    return ids


def _site_ids(user: Any, values: Any) -> list[int]:
    """Sites are named by their code (or number)."""
    from parcelguard.registry.models import Site

    if values in (None, ""):
        return []
    raw = values if not isinstance(values, str) else [
        v for v in values.replace("，", ",").replace(" ", ",").split(",") if v.strip()]
    ids: list[int] = []
    for v in raw:
        v = str(v).strip()
        site = scope(user, Site).filter(code=v).values_list("pk", flat=True).first()
        if site is None and v.isdigit():
            site = scope(user, Site).filter(pk=int(v)).values_list("pk", flat=True).first()
        if site is None:
            raise Invalid(_("No such record in your area: %(field)s %(ids)s.") % {"field": _("sites"), "ids": v},
                          code="unknown_reference", details={"field": "sites", "ids": [v]})
        ids.append(site)
    return sorted(set(ids))


def _uploads_store(user: Any, uploads: Sequence[Any], purpose: str) -> list[Any]:
    return [ev for ev, _kind in workflow.store_uploads(user, uploads, purpose)]


# ---- the case file --------------------------------------------------------------------------------------

def case_open(*, user: Any, number: str, procuratorate: str, matter: str, summary: str, opened_on: Any,
              site_ids: Any = (), enterprise_ids: Any = ()) -> CaseFile:
    """The procurator opens a public-interest case file about the bureau of its own area."""
    from parcelguard.registry.models import Enterprise

    _procurator(user)
    number = _text(number, _("case number"), maximum=80)
    if matter not in Matter.values:
        raise Invalid(_("Unknown matter."), code="invalid_matter")
    fields = {"number": number, "procuratorate": _text(procuratorate, _("procuratorate"), maximum=100),
              "summary": _text(summary, _("summary"), minimum=4, maximum=4000),
              "opened_on": _date(opened_on, _("opened on"))}
    sites = _site_ids(user, site_ids)
    enterprises = _visible(user, Enterprise, _ids(enterprise_ids, "enterprises"), _("enterprises"))
    if CaseFile.objects.filter(number=number).exists():
        raise Conflict(_("A case file with this number exists."), code="duplicate_number")
    now = clock.now()
    try:
        with transaction.atomic():
            case = CaseFile.objects.create(matter=matter, jurisdiction=user.jurisdiction,
                                           jurisdiction_path=user.jurisdiction.path, created_by=user,
                                           created_at=now, **fields)
            case.sites.set(sites)
            case.enterprises.set(enterprises)
            trail_append(actor=user, action="oversight.case_open", subject=f"casefile:{case.pk}",
                         payload={"number": number, "matter": matter, "sites": sites, "enterprises": enterprises})
    except IntegrityError:
        raise Conflict(_("A case file with this number exists."), code="duplicate_number") from None
    return case


def investigation_record(*, user: Any, case_id: int, kind: str, held_on: Any, findings: str, place: str = "",
                         participants: str = "", supervisors_opinion: str = "",
                         uploads: Sequence[Any] = ()) -> Investigation:
    """One entry of the investigation record: an on-site check, a joint inspection with the bureau, a
    consultation (磋商) or a public hearing (公开听证, with the people's supervisors' opinion). Its evidence
    is stored and the hashes are listed on the case file's trail entry."""
    _procurator(user)
    case = get_for(user, CaseFile, pk=case_id)
    if case.state != CaseState.OPEN:
        raise Conflict(_("The case file is closed."), code="case_closed")
    if kind not in RecordKind.values:
        raise Invalid(_("Unknown kind of record."), code="invalid_kind")
    held = _date(held_on, _("date"))
    text = _text(findings, _("findings"), minimum=4, maximum=4000)
    opinion = _text(supervisors_opinion, _("people's supervisors' opinion"), required=False)
    if kind == RecordKind.HEARING and len(opinion) < 2:
        raise Invalid(_("A public hearing records the people's supervisors' opinion."), code="opinion_required")
    now = clock.now()
    with transaction.atomic():
        record = Investigation.objects.create(
            case=case, kind=kind, held_on=held, place=_text(place, "place", required=False, maximum=200),
            participants=_text(participants, "participants", required=False, maximum=500), findings=text,
            supervisors_opinion=opinion, recorded_by=user, recorded_at=now)
        evidence = _uploads_store(user, uploads, f"casefile:{case.pk}")
        record.evidence.add(*evidence)
        entry = trail_append(actor=user, action="oversight.investigation", subject=f"casefile:{case.pk}",
                             payload={"record": record.pk, "kind": kind, "held_on": held.isoformat()},
                             evidence_hashes=[ev.sha256 for ev in evidence])
        Investigation.objects.filter(pk=record.pk).update(trail_seq=entry.seq)
    return record


def case_close(*, user: Any, case_id: int, reason: str) -> CaseFile:
    _procurator(user)
    case = get_for(user, CaseFile, pk=case_id)
    if case.state != CaseState.OPEN:
        raise Conflict(_("The case file is closed."), code="case_closed")
    reason = _text(reason, _("reason"))
    if case.recommendations.exclude(state=RecState.CLOSED).exists():
        raise Conflict(_("Close the case's recommendations first."), code="recommendation_open")
    with transaction.atomic():
        CaseFile.objects.filter(pk=case.pk).update(state=CaseState.CLOSED, closed_at=clock.now())
        trail_append(actor=user, action="oversight.case_close", subject=f"casefile:{case.pk}",
                     payload={"reason": reason})
    case.refresh_from_db()
    return case


# ---- the recommendation ---------------------------------------------------------------------------------

def _clean_items(user: Any, items: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    from parcelguard.events.models import Event
    from parcelguard.parcels.models import EarlyWarning
    from parcelguard.privacy.models import WaybillSample

    cleaned = []
    for _n, raw in enumerate(items, start=1):
        problem = str(raw.get("problem") or "").strip()
        request = str(raw.get("request") or "").strip()
        links = [raw.get(k) for k in ("sites", "events", "warnings", "samples")]
        if not problem and not request and not any(links):
            continue  # an empty row of the form
        cleaned.append({
            "problem": _text(problem, _("problem found"), minimum=4),
            "request": _text(request, _("what is recommended"), minimum=4),
            "sites": _site_ids(user, raw.get("sites")),
            "events": _visible(user, Event, _ids(raw.get("events"), "events"), _("hazard events")),
            "warnings": _visible(user, EarlyWarning, _ids(raw.get("warnings"), "warnings"), _("early warnings")),
            "samples": _visible(user, WaybillSample, _ids(raw.get("samples"), "samples"), _("waybill audit results")),
        })
    if not cleaned:
        raise Invalid(_("A recommendation needs at least one item."), code="no_items")
    if len(cleaned) > MAX_ITEMS:
        raise Invalid(_("Too many items."), code="too_many_items")
    return cleaned


def recommendation_create(*, user: Any, case_id: int, number: str, title: str, addressee: str, issued_on: Any,
                          items: Iterable[dict[str, Any]], urgent: bool = False) -> Recommendation:
    """The procurator drafts a recommendation with its numbered items. Each item may link registry sites
    (by code), hazard events, early warnings and waybill audit results, all inside its area."""
    _procurator(user)
    case = get_for(user, CaseFile, pk=case_id)
    if case.state != CaseState.OPEN:
        raise Conflict(_("The case file is closed."), code="case_closed")
    number = _text(number, _("document number"), maximum=80)
    fields = {"title": _text(title, _("title"), maximum=200), "addressee": _text(addressee, _("addressee"), maximum=100),
              "issued_on": _date(issued_on, _("issued on"))}
    cleaned = _clean_items(user, items)
    if Recommendation.objects.filter(number=number).exists():
        raise Conflict(_("A recommendation with this number exists."), code="duplicate_number")
    now = clock.now()
    try:
        with transaction.atomic():
            rec = Recommendation.objects.create(
                case=case, number=number, urgent=bool(urgent), jurisdiction=case.jurisdiction,
                jurisdiction_path=case.jurisdiction_path, created_by=user, created_at=now, updated_at=now, **fields)
            for position, data in enumerate(cleaned, start=1):
                item = Item.objects.create(recommendation=rec, position=position, problem=data["problem"],
                                           request=data["request"])
                item.sites.set(data["sites"])
                item.events.set(data["events"])
                item.warnings.set(data["warnings"])
                item.samples.set(data["samples"])
            workflow.record(FLOW, rec, FLOW.step("create"), actor=user, role=Role.PROCURATOR, from_state="",
                            to_state=rec.state, at=now,
                            data={"number": number, "urgent": rec.urgent, "items": [
                                {k: v for k, v in d.items() if k in ("sites", "events", "warnings", "samples")}
                                for d in cleaned]})
    except IntegrityError:
        raise Conflict(_("A recommendation with this number exists."), code="duplicate_number") from None
    return rec


def _version(version: Any) -> int | None:
    if version in (None, ""):
        return None
    try:
        return int(version)
    except (TypeError, ValueError):
        raise Invalid(_("Unknown version."), code="invalid_version") from None


def recommendation_serve(*, user: Any, pk: int, version: Any, served_on: Any, method: str,
                         received_by: str = "", uploads: Sequence[Any] = ()) -> Recommendation:
    """Serve the recommendation on the bureau; the reply is due 2 months later (15 days if urgent)."""
    _procurator(user)
    rec = get_for(user, Recommendation, pk=pk)
    if rec.served_on is not None:
        raise Conflict(_("This recommendation was already served on %(day)s.") % {"day": rec.served_on.isoformat()},
                       code="already_served")
    if method not in ServiceMethod.values:
        raise Invalid(_("Say how the recommendation was served."), code="invalid_service")
    served = _date(served_on, _("served on"))
    if served < rec.issued_on:
        raise Invalid(_("It cannot be served before it was issued."), code="served_before_issued")
    due = rclock.reply_due_on(served, rec.urgent)
    return workflow.transition(FLOW, user=user, pk=pk, action="serve", version=_version(version), uploads=uploads,
                               changes={"served_on": served, "service_method": method, "due_on": due,
                                        "received_by": _text(received_by, "received_by", required=False,
                                                             maximum=100)},
                               data={"served_on": served.isoformat(), "method": method, "due_on": due.isoformat()})


def recommendation_extend(*, user: Any, pk: int, version: Any, due_on: Any, reason: str) -> Recommendation:
    """Extend the reply period once, to a later day, for a recorded objective reason."""
    _procurator(user)
    rec = get_for(user, Recommendation, pk=pk)
    new_due = _date(due_on, _("new due day"), not_future=False)
    if rec.due_on is not None and rec.original_due_on is None:
        if new_due <= rec.due_on:
            raise Invalid(_("The new due day must be after the current one."), code="not_later")
        if new_due > rclock.add_months(rec.due_on, rclock.reply_months()):
            raise Invalid(_("An extension cannot be longer than the reply period itself."), code="too_long")
    return workflow.transition(FLOW, user=user, pk=pk, action="extend", version=_version(version), reason=reason,
                               changes={"due_on": new_due, "original_due_on": rec.due_on,
                                        "extension_reason": (reason or "").strip()[:2000]},
                               data={"from": rec.due_on.isoformat() if rec.due_on else None,
                                     "to": new_due.isoformat()})


# ---- the bureau's tasks and reply -----------------------------------------------------------------------

def task_create(*, user: Any, item_id: int, county_id: int, title: str, due_on: Any, event_id: Any = None,
                new_event: dict[str, Any] | None = None) -> Task:
    """The bureau splits an item into a task for a county: linked to an existing hazard event, or opening
    one through the normal hazard workflow (a report with evidence), or a task of its own."""
    from parcelguard.events.models import Event

    _bureau(user)
    item = get_for(user, Item.objects.select_related("recommendation"), pk=item_id)
    if item.recommendation.state in (RecState.DRAFT, RecState.CLOSED):
        raise Conflict(_("Tasks are set on a served recommendation."), code="not_served")
    county = Jurisdiction.objects.filter(pk=county_id or 0, level=Level.COUNTY).first()
    if county is None or not jurisdiction_allowed(user, county):
        raise Invalid(_("Choose a county in your area."), code="invalid_county")
    title = _text(title, _("task"), maximum=200)
    due = _date(due_on, _("to be done by"), not_future=False)
    if due < rclock.today():
        raise Invalid(_("The task's day has already passed."), code="past_date")
    event = None
    if event_id not in (None, ""):
        ids = _ids(str(event_id), "event")
        event = get_for(user, Event, pk=ids[0]) if ids else None
        if event is not None and event.county_id != county.pk:
            raise Invalid(_("The event is in another county."), code="event_elsewhere")
    elif new_event and new_event.get("site_id") in (None, ""):
        raise Invalid(_("Choose the site of the new hazard event."), code="site_required")
    now = clock.now()
    with transaction.atomic():
        if event is None and new_event:
            from parcelguard.events.services import event_report

            site_id = _site_ids(user, str(new_event.get("site_id")))[0]
            event = event_report(user=user, site_id=site_id, hazard_type=new_event.get("hazard_type") or "other",
                                 description=new_event.get("description") or title,
                                 source=new_event.get("source", ""), uploads=new_event.get("uploads") or ())
            if event.county_id != county.pk:
                raise Invalid(_("The event is in another county."), code="event_elsewhere")
        task = Task.objects.create(item=item, county=county, jurisdiction_path=county.path, title=title,
                                   event=event, due_on=due, created_by=user, created_at=now)
        trail_append(actor=user, action="oversight.task", subject=FLOW.subject(item.recommendation),
                     payload={"task": task.pk, "item": item.position, "county": county.code,
                              "event": event.pk if event else None, "due_on": due.isoformat()})
    return task


def task_done(*, user: Any, task_id: int, note: str, uploads: Sequence[Any] = ()) -> Task:
    """A task without a hazard event is done when the bureau or the county centre it is assigned to
    records what was done, with evidence. A task with an event is done when the event closes."""
    role = workflow.role_of(user)
    if role not in (Role.CITY_BUREAU, Role.COUNTY_CENTRE):
        raise Forbidden(_("Only the bureau or the county centre records this."), code="role_not_allowed")
    task = get_for(user, Task.objects.select_related("item__recommendation"), pk=task_id)
    if task.done_at is not None:
        raise Conflict(_("The task is already done."), code="already_done")
    if task.event_id is not None:
        raise Conflict(_("This task is done when its hazard event is closed in the normal workflow."),
                       code="event_task")
    note = _text(note, _("what was done"), minimum=4)
    if not uploads:
        raise Invalid(_("This step must carry supporting evidence (a photo, PDF or video)."), code="evidence_required")
    with transaction.atomic():
        evidence = _uploads_store(user, uploads, f"task:{task.pk}")
        updated = Task.objects.filter(pk=task.pk, done_at__isnull=True).update(done_at=clock.now(), done_note=note)
        if updated != 1:
            raise Conflict(_("The task is already done."), code="already_done")
        task.evidence.add(*evidence)
        trail_append(actor=user, action="oversight.task_done", subject=FLOW.subject(task.item.recommendation),
                     payload={"task": task.pk, "item": task.item.position},
                     evidence_hashes=[ev.sha256 for ev in evidence])
    task.refresh_from_db()
    return task


def reply_issue(*, user: Any, pk: int, version: Any, summary: str = "", contact_name: str = "",
                contact_phone: str = "") -> Reply:
    """The bureau issues its written reply: a numbered PDF that answers each item from the records (what
    was done, when, by whom, which documents and evidence prove it, what is still open and by when). The
    trail entry lists the hash of every piece of evidence it cites, so the recommendation's bundle carries
    them."""
    from parcelguard.documents.services import document_issue
    from parcelguard.oversight import selectors

    _bureau(user)
    get_for(user, Recommendation, pk=pk)
    summary = _text(summary, _("summary"), required=False, maximum=4000)
    now = clock.now()
    holder: dict[str, Reply] = {}

    def after(obj: Recommendation) -> list[tuple[Any, str]]:
        draft = selectors.reply_draft(obj, now=now)
        context = selectors.reply_context(obj, draft, summary=summary, contact_name=contact_name,
                                          contact_phone=contact_phone)
        document = document_issue(actor=user, doc_type="reply", context=context, subject=FLOW.subject(obj))
        late = now >= rclock.due_at(obj.due_on) if obj.due_on else False
        holder["reply"] = Reply.objects.create(recommendation=obj, document=document, content=draft.as_json(),
                                               issued_by=user, issued_at=now, late=late)
        Recommendation.objects.filter(pk=obj.pk).update(replied_at=now)
        hashes = sorted(draft.evidence_hashes())
        trail_append(actor=user, action="oversight.reply_evidence", subject=FLOW.subject(obj),
                     payload={"document": document.number, "items": len(draft.items), "evidence": len(hashes)},
                     evidence_hashes=hashes)
        return [(document.evidence, "document")]

    workflow.transition(FLOW, user=user, pk=pk, action="reply", version=_version(version), after=after,
                        data={"summary": summary[:200]})
    return holder["reply"]


# ---- follow-up, suit, judgment, compliance checks -------------------------------------------------------

def _clean_results(rec: Recommendation, results: dict[Any, Any]) -> dict[int, tuple[str, str]]:
    cleaned: dict[int, tuple[str, str]] = {}
    items = list(rec.items.all())
    for item in items:
        given = results.get(item.pk) or results.get(str(item.pk)) or {}
        result = given.get("result", "") if isinstance(given, dict) else ""
        note = str(given.get("note", "") if isinstance(given, dict) else "").strip()
        if result not in Finding.values:
            raise Invalid(_("Give a result for every item (item %(n)d).") % {"n": item.position},
                          code="result_missing", details={"item": item.position})
        if len(note) < 2:
            raise Invalid(_("Say what was found for every item (item %(n)d).") % {"n": item.position},
                          code="note_required", details={"item": item.position})
        cleaned[item.pk] = (result, note[:2000])
    unknown = {str(k) for k in results} - {str(i.pk) for i in items}
    if unknown:
        raise Invalid(_("Unknown items."), code="unknown_item", details={"items": sorted(unknown)})
    return cleaned


def _checks(user: Any, rec: Recommendation, round_: str, checked_on: dt.date, cleaned: dict[int, tuple[str, str]],
            evidence: list[Any], now: dt.datetime) -> None:
    for item_id, (result, note) in cleaned.items():
        check = ItemCheck.objects.create(item_id=item_id, round=round_, result=result, note=note,
                                         checked_on=checked_on, recorded_by=user, recorded_at=now)
        check.evidence.add(*evidence)
        Item.objects.filter(pk=item_id).update(finding=result)


def follow_up(*, user: Any, pk: int, version: Any, checked_on: Any, results: dict[Any, Any],
              uploads: Sequence[Any] = ()) -> Recommendation:
    """The procurator's follow-up after the reply (or once the reply is overdue): item by item."""
    _procurator(user)
    rec = get_for(user, Recommendation, pk=pk)
    day = _date(checked_on, _("checked on"))
    cleaned = _clean_results(rec, results or {})
    action = "follow_up_unanswered" if rec.state == RecState.SERVED else "follow_up"
    if rec.state == RecState.SERVED and rec.due_on and clock.now() < rclock.due_at(rec.due_on):
        raise Conflict(_("The follow-up comes after the bureau's reply, or once the reply is overdue."),
                       code="not_replied")
    now = clock.now()

    def after(obj: Recommendation) -> list[tuple[Any, str]]:
        evidence = _uploads_store(user, uploads, f"recommendation:{obj.pk}:follow_up")
        _checks(user, obj, CheckRound.FOLLOW_UP, day, cleaned, evidence, now)
        return [(ev, "upload") for ev in evidence]

    return workflow.transition(FLOW, user=user, pk=pk, action=action, version=_version(version), after=after,
                               data={"checked_on": day.isoformat(),
                                     "results": {str(k): v[0] for k, v in cleaned.items()}})


def suit_record(*, user: Any, pk: int, version: Any, court: str, case_number: str, filed_on: Any,
                claims: str) -> Recommendation:
    _procurator(user)
    rec = get_for(user, Recommendation, pk=pk)
    fields = {"court": _text(court, _("court"), maximum=100), "case_number": _text(case_number, _("court case number"),
                                                                                 maximum=80),
              "filed_on": _date(filed_on, _("filed on")), "claims": _text(claims, _("claims"), minimum=4, maximum=4000)}
    now = clock.now()

    def after(obj: Recommendation) -> list[tuple[Any, str]]:
        Suit.objects.create(recommendation=obj, recorded_by=user, recorded_at=now, **fields)
        return []

    return workflow.transition(FLOW, user=user, pk=rec.pk, action="sue", version=_version(version), after=after,
                               data={"court": fields["court"], "case_number": fields["case_number"],
                                     "filed_on": fields["filed_on"].isoformat()})


def judgment_record(*, user: Any, pk: int, version: Any, judged_on: Any, judgment: str) -> Recommendation:
    _procurator(user)
    rec = get_for(user, Recommendation, pk=pk)
    day = _date(judged_on, _("judged on"))
    text = _text(judgment, _("judgment"), minimum=4, maximum=4000)
    suit = getattr(rec, "suit", None)
    if suit is not None and day < suit.filed_on:
        raise Invalid(_("The judgment cannot come before the filing."), code="judged_before_filed")

    def after(obj: Recommendation) -> list[tuple[Any, str]]:
        Suit.objects.filter(recommendation=obj).update(judgment=text, judged_on=day)
        return []

    return workflow.transition(FLOW, user=user, pk=rec.pk, action="judge", version=_version(version), after=after,
                               data={"judged_on": day.isoformat()})


def compliance_check(*, user: Any, pk: int, version: Any, checked_on: Any, results: dict[Any, Any],
                     uploads: Sequence[Any] = ()) -> Recommendation:
    """A check after the judgment (Shiyan was re-checked in March 2024), item by item, with evidence."""
    _procurator(user)
    rec = get_for(user, Recommendation, pk=pk)
    day = _date(checked_on, _("checked on"))
    cleaned = _clean_results(rec, results or {})
    if not uploads:
        raise Invalid(_("This step must carry supporting evidence (a photo, PDF or video)."), code="evidence_required")
    now = clock.now()

    def after(obj: Recommendation) -> list[tuple[Any, str]]:
        evidence = _uploads_store(user, uploads, f"recommendation:{obj.pk}:compliance")
        _checks(user, obj, CheckRound.COMPLIANCE, day, cleaned, evidence, now)
        return [(ev, "upload") for ev in evidence]

    return workflow.transition(FLOW, user=user, pk=rec.pk, action="recheck", version=_version(version),
                               after=after, data={"checked_on": day.isoformat(),
                                                  "results": {str(k): v[0] for k, v in cleaned.items()}})


def recommendation_close(*, user: Any, pk: int, version: Any, reason: str) -> Recommendation:
    _procurator(user)
    get_for(user, Recommendation, pk=pk)
    return workflow.transition(FLOW, user=user, pk=pk, action="close", version=_version(version), reason=reason,
                               changes={"closed_at": clock.now()})
