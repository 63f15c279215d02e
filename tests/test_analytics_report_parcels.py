"""The monthly report's three-systems section (三项制度落实情况): from a small hand-built set of outlet-day
metrics in two months (two counties, two brands, a day without parcels) the PDF shows each system's
parcel-weighted rate, the parcels it missed and the change from the previous month, the rates per county
(city report) or per brand (county report), the lowest screening outlets and the month's early warnings
by kind; a county's report holds nothing of the other county; with no parcel data, one sentence."""

from __future__ import annotations

import datetime as dt
import io
import math

import pytest
from django.utils import timezone
from pypdf import PdfReader

from parcelguard.analytics import reports, svg
from parcelguard.parcels.models import EarlyWarning, OutletDayMetric
from parcelguard.registry.models import Site
from parcelguard.testing.analytics import frozen_without_cache, yto_outlet_in_a

NOW = timezone.make_aware(dt.datetime(2026, 11, 3, 10, 0))
OCTOBER = dt.date(2026, 10, 1)
SYSTEMS = ("realname", "inspection", "screening")


@pytest.fixture(autouse=True)
def _frozen(settings):
    yield from frozen_without_cache(settings, NOW)


def day(month: int, d: int) -> dt.date:
    return dt.date(2026, month, d)


def text_of(data: bytes) -> str:
    return "".join("".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def yto_a(cast) -> Site:
    return yto_outlet_in_a(cast)


@pytest.fixture
def metrics(cast, yto_a):
    """(site, day, parcels, realname, inspection, screening), as stored."""
    rows = [
        (cast.outlet_a1, day(10, 5), 200, 0.99, 0.95, 0.90),
        (cast.outlet_a1, day(10, 6), 0, 0.0, 0.0, 0.0),  # no parcels: no weight
        (cast.outlet_a2, day(10, 5), 100, 0.96, 0.90, 0.60),
        (yto_a, day(10, 7), 100, 1.0, 1.0, 0.95),
        (cast.outlet_b1, day(10, 5), 400, 0.98, 0.97, 0.80),
        (cast.outlet_b1, day(10, 8), 200, 0.95, 0.94, 0.70),
        (cast.outlet_a1, day(9, 10), 100, 0.97, 0.93, 0.85),  # September: the previous month
        (cast.outlet_b1, day(9, 10), 100, 0.99, 0.99, 0.90),
        (cast.outlet_b1, day(11, 1), 900, 0.1, 0.1, 0.1),  # November: after the month
    ]
    for site, d, n, r, i, s in rows:
        OutletDayMetric.objects.create(site=site, day=d, parcels=n, realname_rate=r, inspection_rate=i,
                                       screening_rate=s)
    return rows


def warning(n, kind, severity, status, *, site=None, when=None):
    moment = timezone.make_aware(dt.datetime.combine(when or day(10, 5), dt.time(9)))
    return EarlyWarning.objects.create(
        key=f"k{n}", kind=kind, subject_type="outlet" if site else "sender", subject_id=site.code if site else f"s{n}",
        site=site, enterprise=site.enterprise if site else None, county=site.county if site else None,
        jurisdiction_path=site.jurisdiction_path if site else "350300/", window_start=moment, count=10,
        severity=severity, status=status, first_seen_at=moment, last_seen_at=moment)


@pytest.fixture
def warnings(cast):
    return [
        warning(1, "LOW_SCREENING", "high", "new", site=cast.outlet_a2),
        warning(2, "LOW_SCREENING", "medium", "acknowledged", site=cast.outlet_b1),
        warning(3, "LOW_SCREENING", "high", "dismissed", site=cast.outlet_b1, when=day(10, 8)),
        warning(4, "SCREENED_WHILE_DOWN", "high", "converted", site=cast.outlet_b1),
        warning(5, "LOW_REALNAME", "low", "new", site=cast.outlet_a1, when=day(10, 31)),
        warning(6, "SENDER_SPREAD", "medium", "new"),  # several outlets: the city's only
        warning(7, "LOW_SCREENING", "high", "new", site=cast.outlet_a1, when=day(9, 20)),  # September
    ]


def direct(rows, month, keep=lambda row: True):
    """sum(rate × parcels) / sum(parcels) over the month's outlet-days, written out plainly."""
    chosen = [r for r in rows if r[1].month == month and keep(r)]
    parcels = sum(r[2] for r in chosen)
    out = {"parcels": parcels}
    for k, name in enumerate(SYSTEMS):
        done = sum(r[3 + k] * r[2] for r in chosen)
        out[name] = done / parcels if parcels else None
        out[f"{name}_missed"] = round(parcels - done)
    return out


def pct(v):
    """Shown as on the dashboard: truncated to two decimals."""
    return f"{math.floor(round(v * 10000, 2)) / 100:.2f}%"


def points(cur, prev):
    d = round((cur - prev) * 100, 2)
    return f"{'+' if d >= 0 else ''}{d:.2f}个百分点"


def test_the_city_report_has_the_three_systems_against_last_month(cast, metrics, warnings):
    report = reports.report_generate(jurisdiction=cast.city, month=OCTOBER)
    text = text_of(report.pdf.read())
    oct_, sep = direct(metrics, 10), direct(metrics, 9)
    # the hand computation, for the reader: 976/1000, 956/1000, 795/1000 against 196/200, 192/200, 175/200
    assert (oct_["parcels"], oct_["realname"], oct_["screening"]) == (1000, pytest.approx(0.976),
                                                                      pytest.approx(0.795))
    assert "六、三项制度落实情况" in text and "七、履职情况" in text
    assert "各网点共收寄包裹1000件" in text
    assert "（一）落实率及与上月对比" in text and "10月落实率" in text and "9月落实率" in text
    for name, label in (("realname", "实名收寄"), ("inspection", "收寄验视"), ("screening", "过机安检")):
        row = (f"{label}{pct(oct_[name])}{oct_[name + '_missed']}{pct(sep[name])}"
               f"{points(oct_[name], sep[name])}")
        assert row in text, row
    assert "过机安检79.50%205" + "87.50%-8.00个百分点" in text
    # per county (Licheng's 460/600 screening is 76.66 %, truncated, not 76.67 %)
    assert "（二）分县区落实情况" in text
    for county in (cast.county_a, cast.county_b):
        c = direct(metrics, 10, lambda r, c=county: r[0].county_id == c.pk)
        row = f"{county.name}{c['parcels']}{pct(c['realname'])}{pct(c['inspection'])}{pct(c['screening'])}"
        assert row in text, row
    assert "荔城区60097.00%96.00%76.66%" in text
    # the lowest screening outlets: Baitang (60 %) first; four outlets have parcels
    assert "（三）过机安检率最低的网点（前4位）" in text
    assert f"{cast.outlet_a2.name}涵江区中通快递10060.00%96.00%90.00%" in text
    order = [text.index(s.name + ("涵江区" if s.county_id == cast.county_a.pk else "荔城区"))
             for s in (cast.outlet_a2, cast.outlet_b1, cast.outlet_a1)]
    assert order == sorted(order)
    # the warnings of October by kind: total, still open (new or acknowledged)
    assert "本月产生预警6起，其中尚未处置（新预警或已知悉）4起" in text
    assert "未落实过机安检32" in text  # 3 low-screening warnings, 2 open
    assert "安检机停机期间有过机记录10" in text and "未落实实名收寄11" in text
    assert "同一寄件人一日内在多个网点寄件11" in text
    figures = report.figures["three_systems"]
    assert figures["parcels"] == 1000 and figures["previous_parcels"] == 200 and figures["by"] == "counties"
    for name in SYSTEMS:
        got = figures["systems"][name]
        assert got["rate"] == pytest.approx(oct_[name]) and got["previous"] == pytest.approx(sep[name])
        assert got["missed"] == oct_[name + "_missed"]
        assert got["change_points"] == pytest.approx((oct_[name] - sep[name]) * 100)
    assert [g["code"] for g in figures["groups"]] == [cast.county_a.code, cast.county_b.code]
    assert figures["lowest"][0]["id"] == cast.outlet_a2.pk and len(figures["lowest"]) == 4
    assert figures["warnings"]["total"] == 6 and figures["warnings"]["open"] == 4
    kinds = {k["code"]: (k["total"], k["open"]) for k in figures["warnings"]["kinds"]}
    assert kinds == {"LOW_SCREENING": (3, 2), "SCREENED_WHILE_DOWN": (1, 0), "LOW_REALNAME": (1, 1),
                     "SENDER_SPREAD": (1, 1)}


def test_a_county_report_shows_its_brands_and_nothing_of_the_other_county(cast, metrics, warnings, yto_a):
    report = reports.report_generate(jurisdiction=cast.county_a, month=OCTOBER)
    text = text_of(report.pdf.read())
    mine = lambda r: r[0].county_id == cast.county_a.pk  # noqa: E731
    oct_, sep = direct(metrics, 10, mine), direct(metrics, 9, mine)
    assert oct_["parcels"] == 400 and oct_["screening"] == pytest.approx(335 / 400)
    assert "各网点共收寄包裹400件" in text
    for name, label in (("realname", "实名收寄"), ("inspection", "收寄验视"), ("screening", "过机安检")):
        row = (f"{label}{pct(oct_[name])}{oct_[name + '_missed']}{pct(sep[name])}"
               f"{points(oct_[name], sep[name])}")
        assert row in text, row
    assert "过机安检83.75%6585.00%-1.25个百分点" in text and "实名收寄98.50%697.00%+1.50个百分点" in text
    # per brand: the YTO row is Hanjiang's YTO outlet only, not Licheng's
    assert "（二）分品牌落实情况" in text
    for brand, name in (("ZTO", "中通快递"), ("YTO", "圆通速递")):
        b = direct(metrics, 10, lambda r, b=brand: mine(r) and r[0].enterprise.brand_id == b)
        row = f"{name}{b['parcels']}{pct(b['realname'])}{pct(b['inspection'])}{pct(b['screening'])}"
        assert row in text, row
    assert "圆通速递100100.00%100.00%95.00%" in text and "中通快递30098.00%93.33%80.00%" in text
    assert "（三）过机安检率最低的网点（前3位）" in text
    assert "本月产生预警2起，其中尚未处置（新预警或已知悉）2起" in text
    assert "未落实过机安检11" in text and "未落实实名收寄11" in text
    # nothing of Licheng: its name, its outlet, its warnings, the city-wide sender warning, its rates
    for other in ("荔城区", cast.outlet_b1.name, "安检机停机", "同一寄件人", "76.66%", "1000件"):
        assert other not in text, other
    figures = report.figures["three_systems"]
    assert figures["by"] == "brands" and [g["code"] for g in figures["groups"]] == ["YTO", "ZTO"]
    assert {o["id"] for o in figures["lowest"]} == {cast.outlet_a1.pk, cast.outlet_a2.pk, yto_a.pk}


def test_without_parcel_data_one_sentence(cast):
    report = reports.report_generate(jurisdiction=cast.county_b, month=OCTOBER)
    text = text_of(report.pdf.read())
    assert "六、三项制度落实情况本月荔城区无包裹收寄数据，三项制度落实率暂无法统计。七、履职情况" in text
    assert "落实率及与上月对比" not in text and "预警情况" not in text
    figures = report.figures["three_systems"]
    assert figures["has_parcels"] is False and figures["groups"] == [] and figures["lowest"] == []
    assert figures["systems"]["screening"] == {"rate": None, "missed": 0, "previous": None, "change_points": None}


def test_the_guards_refuse_a_grid_and_a_grid_worker(cast):
    """Their messages go through gettext now (msgids for the .po); the codes are unchanged."""
    from parcelguard.core.errors import DomainError

    with pytest.raises(DomainError) as exc:
        reports.report_generate(jurisdiction=cast.grid_a1, month=OCTOBER)
    assert exc.value.code == "report_level"
    with pytest.raises(DomainError) as exc:
        reports.report_request(user=cast.worker_a1, jurisdiction_code=cast.county_a.code, month=OCTOBER)
    assert exc.value.code == "forbidden"


def test_the_rate_chart_is_well_formed():
    import xml.etree.ElementTree as ET

    for chart in (svg.rate_bars([("涵江区", [98.5, 95.0, 83.75]), ("荔城区", [97.0, None, 76.66])],
                                series=["实名收寄", "收寄验视", "过机安检"]),
                  svg.rate_bars([], series=["实名收寄"]), svg.rate_bars([("全部", [0.0, 100.0])], series=["a", "b"])):
        ET.fromstring(chart)
