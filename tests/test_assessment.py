"""County assessment (市对县综治考评) and work circulars (工作通报): the score equals a hand computation on a
small city, changes exactly as the weights change, is published with its method, ranking, records and PDF;
a circular is numbered by its issuing body, names late reporters and spot checks, and reaches only the
enterprises it names."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from io import BytesIO

import pytest
import time_machine
from django.utils import timezone
from pypdf import PdfReader

from parcelguard.assessment import indicators, scoring, services
from parcelguard.assessment.models import Assessment, Circular, Method
from parcelguard.assessment.seed import ITEMS
from parcelguard.assessment.testing import ensure_method
from parcelguard.core.errors import Conflict, Forbidden, Invalid
from parcelguard.core.models import StatusChange
from parcelguard.events.models import Notification
from parcelguard.events.testing import ensure_taxonomy, placed_event
from parcelguard.evidence.services import evidence_open
from parcelguard.selfcheck import services as selfcheck
from parcelguard.selfcheck.testing import all_in_order, ensure_checklist


def local(*args: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime(*args))


NOW = local(2026, 12, 10, 10)


def pdf_text(evidence) -> str:
    with evidence_open(evidence) as f:
        reader = PdfReader(BytesIO(f.read()))
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))


def method_v1() -> Method:
    return ensure_method()


@pytest.fixture
def city(cast):
    """November 2026 in the cast's city, by hand:

    Hanjiang (A): e1 closed on time at county level; e2 closed late after escalation; e3 reminded, past its
    rectification deadline (overdue); e4 verified, deadline in December; e5 rejected. Enterprise X filed its
    October report on time (3 Nov).
    Licheng (B): f1 closed on time at county level; enterprise Y never filed its October report.
    """
    ensure_taxonomy()
    checklist = ensure_checklist()
    a1, a2, b1 = cast.outlet_a1, cast.outlet_a2, cast.outlet_b1
    with time_machine.travel(local(2026, 11, 30, 12), tick=False):
        placed_event(a1, reported=local(2026, 11, 2), closed=local(2026, 11, 10), rectify_by=local(2026, 11, 15))
        placed_event(a2, reported=local(2026, 11, 3), closed=local(2026, 11, 20), rectify_by=local(2026, 11, 15),
                     escalated=local(2026, 11, 16))
        placed_event(a1, state="reminded", reported=local(2026, 11, 4), rectify_by=local(2026, 11, 25),
                     deadline=local(2026, 11, 25))
        placed_event(a2, state="verified", reported=local(2026, 11, 20), deadline=local(2026, 12, 20))
        placed_event(a1, state="rejected", reported=local(2026, 11, 21))
        placed_event(b1, reported=local(2026, 11, 2), closed=local(2026, 11, 5), rectify_by=local(2026, 11, 10))
    with time_machine.travel(local(2026, 11, 3, 9), tick=False):
        selfcheck.report_submit(user=cast.officer_x, county_id=cast.county_a.pk, month="2026-10",
                                answers=all_in_order(checklist))
    with time_machine.travel(NOW, tick=False):
        yield cast


def lines(result, county):
    row = next(r for r in result.counties if r.county == county)
    return row, {line.code: line for line in row.lines}


def test_the_score_equals_the_hand_computation(city):
    result = scoring.compute(city.city_bureau, scoring.parse_period("2026-11"), method_v1())
    a, la = lines(result, city.county_a)
    b, lb = lines(result, city.county_b)
    assert [(k, la[k].num, la[k].den) for k in la] == [
        ("closure_rate", 2, 3), ("ontime_rate", 1, 3), ("county_share", 1, 2), ("overdue_free", 1, 2),
        ("inspections_done", 0, 0), ("selfcheck_ontime", 1, 1)]
    assert [(k, lb[k].num, lb[k].den) for k in lb] == [
        ("closure_rate", 1, 1), ("ontime_rate", 1, 1), ("county_share", 1, 1), ("overdue_free", 0, 0),
        ("inspections_done", 0, 0), ("selfcheck_ontime", 0, 1)]
    # A: 25·2/3 + 20·1/3 + 15·1/2 + 10·1/2 + 15 (nothing due) + 15·1 = 65.8333…
    assert a.score == Decimal("65.83")
    # B: 25 + 20 + 15 + 10 (nothing open) + 15 (nothing due) + 0 = 85
    assert b.score == Decimal("85.00")
    assert (b.rank, a.rank) == (1, 2) and result.counties[0].county == city.county_b
    assert la["inspections_done"].rate is None and la["inspections_done"].points == Decimal("15.00")


def test_the_loop_figures_are_the_dashboards(city):
    """The same definitions as the analysis pages: a county centre's dashboard loop gives the same counts."""
    from parcelguard.analytics.filters import Filters
    from parcelguard.analytics.indicators import loop

    got = loop(city.centre_a, Filters(start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 30)))
    result = scoring.compute(city.city_bureau, scoring.parse_period("2026-11"), method_v1())
    _row, la = lines(result, city.county_a)
    assert (la["closure_rate"].num, la["closure_rate"].den) == (got["closed"], got["due"])
    assert la["ontime_rate"].num == got["ontime"]
    assert (la["county_share"].num, la["county_share"].den) == (got["closed_county"], got["closed"])


