"""Writes of inspections: evaluation standards (create, change while a draft, copy, publish, Excel in and
out), the inspector pool, plans and their double-random draw (announce → draw and lock → override), the
checklist submitted from the field (scored; failed items open hazard events through the events
services), and the results published."""

from __future__ import annotations

import datetime as dt
import math
import re
import secrets
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from parcelguard.accounts.models import Jurisdiction, User
from parcelguard.accounts.roles import Role
from parcelguard.accounts.scoping import get_for, scope
from parcelguard.core import clock, workflow
from parcelguard.core.errors import Conflict, Forbidden, Invalid
from parcelguard.core.models import StatusChange
from parcelguard.inspections import draw as drawing
from parcelguard.inspections.flow import INSPECTION_FLOW, PLAN_FLOW
from parcelguard.inspections.models import (
    EvidenceNeed,
    Finding,
    Grade,
    Inspection,
    InspectionState,
    Inspector,
    Method,
    Plan,
    PlanKind,
    PlanState,
    Standard,
    Tie,
)
from parcelguard.registry.models import Brand, Enterprise, Site, SiteKind, Status

CODE = re.compile(r"^[A-Za-z0-9_\-.]{1,40}$")
TENTH = Decimal("0.1")


def local_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def record_prefix() -> str:
    return str(getattr(settings, "INSPECTIONS_RECORD_PREFIX", "莆邮检"))


def _bureau(user: Any, *roles: str) -> None:
    allowed = roles or (Role.CITY_BUREAU,)
    if workflow.role_of(user) not in allowed or user.jurisdiction_id is None:
        raise Forbidden(_("Your role may not do this."), code="role_not_allowed")


def _decimal(value: Any, field: str, *, low: Decimal = Decimal(0), high: Decimal = Decimal(10000)) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise Invalid(_("Give a number for %(field)s.") % {"field": field}, code="invalid_number",
                      details={"field": field}) from None
    if not number.is_finite() or not low <= number <= high:
        raise Invalid(_("%(field)s is out of range.") % {"field": field}, code="out_of_range",
                      details={"field": field, "min": str(low), "max": str(high)})
    return number.quantize(TENTH, rounding=ROUND_HALF_UP)


# ---- evaluation standards ---------------------------------------------------------------------------

def _hazard_codes() -> set[str]:
    from parcelguard.events.models import HazardType

    return set(HazardType.objects.filter(active=True).values_list("code", flat=True))


def clean_items(items: Sequence[Mapping[str, Any]], total: Decimal) -> list[dict[str, Any]]:
    """Check a standard's items; the points must add up to the total. Raises Invalid with the item's row."""
    if not items:
        raise Invalid(_("A standard needs at least one item."), code="no_items")
    hazards = _hazard_codes()
    seen: set[str] = set()
    cleaned: list[dict[str, Any]] = []
    for row, raw in enumerate(items, start=1):
        def bad(message: str, code: str, row: int = row) -> Invalid:
            return Invalid(_("Item %(row)d: %(problem)s") % {"row": row, "problem": message}, code=code,
                           details={"row": row})
        code = str(raw.get("code") or "").strip()
        if not CODE.match(code):
            raise bad(_("the code is missing or not made of letters, digits and - _ ."), "invalid_code")
        if code in seen:
            raise bad(_("the code appears twice."), "duplicate_code")
        seen.add(code)
        section, text = str(raw.get("section") or "").strip(), str(raw.get("text") or "").strip()
        if not section or not text:
            raise bad(_("give the section and what is checked."), "text_required")
        try:
            points = _decimal(raw.get("points"), "points", low=TENTH, high=Decimal(1000))
        except Invalid:
            raise bad(_("the points must be a number above 0."), "invalid_points") from None
        method = str(raw.get("method") or Method.YESNO).strip()
        if method not in Method.values:
            raise bad(_("unknown scoring method."), "invalid_method")
        deduct = Decimal(0)
        if method == Method.DEDUCT:
            try:
                deduct = _decimal(raw.get("deduct"), "deduct", low=TENTH, high=points)
            except Invalid:
                raise bad(_("a deduction item needs the points deducted per finding (above 0, at most the item's points)."),
                          "invalid_deduct") from None
        evidence = str(raw.get("evidence") or EvidenceNeed.NONE).strip()
        if evidence not in EvidenceNeed.values:
            raise bad(_("unknown evidence kind."), "invalid_evidence")
        kinds = raw.get("site_kinds") or []
        if isinstance(kinds, str):
            kinds = [k.strip() for k in re.split(r"[,，;；\s]+", kinds) if k.strip()]
        unknown = [k for k in kinds if k not in SiteKind.values]
        if unknown:
            raise bad(_("unknown site kind %(kind)s.") % {"kind": unknown[0]}, "invalid_site_kind")
        hazard = str(raw.get("hazard_type") or "other").strip()
        if hazard not in hazards:
            raise bad(_("unknown hazard type %(code)s.") % {"code": hazard}, "invalid_hazard_type")
        serious = raw.get("serious")
        serious = serious in (True, 1, "1", "true", "yes", "是", "Y", "y")
        cleaned.append({"code": code, "section": section[:60], "text": text[:300], "points": float(points),
                        "method": method, "deduct": float(deduct), "evidence": evidence,
                        "basis": str(raw.get("basis") or "").strip()[:300], "site_kinds": sorted(kinds),
                        "serious": serious, "hazard_type": hazard})
    added = sum(Decimal(str(i["points"])) for i in cleaned)
    if added != total:
        raise Invalid(_("The items' points add up to %(sum)s, not to the standard's total %(total)s.")
                      % {"sum": added, "total": total}, code="points_mismatch",
                      details={"sum": str(added), "total": str(total)})
    return cleaned


