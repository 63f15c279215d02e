"""Writes of emergency management: file a plan (PDF only, checked by its content; it supersedes the previous
one of its kind), record a drill and its action items, report an incident and move it up the tiers.

Every write checks everything first and then writes in one transaction, so a refusal leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from parcelguard.accounts.models import Jurisdiction, Level
from parcelguard.accounts.roles import Role
from parcelguard.accounts.scoping import get_for, scope
from parcelguard.core import clock, workflow
from parcelguard.core.errors import Conflict, Forbidden, Invalid
from parcelguard.emergency.flow import ACTION_FLOW, INCIDENT_FLOW
from parcelguard.emergency.models import (
    ActionState,
    Drill,
    DrillAction,
    DrillKind,
    Incident,
    IncidentKind,
    IncidentState,
    IncidentUpdate,
    Plan,
    PlanKind,
    Scenario,
)
from parcelguard.registry.models import Enterprise, Site


def local_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def report_minutes() -> int:
    return int(getattr(settings, "EMERGENCY_REPORT_MINUTES", 60))


def forward_minutes() -> int:
    return int(getattr(settings, "EMERGENCY_FORWARD_MINUTES", 30))


def take_charge_minutes() -> int:
    return int(getattr(settings, "EMERGENCY_TAKE_CHARGE_MINUTES", 60))


def plan_valid_years() -> int:
    return int(getattr(settings, "EMERGENCY_PLAN_VALID_YEARS", 3))


def plan_warn_days() -> int:
    return int(getattr(settings, "EMERGENCY_PLAN_WARN_DAYS", 30))


# ---- small parsers ---------------------------------------------------------------------------------------

def _text(value: Any, field: str, limit: int, *, required: bool = True) -> str:
    text = str(value or "").strip()[:limit]
    if required and len(text) < 2:
        raise Invalid(_("Fill in: %(field)s.") % {"field": _(field)}, code="field_required", details={"field": field})
    return text


def parse_date(value: Any, field: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.astimezone(local_tz()).date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value or "").strip()[:10])
    except ValueError:
        raise Invalid(_("Give the date as YYYY-MM-DD."), code="invalid_date", details={"field": field}) from None


def parse_moment(value: Any, field: str) -> dt.datetime:
    """A moment given as an aware datetime, or as local wall-clock time 'YYYY-MM-DDTHH:MM' (a form's input)."""
    if isinstance(value, dt.datetime):
        moment = value
    else:
        try:
            moment = dt.datetime.fromisoformat(str(value or "").strip())
        except ValueError:
            raise Invalid(_("Give the time as YYYY-MM-DD HH:MM."), code="invalid_time",
                          details={"field": field}) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=local_tz())
    return moment


def _choice(value: Any, choices: Any, code: str) -> str:
    if value not in choices.values:
        raise Invalid(_("Choose one of the listed kinds."), code=code, details={"allowed": list(choices.values)})
    return str(value)


def _count(value: Any, field: str) -> int:
    try:
        n = int(value or 0)
    except (TypeError, ValueError):
        n = -1
    if not 0 <= n <= 100000:
        raise Invalid(_("A count must be a whole number."), code="invalid_count", details={"field": field})
    return n


def _role(user: Any, *roles: str) -> str:
    role = workflow.role_of(user)
    if role not in roles:
        raise Forbidden(_("Your role may not take this step."), code="role_not_allowed")
    return role


def _store(user: Any, uploads: Sequence[Any], purpose: str) -> list[Any]:
    return [ev for ev, _kind in workflow.store_uploads(user, uploads, purpose)]


# ---- plans -----------------------------------------------------------------------------------------------