def test_the_score_changes_exactly_as_a_weight_changes(city):
    v1 = method_v1()
    items = [dict(i) for i in ITEMS]
    items[0]["weight"], items[1]["weight"] = "35", "10"  # closure 25 → 35, on time 20 → 10
    v2 = services.method_publish(user=city.city_bureau, title="考评办法（修订）", items=items)
    assert v2.version == 2 and Method.objects.get(version=1).items == v1.items  # the old version is untouched
    period = scoring.parse_period("2026-11")
    before, after = scoring.compute(city.city_bureau, period, v1), scoring.compute(city.city_bureau, period, v2)
    # A: 35·2/3 + 10·1/3 + 7.5 + 5 + 15 + 15 = 69.1666…; B's two rates are both 1, so B does not move
    assert lines(after, city.county_a)[0].score == Decimal("69.17")
    assert lines(before, city.county_a)[0].score == Decimal("65.83")
    assert lines(after, city.county_b)[0].score == lines(before, city.county_b)[0].score == Decimal("85.00")
    items[5]["weight"], items[4]["weight"] = "25", "5"  # self-report timeliness weighs more: B = 35+10+15+10+5+0
    v3 = services.method_publish(user=city.city_bureau, title="考评办法（再修订）", items=items)
    assert lines(scoring.compute(city.city_bureau, period, v3), city.county_b)[0].score == Decimal("75.00")


@pytest.mark.parametrize(("items", "code"), [
    ([{"indicator": "closure_rate", "weight": "90"}], "weights_not_100"),
    ([{"indicator": "no_such", "weight": "100"}], "unknown_indicator"),
    ([{"indicator": "closure_rate", "weight": "abc"}], "invalid_weight"),
    ([{"indicator": "closure_rate", "weight": "60"}, {"indicator": "closure_rate", "weight": "40"}],
     "invalid_item_code"),
    ([], "no_items"),
])
def test_a_bad_method_is_refused_and_nothing_is_published(city, items, code):
    method_v1()
    with pytest.raises(Invalid) as err:
        services.method_publish(user=city.city_bureau, title="考评办法", items=items)
    assert err.value.code == code and Method.objects.count() == 1


def test_only_the_city_bureau_publishes(city):
    method_v1()
    with pytest.raises(Forbidden):
        services.method_publish(user=city.centre_a, title="考评办法", items=ITEMS)
    with pytest.raises(Forbidden):
        services.assessment_publish(user=city.centre_a, period="2026-11")


def test_publishing_keeps_the_result_with_its_method_ranking_trail_and_pdf(city, client_for):
    method_v1()
    made = services.assessment_publish(user=city.city_bureau, period="2026-11")
    assert made.number == "莆邮管考〔2026〕1号" and made.method.version == 1
    assert [(s.county.code, s.rank, s.score) for s in made.scores.order_by("rank")] == [
        ("350304", 1, Decimal("85.00")), ("350303", 2, Decimal("65.83"))]
    change = StatusChange.objects.get(subject=f"assessment:{made.pk}")
    assert change.data["scores"] == {"350303": "65.83", "350304": "85.00"}
    assert Notification.objects.filter(user=city.centre_a, subject=f"assessment:{made.pk}").exists()
    text = pdf_text(made.pdf)
    for part in ("2026年11月县区寄递安全综治考评结果", "莆邮管考〔2026〕1号", "莆田市县区寄递安全综治考评办法（2026版）",
                 "隐患闭环结案率", "涵江区", "荔城区", "65.83", "85.00", "2/3", "莆田市邮政管理局"):
        assert part in text, part
    with pytest.raises(Conflict) as err:
        services.assessment_publish(user=city.city_bureau, period="2026-11")
    assert err.value.code == "assessment_exists"
    # the figures of a published result do not move when the records do
    from parcelguard.events.models import Event

    Event.objects.filter(state="reminded").update(state="closed", closed_at=local(2026, 12, 5))
    made.refresh_from_db()
    assert made.scores.get(county=city.county_a).score == Decimal("65.83")
    # pages: the ranking, each figure's records, the PDF
    page = client_for(city.city_bureau).get(f"/assessment/{made.pk}/")
    assert page.status_code == 200 and "65.83" in page.content.decode()
    records = client_for(city.city_bureau).get(f"/assessment/{made.pk}/records/350303/closure_rate/")
    body = records.content.decode()
    assert records.status_code == 200 and body.count("/events/") >= 3
    assert client_for(city.city_bureau).get(f"/assessment/{made.pk}.pdf")["Content-Type"] == "application/pdf"
    # a county centre reads the ranking, but the records of its own county only
    assert client_for(city.centre_a).get(f"/assessment/{made.pk}/").status_code == 200
    assert client_for(city.centre_a).get(f"/assessment/{made.pk}/records/350303/closure_rate/").status_code == 200
    assert client_for(city.centre_a).get(f"/assessment/{made.pk}/records/350304/closure_rate/").status_code == 404
    assert client_for(city.officer_x).get(f"/assessment/{made.pk}/").status_code == 404