def _thresholds(total: Any, excellent_at: Any, pass_at: Any) -> tuple[Decimal, Decimal, Decimal]:
    total = _decimal(total, "total_points", low=Decimal(1), high=Decimal(10000))
    excellent = _decimal(excellent_at, "excellent_at", low=Decimal(1), high=Decimal(100))
    passing = _decimal(pass_at, "pass_at", low=Decimal(1), high=Decimal(100))
    if passing > excellent:
        raise Invalid(_("The pass mark cannot be above the model-site mark."), code="invalid_thresholds")
    return total, excellent, passing


def standard_create(*, user: Any, code: str, title: str, items: Sequence[Mapping[str, Any]],
                    total_points: Any = 100, excellent_at: Any = 90, pass_at: Any = 75) -> Standard:
    """A new standard (a draft, version 1). Only the city bureau sets standards."""
    _bureau(user)
    code, title = (code or "").strip(), (title or "").strip()
    if not CODE.match(code):
        raise Invalid(_("The code is missing or not made of letters, digits and - _ ."), code="invalid_code")
    if len(title) < 2:
        raise Invalid(_("Give the standard a title."), code="title_required")
    total, excellent, passing = _thresholds(total_points, excellent_at, pass_at)
    cleaned = clean_items(items, total)
    if Standard.objects.filter(code=code).exists():
        raise Conflict(_("A standard with this code exists; make a new version of it instead."), code="code_exists")
    with transaction.atomic():
        standard = Standard.objects.create(
            code=code, version=1, title=title[:120], total_points=total, excellent_at=excellent, pass_at=passing,
            items=cleaned, jurisdiction_path=user.jurisdiction.path, created_by=user, created_at=clock.now())
        _trail(user, "inspections.standard_create", f"standard:{standard.pk}",
               {"code": code, "version": 1, "items": len(cleaned)})
    return standard


def _draft(user: Any, pk: int) -> Standard:
    _bureau(user)
    standard = get_for(user, Standard.objects.select_for_update(), pk=pk)
    if standard.published_at is not None:
        raise Conflict(_("A published standard never changes; make a new version."), code="standard_published")
    return standard


def standard_update(*, user: Any, pk: int, title: str, items: Sequence[Mapping[str, Any]], total_points: Any,
                    excellent_at: Any, pass_at: Any) -> Standard:
    total, excellent, passing = _thresholds(total_points, excellent_at, pass_at)
    with transaction.atomic():
        standard = _draft(user, pk)
        if len((title or "").strip()) < 2:
            raise Invalid(_("Give the standard a title."), code="title_required")
        standard.items = clean_items(items, total)
        standard.title, standard.total_points = title.strip()[:120], total
        standard.excellent_at, standard.pass_at = excellent, passing
        standard.save()
        _trail(user, "inspections.standard_update", f"standard:{standard.pk}", {"items": len(standard.items)})
    return standard


def standard_publish(*, user: Any, pk: int) -> Standard:
    with transaction.atomic():
        standard = _draft(user, pk)
        clean_items(standard.items, standard.total_points)
        standard.published_at = clock.now()
        standard.save(update_fields=["published_at"])
        _trail(user, "inspections.standard_publish", f"standard:{standard.pk}",
               {"code": standard.code, "version": standard.version, "items": standard.items})
    return standard