def check_pdf(upload: Any) -> int:
    """The file must be a PDF by its content (not its name): it starts with %PDF- and pypdf reads its pages.
    Returns the number of pages."""
    from pypdf import PdfReader

    if upload is None:
        raise Invalid(_("Attach the plan as a PDF file."), code="file_required")
    try:
        upload.seek(0)
        head = upload.read(5)
        upload.seek(0)
        if head != b"%PDF-":
            raise ValueError("not a PDF")
        pages = len(PdfReader(upload).pages)
        if pages < 1:
            raise ValueError("no page")
    except Exception:  # whatever pypdf raises on a damaged file, the answer is the same
        raise Invalid(_("The plan must be a PDF document; this file is not one."), code="not_pdf") from None
    finally:
        upload.seek(0)
    return pages


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def plan_file(*, user: Any, kind: str, title: str, version_label: str, approved_by: str, approved_on: Any,
              review_on: Any = None, upload: Any) -> Plan:
    """The enterprise's safety officer files a plan (a new version supersedes the current one of its kind)."""
    _role(user, Role.ENTERPRISE)
    if not user.enterprise_id:
        raise Forbidden(_("Your role may not take this step."), code="role_not_allowed")
    kind = _choice(kind, PlanKind, "invalid_kind")
    title = _text(title, "title", 200)
    version_label = _text(version_label, "version", 30, required=False) or "1.0"
    approved_by = _text(approved_by, "approved by", 80)
    approved = parse_date(approved_on, "approved_on")
    today = clock.today()
    if approved > today:
        raise Invalid(_("A plan cannot be approved in the future."), code="approved_in_future")
    latest = add_years(approved, plan_valid_years())
    review = parse_date(review_on, "review_on") if review_on else latest
    if review <= approved:
        raise Invalid(_("The review date must come after the approval."), code="review_before_approval")
    if review > latest:
        raise Invalid(_("A plan is reviewed at least every %(n)d years: the review date is at most %(d)s.")
                      % {"n": plan_valid_years(), "d": latest.isoformat()}, code="review_too_late",
                      details={"latest": latest.isoformat()})
    pages = check_pdf(upload)
    return _plan_write(user=user, enterprise_id=user.enterprise_id, kind=kind, title=title,
                       version_label=version_label, approved_by=approved_by, approved=approved, review=review,
                       upload=upload, pages=pages)


def _plan_write(*, user: Any, enterprise_id: int, kind: str, title: str, version_label: str, approved_by: str,
                approved: dt.date, review: dt.date, upload: Any, pages: int) -> Plan:
    """The write of a checked plan (also the demo's, for enterprises without an account)."""
    now = clock.now()
    try:
        with transaction.atomic():
            previous = Plan.objects.select_for_update().filter(enterprise_id=enterprise_id, kind=kind,
                                                               superseded_at__isnull=True).first()
            evidence = _store(user, [upload], "emergency:plan")[0]
            if evidence.content_type != "application/pdf":
                raise Invalid(_("The plan must be a PDF document; this file is not one."), code="not_pdf")
            if previous is not None:  # free the "one current plan a kind" slot first
                Plan.objects.filter(pk=previous.pk).update(superseded_at=now)
            plan = Plan.objects.create(enterprise_id=enterprise_id, kind=kind, title=title,
                                       version_label=version_label, approved_by=approved_by, approved_on=approved,
                                       review_on=review, file=evidence, pages=pages, filed_at=now, filed_by=user)
            if previous is not None:
                Plan.objects.filter(pk=previous.pk).update(superseded_by=plan)
            from parcelguard.trail.services import trail_append

            trail_append(actor=user, action="emergency.plan_file", subject=f"plan:{plan.pk}",
                         payload={"enterprise": enterprise_id, "kind": kind, "version": version_label,
                                  "approved_on": approved.isoformat(), "review_on": review.isoformat(),
                                  "supersedes": previous.pk if previous else None},
                         evidence_hashes=[evidence.sha256])
    except IntegrityError:
        raise Conflict(_("Somebody else filed a plan of this kind meanwhile; reload."), code="state_conflict") from None
    return plan


# ---- drills ----------------------------------------------------------------------------------------------

