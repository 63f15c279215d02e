"""Writes to the hazard workflow: one service per action. Pages, API, tasks and the demo call these.

Every transition goes through the platform's engine (`parcelguard.core.workflow.transition` with
`states.EVENT_FLOW`):
  1. the event is fetched through the scoping layer (outside the user's scope → NotFound);
  2. the expected version must match (else Conflict "state_conflict");
  3. the step table checks role, state, tier and the step's guard; the reason and evidence it requires
     must be there;
  4. in one transaction the event row is claimed with a conditional UPDATE on (state, version): of two
     people acting at once exactly one changes a row, the other gets Conflict "state_conflict";
  5. evidence is stored, documents issued (`Act.after`), the engine writes the `core.StatusChange` row
     ("event:12") and the trail entry, and the flow's hook (`on_record` here) writes the event's own
     Transition row and the notifications.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from parcelguard.accounts.models import Jurisdiction, Level, User
from parcelguard.accounts.roles import Role
from parcelguard.accounts.scoping import get_for
from parcelguard.core import clock, workflow
from parcelguard.core.errors import Conflict, Forbidden, Invalid
from parcelguard.documents.issuers import issuer_for
from parcelguard.events import clocks, deadlines, location
from parcelguard.events.models import (
    Case,
    Event,
    HazardType,
    LegalBasis,
    Notification,
    NotificationKind,
    Outcome,
    Reward,
    RewardStatus,
    Severity,
    Source,
    TipOff,
    Transition,
    TransitionEvidence,
)
from parcelguard.events.states import (
    AUTO_ESCALATE_FROM,
    EVENT_FLOW,
    REWARD_FLOW,
    SYSTEM,
    TERMINAL,
    State,
    Step,
    Tier,
    actions_from,
    step,
)
from parcelguard.registry.models import Site

REJECT_REASONS = {
    "duplicate": "重复上报",  # duplicate
    "not_hazard": "不属于隐患",  # not a hazard
    "outside_jurisdiction": "不属本辖区",  # outside jurisdiction
}

# ---- reading ---------------------------------------------------------------------------------------

def event_get_for(user: Any, event_id: int) -> Event:
    """One event inside the user's scope, or NotFound."""
    return get_for(user, Event.objects.select_related("hazard_type", "site", "enterprise", "county", "reporter"),
                   pk=event_id)


role_of = workflow.role_of


def guards_of(event: Event, now: dt.datetime | None = None) -> dict[str, bool]:
    now = now or clock.now()
    case: Case | None = Case.objects.filter(event_id=event.pk).first()
    fine = bool(case and case.outcome == Outcome.FINE)
    return {
        "overdue": event.deadline is not None and now >= event.deadline,
        "not_extended": bool(case and not case.extended),
        "defence_open": bool(case and case.defence_by and now < case.defence_by),
        "defence_over": bool(case and case.defence_by and (now >= case.defence_by or case.defence)),
        "fine_due": fine,
        "settled": event.state == State.PAID or (event.state == State.SERVED and bool(case) and not fine),
    }


def allowed_actions(user: Any, event: Event) -> list[Step]:
    """The steps this user may take on this event now: what the page offers as forms."""
    return workflow.allowed_steps(EVENT_FLOW, user, event)


# ---- the machinery of one transition -----------------------------------------------------------------

@dataclass
class Act:
    """What one transition needs beyond the table: field changes, case changes and side effects."""

    changes: dict[str, Any] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    after: Callable[[Event, Transition | None], list[tuple[Any, str]]] | None = None  # → (evidence, kind)


def _store(user: Any, uploads: Sequence[Any], action: str) -> list[tuple[Any, str]]:
    return workflow.store_uploads(user, uploads, f"{EVENT_FLOW.name}:{action}")


def _with_step_deadline(action: str, changes: dict[str, Any]) -> dict[str, Any]:
    """Every step has its limit: a step that moves the event sets the deadline of the step it enters,
    unless the service sets one itself (the reminder's, the case's)."""
    target = step(action).target
    if not target or "deadline" in changes:
        return changes
    return {**clocks.entry_changes(target, clock.now()), **changes}


def _transition(user: Any, event_id: int, action: str, *, version: int | None, reason: str = "",
                uploads: Sequence[Any] = (), act: Act | None = None) -> Event:
    act = act or Act()
    after = act.after
    event: Event = workflow.transition(
        EVENT_FLOW, user=user, pk=event_id, action=action, version=version, reason=reason, uploads=uploads,
        changes=_with_step_deadline(action, act.changes), data=act.data, after=(lambda ev: after(ev, None)) if after is not None else None)
    return event


def _event_prefixes(path: str) -> list[str]:
    parts = [p for p in path.split("/") if p]
    return ["/".join(parts[:i]) + "/" for i in range(1, len(parts) + 1)]