def standard_copy(*, user: Any, pk: int) -> Standard:
    """A new draft version of a standard (same code, next version), to change what a published one says."""
    _bureau(user)
    source = get_for(user, Standard, pk=pk)
    with transaction.atomic():
        last = Standard.objects.select_for_update().filter(code=source.code).order_by("-version").first()
        copy = Standard.objects.create(
            code=source.code, version=(last.version if last else 0) + 1, title=source.title,
            total_points=source.total_points, excellent_at=source.excellent_at, pass_at=source.pass_at,
            items=list(source.items), jurisdiction_path=user.jurisdiction.path, based_on=source, created_by=user,
            created_at=clock.now())
        _trail(user, "inspections.standard_copy", f"standard:{copy.pk}", {"from": source.pk})
    return copy


XLSX_HEADERS = ("code", "section", "text", "points", "method", "deduct", "evidence", "basis", "site_kinds",
                "serious", "hazard_type")


def standard_rows(standard: Standard) -> list[list[Any]]:
    return [[i["code"], i["section"], i["text"], i["points"], i["method"], i.get("deduct") or "", i["evidence"],
             i.get("basis", ""), ",".join(i.get("site_kinds") or []), "yes" if i.get("serious") else "",
             i.get("hazard_type", "other")] for i in standard.items]


def items_from_xlsx(upload: Any) -> list[dict[str, Any]]:
    """The items of an Excel sheet laid out as the export (the first row names the columns)."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(upload, read_only=True, data_only=True)
    except Exception:
        raise Invalid(_("The file is not an Excel workbook (.xlsx)."), code="invalid_file") from None
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    if not rows:
        raise Invalid(_("The sheet is empty."), code="no_items")
    header = [str(h or "").strip().lower() for h in rows[0]]
    missing = [h for h in ("code", "section", "text", "points") if h not in header]
    if missing:
        raise Invalid(_("The first row must name the columns; missing: %(cols)s.") % {"cols": ", ".join(missing)},
                      code="missing_columns", details={"missing": missing})
    out = []
    for values in rows[1:]:
        if not any(v not in (None, "") for v in values):
            continue
        out.append({h: ("" if v is None else v) for h, v in zip(header, values, strict=False) if h})
    return out


def standard_import(*, user: Any, upload: Any, code: str, title: str, total_points: Any = 100,
                    excellent_at: Any = 90, pass_at: Any = 75) -> Standard:
    return standard_create(user=user, code=code, title=title, items=items_from_xlsx(upload),
                           total_points=total_points, excellent_at=excellent_at, pass_at=pass_at)


def applies(item: Mapping[str, Any], site_kind: str) -> bool:
    kinds = item.get("site_kinds") or []
    return not kinds or site_kind in kinds


def score_answers(standard: Standard, site_kind: str, answers: Mapping[str, Any]
                  ) -> tuple[dict[str, dict[str, Any]], Decimal, Decimal, list[dict[str, Any]]]:
    """Score a checklist: (cleaned answers, score, out of, failed items). yes/no: full points or none;
    graded: the score given (0 … points, tenths); deduction: points − findings × deduction, not below 0.
    Items that do not apply to the site's kind count for nothing either way."""
    cleaned: dict[str, dict[str, Any]] = {}
    score = out_of = Decimal(0)
    failed: list[dict[str, Any]] = []
    for item in standard.items:
        if not applies(item, site_kind):
            continue
        code, points = item["code"], Decimal(str(item["points"]))
        given = answers.get(code)
        if not isinstance(given, Mapping):
            raise Invalid(_("Answer every item of the checklist (%(item)s).") % {"item": item["text"]},
                          code="answer_missing", details={"item": code})
        note = str(given.get("note") or "").strip()[:500]
        if item["method"] == Method.YESNO:
            ok = given.get("ok")
            if ok in ("yes", "no"):
                ok = ok == "yes"
            if not isinstance(ok, bool):
                raise Invalid(_("Answer every item of the checklist (%(item)s).") % {"item": item["text"]},
                              code="answer_missing", details={"item": code})
            got, entry = (points if ok else Decimal(0)), {"ok": ok}
        elif item["method"] == Method.GRADED:
            if given.get("score") in (None, ""):
                raise Invalid(_("Answer every item of the checklist (%(item)s).") % {"item": item["text"]},
                              code="answer_missing", details={"item": code})
            got = _decimal(given.get("score"), item["text"], high=points)
            entry = {"score": float(got)}
        else:
            try:
                findings = int(str(given.get("findings", "")).strip())
            except ValueError:
                raise Invalid(_("Give the number of findings for %(item)s.") % {"item": item["text"]},
                              code="answer_missing", details={"item": code}) from None
            if not 0 <= findings <= 1000:
                raise Invalid(_("Give the number of findings for %(item)s.") % {"item": item["text"]},
                              code="out_of_range", details={"item": code})
            got = max(Decimal(0), points - findings * Decimal(str(item["deduct"])))
            entry = {"findings": findings}
        entry |= {"score": float(got), "note": note}
        if got < points:
            if len(note) < 2:
                raise Invalid(_("Say what is wrong for every item that lost points (%(item)s).") % {"item": item["text"]},
                              code="note_required", details={"item": code})
            failed.append({**item, "lost": float(points - got), "note": note})
        cleaned[code] = entry
        score += got
        out_of += points
    unknown = set(answers) - {i["code"] for i in standard.items}
    if unknown:
        raise Invalid(_("Unknown checklist items."), code="unknown_item", details={"items": sorted(unknown)})
    return cleaned, score, out_of, failed