@pytest.mark.parametrize(("period", "code"), [("2026-12", "period_not_over"), ("2027", "period_in_future"),
                                              ("2026-13", "invalid_period"), ("11/2026", "invalid_period")])
def test_a_period_not_over_or_malformed_is_refused(city, period, code):
    method_v1()
    with pytest.raises(Invalid) as err:
        services.assessment_publish(user=city.city_bureau, period=period)
    assert err.value.code == code and not Assessment.objects.exists()


def test_quarter_and_year_periods():
    with time_machine.travel(NOW, tick=False):
        q = scoring.parse_period("2026-q3")
        assert (q.code, q.start, q.end, q.label_cn) == ("2026-Q3", dt.date(2026, 7, 1), dt.date(2026, 10, 1),
                                                        "2026年第三季度")
        y = scoring.parse_period("2025")
        assert (y.start, y.end, y.label_cn) == (dt.date(2025, 1, 1), dt.date(2026, 1, 1), "2025年度")
        assert [p.code for p in scoring.last_periods()] == ["2026-11", "2026-Q3", "2025"]


def test_the_indicator_rows_are_the_counted_records(city):
    for code, indicator in indicators.INDICATORS.items():
        counts = indicator.counts(city.city_bureau, local(2026, 11, 1), local(2026, 12, 1), local(2026, 12, 1))
        for county in (city.county_a, city.county_b):
            rows = indicator.rows(city.city_bureau, county.path, local(2026, 11, 1), local(2026, 12, 1),
                                  local(2026, 12, 1))
            assert (sum(r.counted for r in rows), len(rows)) == counts.get(county.path, (0, 0)), code


def test_a_county_centre_issues_a_numbered_circular_sent_only_to_the_enterprises_named(city, client_for):
    made = services.circular_issue(user=city.centre_b, month="2026-11", practice="镇海街道网点推行视频抽查，效果良好。")
    assert made.number == "荔邮安通〔2026〕1号" and made.issuer_name == "荔城区邮政业安全中心"
    assert [row["enterprise"] for row in made.content["late"]] == ["莆田市荔城区圆通速递有限公司"]
    assert made.content["late"][0]["status"] == "missing"
    assert list(made.addressees.all()) == [city.enterprise_y]
    text = pdf_text(made.pdf)
    for part in ("荔邮安通〔2026〕1号", "荔城区邮政业安全中心", "2026年11月", "莆田市荔城区圆通速递有限公司", "未报",
                 "镇海街道网点推行视频抽查"):
        assert part in text, part
    assert "邮政管理局" not in text  # a county centre is not a bureau
    assert Notification.objects.filter(user=city.officer_y, subject=f"circular:{made.pk}").exists()
    assert not Notification.objects.filter(user=city.officer_x).exists()
    assert client_for(city.officer_y).get(f"/assessment/circulars/{made.pk}/").status_code == 200
    assert client_for(city.officer_y).get(f"/assessment/circulars/{made.pk}.pdf").status_code == 200
    assert client_for(city.officer_x).get(f"/assessment/circulars/{made.pk}/").status_code == 404
    assert client_for(city.centre_a).get(f"/assessment/circulars/{made.pk}/").status_code == 404
    assert client_for(city.city_bureau).get(f"/assessment/circulars/{made.pk}/").status_code == 200
    second = services.circular_issue(user=city.city_bureau, month="2026-11")
    assert second.number == "莆邮管通〔2026〕1号" and second.issuer_name == "莆田市邮政管理局"
    assert client_for(city.centre_a).get(f"/assessment/circulars/{second.pk}/").status_code == 200