def _recipients(event: Event, roles: set[str]) -> models.QuerySet[User]:
    regulators = Q(role__in=[r for r in roles if r != Role.ENTERPRISE],
                   jurisdiction__path__in=_event_prefixes(event.jurisdiction_path))
    enterprise = Q(role=Role.ENTERPRISE, enterprise_id=event.enterprise_id) if (
        Role.ENTERPRISE in roles and event.enterprise_id) else Q(pk__in=[])
    return User.objects.filter(is_active=True).filter(regulators | enterprise)


# The notification texts (English msgids), written in the platform's language when the row is made.
_MESSAGES = {
    State.REPORTED: gettext_noop("New hazard report to verify: %(event)s"),
    State.VERIFIED: gettext_noop("Hazard verified, reminder letter to issue: %(event)s"),
    State.REMINDED: gettext_noop("Rectify within the deadline and report back: %(event)s"),
    State.ANSWERED: gettext_noop("The enterprise reported its rectification, confirm it on site: %(event)s"),
    State.ESCALATED: gettext_noop("Escalated to the city bureau: %(event)s"),
    State.INVESTIGATING: gettext_noop("Case opened, under investigation: %(event)s"),
    State.NOTIFIED: gettext_noop("Proposed penalty notified; a defence or hearing may be requested within 5 days: %(event)s"),
    State.DECIDED: gettext_noop("Penalty decided, to be served: %(event)s"),
    State.SERVED: gettext_noop("Penalty decision served: %(event)s"),
    State.PAID: gettext_noop("Fine paid or enforced, confirm the fix on site: %(event)s"),
    State.CLOSED: gettext_noop("Hazard event closed: %(event)s"),
    State.REJECTED: gettext_noop("Hazard report rejected: %(event)s"),
}
_PROGRESS = gettext_noop("Hazard event progressed: %(event)s")
_OVERDUE = gettext_noop("Overdue: %(event)s, deadline %(day)s")
_NEAR = gettext_noop("Deadline near: %(event)s, deadline %(day)s")


def _event_url(event: Event) -> str:
    return reverse("events:detail", args=[event.pk])


def _notify(event: Event, transition: Transition, actor: Any, now: dt.datetime) -> None:
    """The outbox: whoever must act next is told it waits for them; on escalation the county and the
    enterprise are told too; the reporter hears how it ends."""
    target = transition.to_state
    acting = {r for r in (Role.GRID_WORKER, Role.COUNTY_CENTRE, Role.CITY_BUREAU, Role.ENTERPRISE)
              if any(s.target or s.action.startswith("case_") for s in actions_from(target, r))}
    kind = {State.ESCALATED: NotificationKind.ESCALATED, State.ANSWERED: NotificationKind.ANSWERED}.get(
        target, NotificationKind.ASSIGNED)
    with translation.override(settings.LANGUAGE_CODE):
        text = _(_MESSAGES.get(target, _PROGRESS)) % {"event": f"#{event.pk} {event.hazard_type.name} {event.where}"}
    users = {u.pk: (u, kind) for u in _recipients(event, acting)}
    if target == State.ESCALATED:
        for u in _recipients(event, {Role.COUNTY_CENTRE, Role.ENTERPRISE}):
            users.setdefault(u.pk, (u, NotificationKind.ESCALATED))
    if event.reporter_id and (target in TERMINAL or target == State.ESCALATED):
        users.setdefault(event.reporter_id, (event.reporter, NotificationKind.UPDATE))
    actor_pk = getattr(actor, "pk", None)
    Notification.objects.bulk_create([
        Notification(user_id=pk, subject=EVENT_FLOW.subject(event), url=_event_url(event), event=event,
                     transition=transition, kind=k, message=text[:300],
                     key=f"t{transition.pk}", created_at=now)
        for pk, (_u, k) in users.items() if pk != actor_pk])


def on_record(rec: workflow.Record) -> None:
    """EVENT_FLOW's hook, after the engine wrote the status change and the trail entry: the event's own
    history row (Transition, with its evidence links) and the notifications."""
    event, change = rec.subject, rec.change
    transition = Transition.objects.create(
        event=event, action=change.action, from_state=change.from_state, to_state=change.to_state,
        actor=change.actor, actor_role=change.actor_role, at=change.at, reason=change.reason, data=change.data,
        document_number=str(change.data.get("document_number", "")), trail_seq=change.trail_seq)
    TransitionEvidence.objects.bulk_create([TransitionEvidence(transition=transition, evidence=ev, kind=kind)
                                            for ev, kind in rec.attached])
    _notify(event, transition, rec.actor, change.at)


def _record_created(*, event: Event, action: str, actor: Any, data: dict[str, Any],
                    attached: Sequence[tuple[Any, str]], at: dt.datetime) -> None:
    """The first status change of a new event (report, tip-off), through the engine's one factory."""
    workflow.record(EVENT_FLOW, event, step(action), actor=actor, role=role_of(actor), from_state="",
                    to_state=State.REPORTED, data=data, attached=attached, at=at)