def grade_of(standard: Standard, percent: Decimal) -> str:
    if percent >= standard.excellent_at:
        return Grade.EXCELLENT
    return Grade.PASS if percent >= standard.pass_at else Grade.FAIL


# ---- the inspector pool -----------------------------------------------------------------------------

def inspector_register(*, user: Any, officer_id: int, certificate_no: str, valid_until: Any) -> Inspector:
    """Put an officer with a valid law-enforcement certificate into the pool (or renew the certificate)."""
    _bureau(user, Role.CITY_BUREAU, Role.COUNTY_CENTRE)
    officer = get_for(user, User.objects.select_related("jurisdiction"), pk=officer_id)
    if officer.role not in (Role.CITY_BUREAU, Role.COUNTY_CENTRE) or officer.jurisdiction_id is None:
        raise Invalid(_("Only officers of the bureau or a county centre inspect."), code="not_an_officer")
    certificate_no = (certificate_no or "").strip()
    if not 4 <= len(certificate_no) <= 30:
        raise Invalid(_("Give the law-enforcement certificate number."), code="certificate_required")
    try:
        until = valid_until if isinstance(valid_until, dt.date) else dt.date.fromisoformat(str(valid_until).strip())
    except ValueError:
        raise Invalid(_("Give the certificate's validity as YYYY-MM-DD."), code="invalid_date") from None
    if until < clock.now().astimezone(local_tz()).date():
        raise Invalid(_("The law-enforcement certificate has expired; an officer without a valid certificate "
                        "cannot inspect."), code="certificate_expired")
    if Inspector.objects.filter(certificate_no=certificate_no).exclude(user=officer).exists():
        raise Conflict(_("This certificate number belongs to another officer."), code="certificate_taken")
    with transaction.atomic():
        inspector, _created = Inspector.objects.update_or_create(
            user=officer, defaults={"certificate_no": certificate_no, "valid_until": until,
                                    "jurisdiction_path": officer.jurisdiction.path, "active": True})
        _trail(user, "inspections.inspector_register", f"inspector:{inspector.pk}",
               {"certificate_no": certificate_no, "valid_until": until.isoformat()})
    return inspector


def tie_add(*, user: Any, inspector_id: int, enterprise_id: int, reason: str) -> Tie:
    """Record a conflict of interest: the officer is never drawn for this enterprise's sites."""
    _bureau(user, Role.CITY_BUREAU, Role.COUNTY_CENTRE)
    inspector = get_for(user, Inspector, pk=inspector_id)
    enterprise = Enterprise.objects.filter(pk=enterprise_id).first()
    if enterprise is None:
        raise Invalid(_("Unknown enterprise."), code="unknown_enterprise")
    if len((reason or "").strip()) < 2:
        raise Invalid(_("Give a reason for this step."), code="reason_required")
    with transaction.atomic():
        tie, _created = Tie.objects.update_or_create(inspector=inspector, enterprise=enterprise,
                                                     defaults={"reason": reason.strip()[:200]})
        _trail(user, "inspections.tie_add", f"inspector:{inspector.pk}", {"enterprise": enterprise.pk})
    return tie


# ---- plans and the draw -----------------------------------------------------------------------------