def drill_record(*, user: Any, title: str, scenario: str, held_on: Any, place: str, participants: Any = 0,
                 participant_note: str = "", evaluation: str = "", enterprise_ids: Sequence[int] = (),
                 photos: Sequence[Any] = (), actions: Sequence[dict[str, Any]] = ()) -> Drill:
    """The city bureau records the city's annual drill; an enterprise records its own. Problems found become
    action items (`actions`: [{"problem", "measure", "due_on", "enterprise_id" | "jurisdiction_id"}])."""
    role = _role(user, Role.CITY_BUREAU, Role.ENTERPRISE)
    title = _text(title, "title", 200)
    scenario = _choice(scenario, Scenario, "invalid_scenario")
    held = parse_date(held_on, "held_on")
    if held > clock.today():
        raise Invalid(_("A drill is recorded once it has been held."), code="held_in_future")
    place = _text(place, "place", 200)
    count = _count(participants, "participants")
    if role == Role.ENTERPRISE:
        if not user.enterprise_id:
            raise Forbidden(_("Your role may not take this step."), code="role_not_allowed")
        kind, enterprise_id, path, taking_part = DrillKind.ENTERPRISE, user.enterprise_id, "", []
    else:
        kind, enterprise_id, path = DrillKind.CITY, None, user.jurisdiction.path
        taking_part = list(scope(user, Enterprise).filter(pk__in=[int(i) for i in enterprise_ids]))
    drill = Drill(kind=kind, enterprise_id=enterprise_id, jurisdiction_path=path, title=title, scenario=scenario,
                  held_on=held, place=place, participants=count,
                  participant_note=_text(participant_note, "who took part", 500, required=False),
                  evaluation=_text(evaluation, "evaluation", 4000, required=False))
    cleaned = [_clean_action(user, drill, a, taking_part) for a in actions]
    with transaction.atomic():
        if role == Role.ENTERPRISE:
            drill.jurisdiction_path = _enterprise_path(enterprise_id)
        drill.recorded_at, drill.recorded_by = clock.now(), user
        drill.save()
        drill.enterprises.set(taking_part)
        stored = _store(user, photos, "emergency:drill")
        drill.photos.add(*stored)
        from parcelguard.trail.services import trail_append

        trail_append(actor=user, action="emergency.drill_record", subject=f"drill:{drill.pk}",
                     payload={"kind": kind, "scenario": scenario, "held_on": held.isoformat(),
                              "participants": count, "enterprises": [e.pk for e in taking_part]},
                     evidence_hashes=[ev.sha256 for ev in stored])
        for item in cleaned:
            _action_create(user, drill, item)
    return drill


def _enterprise_path(enterprise_id: int | None) -> str:
    """Where an enterprise's own records hang in the tree: the county of its sites if all are in one,
    else the city (the common prefix)."""
    paths = sorted(set(Site.objects.filter(enterprise_id=enterprise_id).values_list("county__path", flat=True)))
    if len(paths) == 1:
        return paths[0]
    city = Jurisdiction.objects.filter(level=Level.CITY).order_by("pk").first()
    return city.path if city else ""


def _clean_action(user: Any, drill: Drill, given: dict[str, Any], taking_part: Sequence[Enterprise]) -> dict[str, Any]:
    problem = _text(given.get("problem"), "problem found", 500)
    due = parse_date(given.get("due_on"), "due_on")
    if due < clock.today():
        raise Invalid(_("The due day of an action item cannot be in the past."), code="due_in_past")
    owner_enterprise, owner_jurisdiction = None, None
    if drill.kind == DrillKind.ENTERPRISE:
        owner_enterprise = drill.enterprise_id
    elif given.get("enterprise_id"):
        owner_enterprise = int(given["enterprise_id"])
        if owner_enterprise not in {e.pk for e in taking_part} and not drill.enterprises.filter(
                pk=owner_enterprise).exists():
            raise Invalid(_("The owner must be an enterprise that took part in the drill."), code="invalid_owner")
    else:
        jid = given.get("jurisdiction_id")
        owner_jurisdiction = scope(user, Jurisdiction).filter(pk=int(jid or 0)).first()
        if owner_jurisdiction is None:
            raise Invalid(_("Name who fixes the problem."), code="invalid_owner")
    return {"problem": problem, "measure": _text(given.get("measure"), "what is to be done", 500, required=False),
            "due_on": due, "owner_enterprise_id": owner_enterprise, "owner_jurisdiction": owner_jurisdiction}


def _action_create(user: Any, drill: Drill, item: dict[str, Any]) -> DrillAction:
    owner_j = item["owner_jurisdiction"]
    if owner_j is not None:
        path = owner_j.path
    elif item["owner_enterprise_id"] == drill.enterprise_id:
        path = drill.jurisdiction_path
    else:
        path = _enterprise_path(item["owner_enterprise_id"])
    action = DrillAction.objects.create(drill=drill, jurisdiction_path=path, created_at=clock.now(), **item)
    workflow.record(ACTION_FLOW, action, ACTION_FLOW.step("create"), actor=user, role=workflow.role_of(user),
                    from_state="", to_state=action.state, at=action.created_at,
                    data={"drill": drill.pk, "due_on": action.due_on.isoformat()})
    return action