def test_spot_checks_and_good_practice_come_from_the_records(city):
    from parcelguard.selfcheck.models import MonthlyReport

    report = MonthlyReport.objects.get(enterprise=city.enterprise_x)
    MonthlyReport.objects.filter(pk=report.pk).update(state="confirmed", check_method="video",
                                                      checked_at=local(2026, 11, 20))
    content = services.circular_content(city.centre_a, dt.date(2026, 11, 1))
    assert [(c["enterprise"], c["result"]) for c in content["checks"]] == [("莆田市涵江区中通快递服务有限公司", "confirmed")]
    assert [g["enterprise"] for g in content["good"]] == ["莆田市涵江区中通快递服务有限公司"]
    assert content["late"] == [] and content["totals"]["owed"] == 1 and content["totals"]["on_time"] == 1


@pytest.mark.parametrize(("who", "month", "code"), [("officer_x", "2026-11", "role_not_allowed"),
                                                    ("centre_a", "2027-01", "month_in_future"),
                                                    ("centre_a", "2026/11", "invalid_month"),
                                                    ("centre_a", "2026-06", "nothing_to_circulate")])
def test_bad_circulars_are_refused_with_nothing_written(city, who, month, code):
    from parcelguard.registry.models import Site

    if code == "nothing_to_circulate":  # no outlet active any more in Hanjiang: no report owed, none checked
        Site.objects.filter(county=city.county_a).update(status="closed")
    with pytest.raises((Forbidden, Invalid)) as err:
        services.circular_issue(user=getattr(city, who), month=month)
    assert err.value.code == code and not Circular.objects.exists()


def test_pages_answer_every_role(city, client_for):
    method_v1()
    for who in ("city_bureau", "centre_a", "procurator"):
        c = client_for(getattr(city, who))
        assert c.get("/assessment/").status_code == 200
        assert c.get("/assessment/method/").status_code == 200
        assert c.get("/assessment/circulars/").status_code == 200
    page = client_for(city.city_bureau).get("/assessment/?period=2026-11")
    assert page.status_code == 200 and "65.83" in page.content.decode()
    assert client_for(city.city_bureau).get("/assessment/?period=junk").status_code == 400
    assert client_for(city.officer_x).get("/assessment/").status_code == 302
    assert client_for(city.officer_x).get("/assessment/circulars/").status_code == 200
    assert client_for(city.worker_a1).get("/assessment/circulars/").status_code == 404