def _date(value: Any, field: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise Invalid(_("Give dates as YYYY-MM-DD."), code="invalid_date", details={"field": field}) from None


def _codes(values: Any) -> list[str]:
    if isinstance(values, str):
        values = re.split(r"[,，;；\s]+", values)
    return sorted({str(v).strip() for v in values or [] if str(v).strip()})


def plan_create(*, user: Any, kind: str, title: str, starts_on: Any, ends_on: Any, standard_id: int, ratio: Any,
                minimum: Any = 1, counties: Any = (), brands: Any = (), site_kinds: Any = (),
                risk_weighted: bool = True) -> Plan:
    _bureau(user, Role.CITY_BUREAU, Role.COUNTY_CENTRE)
    if kind not in PlanKind.values:
        raise Invalid(_("Unknown kind of plan."), code="invalid_kind")
    title = (title or "").strip()
    if len(title) < 2:
        raise Invalid(_("Give the plan a title."), code="title_required")
    start, end = _date(starts_on, "starts_on"), _date(ends_on, "ends_on")
    if end < start:
        raise Invalid(_("The plan ends before it starts."), code="invalid_period")
    standard = scope(user, Standard).filter(pk=standard_id).first()
    if standard is None or standard.published_at is None:
        raise Invalid(_("Choose a published evaluation standard."), code="standard_not_published")
    try:
        share = Decimal(str(ratio).strip().rstrip("%"))
        if str(ratio).strip().endswith("%"):
            share = share / 100
    except (InvalidOperation, ValueError):
        raise Invalid(_("Give the sampling ratio as a share (0.2) or a percentage (20%)."),
                      code="invalid_ratio") from None
    if not share.is_finite() or not Decimal(0) < share <= Decimal(1):
        raise Invalid(_("Give the sampling ratio as a share (0.2) or a percentage (20%)."), code="invalid_ratio")
    try:
        least = int(str(minimum or 1).strip())
    except ValueError:
        raise Invalid(_("Give a whole number."), code="invalid_count") from None
    if not 1 <= least <= 100000:
        raise Invalid(_("Give a whole number."), code="invalid_count")
    county_codes, brand_codes, kinds = _codes(counties), _codes(brands), _codes(site_kinds)
    known = set(scope(user, Jurisdiction).filter(code__in=county_codes, level="county").values_list("code", flat=True))
    if set(county_codes) - known:
        raise Invalid(_("A county of the scope is not in your jurisdiction."), code="invalid_scope",
                      details={"counties": sorted(set(county_codes) - known)})
    if set(brand_codes) - set(Brand.objects.filter(code__in=brand_codes).values_list("code", flat=True)):
        raise Invalid(_("Unknown brand."), code="invalid_scope")
    if set(kinds) - set(SiteKind.values):
        raise Invalid(_("Unknown site kind."), code="invalid_scope")
    now = clock.now()
    with transaction.atomic():
        plan = Plan.objects.create(
            kind=kind, title=title[:120], starts_on=start, ends_on=end, counties=county_codes, brands=brand_codes,
            site_kinds=kinds, standard=standard, ratio=share.quantize(Decimal("0.0001")), minimum=least,
            risk_weighted=bool(risk_weighted), jurisdiction_path=user.jurisdiction.path, created_by=user,
            created_at=now)
        workflow.record(PLAN_FLOW, plan, PLAN_FLOW.step("create"), actor=user, role=workflow.role_of(user),
                        from_state="", to_state=plan.state, at=now,
                        data={"kind": kind, "ratio": str(plan.ratio), "standard": standard.pk})
    return plan


def scope_sites(plan: Plan) -> Any:
    sites = Site.objects.filter(status=Status.ACTIVE, jurisdiction_path__startswith=plan.jurisdiction_path)
    if plan.counties:
        sites = sites.filter(county__code__in=plan.counties)
    if plan.brands:
        sites = sites.filter(enterprise__brand_id__in=plan.brands)
    if plan.site_kinds:
        sites = sites.filter(kind__in=plan.site_kinds)
    return sites


def risk_weights(site_ids: Sequence[int]) -> dict[int, int]:
    """1 + open hazard events (at most 3) + 2 when the site's last inspection fell below standard."""
    from django.db.models import Count

    from parcelguard.events.models import Event
    from parcelguard.events.states import OPEN_STATES

    open_events = dict(Event.objects.filter(site_id__in=site_ids, state__in=OPEN_STATES)
                       .values_list("site_id").annotate(n=Count("pk")).values_list("site_id", "n"))
    failed = set(Inspection.objects.filter(site_id__in=site_ids, grade=Grade.FAIL).values_list("site_id", flat=True))
    return {pk: 1 + min(3, open_events.get(pk, 0)) + (2 if pk in failed else 0) for pk in site_ids}


def needed(plan: Plan, population: int) -> int:
    return max(math.ceil(Decimal(population) * plan.ratio), plan.minimum)


def candidates(plan: Plan, today: dt.date) -> tuple[list[list[int]], dict[str, list[Any]], list[list[Any]]]:
    """The frozen candidate lists: targets with weights, each target's [path, enterprise], the pool."""
    rows = list(scope_sites(plan).order_by("pk").values_list("pk", "jurisdiction_path", "enterprise_id"))
    weights = risk_weights([r[0] for r in rows]) if plan.risk_weighted else {}
    targets = [[pk, weights.get(pk, 1)] for pk, _p, _e in rows]
    info = {str(pk): [path, enterprise] for pk, path, enterprise in rows}
    ties: dict[int, list[int]] = {}
    for inspector_id, enterprise_id in Tie.objects.values_list("inspector_id", "enterprise_id"):
        ties.setdefault(inspector_id, []).append(enterprise_id)
    officers = Inspector.objects.filter(active=True, valid_until__gte=today, user__is_active=True).filter(
        jurisdiction_path__in=_prefixes(plan.jurisdiction_path)) | Inspector.objects.filter(
        active=True, valid_until__gte=today, user__is_active=True, jurisdiction_path__startswith=plan.jurisdiction_path)
    pool = [[pk, path, sorted(ties.get(pk, []))]
            for pk, path in officers.distinct().order_by("pk").values_list("pk", "jurisdiction_path")]
    return targets, info, pool


def _prefixes(path: str) -> list[str]:
    return [path[: i + 1] for i, ch in enumerate(path) if ch == "/"]


def plan_commit(*, user: Any, pk: int, version: int | None) -> Plan:
    """Announce the draw: freeze the candidate lists and publish the commitment SHA-256(seed) of a secret
    seed; refuse a scope with fewer targets than the ratio needs or a target with fewer than two eligible
    officers."""
    plan = get_for(user, Plan, pk=pk)
    return _commit(user, plan, version, "commit", "")


def _commit(user: Any, plan: Plan, version: int | None, action: str, reason: str) -> Plan:
    today = clock.now().astimezone(local_tz()).date()
    targets, info, pool = candidates(plan, today)
    n = needed(plan, len(targets))
    if n > len(targets):
        raise Invalid(_("The plan's scope has %(have)d targets; the ratio and minimum need %(need)d.")
                      % {"have": len(targets), "need": n}, code="too_few_targets",
                      details={"targets": len(targets), "needed": n})
    index = drawing.Pool(pool)
    short = [int(t) for t, (path, enterprise) in info.items()
             if index.eligible_count(path, enterprise) < drawing.PER_TARGET]
    if short:
        raise Invalid(_("%(n)d targets have fewer than two eligible inspectors with a valid certificate.")
                      % {"n": len(short)}, code="too_few_inspectors", details={"targets": sorted(short)[:50]})
    seed = secrets.token_hex(32)
    now = clock.now()
    changes = {"secret_seed": seed, "commitment": drawing.commitment(seed), "committed_at": now,
               "lists_sha256": drawing.lists_digest(targets, info, pool),
               "targets": targets, "target_info": info, "pool": pool, "result": [], "drawn_at": None}
    if action == "redraw":
        changes["overrides"] = plan.overrides + 1

    def after(obj: Plan) -> list[Any]:
        if action == "redraw":
            cancelled = list(obj.inspections.filter(state=InspectionState.ASSIGNED).values_list("pk", flat=True))
            Inspection.objects.filter(pk__in=cancelled).update(state=InspectionState.CANCELLED)
            StatusChange.objects.bulk_create([StatusChange(
                flow=INSPECTION_FLOW.name, subject=f"{INSPECTION_FLOW.name}:{i}", object_id=i, action="cancel",
                from_state=InspectionState.ASSIGNED, to_state=InspectionState.CANCELLED, actor=user,
                actor_role=workflow.role_of(user), at=now, reason=reason, jurisdiction_path=obj.jurisdiction_path)
                for i in cancelled])
        return []

    if action == "redraw" and plan.inspections.exclude(
            state__in=(InspectionState.ASSIGNED, InspectionState.CANCELLED)).exists():
        raise Conflict(_("Inspections of this draw have been carried out; it can no longer be redrawn."),
                       code="inspections_started")
    return workflow.transition(PLAN_FLOW, user=user, pk=plan.pk, action=action, version=version, reason=reason,
                               changes=changes, after=after,
                               data={"commitment": changes["commitment"], "lists_sha256": changes["lists_sha256"],
                                     "targets": len(targets),
                                     "pool": len(pool), "needed": n})


def plan_draw(*, user: Any, pk: int, version: int | None) -> Plan:
    """Reveal the seed and draw: the targets and their inspectors follow from it; inspections are assigned
    and the plan is locked. The seed and the result's hash go onto the trail."""
    import hashlib
    import json

    plan = get_for(user, Plan.objects.select_related("standard"), pk=pk)
    if plan.state != PlanState.COMMITTED:
        return workflow.transition(PLAN_FLOW, user=user, pk=pk, action="draw", version=version)  # refuses
    n = needed(plan, len(plan.targets))
    try:
        result = drawing.run(plan.secret_seed, plan.targets, n, plan.target_info, plan.pool)
    except drawing.DrawError as exc:
        raise Conflict(_("The draw could not give every target two eligible inspectors."), code=exc.code,
                       details=exc.details) from None
    now = clock.now()
    due = dt.datetime.combine(plan.ends_on + dt.timedelta(days=1), dt.time(), tzinfo=local_tz())

    def after(obj: Plan) -> list[Any]:
        sites = Site.objects.in_bulk([t for t, _i in result])
        made = Inspection.objects.bulk_create([Inspection(
            plan=obj, site_id=t, enterprise_id=sites[t].enterprise_id, jurisdiction_path=sites[t].jurisdiction_path,
            standard=obj.standard, due_at=due) for t, _i in result], batch_size=1000)
        through = Inspection.inspectors.through
        through.objects.bulk_create([through(inspection_id=insp.pk, inspector_id=i)
                                     for insp, (_t, ids) in zip(made, result, strict=True) for i in ids],
                                    batch_size=2000)
        StatusChange.objects.bulk_create([StatusChange(
            flow=INSPECTION_FLOW.name, subject=INSPECTION_FLOW.subject(insp), object_id=insp.pk, action="assign",
            to_state=InspectionState.ASSIGNED, actor=user, actor_role=workflow.role_of(user), at=now,
            data={"plan": obj.pk, "inspectors": ids}, jurisdiction_path=insp.jurisdiction_path,
            enterprise_id=insp.enterprise_id) for insp, (_t, ids) in zip(made, result, strict=True)],
            batch_size=1000)
        return []

    digest = hashlib.sha256(json.dumps(result, separators=(",", ":")).encode()).hexdigest()
    return workflow.transition(PLAN_FLOW, user=user, pk=pk, action="draw", version=version,
                               changes={"result": result, "drawn_at": now}, after=after,
                               data={"seed": plan.secret_seed, "commitment": plan.commitment, "drawn": len(result),
                                     "result_sha256": digest})


def plan_redraw(*, user: Any, pk: int, version: int | None, reason: str) -> Plan:
    """The recorded, reasoned override of a locked draw (city bureau only): the assigned inspections are
    cancelled and a new commitment is announced; then it is drawn again."""
    plan = get_for(user, Plan, pk=pk)
    if workflow.role_of(user) != Role.CITY_BUREAU:
        raise Forbidden(_("Your role may not take this step."), code="role_not_allowed")
    if len((reason or "").strip()) < 2:
        raise Invalid(_("Give a reason for this step."), code="reason_required")
    return _commit(user, plan, version, "redraw", reason.strip())


def plan_close(*, user: Any, pk: int, version: int | None) -> Plan:
    return workflow.transition(PLAN_FLOW, user=user, pk=pk, action="close", version=version)


def verify_plan(plan: Plan, *, seed: str | None = None, targets: Any = None, info: Any = None, pool: Any = None,
                result: Any = None, commitment_hex: str | None = None, digest: str | None = None) -> dict[str, Any]:
    """Recompute a drawn plan from its published parts; any part can be replaced (what a visitor pasted)."""
    if plan.state not in (PlanState.DRAWN, PlanState.CLOSED):
        return {"ok": False, "problems": ["not_drawn"], "recomputed": None}
    targets = plan.targets if targets is None else targets
    try:
        n = needed(plan, len(targets))
        return drawing.verify(seed=plan.secret_seed if seed is None else str(seed),
                              commitment_hex=plan.commitment if commitment_hex is None else str(commitment_hex),
                              targets=targets, n=n, info=plan.target_info if info is None else info,
                              pool=plan.pool if pool is None else pool, result=plan.result if result is None else result,
                              digest=plan.lists_sha256 if digest is None else str(digest))
    except (TypeError, ValueError, KeyError):
        return {"ok": False, "problems": ["not_computable"], "recomputed": None}


# ---- the inspection ---------------------------------------------------------------------------------

def is_assigned(user: Any, inspection: Inspection) -> bool:
    return inspection.inspectors.filter(user_id=getattr(user, "pk", None)).exists()


def inspection_submit(*, user: Any, pk: int, answers: Mapping[str, Any], client_token: str, representative: str,
                      signature: Any, photos: Mapping[str, Sequence[Any]] | None = None,
                      latitude: Any = None, longitude: Any = None, version: int | None = None) -> tuple[Inspection, bool]:
    """One of the drawn inspectors submits the scored checklist with its photos and the site
    representative's signature. Returns (inspection, replayed): the same `client_token` sent again (a
    phone retrying after the network dropped) answers the stored inspection without writing anything.
    Every item that lost points becomes a finding and a hazard event (source: inspection) at the site."""
    inspection = get_for(user, Inspection.objects.select_related("standard", "site", "plan"), pk=pk)
    token = (client_token or "").strip()[:64]
    if token and inspection.client_token == token and inspection.state != InspectionState.ASSIGNED:
        return inspection, True
    if not is_assigned(user, inspection):
        raise Forbidden(_("Only the inspectors drawn for this inspection submit it."), code="not_assigned")
    if inspection.state != InspectionState.ASSIGNED:
        raise Conflict(_("This inspection is already submitted or locked."), code="already_submitted")
    if len(token) < 8:
        raise Invalid(_("The form's submission token is missing; reload the page."), code="token_required")
    photos = {k: list(v) for k, v in (photos or {}).items() if v}
    cleaned, score, out_of, failed = score_answers(inspection.standard, inspection.site.kind, answers or {})
    for item in inspection.standard.items:
        if item["code"] not in cleaned:
            continue
        needs_photo = item["evidence"] == EvidenceNeed.PHOTO or any(f["code"] == item["code"] for f in failed)
        if needs_photo and not photos.get(item["code"]):
            raise Invalid(_("Take a photo for %(item)s.") % {"item": item["text"]}, code="photo_required",
                          details={"item": item["code"]})
    if set(photos) - set(cleaned):
        raise Invalid(_("Photos for an item not on the checklist."), code="unknown_item")
    name = (representative or "").strip()
    if len(name) < 2:
        raise Invalid(_("The site's representative signs: give the name."), code="representative_required")
    if signature is None:
        raise Invalid(_("The site's representative signs on screen."), code="signature_required")
    lat = lon = None
    if latitude not in (None, "") and longitude not in (None, ""):
        try:
            lat, lon = Decimal(str(latitude)).quantize(Decimal("0.000001")), Decimal(str(longitude)).quantize(
                Decimal("0.000001"))
        except InvalidOperation:
            raise Invalid(_("The location is not valid."), code="invalid_location") from None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise Invalid(_("The location is not valid."), code="invalid_location")
    percent = (score / out_of * 100).quantize(TENTH, rounding=ROUND_HALF_UP) if out_of else Decimal(0)
    now = clock.now()

    def after(obj: Inspection) -> list[Any]:
        from parcelguard.events.services import event_report

        stored = {code: workflow.store_uploads(user, files, f"inspection:{obj.pk}:{code}")
                  for code, files in photos.items()}
        sign = workflow.store_uploads(user, [signature], f"inspection:{obj.pk}:signature")
        for code, evs in stored.items():
            cleaned[code]["photos"] = [ev.pk for ev, _k in evs]
        Inspection.objects.filter(pk=obj.pk).update(
            answers=cleaned, signature=sign[0][0], number=f"{record_prefix()}〔{now.astimezone(local_tz()):%Y}〕{obj.pk:05d}号")
        obj.evidence.add(*[ev for evs in stored.values() for ev, _k in evs], sign[0][0])
        for item in failed:
            for upload in photos[item["code"]]:
                if hasattr(upload, "seek"):
                    upload.seek(0)
            event = event_report(
                user=user, site_id=obj.site_id, hazard_type=item["hazard_type"], source="inspection",
                severity="high" if item["serious"] else "", uploads=photos[item["code"]],
                description=f"执法检查发现（{obj.plan.title}·{item['section']}）：{item['text']}——{item['note']}")
            Finding.objects.create(inspection=obj, item_code=item["code"], item_text=item["text"][:300],
                                   lost=Decimal(str(item["lost"])), note=item["note"], serious=item["serious"],
                                   event=event)
        return [(ev, kind) for evs in stored.values() for ev, kind in evs] + sign

    obj = workflow.transition(
        INSPECTION_FLOW, user=user, pk=pk, action="submit", version=version,
        changes={"score": score, "max_score": out_of, "percent": percent,
                 "grade": grade_of(inspection.standard, percent), "submitted_at": now, "submitted_by": user,
                 "client_token": token, "representative": name[:40], "latitude": lat, "longitude": lon},
        after=after, data={"score": str(score), "out_of": str(out_of), "failed": [f["code"] for f in failed]})
    obj.refresh_from_db()
    return obj, False


def inspection_publish(*, user: Any, pk: int, version: int | None) -> Inspection:
    return workflow.transition(INSPECTION_FLOW, user=user, pk=pk, action="publish", version=version,
                               changes={"published_at": clock.now()})


def plan_publish_results(*, user: Any, pk: int) -> int:
    """Publish every submitted result of the plan (一公开)."""
    plan = get_for(user, Plan, pk=pk)
    done = 0
    for inspection in plan.inspections.filter(state=InspectionState.SUBMITTED).order_by("pk"):
        inspection_publish(user=user, pk=inspection.pk, version=None)
        done += 1
    return done


def _trail(user: Any, action: str, subject: str, payload: dict[str, Any]) -> None:
    from parcelguard.trail.services import trail_append

    trail_append(actor=user if getattr(user, "pk", None) else None, action=action, subject=subject, payload=payload)