def _issue(user: Any, event: Event, doc_type: str, context: dict[str, Any], data: dict[str, Any],
           issuer: Any = None) -> list[Any]:
    """Issue one document on the event, in the name and numbering of `issuer` (default: the city bureau)."""
    from parcelguard.documents.services import document_issue

    doc = document_issue(actor=user, doc_type=doc_type, context=_doc_context(event) | context,
                         subject=f"event:{event.pk}", issuer=issuer)
    data["document_number"] = doc.number
    return [(doc.evidence, "document")]


def _doc_context(event: Event) -> dict[str, Any]:
    site = event.site
    ent = event.enterprise
    return {
        "enterprise_name": ent.name if ent else "", "site_name": site.name if site else event.place,
        "site_address": (site.actual_address or site.filed_address) if site else event.place,
        "found_on": event.reported_at, "hazard_type": event.hazard_type.name,
        "hazard_description": event.description, "party_name": ent.name if ent else "",
        "party_address": ent.address if ent else "", "legal_representative": ent.legal_representative if ent else "",
        "credit_code": ent.credit_code if ent else "", "facts": event.description,
    }


# ---- county tier -------------------------------------------------------------------------------------

def _source_for(role: str) -> str:
    return {Role.GRID_WORKER: Source.GRID_WORKER, Role.COUNTY_CENTRE: Source.COUNTY,
            Role.CITY_BUREAU: Source.CITY}.get(role, Source.INSPECTION)


def _hazard(code: str) -> HazardType:
    found = HazardType.objects.filter(code=code, active=True).first()
    if found is None:
        raise Invalid(_("Unknown hazard type."), code="unknown_hazard_type")
    return found


def _coords(latitude: float | None, longitude: float | None) -> tuple[float | None, float | None]:
    if latitude is None or longitude is None:
        return None, None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise Invalid(_("The location is not valid."), code="invalid_location")
    location.check_in_city(latitude, longitude)
    return round(latitude, 6), round(longitude, 6)


def event_report(*, user: Any, site_id: int, hazard_type: str, description: str, severity: str = "",
                 latitude: float | None = None, longitude: float | None = None, source: str = "",
                 uploads: Sequence[Any] = ()) -> Event:
    """A grid worker (or county or city staff) reports a hazard at a site in their area, with evidence."""
    spec = step("report")
    role = role_of(user)
    if role not in spec.roles:
        raise Forbidden(_("Your role may not report hazards."), code="role_not_allowed")
    site = get_for(user, Site.objects.select_related("county", "enterprise"), pk=site_id)
    kind = _hazard(hazard_type)
    if severity and severity not in Severity.values:
        raise Invalid(_("Unknown severity."), code="invalid_severity")
    if source and source not in (Source.INSPECTION, Source.PARCEL_ANALYSIS, _source_for(role)):
        raise Invalid(_("Unknown source."), code="invalid_source")
    if len(description.strip()) < 4:
        raise Invalid(_("Describe the hazard."), code="description_required")
    if not uploads:
        raise Invalid(_("This step must carry supporting evidence (a photo, PDF or video)."),
                      code="evidence_required")
    lat, lon = _coords(latitude, longitude)
    now = clock.now()
    with transaction.atomic():
        event = Event.objects.create(
            hazard_type=kind, severity=severity or kind.default_severity, description=description.strip(),
            site=site, enterprise=site.enterprise, county=site.county, jurisdiction_path=site.jurisdiction_path,
            latitude=lat, longitude=lon, source=source or _source_for(role), reporter=user, reported_at=now,
            updated_at=now, deadline=clocks.entry_deadline(None, State.REPORTED, now))
        _record_created(event=event, action="report", actor=user, data={"site": site.code, "hazard_type": kind.code},
                        attached=_store(user, uploads, "report"), at=now)
    return event


def tipoff_submit(*, county_code: str, hazard_type: str, place: str, description: str, anonymous: bool = True,
                  name: str = "", phone: str = "", ip: str = "", uploads: Sequence[Any] = ()) -> Event:
    """A member of the public reports a violation; it lands with the county centre of the chosen county."""
    county = Jurisdiction.objects.filter(code=county_code, level=Level.COUNTY).first()
    if county is None:
        raise Invalid(_("Choose a county or district."), code="unknown_county")
    kind = _hazard(hazard_type)
    if len(description.strip()) < 10:
        raise Invalid(_("Describe what you saw (at least 10 characters)."), code="description_required")
    if len(place.strip()) < 2:
        raise Invalid(_("Say where it happened."), code="place_required")
    now = clock.now()
    ip_hash = hashlib.sha256((settings.SECRET_KEY + ip).encode()).hexdigest() if ip else ""
    with transaction.atomic():
        event = Event.objects.create(
            hazard_type=kind, severity=kind.default_severity, description=description.strip()[:2000],
            county=county, jurisdiction_path=county.path, place=place.strip()[:200], source=Source.PUBLIC,
            reported_at=now, updated_at=now, deadline=clocks.entry_deadline(None, State.REPORTED, now))
        TipOff.objects.create(event=event, anonymous=anonymous, reporter_name="" if anonymous else name.strip()[:40],
                              reporter_phone="" if anonymous else phone.strip()[:30], ip_hash=ip_hash)
        _record_created(event=event, action="tipoff", actor=None,
                        data={"county": county.code, "hazard_type": kind.code, "anonymous": anonymous},
                        attached=_store(None, uploads[:3], "tipoff"), at=now)
    return event