def drill_add_action(*, user: Any, drill_id: int, problem: str, due_on: Any, measure: str = "",
                     enterprise_id: int | None = None, jurisdiction_id: int | None = None) -> DrillAction:
    """The drill's organiser adds an action item after the drill."""
    role = _role(user, Role.CITY_BUREAU, Role.ENTERPRISE)
    drill = get_for(user, Drill, pk=drill_id)
    organiser = (drill.kind == DrillKind.CITY and role == Role.CITY_BUREAU) or (
        drill.kind == DrillKind.ENTERPRISE and drill.enterprise_id == getattr(user, "enterprise_id", None))
    if not organiser:
        raise Forbidden(_("Only the drill's organiser adds action items."), code="not_organiser")
    item = _clean_action(user, drill, {"problem": problem, "due_on": due_on, "measure": measure,
                                       "enterprise_id": enterprise_id, "jurisdiction_id": jurisdiction_id}, [])
    with transaction.atomic():
        return _action_create(user, drill, item)


def _is_owner(user: Any, action: DrillAction) -> bool:
    role = workflow.role_of(user)
    if role == Role.ENTERPRISE:
        return bool(user.enterprise_id) and action.owner_enterprise_id == user.enterprise_id
    if action.owner_jurisdiction_id is not None:
        return action.owner_jurisdiction_id == user.jurisdiction_id
    return role == Role.CITY_BUREAU  # the city answers for an enterprise that does not


def action_complete(*, user: Any, action_id: int, version: int | None, note: str,
                    uploads: Sequence[Any] = ()) -> DrillAction:
    action = get_for(user, DrillAction.objects.select_related("drill"), pk=action_id)
    if workflow.role_of(user) in (Role.ENTERPRISE, Role.COUNTY_CENTRE, Role.CITY_BUREAU) and not _is_owner(user, action):
        raise Forbidden(_("Only the owner of the action item marks it done."), code="not_owner")
    note = _text(note, "what was done", 1000)
    done: DrillAction = workflow.transition(
        ACTION_FLOW, user=user, pk=action_id, action="complete", version=version, uploads=uploads, reason=note,
        changes={"done_at": clock.now(), "done_note": note})
    return done


def action_reopen(*, user: Any, action_id: int, version: int | None, reason: str) -> DrillAction:
    reopened: DrillAction = workflow.transition(ACTION_FLOW, user=user, pk=action_id, action="reopen",
                                                version=version, reason=reason,
                                                changes={"done_at": None, "done_note": ""})
    return reopened


# ---- incidents -------------------------------------------------------------------------------------------

def incident_report(*, user: Any, kind: str, occurred_at: Any, place: str, summary: str, first_measures: str,
                    site_id: int | None = None, county_id: int | None = None, casualties: Any = 0,
                    uploads: Sequence[Any] = ()) -> Incident:
    """An enterprise (at one of its sites) or an officer (in their area) reports an incident: 首报."""
    role = _role(user, Role.ENTERPRISE, Role.GRID_WORKER, Role.COUNTY_CENTRE)
    kind = _choice(kind, IncidentKind, "invalid_kind")
    occurred = parse_moment(occurred_at, "occurred_at")
    now = clock.now()
    if occurred > now + dt.timedelta(minutes=1):
        raise Invalid(_("An incident cannot have happened in the future."), code="occurred_in_future")
    if occurred < now - dt.timedelta(days=30):
        raise Invalid(_("An incident older than 30 days is not an emergency report."), code="occurred_too_long_ago")
    place = _text(place, "place", 200)
    summary = _text(summary, "what happened", 4000)
    measures = _text(first_measures, "first measures", 4000)
    hurt = _count(casualties, "casualties")
    site = None
    if site_id:
        site = get_for(user, Site.objects.select_related("county", "enterprise"), pk=int(site_id))
    if role == Role.ENTERPRISE and site is None:
        raise Invalid(_("Choose the site where it happened."), code="site_required")
    if site is not None:
        county = site.county
        path = site.jurisdiction_path
    elif role == Role.COUNTY_CENTRE:
        county, path = user.jurisdiction, user.jurisdiction.path
    else:  # a grid worker without a site: the grid's county
        county, path = user.jurisdiction.parent, user.jurisdiction.path
    del county_id  # the county follows from the site or the officer; kept in the signature for the API's form
    with transaction.atomic():
        incident = Incident.objects.create(
            kind=kind, occurred_at=occurred, county=county, jurisdiction_path=path, site=site,
            enterprise=site.enterprise if site else None, place=place, summary=summary, first_measures=measures,
            casualties=hurt, reported_at=now, reported_by=user, report_minutes=report_minutes(),
            forward_minutes=forward_minutes(), take_charge_minutes=take_charge_minutes(), updated_at=now)
        attached = workflow.store_uploads(user, uploads, "incident:report")
        workflow.record(INCIDENT_FLOW, incident, INCIDENT_FLOW.step("report"), actor=user, role=role,
                        from_state="", to_state=incident.state, attached=attached, at=now,
                        data={"kind": kind, "occurred_at": occurred.isoformat(),
                              "late": now > report_due(incident)})
    return incident


