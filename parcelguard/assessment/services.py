"""Writes of assessment and circulars: publish a method (a new version of the weights), publish a county
assessment of a period (figures, ranking and PDF kept as published), issue a numbered circular and send it
to the enterprises it names."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from parcelguard.accounts.models import Jurisdiction, Level, User
from parcelguard.accounts.roles import Role
from parcelguard.accounts.scoping import scope
from parcelguard.assessment import indicators, scoring
from parcelguard.assessment.flow import ASSESSMENT_FLOW, CIRCULAR_FLOW
from parcelguard.assessment.models import Assessment, Circular, Counter, CountyScore, Method
from parcelguard.core import clock, workflow
from parcelguard.core.errors import Conflict, Forbidden, Invalid
from parcelguard.documents.chinese import chinese_date
from parcelguard.documents.services import render_pdf
from parcelguard.evidence.services import evidence_store
from parcelguard.trail.services import trail_lock

CODE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
HUNDRED = Decimal(100)


# ---- the method ---------------------------------------------------------------------------------------------

def current_method() -> Method:
    found = Method.objects.order_by("-version").first()
    if found is None:
        raise Conflict(_("No assessment method is published."), code="no_method")
    return found


def method_of(version: Any = None) -> Method:
    if version in (None, ""):
        return current_method()
    found = Method.objects.filter(version=int(version)).first() if str(version).isdigit() else None
    if found is None:
        raise Invalid(_("No assessment method has this version."), code="unknown_method")
    return found


def clean_items(items: Any) -> list[dict[str, Any]]:
    """[{"code", "indicator", "label", "weight"}]: known indicators, own codes, weights adding up to 100."""
    if not isinstance(items, list) or not items:
        raise Invalid(_("An assessment method needs at least one item."), code="no_items")
    cleaned, seen, total = [], set(), Decimal(0)
    for item in items:
        if not isinstance(item, dict):
            raise Invalid(_("An item must name its indicator and its weight."), code="invalid_item")
        indicator = indicators.get(str(item.get("indicator", "")))
        if indicator is None:
            raise Invalid(_("Unknown indicator: %(indicator)s.") % {"indicator": item.get("indicator")},
                          code="unknown_indicator", details={"indicator": item.get("indicator")})
        code = str(item.get("code") or indicator.code)
        if not CODE.match(code) or code in seen:
            raise Invalid(_("Each item needs its own code (lower-case letters, digits, underscores)."),
                          code="invalid_item_code", details={"item": code})
        seen.add(code)
        try:
            weight = Decimal(str(item.get("weight")).strip())
        except (InvalidOperation, ValueError):
            weight = Decimal("NaN")
        if not weight.is_finite() or not 0 <= weight <= HUNDRED:
            raise Invalid(_("A weight must be a number from 0 to 100."), code="invalid_weight", details={"item": code})
        total += weight
        label = str(item.get("label") or "").strip()[:60] or str(indicator.label)
        cleaned.append({"code": code, "indicator": indicator.code, "label": label, "weight": str(weight.normalize())})
    if total != HUNDRED:
        raise Invalid(_("The weights must add up to 100 (they add up to %(total)s).") % {"total": total.normalize()},
                      code="weights_not_100", details={"total": str(total)})
    return cleaned


def method_publish(*, user: Any, title: str, items: Any) -> Method:
    """The city bureau publishes a new version of the assessment method; earlier versions stay as they were."""
    if workflow.role_of(user) not in (Role.CITY_BUREAU, Role.ADMIN):
        raise Forbidden(_("Only the city bureau publishes the assessment method."), code="role_not_allowed")
    title = (title or "").strip()[:120]
    if len(title) < 2:
        raise Invalid(_("Give the method a title."), code="title_required")
    cleaned = clean_items(items)
    from parcelguard.trail.services import trail_append

    try:
        with transaction.atomic():
            version = (Method.objects.aggregate(v=Max("version"))["v"] or 0) + 1
            made = Method.objects.create(version=version, title=title, items=cleaned, published_at=clock.now(),
                                         published_by=user)
            trail_append(actor=user, action="assessment.method", subject=f"assessment-method:{version}",
                         payload={"title": title, "items": cleaned})
    except IntegrityError:
        raise Conflict(_("Somebody published a version at the same moment; try again."),
                       code="state_conflict") from None
    return made


# ---- the issuing body and its numbering -------------------------------------------------------------------------

def issuer_of(node: Jurisdiction) -> tuple[str, str]:
    """(name, number abbreviation) of the body issuing for a jurisdiction, the documents app's one definition
    (`documents.issuers.issuer_for`): the city bureau (a 局) for the city, the county's postal safety centre
    (a 中心, not a 局) for a county; settings.DOCUMENT_ISSUERS override both."""
    from parcelguard.documents.issuers import issuer_for

    issuer = issuer_for(node)
    return issuer.name, issuer.abbr


def number_next(issuer: Jurisdiction, kind: str, year: int) -> int:
    """The next number of this body, kind and year; the row lock is held to the caller's transaction's end,
    so two issuers never share a number and a rolled-back issue leaves no gap."""
    with transaction.atomic():
        counter = Counter.objects.select_for_update().filter(issuer=issuer, kind=kind, year=year).first()
        if counter is None:
            try:
                with transaction.atomic():
                    counter = Counter.objects.create(issuer=issuer, kind=kind, year=year, last=0)
            except IntegrityError:
                counter = Counter.objects.select_for_update().get(issuer=issuer, kind=kind, year=year)
        counter.last += 1
        counter.save(update_fields=["last"])
        return counter.last


KIND_MARK = {"assessment": "考", "circular": "通"}


def format_number(abbr: str, kind: str, year: int, seq: int) -> str:
    return f"{abbr}{KIND_MARK[kind]}〔{year}〕{seq}号"


def _notify(users: Any, subject: str, url: str, message: str, now: dt.datetime) -> int:
    from parcelguard.events.models import Notification, NotificationKind

    rows = [Notification(user=u, subject=subject, url=url, kind=NotificationKind.UPDATE, message=message[:300],
                         key=subject, created_at=now) for u in users]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


# ---- the assessment ------------------------------------------------------------------------------------------

def pdf_context(result: scoring.Result, number: str, issuer: str, issued: dt.date) -> dict[str, Any]:
    return {"title": f"{result.period.label_cn}县区寄递安全综治考评结果", "number": number, "authority": issuer,
            "issue_date_cn": chinese_date(issued), "result": result, "method": result.method,
            "period_cn": result.period.label_cn,
            "as_of_cn": chinese_date(timezone.localtime(result.as_of - dt.timedelta(microseconds=1)).date()),
            "indicators": [(item, indicators.INDICATORS[item["indicator"]]) for item in result.method.items]}


def assessment_publish(*, user: Any, period: Any, method_version: Any = None) -> Assessment:
    """The city bureau publishes the assessment of its counties for a finished period under a method version
    (default: the one in force). The figures, points, ranks and the PDF are kept as published."""
    if workflow.role_of(user) != Role.CITY_BUREAU:
        raise Forbidden(_("Only the city bureau publishes the county assessment."), code="role_not_allowed")
    found = scoring.parse_period(period)
    if found.until > clock.now():
        raise Invalid(_("A period can be assessed once it is over."), code="period_not_over")
    method = method_of(method_version)
    city = scoring.city_of(user)
    if Assessment.objects.filter(city=city, period=found.code, method=method).exists():
        raise Conflict(_("This period is already assessed under this method version."), code="assessment_exists")
    result = scoring.compute(user, found, method, city=city)
    if not result.counties:
        raise Conflict(_("The city has no counties to assess."), code="no_counties")
    now = clock.now()
    name, abbr = issuer_of(city)
    try:
        with transaction.atomic():
            trail_lock()
            seq = number_next(city, "assessment", now.year)
            number = format_number(abbr, "assessment", now.year, seq)
            pdf = render_pdf("assessment/pdf/assessment.html", pdf_context(result, number, name, clock.today()))
            evidence = evidence_store(actor=user, upload=ContentFile(pdf, name=f"{number}.pdf"),
                                      purpose="document:assessment")
            made = Assessment.objects.create(
                city=city, jurisdiction_path=city.path, period=found.code, period_kind=found.kind, start=found.start,
                end=found.end, as_of=result.as_of, method=method, number=number, published_at=now,
                published_by=user, pdf=evidence)
            CountyScore.objects.bulk_create([CountyScore(
                assessment=made, county=r.county, jurisdiction_path=r.county.path, score=r.score, rank=r.rank,
                figures={line.code: line.as_json() for line in r.lines}) for r in result.counties])
            workflow.record(ASSESSMENT_FLOW, made, ASSESSMENT_FLOW.step("publish"), actor=user, role=Role.CITY_BUREAU,
                            from_state="", to_state=made.state, attached=[(evidence, "document")], at=now,
                            data={"period": found.code, "method": method.version, "number": number,
                                  "scores": {r.county.code: str(r.score) for r in result.counties}})
            centres = User.objects.filter(is_active=True, role=Role.COUNTY_CENTRE,
                                          jurisdiction__path__startswith=city.path)
            _notify(centres, f"assessment:{made.pk}", reverse("assessment:detail", args=[made.pk]),
                    f"{name}发布{found.label_cn}县区寄递安全综治考评结果（{number}）", now)
    except IntegrityError:
        raise Conflict(_("This period is already assessed under this method version."),
                       code="assessment_exists") from None
    return made


# ---- circulars ------------------------------------------------------------------------------------------------

def parse_month(value: Any) -> dt.date:
    try:
        month = dt.datetime.strptime(str(value or "").strip()[:7], "%Y-%m").date()
    except ValueError:
        raise Invalid(_("Give the month as YYYY-MM."), code="invalid_month") from None
    if month > clock.today().replace(day=1):
        raise Invalid(_("A circular reports on a month that has begun."), code="month_in_future")
    return month


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    following = (month + dt.timedelta(days=32)).replace(day=1)
    return (timezone.make_aware(dt.datetime.combine(month, dt.time.min)),
            timezone.make_aware(dt.datetime.combine(following, dt.time.min)))


def circular_content(user: Any, month: dt.date) -> dict[str, Any]:
    """What a circular on `month` says, from the platform's own records inside the issuer's area: the monthly
    duty reports that fell due in the month and were late or are missing, the spot checks recorded in the
    month, and the enterprises that reported on time and whose report a spot check found true."""
    from parcelguard.selfcheck import selectors as selfcheck
    from parcelguard.selfcheck.models import ReportState

    start, end = month_bounds(month)
    now = clock.now()
    duties = [d for m in selfcheck.months_due_in(start, end) for d in selfcheck.duties(user, m)]
    late = [{"enterprise_id": d.enterprise_id, "enterprise": d.enterprise_name, "county": d.county.name,
             "month": f"{d.month:%Y-%m}", "status": d.status(now),
             "filed": f"{timezone.localtime(d.report.submitted_at):%Y-%m-%d}" if d.report else ""}
            for d in duties if d.status(now) in ("late", "missing")]
    checked = (selfcheck.reports(user).filter(checked_at__gte=start, checked_at__lt=end,
                                              state__in=[ReportState.CONFIRMED, ReportState.FALSE])
               .order_by("county__code", "enterprise__name", "pk"))
    checks = [{"enterprise_id": r.enterprise_id, "enterprise": r.enterprise.name, "county": r.county.name,
               "month": f"{r.month:%Y-%m}", "report": r.pk, "result": r.state,
               "method": r.check_method,
               "note": r.check_note[:200], "event": r.event_id} for r in checked]
    late_ids = {row["enterprise_id"] for row in late}
    false_ids = {row["enterprise_id"] for row in checks if row["result"] == ReportState.FALSE}
    good = sorted({(row["enterprise_id"], row["enterprise"], row["county"]) for row in checks
                   if row["result"] == ReportState.CONFIRMED and row["enterprise_id"] not in late_ids | false_ids},
                  key=lambda g: (g[2], g[1]))
    owed = [d for d in duties if d.status(now) != "pending"]
    return {
        "month": f"{month:%Y-%m}", "late": late, "checks": checks,
        "good": [{"enterprise_id": e, "enterprise": n, "county": c} for e, n, c in good],
        "totals": {"owed": len(owed), "on_time": sum(1 for d in owed if d.status(now) == "on_time"),
                   "late": sum(1 for row in late if row["status"] == "late"),
                   "missing": sum(1 for row in late if row["status"] == "missing"),
                   "checked": len(checks),
                   "confirmed": sum(1 for c in checks if c["result"] == ReportState.CONFIRMED),
                   "false": sum(1 for c in checks if c["result"] == ReportState.FALSE)},
    }


def circular_issue(*, user: Any, month: Any, practice: str = "", title: str = "") -> Circular:
    """A county centre or the city bureau issues a numbered circular on a month under its own name; it is
    sent to every enterprise it names (late reporters, spot-checked, commended) and kept as issued."""
    role = workflow.role_of(user)
    if role not in (Role.CITY_BUREAU, Role.COUNTY_CENTRE) or user.jurisdiction_id is None:
        raise Forbidden(_("Only a county centre or the city bureau issues a circular."), code="role_not_allowed")
    node = user.jurisdiction
    if node.level not in (Level.CITY, Level.COUNTY):
        raise Forbidden(_("Only a county centre or the city bureau issues a circular."), code="role_not_allowed")
    found = parse_month(month)
    practice = (practice or "").strip()[:3000]
    content = circular_content(user, found) | {"practice": practice}
    if not (content["late"] or content["checks"] or practice):
        raise Invalid(_("Nothing to circulate for this month: no late report, no spot check, no good practice "
                        "given."), code="nothing_to_circulate")
    name, abbr = issuer_of(node)
    title = (title or "").strip()[:120] or f"关于{found.year}年{found.month}月寄递企业安全员履职情况的通报"
    names = {row["enterprise_id"] for key in ("late", "checks", "good") for row in content[key]}
    from parcelguard.registry.models import Enterprise

    addressees = list(scope(user, Enterprise).filter(pk__in=names)) if role == Role.COUNTY_CENTRE else \
        list(Enterprise.objects.filter(pk__in=names))
    now = clock.now()
    with transaction.atomic():
        trail_lock()
        seq = number_next(node, "circular", now.year)
        number = format_number(abbr, "circular", now.year, seq)
        pdf = render_pdf("assessment/pdf/circular.html", {
            "title": title, "number": number, "authority": name, "issue_date_cn": chinese_date(clock.today()),
            "content": content, "month_cn": f"{found.year}年{found.month}月", "addressees": addressees,
            "statuses": {"late": "迟报", "missing": "未报"},
            "methods": {"on_site": "现场核查", "video": "视频核查"}})
        evidence = evidence_store(actor=user, upload=ContentFile(pdf, name=f"{number}.pdf"), purpose="document:circular")
        made = Circular.objects.create(issuer=node, issuer_name=name, jurisdiction_path=node.path, number=number,
                                       year=now.year, seq=seq, title=title, month=found, content=content,
                                       issued_at=now, issued_by=user, pdf=evidence)
        made.addressees.set(addressees)
        workflow.record(CIRCULAR_FLOW, made, CIRCULAR_FLOW.step("issue"), actor=user, role=role, from_state="",
                        to_state=made.state, attached=[(evidence, "document")], at=now,
                        data={"number": number, "month": content["month"], "addressees": sorted(names),
                              "late": len(content["late"]), "checks": len(content["checks"])})
        officers = User.objects.filter(is_active=True, role=Role.ENTERPRISE,
                                       enterprise_id__in=[e.pk for e in addressees])
        _notify(officers, f"circular:{made.pk}", reverse("assessment:circular", args=[made.pk]),
                f"{name}印发《{title}》（{number}），请查阅", now)
    return made