def event_from_partner(*, user: Any, partner_name: str, hazard_type: str, description: str, site_id: Any = None,
                       county_id: Any = None, place: str = "", uploads: Sequence[Any] = ()) -> Event:
    """A clue transferred by a partner department (parcelguard/partners) enters as a hazard event, source
    partner: at a site in the user's area, or (the partner names no site) at a place in a county, where the
    county centre attaches the site when it verifies."""
    spec = step("report")
    role = role_of(user)
    if role not in spec.roles:
        raise Forbidden(_("Your role may not report hazards."), code="role_not_allowed")
    kind = _hazard(hazard_type)
    site = None
    if str(site_id or "").isdigit():
        site = get_for(user, Site.objects.select_related("county", "enterprise"), pk=int(site_id))
        county = site.county
    else:
        county = get_for(user, Jurisdiction.objects.filter(level=Level.COUNTY), pk=int(county_id)) \
            if str(county_id or "").isdigit() else None
        if county is None:
            raise Invalid(_("Choose the site, or the county or district where it happened."), code="place_required")
        if len(place.strip()) < 2:
            raise Invalid(_("Say where it happened."), code="place_required")
    if len(description.strip()) < 4:
        raise Invalid(_("Describe the hazard."), code="description_required")
    if not uploads:
        raise Invalid(_("This step must carry supporting evidence (a photo, PDF or video)."),
                      code="evidence_required")
    now = clock.now()
    with transaction.atomic():
        event = Event.objects.create(
            hazard_type=kind, severity=kind.default_severity, description=description.strip()[:2000], site=site,
            enterprise=site.enterprise if site else None, county=county,
            jurisdiction_path=site.jurisdiction_path if site else county.path, place=place.strip()[:200],
            source=Source.PARTNER, reporter=user, reported_at=now, updated_at=now,
            deadline=clocks.entry_deadline(None, State.REPORTED, now))
        _record_created(event=event, action="report", actor=user,
                        data={"site": site.code if site else "", "county": county.code, "hazard_type": kind.code,
                              "partner": partner_name},
                        attached=_store(user, uploads, "report"), at=now)
    return event


def event_verify(*, user: Any, event_id: int, version: int | None, note: str = "", site_id: int | None = None,
                 uploads: Sequence[Any] = ()) -> Event:
    """The county centre checks on site. A tip-off names no site: the centre attaches it here."""
    changes: dict[str, Any] = {}
    data: dict[str, Any] = {}
    if site_id is not None:
        site = get_for(user, Site, pk=site_id)
        changes = {"site": site, "enterprise_id": site.enterprise_id, "jurisdiction_path": site.jurisdiction_path}
        data["site"] = site.code
    return _transition(user, event_id, "verify", version=version, reason=note, uploads=uploads,
                       act=Act(changes=changes, data=data))


def event_reject(*, user: Any, event_id: int, version: int | None, reason_code: str, reason: str = "") -> Event:
    if reason_code not in REJECT_REASONS:
        raise Invalid(_("Choose why the report is rejected: duplicate, not a hazard, or outside the jurisdiction."),
                      code="reason_required")
    text = f"{REJECT_REASONS[reason_code]}：{reason.strip()}" if reason.strip() else REJECT_REASONS[reason_code]
    return _transition(user, event_id, "reject", version=version, reason=text,
                       act=Act(changes={"deadline": None, "closed_at": clock.now()}, data={"reason_code": reason_code}))


def event_remind(*, user: Any, event_id: int, version: int | None, note: str = "") -> Event:
    """Issue the reminder letter (提醒函) with the deadline the hazard type gives, on the official calendar."""
    event = event_get_for(user, event_id)
    if event.enterprise_id is None:
        raise Invalid(_("Attach the site before issuing a reminder letter."), code="site_required")
    due = event.hazard_type.rectify_deadline(clock.today())
    data: dict[str, Any] = {"deadline": deadlines.day_of(due).isoformat(), "days": event.hazard_type.rectify_days,
                            "working_days": event.hazard_type.working_days}

    def after(ev: Event, _t: Any) -> list[Any]:
        # The officer's own note says what to fix at this site; the hazard type's standing requirement follows.
        asks = [line.strip() for line in note.splitlines() if line.strip()]
        asks += [ev.hazard_type.requirement] if ev.hazard_type.requirement else []
        return _issue(user, ev, "reminder", {
            "deadline": deadlines.day_of(due), "requirements": asks or ["立即整改并书面反馈整改情况"],
            "reply_to": "通过寄递安全监管平台上传"}, data, issuer=issuer_for(ev.county))

    return _transition(user, event_id, "remind", version=version, reason=note,
                       act=Act(changes={"deadline": due, "rectify_by": due}, data=data, after=after))


