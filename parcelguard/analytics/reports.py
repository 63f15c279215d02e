"""The monthly report (月度分析报告) per county and for the city: figures, charts rendered as SVG, the top
problems and the comparison with the previous month, as a PDF in the official style of
parcelguard.documents, stored through Django storage in a Report row."""

from __future__ import annotations

import datetime as dt
import math
import time
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from parcelguard.accounts.models import Jurisdiction, Level
from parcelguard.accounts.roles import Role
from parcelguard.accounts.scoping import get_for
from parcelguard.analytics import duty, indicators, svg
from parcelguard.analytics.filters import Filters
from parcelguard.analytics.models import Report
from parcelguard.core import clock
from parcelguard.core.errors import Forbidden, Invalid
from parcelguard.documents.chinese import chinese_date
from parcelguard.documents.services import render_pdf
from parcelguard.parcels.flow import WARNING_FLOW

REPORT_ROLES = {Role.CITY_BUREAU, Role.COUNTY_CENTRE, Role.PROCURATOR, Role.ADMIN}  # may read reports
GENERATE_ROLES = {Role.CITY_BUREAU, Role.COUNTY_CENTRE, Role.ADMIN}  # the procurator only reads


@dataclass(frozen=True)
class ReaderOf:
    """A read-only stand-in user for one jurisdiction: the report job sees exactly what a regulator of that
    jurisdiction sees, through the one scoping layer."""

    jurisdiction: Jurisdiction
    role: str = Role.CITY_BUREAU
    is_authenticated: bool = True
    is_active: bool = True
    enterprise_id: None = None

    @property
    def jurisdiction_id(self) -> int:
        return self.jurisdiction.pk


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    first = month.replace(day=1)
    nxt = (first + dt.timedelta(days=32)).replace(day=1)
    return first, nxt - dt.timedelta(days=1)


