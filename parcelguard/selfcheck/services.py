"""Writes of the self-inspection mechanism: file a monthly report, draw reports to spot-check, record
the spot check (a false report opens a hazard event against the enterprise)."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from parcelguard.accounts.models import Jurisdiction, Level
from parcelguard.accounts.roles import Role
from parcelguard.accounts.scoping import scope
from parcelguard.core import clock, workflow
from parcelguard.core.errors import Conflict, Forbidden, Invalid
from parcelguard.registry.models import Site, Status
from parcelguard.selfcheck.flow import REPORT_FLOW
from parcelguard.selfcheck.models import Checklist, CheckMethod, MonthlyReport, ReportState, SpotDraw

CHECK_DAYS = 15  # a drawn report is checked within this many days (a lapse of the county centre otherwise)


def local_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def due_day() -> int:
    return int(getattr(settings, "SELFCHECK_DUE_DAY", 5))


def first_of(month: dt.date) -> dt.date:
    return month.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return (first_of(month) + dt.timedelta(days=32)).replace(day=1)


def due_at(month: dt.date) -> dt.datetime:
    """The report on `month` is due by the end of the due day of the next month, local time: filed on
    the 6th it is late when the due day is the 5th."""
    following = next_month(month)
    return dt.datetime.combine(following.replace(day=due_day()) + dt.timedelta(days=1), dt.time(),
                               tzinfo=local_tz())


def current_month(now: dt.datetime | None = None) -> dt.date:
    return first_of((now or clock.now()).astimezone(local_tz()).date())


def parse_month(value: Any) -> dt.date:
    if isinstance(value, dt.date):
        return first_of(value)
    try:
        return dt.datetime.strptime(str(value).strip()[:7], "%Y-%m").date()
    except ValueError:
        raise Invalid(_("Give the month as YYYY-MM."), code="invalid_month") from None


def active_checklist() -> Checklist:
    found = Checklist.objects.filter(published_at__isnull=False).order_by("code", "-version").first()
    if found is None:
        raise Conflict(_("No self-inspection checklist is published."), code="no_checklist")
    return found


def _clean_answers(checklist: Checklist, answers: dict[str, Any]) -> dict[str, dict[str, Any]]:
    cleaned: dict[str, dict[str, Any]] = {}
    for item in checklist.items:
        given = answers.get(item["code"])
        if not isinstance(given, dict) or not isinstance(given.get("ok"), bool):
            raise Invalid(_("Answer every item of the checklist (%(item)s).") % {"item": item["text"]},
                          code="answer_missing", details={"item": item["code"]})
        note = str(given.get("note", "")).strip()[:500]
        if not given["ok"] and len(note) < 2:
            raise Invalid(_("Say what is wrong for every item not in order (%(item)s).") % {"item": item["text"]},
                          code="note_required", details={"item": item["code"]})
        cleaned[item["code"]] = {"ok": given["ok"], "note": note}
    unknown = set(answers) - set(cleaned)
    if unknown:
        raise Invalid(_("Unknown checklist items."), code="unknown_item", details={"items": sorted(unknown)})
    return cleaned


def _count(value: Any, name: str) -> int:
    try:
        n = int(value or 0)
    except (TypeError, ValueError):
        raise Invalid(_("A count must be a whole number."), code="invalid_count", details={"field": name}) from None
    if not 0 <= n <= 10000:
        raise Invalid(_("A count must be a whole number."), code="invalid_count", details={"field": name})
    return n


def counties_of(enterprise_id: int) -> list[Jurisdiction]:
    """The counties where the enterprise has an active site: one report a month for each."""
    ids = Site.objects.filter(enterprise_id=enterprise_id, status=Status.ACTIVE).values_list("county_id", flat=True)
    return list(Jurisdiction.objects.filter(pk__in=set(ids), level=Level.COUNTY).order_by("code"))


def report_submit(*, user: Any, county_id: int, month: Any, answers: dict[str, Any], problems_found: Any = 0,
                  problems_fixed: Any = 0, trainings_held: Any = 0, drills_held: Any = 0, summary: str = "",
                  uploads: Sequence[Any] = ()) -> MonthlyReport:
    """The enterprise's safety officer files the month's report for its outlets in one county."""
    if workflow.role_of(user) != Role.ENTERPRISE or not user.enterprise_id:
        raise Forbidden(_("Only an enterprise's safety officer files a monthly report."), code="role_not_allowed")
    month = parse_month(month)
    now = clock.now()
    if month >= current_month(now):
        raise Invalid(_("A month can be reported on once it is over."), code="month_not_over")
    county = next((c for c in counties_of(user.enterprise_id) if c.pk == int(county_id)), None)
    if county is None:
        raise Invalid(_("Your enterprise has no active outlet in this county."), code="no_sites_in_county")
    checklist = active_checklist()
    cleaned = _clean_answers(checklist, answers or {})
    found, fixed = _count(problems_found, "problems_found"), _count(problems_fixed, "problems_fixed")
    if fixed > found:
        raise Invalid(_("More problems fixed than found."), code="fixed_exceeds_found")
    if MonthlyReport.objects.filter(enterprise_id=user.enterprise_id, county=county, month=month).exists():
        raise Conflict(_("The report for this month is already filed."), code="report_exists")
    try:
        with transaction.atomic():
            report = MonthlyReport.objects.create(
                enterprise_id=user.enterprise_id, county=county, jurisdiction_path=county.path, month=month,
                due_at=due_at(month), submitted_at=now, submitted_by=user, checklist=checklist, answers=cleaned,
                problems_found=found, problems_fixed=fixed, trainings_held=_count(trainings_held, "trainings_held"),
                drills_held=_count(drills_held, "drills_held"), summary=(summary or "").strip()[:2000])
            attached = workflow.store_uploads(user, uploads, "selfcheck:submit")
            report.evidence.add(*[ev for ev, _kind in attached])
            workflow.record(REPORT_FLOW, report, REPORT_FLOW.step("submit"), actor=user, role=Role.ENTERPRISE,
                            from_state="", to_state=report.state, attached=attached, at=now,
                            data={"month": f"{month:%Y-%m}", "late": report.late,
                                  "not_in_order": sorted(k for k, v in cleaned.items() if not v["ok"])})
    except IntegrityError:
        raise Conflict(_("The report for this month is already filed."), code="report_exists") from None
    return report


def draw_seed(county: Jurisdiction, month: dt.date, population: list[int], at: dt.datetime) -> str:
    text = f"{county.code}|{month:%Y-%m}|{at.isoformat()}|{','.join(map(str, population))}"
    return hashlib.sha256(text.encode()).hexdigest()


def draw_pick(seed: str, population: list[int], count: int) -> list[int]:
    """The draw itself: a seeded shuffle of the ascending population, first `count` taken."""
    return random.Random(seed).sample(sorted(population), min(count, len(population)))


def spot_draw(*, user: Any, month: Any, count: Any) -> SpotDraw:
    """The county centre draws `count` of the month's filed reports in its county to spot-check."""
    if workflow.role_of(user) != Role.COUNTY_CENTRE:
        raise Forbidden(_("Only a county centre draws reports to spot-check."), code="role_not_allowed")
    month = parse_month(month)
    n = _count(count, "count")
    if n < 1:
        raise Invalid(_("Draw at least one report."), code="invalid_count", details={"field": "count"})
    county = user.jurisdiction
    population = sorted(scope(user, MonthlyReport).filter(month=month, state=ReportState.SUBMITTED)
                        .values_list("pk", flat=True))
    if not population:
        raise Conflict(_("No filed report of this month is waiting for a spot check."), code="nothing_to_draw")
    now = clock.now()
    seed = draw_seed(county, month, population, now)
    chosen = draw_pick(seed, population, n)
    with transaction.atomic():
        draw = SpotDraw.objects.create(county=county, jurisdiction_path=county.path, month=month, seed=seed,
                                       population=population, chosen=chosen, drawn_at=now, drawn_by=user)
        for pk in chosen:
            workflow.transition(REPORT_FLOW, user=user, pk=pk, action="draw", version=None,
                                changes={"draw_id": draw.pk}, data={"draw": draw.pk, "seed": seed})
    return draw