def event_answer(*, user: Any, event_id: int, version: int | None, note: str = "",
                 uploads: Sequence[Any] = ()) -> Event:
    """The enterprise answers the reminder with its rectification evidence."""
    return _transition(user, event_id, "answer", version=version, reason=note, uploads=uploads)


def event_confirm_fix(*, user: Any, event_id: int, version: int | None, note: str = "",
                      uploads: Sequence[Any] = ()) -> Event:
    """The grid worker confirms the fix on site: the event closes (county tier, or after a case)."""
    event = event_get_for(user, event_id)
    action = "case_confirm_fix" if event.tier == Tier.CITY else "confirm_fix"
    return _transition(user, event_id, action, version=version, reason=note, uploads=uploads,
                       act=Act(changes={"deadline": None, "closed_at": clock.now()}))


def event_fail_fix(*, user: Any, event_id: int, version: int | None, reason: str,
                   uploads: Sequence[Any] = ()) -> Event:
    """The fix does not hold on site: back to the enterprise, counted as rework (返工); the deadline stays."""
    return _transition(user, event_id, "fail_fix", version=version, reason=reason, uploads=uploads,
                       act=Act(changes={"rework_count": F("rework_count") + 1}))


def _escalation_changes(now: dt.datetime) -> dict[str, Any]:
    return {"escalated_at": now, "deadline": deadlines.deadline_after(
        timezone_date(now), deadlines.CASE_FILING_DAYS)}


def timezone_date(moment: dt.datetime) -> dt.date:
    from django.utils import timezone

    return timezone.localtime(moment).date()


def event_escalate(*, user: Any, event_id: int, version: int | None, reason: str) -> Event:
    """The county centre hands the event to the city bureau by hand, with a reason."""
    return _transition(user, event_id, "escalate", version=version, reason=reason,
                       act=Act(changes=_escalation_changes(clock.now())))


def escalate_overdue(*, limit: int = 5000) -> int:
    """Escalate every event whose rectification deadline passed without a confirmed fix. Idempotent: each
    row is claimed with UPDATE ... WHERE state = old AND version = seen, so two runs at the same moment
    escalate each event once. Returns how many this run escalated."""
    now = clock.now()
    candidates = list(Event.objects.filter(state__in=AUTO_ESCALATE_FROM, deadline__lte=now)
                      .order_by("deadline", "pk").values_list("pk", "state", "version")[:limit])
    return sum(1 for pk, state, version in candidates if escalate_one(pk, state, version, now))


def escalate_one(pk: int, state: str, version: int, now: dt.datetime) -> bool:
    """Claim and escalate one overdue event; False when somebody else moved it first."""
    spec = step("auto_escalate")
    with transaction.atomic():
        try:  # the engine's claim, on the state and version seen and a deadline still passed
            target = workflow.claim(EVENT_FLOW, Event(pk=pk, state=state, version=version), spec,
                                    changes=_escalation_changes(now), now=now, where={"deadline__lte": now})
        except Conflict:
            return False
        event = Event.objects.select_related("hazard_type", "site").get(pk=pk)
        workflow.record(EVENT_FLOW, event, spec, actor=None, role=SYSTEM, from_state=state, to_state=target,
                        reason="整改期限届满企业未反馈整改，自动转报市局", data={"deadline_passed": True}, at=now)
    return True


def deadline_sweep() -> int:
    """Tell whoever must act that a deadline is near or passed; once per event, deadline and kind."""
    now = clock.now()
    near = now + dt.timedelta(days=deadlines.NEAR_DAYS)
    made = 0
    for event in Event.objects.filter(deadline__isnull=False, deadline__lte=near).exclude(
            state__in=TERMINAL).select_related("hazard_type", "site").iterator():
        kind = NotificationKind.OVERDUE if now >= event.deadline else NotificationKind.DEADLINE_NEAR
        roles = {r for r in (Role.COUNTY_CENTRE, Role.CITY_BUREAU, Role.ENTERPRISE, Role.GRID_WORKER)
                 if actions_from(event.state, r)}
        with translation.override(settings.LANGUAGE_CODE):
            text = _(_OVERDUE if kind == NotificationKind.OVERDUE else _NEAR) % {
                "event": f"#{event.pk} {event.hazard_type.name} {event.where}",
                "day": deadlines.day_of(event.deadline)}
        key = f"{kind}:{event.pk}:{event.deadline.isoformat()}"
        told = set(Notification.objects.filter(key=key[:80]).values_list("user_id", flat=True))
        rows = [Notification(user=u, subject=EVENT_FLOW.subject(event), url=_event_url(event), event=event,
                             kind=kind, message=text[:300], key=key[:80], created_at=now)
                for u in _recipients(event, roles) if u.pk not in told]
        Notification.objects.bulk_create(rows, ignore_conflicts=True)
        made += len(rows)
    return made


# ---- city tier: the case -------------------------------------------------------------------------------