def previous_month(month: dt.date) -> dt.date:
    return (month.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{v * 100:.1f}%"


def _change(cur: float | int | None, prev: float | int | None, pct: bool = False, places: int = 1) -> str:
    if cur is None or prev is None:
        return "—"
    diff = cur - prev
    if pct:
        points = round(diff * 100, places)
        return f"{'+' if points >= 0 else ''}{points + 0.0:.{places}f}个百分点"
    return f"{'+' if diff >= 0 else ''}{diff:,.0f}"


def _rate(v: float | None) -> str:
    """A three-systems rate as on the dashboard (docs/analytics.md): truncated to two decimals, so that only
    all parcels reads as 100 % (99.996 % is 99.99 %). The rates come rounded to 6 places; rounding the
    hundredths of a percent to 2 places first keeps 0.976 from reading as 97.59 % through float error."""
    return "—" if v is None else f"{math.floor(round(v * 10000, 2)) / 100:.2f}%"


SYSTEM_LABELS = {"realname": "实名收寄", "inspection": "收寄验视", "screening": "过机安检"}
OPEN_STATUSES = WARNING_FLOW.open_states  # an open warning (docs/analytics.md): new or acknowledged
LOWEST_OUTLETS = 5


def report_context(jurisdiction: Jurisdiction, month: dt.date) -> dict[str, Any]:
    reader = ReaderOf(jurisdiction)
    start, end = month_bounds(month)
    f = Filters(start=start, end=end)
    pstart, pend = month_bounds(previous_month(month))
    pf = Filters(start=pstart, end=pend)
    cur, prev = indicators.loop(reader, f), indicators.loop(reader, pf)
    types, prev_types = indicators.by_type(reader, f), {r["code"]: r["value"] for r in indicators.by_type(reader, pf)}
    areas, prev_areas = indicators.by_area(reader, f), indicators.by_area(reader, pf)
    level_key = "counties" if jurisdiction.level == Level.CITY else "grids"
    area_rows = areas[level_key]
    prev_area = {r["code"]: r["value"] for r in prev_areas[level_key]}
    states = indicators.by_state(reader, f, indicators.GROUP_LABELS)
    brands = indicators.by_brand(reader, f)
    enforcement = indicators.enforcement(reader, f)
    record = duty.duty_record(reader, f)
    compare = [
        ("上报隐患（起）", f"{cur['total']:,}", f"{prev['total']:,}", _change(cur["total"], prev["total"])),
        ("应结案（起）", f"{cur['due']:,}", f"{prev['due']:,}", _change(cur["due"], prev["due"])),
        ("已结案（起）", f"{cur['closed']:,}", f"{prev['closed']:,}", _change(cur["closed"], prev["closed"])),
        ("结案率", _pct(cur["closure_rate"]), _pct(prev["closure_rate"]),
         _change(cur["closure_rate"], prev["closure_rate"], pct=True)),
        ("按期结案率", _pct(cur["ontime_rate"]), _pct(prev["ontime_rate"]),
         _change(cur["ontime_rate"], prev["ontime_rate"], pct=True)),
        ("县区层级办结占比", _pct(cur["county_share"]), _pct(prev["county_share"]),
         _change(cur["county_share"], prev["county_share"], pct=True)),
        ("返工（次）", f"{cur['rework_total']:,}", f"{prev['rework_total']:,}",
         _change(cur["rework_total"], prev["rework_total"])),
        ("逾期未办结（起）", f"{cur['overdue']:,}", f"{prev['overdue']:,}", _change(cur["overdue"], prev["overdue"])),
    ]
    top_types = [(r["name"], r["value"], prev_types.get(r["code"], 0)) for r in types[:5]]
    systems = three_systems(reader, jurisdiction, f, pf)
    return {
        "title": f"{jurisdiction.name}寄递安全监管{start.year}年{start.month}月分析报告",
        "number": f"{start.year}年第{start.month}期",
        "authority": authority_of(jurisdiction), "issue_date_cn": chinese_date(clock.today()),
        "jurisdiction": jurisdiction, "month": start, "period_cn": f"{chinese_date(start)}至{chinese_date(end)}",
        "loop": cur, "prev": prev, "compare": compare, "types": types, "top_types": top_types,
        "areas": area_rows, "area_label": "县区" if level_key == "counties" else "网格",
        "brands": brands[:8], "states": states, "enforcement": enforcement,
        "duty": [(duty.heading_cn(k), len(v), v[:3]) for k, v in record.lines.items()],
        "chart_types": svg.pie([(r["name"], r["value"]) for r in types[:8]]),
        "chart_areas": svg.bars([(r["name"], r["value"]) for r in area_rows[:10]],
                                compare=[prev_area.get(r["code"], 0) for r in area_rows[:10]],
                                legend=(f"{start.month}月", f"{pstart.month}月")),
        "chart_states": svg.bars([(r["name"], r["value"]) for r in states]),
        "systems": systems, "systems_view": _three_systems_view(systems, start, pstart),
        "figures": {"loop": {k: v for k, v in cur.items() if k != "close_hours"}, "previous_total": prev["total"],
                    "types": {r["code"]: r["value"] for r in types}, "three_systems": systems},
    }


def three_systems(reader: Any, jurisdiction: Jurisdiction, f: Filters, pf: Filters) -> dict[str, Any]:
    """The three systems (三项制度) of the month for the report: the figures of the dashboard
    (indicators.compliance, low_outlets, early_warnings, aggregate queries over the reader's scope), the
    month against the previous one, per county (city report) or per brand (county report), the lowest
    screening outlets and the warnings by kind. JSON-ready; `has_parcels` False means no parcel data."""
    data = indicators.compliance(reader, f)
    cur, prev = data["total"], indicators.compliance(reader, pf)["total"]
    by = "counties" if jurisdiction.level == Level.CITY else "brands"
    brand_names = {r["code"]: r["name"] for r in data["brands"]}
    lowest = indicators.low_outlets(reader, f)[:LOWEST_OUTLETS] if cur["parcels"] else []
    with translation.override("zh-hans"):  # the report is a Chinese document whoever asks for it
        warns = indicators.early_warnings(reader, f)
    systems = {name: {"rate": cur[name], "missed": cur[f"{name}_missed"], "previous": prev[name],
                      "change_points": None if cur[name] is None or prev[name] is None
                      else round((cur[name] - prev[name]) * 100, 4)} for name in indicators.SYSTEMS}
    return {
        "has_parcels": bool(cur["parcels"]), "parcels": cur["parcels"], "days": cur["days"],
        "previous_parcels": prev["parcels"], "systems": systems, "by": by,
        "groups": [{"code": r["code"], "name": r["name"], "parcels": r["parcels"],
                    **{name: r[name] for name in indicators.SYSTEMS}} for r in data[by]],
        "lowest": [{"id": r["id"], "code": r["code"], "name": r["name"], "county": r["county"],
                    "brand": brand_names.get(r["brand"], r["brand"]), "parcels": r["parcels"],
                    **{name: r[name] for name in indicators.SYSTEMS}} for r in lowest],
        "warnings": {"total": warns["total"], "open": warns["open"],
                     "kinds": [{"code": r["code"], "name": r["name"], "total": r["total"],
                                "open": sum(r[s] for s in OPEN_STATUSES)} for r in warns["kinds"]]},
    }


def _three_systems_view(ts: dict[str, Any], start: dt.date, pstart: dt.date) -> dict[str, Any]:
    """The strings and the chart of the report's three-systems section."""
    rows = [(SYSTEM_LABELS[name], _rate(v["rate"]), f"{v['missed']:,}", _rate(v["previous"]),
             _change(v["rate"], v["previous"], pct=True, places=2)) for name, v in ts["systems"].items()]
    groups = [(g["name"], f"{g['parcels']:,}", *[_rate(g[name]) for name in indicators.SYSTEMS])
              for g in ts["groups"]]
    lowest = [(o["name"], o["county"] or "—", o["brand"] or "—", f"{o['parcels']:,}",
               *[_rate(o[name]) for name in ("screening", "realname", "inspection")]) for o in ts["lowest"]]
    chart = svg.rate_bars([(g["name"], [None if g[n] is None else g[n] * 100 for n in indicators.SYSTEMS])
                           for g in ts["groups"][:10]], series=list(SYSTEM_LABELS.values())) if groups else ""
    return {"rows": rows, "groups": groups, "group_label": "县区" if ts["by"] == "counties" else "品牌",
            "lowest": lowest, "chart": chart, "month": start.month, "previous_month": pstart.month}


def authority_of(j: Jurisdiction | None) -> str:
    """Who issues a report or record of this jurisdiction: the city's bureau (PARCELGUARD_AUTHORITY_NAME)
    for the city, the county's safety centre for a county or a grid inside it."""
    from parcelguard.documents.issuers import bureau_issuer, issuer_for

    return bureau_issuer().name if j is None else issuer_for(j).name


def report_pdf(jurisdiction: Jurisdiction, month: dt.date) -> tuple[bytes, dict[str, Any]]:
    ctx = report_context(jurisdiction, month)
    return render_pdf("analytics/report_pdf.html", ctx), ctx


def report_generate(*, jurisdiction: Jurisdiction, month: dt.date, actor: Any = None) -> Report:
    """Render and keep one month's report of one jurisdiction (replacing an earlier one)."""
    if jurisdiction.level not in (Level.CITY, Level.COUNTY):
        raise Invalid(_("Reports are made for the city and for counties."), code="report_level")
    started = time.perf_counter()
    first = month.replace(day=1)
    pdf, ctx = report_pdf(jurisdiction, first)
    seconds = time.perf_counter() - started
    with transaction.atomic():
        report = Report.objects.select_for_update().filter(jurisdiction=jurisdiction, month=first).first()
        old = report.pdf.name if report and report.pdf else ""
        report = report or Report(jurisdiction=jurisdiction, month=first)
        report.title = ctx["title"]
        report.figures = ctx["figures"]
        report.generated_at = clock.now()
        report.generated_by = actor if getattr(actor, "pk", None) else None
        report.seconds = round(seconds, 3)
        report.size = len(pdf)
        report.pdf.save(f"{jurisdiction.code}-{first:%Y-%m}.pdf", ContentFile(pdf), save=False)
        report.save()
    if old and old != report.pdf.name:
        report.pdf.storage.delete(old)
    return report


def report_request(*, user: Any, jurisdiction_code: str, month: dt.date) -> Report:
    """A user asks for a report now: only regulators, only for a jurisdiction inside their own."""
    if getattr(user, "role", None) not in GENERATE_ROLES:
        raise Forbidden(_("Your role may not generate reports."))
    jurisdiction = get_for(user, Jurisdiction.objects.filter(level__in=[Level.CITY, Level.COUNTY]),
                           code=jurisdiction_code)
    return report_generate(jurisdiction=jurisdiction, month=month, actor=user)


def monthly_reports(month: dt.date | None = None) -> list[Report]:
    """The scheduled job: last month's report for the city and every county."""
    month = month or previous_month(clock.today())
    places = Jurisdiction.objects.filter(level__in=[Level.CITY, Level.COUNTY]).order_by("path")
    return [report_generate(jurisdiction=j, month=month) for j in places]


def refresh_snapshots() -> int:
    """The summary job: every figure of the default view for the city and every county, recomputed and
    stored in FigureSnapshot. Returns how many figures it stored."""
    import time as _time

    from parcelguard.analytics.models import FigureSnapshot

    f = Filters.parse({})
    stored = 0
    for place in Jurisdiction.objects.filter(level__in=[Level.CITY, Level.COUNTY]).order_by("path"):
        reader = ReaderOf(place)
        for name in indicators.FIGURES:
            started = _time.perf_counter()
            data = indicators.compute(name, reader, f)  # from the summary table when fresh, else live
            FigureSnapshot.objects.update_or_create(
                name=name, scope_key=indicators.scope_key(reader), query=f.query(),
                defaults={"data": data, "computed_at": clock.now(), "seconds": _time.perf_counter() - started})
            stored += 1
    FigureSnapshot.objects.filter(computed_at__lt=clock.now() - dt.timedelta(days=2)).delete()
    return stored