def incident_forward(*, user: Any, incident_id: int, version: int | None, note: str = "") -> Incident:
    done: Incident = workflow.transition(INCIDENT_FLOW, user=user, pk=incident_id, action="forward", version=version,
                                         reason=note, changes={"forwarded_at": clock.now()})
    return done


def incident_take_charge(*, user: Any, incident_id: int, version: int | None, note: str = "") -> Incident:
    done: Incident = workflow.transition(INCIDENT_FLOW, user=user, pk=incident_id, action="take_charge",
                                         version=version, reason=note, changes={"taken_at": clock.now()})
    return done


def incident_follow_up(*, user: Any, incident_id: int, version: int | None, text: str,
                       uploads: Sequence[Any] = ()) -> IncidentUpdate:
    """A follow-up report (续报): a row of its own (written by the flow's hook) and a step in the record."""
    workflow.transition(INCIDENT_FLOW, user=user, pk=incident_id, action="follow_up", version=version,
                        reason=text, uploads=uploads)
    return IncidentUpdate.objects.filter(incident_id=incident_id).latest("pk")


def incident_close(*, user: Any, incident_id: int, version: int | None, summary: str,
                   uploads: Sequence[Any] = ()) -> Incident:
    done: Incident = workflow.transition(
        INCIDENT_FLOW, user=user, pk=incident_id, action="close", version=version, reason=summary, uploads=uploads,
        changes={"closed_at": clock.now()})
    return done


# ---- the clock -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Stage:
    """One step of an incident's clock: who must act, from when, by when, and whether they did in time."""

    key: str  # report | forward | take_charge
    label: str
    who: str
    start: dt.datetime | None
    due: dt.datetime | None
    done_at: dt.datetime | None
    minutes: int

    def status(self, now: dt.datetime) -> str:
        """waiting (not started) | running | overdue | on_time | late."""
        if self.start is None or self.due is None:
            return "waiting"
        if self.done_at is not None:
            return "late" if self.done_at > self.due else "on_time"
        return "overdue" if now > self.due else "running"

    def minutes_left(self, now: dt.datetime) -> int:
        """Minutes to the due moment (negative when overdue); for a finished stage, its margin."""
        if self.due is None:
            return 0
        return int(((self.due - (self.done_at or now)).total_seconds()) // 60)


def report_due(incident: Incident) -> dt.datetime:
    return incident.occurred_at + dt.timedelta(minutes=incident.report_minutes)


def forward_due(incident: Incident) -> dt.datetime:
    return incident.reported_at + dt.timedelta(minutes=incident.forward_minutes)


def take_charge_due(incident: Incident) -> dt.datetime | None:
    if incident.forwarded_at is None:
        return None
    return incident.forwarded_at + dt.timedelta(minutes=incident.take_charge_minutes)


def stages(incident: Incident) -> list[Stage]:
    return [
        Stage("report", _("First report"), _("Reporter"), incident.occurred_at, report_due(incident),
              incident.reported_at, incident.report_minutes),
        Stage("forward", _("Forward to the city"), _("County safety centre"), incident.reported_at,
              forward_due(incident), incident.forwarded_at, incident.forward_minutes),
        Stage("take_charge", _("City takes charge"), _("City postal bureau"), incident.forwarded_at,
              take_charge_due(incident), incident.taken_at, incident.take_charge_minutes),
    ]


def current_stage(incident: Incident) -> Stage | None:
    """The stage the clock is running on now, if any."""
    if incident.state == IncidentState.REPORTED:
        return stages(incident)[1]
    if incident.state == IncidentState.FORWARDED:
        return stages(incident)[2]
    return None


def on_time(incident: Incident, now: dt.datetime) -> bool:
    """Handled on time: no stage finished late or overdue now (the first report's lateness counts too)."""
    return not any(s.status(now) in ("late", "overdue") for s in stages(incident))


__all__ = ["ActionState", "IncidentState"]