def case_open(*, user: Any, event_id: int, version: int | None, reason: str) -> Event:
    """立案: the bureau opens a case; 90 days to decide start now."""
    now = clock.now()
    decide_by = deadlines.deadline_after(clock.today(), deadlines.CASE_DECIDE_DAYS)
    data: dict[str, Any] = {"decide_by": deadlines.day_of(decide_by).isoformat()}

    def after(ev: Event, _t: Any) -> list[Any]:
        Case.objects.create(event=ev, opened_at=now, decide_by=decide_by)
        return _issue(user, ev, "case_filing", {
            "case_cause": f"涉嫌{ev.hazard_type.name}", "case_source": "县区邮政业安全中心转报",
            "handler_opinion": reason, "filed_on": clock.today()}, data)

    return _transition(user, event_id, "case_open", version=version, reason=reason,
                       act=Act(changes={"deadline": decide_by}, data=data, after=after))


def case_decline(*, user: Any, event_id: int, version: int | None, reason: str) -> Event:
    """The bureau decides not to open a case: back to the county centre, which keeps supervising."""
    return _transition(user, event_id, "case_decline", version=version, reason=reason)


def case_investigate(*, user: Any, event_id: int, version: int | None, note: str = "",
                     uploads: Sequence[Any] = ()) -> Event:
    return _transition(user, event_id, "case_investigate", version=version, reason=note, uploads=uploads)


def case_extend(*, user: Any, event_id: int, version: int | None, reason: str) -> Event:
    """+30 days to decide, with approval, once."""
    event = event_get_for(user, event_id)
    case = Case.objects.filter(event=event).first()
    if case is None:
        raise Conflict(_("No case is open."), code="transition_not_allowed")
    new_due = case.decide_by + dt.timedelta(days=deadlines.CASE_EXTENSION_DAYS)

    def after(ev: Event, _t: Any) -> list[Any]:
        Case.objects.filter(pk=case.pk).update(extended=True, decide_by=new_due)
        return []

    return _transition(user, event_id, "case_extend", version=version, reason=reason,
                       act=Act(changes={"deadline": new_due}, data={"decide_by": deadlines.day_of(new_due).isoformat()},
                               after=after))


def _basis(code: str) -> LegalBasis:
    found = LegalBasis.objects.filter(code=code, active=True).first()
    if found is None:
        raise Invalid(_("Pick the legal basis from the list."), code="unknown_legal_basis")
    return found


def _amount(value: Any, basis: LegalBasis) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise Invalid(_("The amount is not a number."), code="invalid_amount") from None
    if not basis.allows(amount):
        raise Invalid(_("The fine must lie within the range of the legal basis: %(min)s–%(max)s yuan.")
                      % {"min": f"{basis.min_amount:,.0f}", "max": f"{basis.max_amount:,.0f}"},
                      code="amount_out_of_range",
                      details={"min": str(basis.min_amount), "max": str(basis.max_amount)})
    return amount


def case_notify(*, user: Any, event_id: int, version: int | None, legal_basis: str, reason: str,
                amount: Any = None, outcome: str = Outcome.FINE) -> Event:
    """告知: tell the party the proposed penalty and its grounds; 5 days for a defence or hearing request."""
    basis = _basis(legal_basis)
    if outcome not in Outcome.values:
        raise Invalid(_("Unknown outcome."), code="invalid_outcome")
    proposed = _amount(amount, basis) if outcome == Outcome.FINE else None
    defence_by = deadlines.deadline_after(clock.today(), deadlines.CASE_DEFENCE_DAYS)
    data: dict[str, Any] = {"legal_basis": basis.code, "outcome": outcome,
                            "amount": str(proposed) if proposed is not None else None,
                            "defence_by": deadlines.day_of(defence_by).isoformat()}

    def after(ev: Event, _t: Any) -> list[Any]:
        Case.objects.filter(event=ev).update(notified_at=clock.now(), defence_by=defence_by, legal_basis=basis,
                                             proposed_amount=proposed)
        return _issue(user, ev, "penalty_notice", {
            "legal_basis": basis.title, "penalty_basis": basis.title, "amount": proposed,
            "proposed_penalty": f"罚款人民币{proposed:,.0f}元" if proposed is not None else "约谈，不予罚款",
            "facts": f"{ev.description}。{reason}", "defence_days": deadlines.CASE_DEFENCE_DAYS,
            "hearing": proposed is not None and proposed >= 10000}, data)

    return _transition(user, event_id, "case_notify", version=version, reason=reason,
                       act=Act(data=data, after=after))


def case_defend(*, user: Any, event_id: int, version: int | None, reason: str,
                hearing_requested: bool = False) -> Event:
    """The party states its defence or asks for a hearing (陈述申辩 / 听证), within the period."""

    def after(ev: Event, _t: Any) -> list[Any]:
        Case.objects.filter(event=ev).update(defence=reason.strip()[:4000], hearing_requested=hearing_requested)
        return []

    return _transition(user, event_id, "case_defend", version=version, reason=reason,
                       act=Act(data={"hearing_requested": hearing_requested}, after=after))