def draw_verify(draw: SpotDraw) -> bool:
    """Anyone can recompute a draw: the seed from what it was drawn from, the choice from the seed."""
    return (draw.seed == draw_seed(draw.county, draw.month, list(draw.population), draw.drawn_at)
            and draw_pick(draw.seed, list(draw.population), len(draw.chosen)) == list(draw.chosen))


def _method(value: str) -> str:
    if value not in CheckMethod.values:
        raise Invalid(_("Say how the report was checked (on site or by video)."), code="invalid_method")
    return value


def spot_confirm(*, user: Any, report_id: int, version: int | None, method: str, note: str = "",
                 uploads: Sequence[Any] = ()) -> MonthlyReport:
    """The spot check found the report true."""
    return workflow.transition(REPORT_FLOW, user=user, pk=report_id, action="confirm", version=version,
                               uploads=uploads, reason=note,
                               changes={"check_method": _method(method), "check_note": note.strip()[:2000],
                                        "checked_at": clock.now()})


def spot_find_false(*, user: Any, report_id: int, version: int | None, method: str, reason: str,
                    uploads: Sequence[Any] = ()) -> MonthlyReport:
    """The spot check found the report false: the finding becomes a hazard event against the enterprise,
    at its first active outlet in the county, carrying the spot check's evidence."""
    from parcelguard.events.services import event_report

    report = scope(user, MonthlyReport).filter(pk=report_id).first()  # the transition answers NotFound
    site = (Site.objects.filter(enterprise_id=report.enterprise_id, county_id=report.county_id,
                                status=Status.ACTIVE).order_by("code").first() if report else None)
    if report is not None and site is None:
        raise Conflict(_("The enterprise has no active outlet left in this county."), code="no_site")

    def after(obj: MonthlyReport) -> list[tuple[Any, str]]:
        for upload in uploads:
            if hasattr(upload, "seek"):
                upload.seek(0)
        event = event_report(user=user, site_id=site.pk, hazard_type="other", uploads=uploads,
                             description=f"安全员履职月报告不实（{obj.month:%Y年%m月}）：{reason.strip()}")
        MonthlyReport.objects.filter(pk=obj.pk).update(event=event)
        obj.event = event
        return []

    return workflow.transition(REPORT_FLOW, user=user, pk=report_id, action="find_false", version=version,
                               uploads=uploads, reason=reason, after=after,
                               changes={"check_method": _method(method), "check_note": reason.strip()[:2000],
                                        "checked_at": clock.now()})