def test_the_api_publishes_and_reads_the_assessment_and_circulars(city, client_for):
    method_v1()
    bureau = client_for(city.city_bureau)
    got = bureau.get("/api/v1/assessment/preview?period=2026-11").json()
    assert [(c["county_code"], c["rank"], c["score"]) for c in got["counties"]] == [("350304", 1, 85.0),
                                                                                     ("350303", 2, 65.83)]
    made = bureau.post("/api/v1/assessment/results", {"period": "2026-11"}, content_type="application/json")
    assert made.status_code == 201 and made.json()["number"] == "莆邮管考〔2026〕1号"
    pk = made.json()["id"]
    again = bureau.post("/api/v1/assessment/results", {"period": "2026-11"}, content_type="application/json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "assessment_exists"
    centre = client_for(city.centre_a).get(f"/api/v1/assessment/results/{pk}").json()
    links = {c["county_code"]: c["figures"][0]["records_url"] for c in centre["counties"]}
    assert links["350304"] is None and links["350303"].endswith("/records/350303/closure_rate/")
    rows = client_for(city.centre_a).get(f"/api/v1/assessment/results/{pk}/records/350303/closure_rate").json()
    assert sum(r["counted"] for r in rows) == 2 and len(rows) == 3
    bad = bureau.post("/api/v1/assessment/method", {"title": "新办法", "items": [
        {"indicator": "closure_rate", "weight": 50}]}, content_type="application/json")
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "weights_not_100"
    ok = bureau.post("/api/v1/assessment/method", {"title": "新办法", "items": [
        {"indicator": "closure_rate", "weight": 60}, {"indicator": "selfcheck_ontime", "weight": 40}]},
        content_type="application/json")
    assert ok.status_code == 201 and ok.json()["version"] == 2
    assert client_for(city.officer_x).get("/api/v1/assessment/method").status_code == 403
    issued = client_for(city.centre_b).post("/api/v1/assessment/circulars", {"month": "2026-11"},
                                            content_type="application/json")
    assert issued.status_code == 201 and issued.json()["number"] == "荔邮安通〔2026〕1号"
    assert [c["number"] for c in client_for(city.officer_y).get("/api/v1/assessment/circulars").json()] == [
        "荔邮安通〔2026〕1号"]
    assert client_for(city.officer_x).get("/api/v1/assessment/circulars").json() == []


def test_inspections_done_counts_the_drawn_inspections_submitted_by_their_due_moment(cast):
    """A November plan drawn through the real services; one inspection submitted in time, one late, one
    never; the indicator counts each county's inspections falling due in November."""
    from parcelguard.inspections import services as inspections
    from parcelguard.inspections.models import Inspection
    from parcelguard.inspections.testing import putian_items

    ensure_taxonomy()
    with time_machine.travel(local(2026, 11, 1, 9), tick=False):
        standard = inspections.standard_create(user=cast.city_bureau, code="putian-model", title="示范网点考评标准",
                                               items=putian_items())
        inspections.standard_publish(user=cast.city_bureau, pk=standard.pk)
        from parcelguard.accounts.models import User
        from parcelguard.accounts.roles import Role

        for n, place in enumerate([cast.city] * 3 + [cast.county_a] * 2 + [cast.county_b] * 2):
            role = Role.CITY_BUREAU if place == cast.city else Role.COUNTY_CENTRE
            u = User.objects.create_user(f"insp{n}", password="x", role=role, jurisdiction=place)
            inspections.inspector_register(user=cast.city_bureau, officer_id=u.pk, certificate_no=f"闽邮执{n:04d}",
                                           valid_until="2028-12-31")
        plan = inspections.plan_create(user=cast.city_bureau, kind="routine", title="2026年11月日常检查",
                                       starts_on="2026-11-01", ends_on="2026-11-20", standard_id=standard.pk,
                                       ratio="100%", minimum=1)
        inspections.plan_commit(user=cast.city_bureau, pk=plan.pk, version=None)
        inspections.plan_draw(user=cast.city_bureau, pk=plan.pk, version=None)
    drawn = list(Inspection.objects.order_by("pk"))
    due = drawn[0].due_at
    in_a = [i for i in drawn if i.jurisdiction_path.startswith(cast.county_a.path)]
    in_b = [i for i in drawn if i.jurisdiction_path.startswith(cast.county_b.path)]
    assert len(in_a) >= 2 and len(in_b) >= 1
    Inspection.objects.filter(pk=in_a[0].pk).update(state="submitted", submitted_at=due - dt.timedelta(days=2))
    Inspection.objects.filter(pk=in_a[1].pk).update(state="submitted", submitted_at=due + dt.timedelta(days=1))
    with time_machine.travel(NOW, tick=False):
        method = ensure_method()
        result = scoring.compute(cast.city_bureau, scoring.parse_period("2026-11"), method)
    assert (lines(result, cast.county_a)[1]["inspections_done"].num,
            lines(result, cast.county_a)[1]["inspections_done"].den) == (1, len(in_a))
    assert (lines(result, cast.county_b)[1]["inspections_done"].num,
            lines(result, cast.county_b)[1]["inspections_done"].den) == (0, len(in_b))


def test_the_work_queue_asks_for_the_assessment_and_the_circular_until_they_are_issued(city):
    from parcelguard.core import registry

    ensure_method()
    waiting = {i.subject for i in registry.work_for(city.city_bureau, NOW, kinds=["assessment"])}
    assert waiting == {"assessment-due:350300:2026-11", "assessment-due:350300:2026-Q3",
                       "assessment-due:350300:2025"}
    services.assessment_publish(user=city.city_bureau, period="2026-11")
    assert "assessment-due:350300:2026-11" not in {
        i.subject for i in registry.work_for(city.city_bureau, NOW, kinds=["assessment"])}
    assert [i.subject for i in registry.work_for(city.centre_b, NOW, kinds=["assessment"])] == [
        "circular-due:350304:2026-11"]
    services.circular_issue(user=city.centre_b, month="2026-11")
    assert registry.work_for(city.centre_b, NOW, kinds=["assessment"]) == []
    assert registry.figure("assessment.circulars").compute(city.centre_b, local(2026, 12, 1), local(2027, 1, 1)) == 1
    assert registry.figure("assessment.circulars").compute(city.centre_a, local(2026, 12, 1), local(2027, 1, 1)) == 0