def case_decide(*, user: Any, event_id: int, version: int | None, outcome: str, reason: str,
                legal_basis: str = "", amount: Any = None) -> Event:
    """The decision: a fine within the legal basis's range, or an admonition interview (约谈) without one."""
    if outcome not in Outcome.values:
        raise Invalid(_("Unknown outcome."), code="invalid_outcome")
    basis = _basis(legal_basis) if legal_basis else None
    if outcome == Outcome.FINE and basis is None:
        raise Invalid(_("Pick the legal basis from the list."), code="unknown_legal_basis")
    fine = _amount(amount, basis) if outcome == Outcome.FINE and basis else None
    serve_by = deadlines.deadline_after(clock.today(), deadlines.CASE_SERVE_DAYS)
    data: dict[str, Any] = {"outcome": outcome, "legal_basis": basis.code if basis else "",
                            "amount": str(fine) if fine is not None else None}

    def after(ev: Event, _t: Any) -> list[Any]:
        case = Case.objects.get(event=ev)
        Case.objects.filter(pk=case.pk).update(decided_at=clock.now(), outcome=outcome, amount=fine,
                                               legal_basis=basis or case.legal_basis, serve_by=serve_by)
        rule = basis or case.legal_basis
        titles = {"remind": "提醒函", "case_open": "立案审批表", "case_notify": "行政处罚告知书"}
        evidence = [f"{titles.get(t.action, '文书')}（{t.document_number}）"
                    for t in ev.transitions.exclude(document_number="").order_by("at")]
        evidence += ["现场检查照片及核查记录", "当事人整改反馈材料" if ev.transitions.filter(action="answer").exists()
                     else "当事人逾期未反馈整改的平台记录"]
        return _issue(user, ev, "penalty_decision", {
            "legal_basis": (rule.violated_article or rule.title) if rule else "",
            "penalty_basis": (rule.penalty_article or rule.title) if rule else "", "amount": fine,
            "violation": rule.violation if rule else "", "evidence_list": evidence,
            "defence_summary": case.defence, "defence_weighed": reason,
            "penalty": "" if fine is not None else "约谈，不予行政处罚",
            "payment_days": deadlines.CASE_PAY_DAYS, "facts": ev.description}, data)

    return _transition(user, event_id, "case_decide", version=version, reason=reason,
                       act=Act(changes={"deadline": serve_by}, data=data, after=after))


def case_serve(*, user: Any, event_id: int, version: int | None, note: str = "",
               uploads: Sequence[Any] = ()) -> Event:
    """Served (送达), with proof of service. A fine is then due within 15 days."""
    event = event_get_for(user, event_id)
    case = Case.objects.filter(event=event).first()
    fine = bool(case and case.outcome == Outcome.FINE)
    pay_by = deadlines.deadline_after(clock.today(), deadlines.CASE_PAY_DAYS) if fine else None

    def after(ev: Event, _t: Any) -> list[Any]:
        Case.objects.filter(event=ev).update(served_at=clock.now(), pay_by=pay_by)
        return []

    data = {"pay_by": deadlines.day_of(pay_by).isoformat() if pay_by else None}
    return _transition(user, event_id, "case_serve", version=version, reason=note, uploads=uploads,
                       act=Act(changes={"deadline": pay_by} if pay_by else {}, data=data, after=after))


def case_paid(*, user: Any, event_id: int, version: int | None, note: str = "",
              uploads: Sequence[Any] = ()) -> Event:
    def after(ev: Event, _t: Any) -> list[Any]:
        Case.objects.filter(event=ev).update(paid_at=clock.now())
        return []

    return _transition(user, event_id, "case_paid", version=version, reason=note, uploads=uploads,
                       act=Act(after=after))


def case_enforced(*, user: Any, event_id: int, version: int | None, reason: str,
                  uploads: Sequence[Any] = ()) -> Event:
    def after(ev: Event, _t: Any) -> list[Any]:
        Case.objects.filter(event=ev).update(paid_at=clock.now(), enforced=True)
        return []

    return _transition(user, event_id, "case_enforced", version=version, reason=reason, uploads=uploads,
                       act=Act(after=after))


# ---- rewards for substantiated tip-offs ------------------------------------------------------------------

def _reward_event(user: Any, event_id: int) -> Event:
    event = event_get_for(user, event_id)
    if event.source != Source.PUBLIC:
        raise Invalid(_("Only tip-offs from the public earn rewards."), code="not_a_tipoff")
    return event


@transaction.atomic
def reward_propose(*, user: Any, event_id: int, amount: Any, note: str = "") -> Reward:
    """A substantiated tip-off (verified on site or further) earns a reward; the county centre proposes it."""
    if role_of(user) not in REWARD_FLOW.step("propose").roles:
        raise Forbidden(_("Your role may not take this step."), code="role_not_allowed")
    event = _reward_event(user, event_id)
    if event.state in (State.REPORTED, State.REJECTED):
        raise Conflict(_("Only a substantiated tip-off earns a reward."), code="not_substantiated")
    try:
        value = Decimal(str(amount)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise Invalid(_("The amount is not a number."), code="invalid_amount") from None
    if not (Decimal(0) < value <= Decimal(100000)):
        raise Invalid(_("The amount is not valid."), code="invalid_amount")
    if Reward.objects.filter(event=event).exists():
        raise Conflict(_("A reward is already recorded for this tip-off."), code="reward_exists")
    now = clock.now()
    reward = Reward.objects.create(event=event, amount=value, proposed_by=user, proposed_at=now, note=note[:200])
    workflow.record(REWARD_FLOW, reward, REWARD_FLOW.step("propose"), actor=user, role=role_of(user), from_state="",
                    to_state=reward.status, data={"event": f"event:{event.pk}", "amount": str(value)}, at=now)
    return reward


def reward_on_record(rec: workflow.Record) -> None:
    """REWARD_FLOW's hook: whoever takes the reward's next step is told it waits for them (the city bureau
    approves and pays); the proposer hears that it is paid. Keyed by the reward's subject."""
    reward: Reward = rec.subject
    status = rec.change.to_state
    roles = {r for r in (Role.COUNTY_CENTRE, Role.CITY_BUREAU) if REWARD_FLOW.actions_from(status, r)}
    users = {u.pk for u in _recipients(reward.event, roles)}
    if status == RewardStatus.PAID:
        users.add(reward.proposed_by_id)
    users.discard(getattr(rec.actor, "pk", None))
    with translation.override(settings.LANGUAGE_CODE):
        text = _("Reward of %(amount)s yuan for tip-off #%(event)s: %(status)s") % {
            "amount": f"{reward.amount:,.0f}", "event": reward.event_id, "status": reward.get_status_display()}
    Notification.objects.bulk_create([
        Notification(user_id=pk, subject=REWARD_FLOW.subject(reward), url=reverse("events:rewards"),
                     event=reward.event, kind=NotificationKind.ASSIGNED if status != RewardStatus.PAID
                     else NotificationKind.UPDATE, message=text[:300], key=f"{REWARD_FLOW.subject(reward)}:{status}",
                     created_at=rec.change.at)
        for pk in sorted(users)], ignore_conflicts=True)


def _reward_step(user: Any, reward_id: int, action: str, changes: dict[str, Any], reason: str = "") -> Reward:
    """One step of a reward through the engine; the role is answered before the scope, as it always was."""
    if role_of(user) not in REWARD_FLOW.step(action).roles:
        raise Forbidden(_("Your role may not take this step."), code="role_not_allowed")
    data: dict[str, Any] = {}

    def after(reward: Reward) -> list[tuple[Any, str]]:
        data.update({"event": f"event:{reward.event_id}", "amount": str(reward.amount)})
        return []

    reward: Reward = workflow.transition(REWARD_FLOW, user=user, pk=reward_id, action=action, version=None,
                                         reason=reason, changes=changes, data=data, after=after)
    return reward


def reward_approve(*, user: Any, reward_id: int) -> Reward:
    return _reward_step(user, reward_id, "approve", {"approved_by": user, "approved_at": clock.now()})


def reward_pay(*, user: Any, reward_id: int, payment_ref: str) -> Reward:
    if not payment_ref.strip():
        raise Invalid(_("Give the payment reference."), code="reason_required")
    return _reward_step(user, reward_id, "pay", {"paid_at": clock.now(), "payment_ref": payment_ref.strip()[:60]},
                        reason=payment_ref.strip()[:60])


# ---- the inbox ----------------------------------------------------------------------------------------------

def notifications_mark_read(*, user: Any, ids: Sequence[int] | None = None) -> int:
    """Mark the user's unread notifications read (only these, when ids are given); returns how many."""
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=clock.now())


# ---- one entry point per action, for pages and API --------------------------------------------------------

ACTIONS: dict[str, Callable[..., Event]] = {
    "verify": event_verify, "reject": event_reject, "remind": event_remind, "answer": event_answer,
    "confirm_fix": event_confirm_fix, "case_confirm_fix": event_confirm_fix, "fail_fix": event_fail_fix,
    "escalate": event_escalate, "case_open": case_open, "case_decline": case_decline,
    "case_investigate": case_investigate, "case_extend": case_extend, "case_notify": case_notify,
    "case_defend": case_defend, "case_decide": case_decide, "case_serve": case_serve, "case_paid": case_paid,
    "case_enforced": case_enforced,
}

__all__ = [
    "ACTIONS", "allowed_actions", "case_decide", "case_decline", "case_defend", "case_enforced", "case_extend",
    "case_investigate", "case_notify", "case_open", "case_paid", "case_serve", "deadline_sweep", "escalate_one",
    "escalate_overdue", "event_answer", "event_confirm_fix", "event_escalate", "event_fail_fix", "event_get_for",
    "event_reject", "event_remind", "event_report", "event_verify", "notifications_mark_read", "reward_approve", "reward_pay",
    "reward_propose", "tipoff_submit",
]
