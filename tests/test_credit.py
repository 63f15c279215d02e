"""Enterprise credit: ratings computed from the platform's own records under the published method (a hand
computation over a fixture that touches every rule), caps, weights changed by a new version, the grade
boundaries, scoping of ratings and of the explanation, refused methods, pages, Excel, API, the seams."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
import time_machine
from django.utils import timezone

from parcelguard.core import registry
from parcelguard.core.errors import Forbidden, Invalid
from parcelguard.credit import selectors, services
from parcelguard.credit.models import Deduction, Rating, RecomputeRun, RuleSet
from parcelguard.credit.seed import GRADES, RULES
from parcelguard.credit.testing import ensure_ruleset
from parcelguard.events.models import Case
from parcelguard.events.testing import ensure_taxonomy, placed_event
from parcelguard.parcels.models import EarlyWarning
from parcelguard.selfcheck.models import MonthlyReport, ReportState
from parcelguard.selfcheck.services import due_at
from parcelguard.selfcheck.testing import all_in_order, ensure_checklist
from parcelguard.trail.models import TrailEntry

NOW = timezone.make_aware(dt.datetime(2026, 11, 20, 10, 0))


def at(month: int, day: int, year: int = 2026) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, month, day, 9, 0))


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _warning(site, key: str, status: str = "new", seen: dt.datetime | None = None) -> EarlyWarning:
    seen = seen or at(10, 8)
    return EarlyWarning.objects.create(
        key=key, kind="LOW_REALNAME", subject_type="outlet", subject_id=site.code, site=site,
        enterprise=site.enterprise, county=site.county, jurisdiction_path=site.jurisdiction_path, window_start=seen,
        count=12, severity="medium", status=status, first_seen_at=seen, last_seen_at=seen)


def _report(cast, enterprise, county, month: dt.date, *, late: bool = False, state: str = "submitted",
            checked: dt.datetime | None = None) -> MonthlyReport:
    checklist = ensure_checklist()
    due = due_at(month)
    officer = cast.officer_x if enterprise == cast.enterprise_x else cast.officer_y
    return MonthlyReport.objects.create(
        enterprise=enterprise, county=county, jurisdiction_path=county.path, month=month, due_at=due,
        submitted_at=due + dt.timedelta(days=2) if late else due - dt.timedelta(days=2), submitted_by=officer,
        checklist=checklist, answers=all_in_order(checklist), state=state, checked_at=checked)


def _months() -> list[dt.date]:
    """The twelve months whose reports fall due in the window ending NOW: 2025-11 … 2026-10."""
    return [dt.date(2025, 11, 1), dt.date(2025, 12, 1)] + [dt.date(2026, m, 1) for m in range(1, 11)]


@pytest.fixture
def records(cast):
    """Every rule touched for enterprise X (outlets in Hanjiang); Y files no report at all."""
    ensure_taxonomy()
    ensure_ruleset()
    x = cast.enterprise_x
    decided = placed_event(cast.outlet_a1, state="decided", reported=at(10, 5), escalated=at(10, 12))
    Case.objects.filter(event=decided).update(outcome="fine", amount=Decimal("15000"), decided_at=at(10, 20))
    reworked = placed_event(cast.outlet_a2, state="closed", reported=at(9, 1), closed=at(9, 20), rework=2)
    plain = placed_event(cast.sorting_centre_a, state="reminded", reported=at(11, 1))
    rejected = placed_event(cast.outlet_a1, state="rejected", reported=at(10, 6))  # not counted
    old = placed_event(cast.outlet_a1, state="closed", reported=at(10, 1, 2025))  # before the window
    warning = _warning(cast.outlet_a1, "w1")
    _warning(cast.outlet_a1, "w2", status="dismissed")  # not counted
    reports = {}
    for month in _months()[:9]:
        reports[month] = _report(cast, x, cast.county_a, month)
    reports["false"] = _report(cast, x, cast.county_a, dt.date(2026, 8, 1), state=ReportState.FALSE,
                               checked=at(10, 15))
    reports["late"] = _report(cast, x, cast.county_a, dt.date(2026, 9, 1), late=True)
    # 2026-10 is missing for X; every month is missing for Y
    return {"decided": decided, "reworked": reworked, "plain": plain, "rejected": rejected, "old": old,
            "warning": warning, "reports": reports, "case": Case.objects.get(event=decided)}


def _current(enterprise) -> Rating:
    return Rating.objects.get(enterprise=enterprise, current=True)


def test_the_score_equals_a_hand_computation_over_every_rule(cast, records):
    run = services.recompute(user=cast.city_bureau)
    x, y = _current(cast.enterprise_x), _current(cast.enterprise_y)
    # hazard events 3×1 + escalated 1×3 + rework 2×2 + a fine decision 5 + 1.5 (10,000 yuan)×2
    # + a warning 0.5 + a late report 2 + a false report 10 + a missing report 4 = 34.5
    assert x.totals == {"hazard_event": "3.00", "event_escalated": "3.00", "event_rework": "4.00",
                        "penalty_case": "5.00", "fine_amount": "3.00", "early_warning": "0.50",
                        "selfcheck_late": "2.00", "selfcheck_false": "10.00", "selfcheck_missing": "4.00"}
    assert x.score == Decimal("65.5") and x.grade == "C"
    # Y: twelve missing reports × 4 = 48, capped at 16
    assert y.totals == {"selfcheck_missing": "16.00"}
    assert y.score == Decimal("84.0") and y.grade == "B"
    assert run.enterprises == 2 and run.deductions == Deduction.objects.count()


def test_the_explanation_lists_exactly_the_records_that_moved_the_score(cast, records, client_for):
    services.recompute(user=cast.city_bureau)
    x = _current(cast.enterprise_x)
    d, r = records["decided"], records["reports"]
    expected = {
        ("hazard_event", f"event:{d.pk}"), ("hazard_event", f"event:{records['reworked'].pk}"),
        ("hazard_event", f"event:{records['plain'].pk}"), ("event_escalated", f"event:{d.pk}"),
        ("event_rework", f"event:{records['reworked'].pk}"), ("penalty_case", f"case:{records['case'].pk}"),
        ("fine_amount", f"case:{records['case'].pk}"), ("early_warning", f"warning:{records['warning'].pk}"),
        ("selfcheck_late", f"selfcheck:{r['late'].pk}"), ("selfcheck_false", f"selfcheck:{r['false'].pk}"),
        ("selfcheck_missing", f"selfcheck-missing:{cast.enterprise_x.pk}:{cast.county_a.pk}:2026-10"),
    }
    assert set(x.deduction_rows.values_list("rule", "subject")) == expected
    page = client_for(cast.city_bureau).get(f"/credit/{x.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    for url in (f"/events/{d.pk}/", f"/events/{records['reworked'].pk}/", f"/parcels/warnings/{records['warning'].pk}/",
                f"/selfcheck/{r['late'].pk}/", f"/selfcheck/{r['false'].pk}/", "/selfcheck/?month=2026-10"):
        assert f'href="{url}"' in html, url
    assert f"/events/{records['rejected'].pk}/" not in html and f"/events/{records['old'].pk}/" not in html
    assert "65.5" in html


def test_a_new_version_changes_the_score_exactly_as_the_weight_changes(cast, records):
    services.recompute(user=cast.city_bureau)
    before = _current(cast.enterprise_x)
    rules = [dict(r, points="2") if r["code"] == "hazard_event" else r for r in RULES]
    v2 = services.ruleset_publish(user=cast.city_bureau, title="2026版（修订）", rules=rules, grades=GRADES)
    assert v2.version == 2 and RuleSet.objects.get(version=1).rules == RULES  # the published version is kept
    services.recompute(user=cast.city_bureau)
    after = _current(cast.enterprise_x)
    assert before.score - after.score == Decimal("3.0")  # three events, one more point each
    assert after.ruleset == v2 and after.previous_grade == before.grade
    assert not Rating.objects.get(pk=before.pk).current  # history stays
    assert [h.pk for h in selectors.history(cast.city_bureau, cast.enterprise_x.pk)] == [after.pk, before.pk]
    assert TrailEntry.objects.filter(action="credit.publish", subject="credit-method:2").exists()
    assert TrailEntry.objects.filter(action="credit.recompute").count() == 2


@pytest.mark.parametrize(("score", "grade"), [
    ("100", "A"), ("90", "A"), ("89.9", "B"), ("75", "B"), ("74.9", "C"), ("60", "C"), ("59.9", "D"), ("0", "D")])
def test_the_grade_boundaries(score, grade):
    assert services.grade_of(Decimal(score), GRADES) == grade


@pytest.mark.parametrize(("points", "grade", "score"), [("10", "A", "90.0"), ("10.5", "B", "89.5"),
                                                        ("25", "B", "75.0"), ("25.1", "C", "74.9")])
def test_the_boundaries_through_real_records(cast, points, grade, score):
    ensure_taxonomy()
    ensure_ruleset()
    placed_event(cast.outlet_b1, state="closed", reported=at(10, 5))
    services.ruleset_publish(user=cast.city_bureau, title="边界测试", grades=GRADES,
                             rules=[{"source": "hazard_event", "points": points}])
    services.recompute(user=cast.city_bureau)
    y = _current(cast.enterprise_y)
    assert (y.grade, str(y.score)) == (grade, score)


def test_scoping_ratings_and_their_explanation(cast, records, client_for):
    from parcelguard.testing.analytics import yto_outlet_in_a

    outlet = yto_outlet_in_a(cast)  # Y now also works in Hanjiang (A)
    in_a = placed_event(outlet, state="closed", reported=at(10, 9))
    in_b = placed_event(cast.outlet_b1, state="closed", reported=at(10, 10))
    services.recompute(user=cast.city_bureau)
    x, y = _current(cast.enterprise_x), _current(cast.enterprise_y)
    assert set(selectors.ratings(cast.city_bureau)) == {x, y} == set(selectors.ratings(cast.procurator))
    assert list(selectors.ratings(cast.officer_x)) == [x]
    assert list(selectors.ratings(cast.officer_y)) == [y]
    assert set(selectors.ratings(cast.centre_a)) == {x, y}
    assert list(selectors.ratings(cast.centre_b)) == [y]
    # centre B sees Y's rating, the event in its own county, and only a count of the one in Hanjiang
    line = next(li for li in selectors.explain(cast.centre_b, y) if li.rule["code"] == "hazard_event")
    assert [d.subject for d, _u, _n in line.rows] == [f"event:{in_b.pk}"] and line.hidden == 1
    line = next(li for li in selectors.explain(cast.officer_y, y) if li.rule["code"] == "hazard_event")
    assert {d.subject for d, _u, _n in line.rows} == {f"event:{in_a.pk}", f"event:{in_b.pk}"} and line.hidden == 0
    assert client_for(cast.officer_y).get(f"/credit/{x.pk}/").status_code == 404
    assert client_for(cast.centre_b).get(f"/credit/{x.pk}/").status_code == 404
    assert client_for(cast.officer_x).get(f"/credit/{x.pk}/").status_code == 200
    assert client_for(cast.officer_x).get(f"/credit/enterprise/{cast.enterprise_y.pk}/").status_code == 404
    listed = client_for(cast.centre_b).get("/credit/").content.decode()
    assert cast.enterprise_y.name in listed and cast.enterprise_x.name not in listed


@pytest.mark.parametrize(("change", "code"), [
    ({"rules": []}, "no_rules"),
    ({"rules": [{"source": "horoscope", "points": 1}]}, "unknown_source"),
    ({"rules": [{"source": "hazard_event", "points": -1}]}, "invalid_number"),
    ({"rules": [{"source": "hazard_event", "points": "many"}]}, "invalid_number"),
    ({"rules": [{"source": "hazard_event", "points": 1, "cap": 0}]}, "invalid_number"),
    ({"rules": [{"source": "hazard_event", "points": 1}, {"source": "hazard_event", "points": 2}]},
     "invalid_rule_code"),
    ({"grades": [{"grade": "A", "min": 90}, {"grade": "B", "min": 75}]}, "invalid_grades"),
    ({"grades": [{"grade": "A", "min": 60}, {"grade": "B", "min": 75}, {"grade": "C", "min": 50},
                 {"grade": "D", "min": 0}]}, "invalid_grades"),
    ({"grades": [{"grade": "A", "min": 90}, {"grade": "B", "min": 75}, {"grade": "C", "min": 60},
                 {"grade": "D", "min": 10}]}, "invalid_grades"),
    ({"title": " "}, "title_required"),
    ({"window_days": 5}, "invalid_number"),
])
def test_a_bad_method_is_refused_with_a_code_and_nothing_written(cast, change, code):
    ensure_ruleset()
    args = {"user": cast.city_bureau, "title": "新办法", "rules": RULES, "grades": GRADES} | change
    with pytest.raises(Invalid) as e:
        services.ruleset_publish(**args)
    assert e.value.code == code
    assert RuleSet.objects.count() == 1 and not TrailEntry.objects.filter(action="credit.publish").exists()


def test_only_the_city_bureau_publishes_and_recomputes(cast):
    ensure_ruleset()
    for user in (cast.centre_a, cast.officer_x, cast.procurator, cast.worker_a1):
        with pytest.raises(Forbidden):
            services.ruleset_publish(user=user, title="x办法", rules=RULES, grades=GRADES)
        with pytest.raises(Forbidden):
            services.recompute(user=user)
    assert RuleSet.objects.count() == 1 and not RecomputeRun.objects.exists()


def test_credit_drives_the_sampling_weight(cast, records, settings):
    assert selectors.sampling_weight(cast.enterprise_x) == 1.0  # not rated yet
    services.recompute(user=cast.city_bureau)
    assert selectors.sampling_weight(cast.enterprise_x) == 2.0  # C
    assert selectors.sampling_weights([cast.enterprise_x.pk, cast.enterprise_y.pk]) == {
        cast.enterprise_x.pk: 2.0, cast.enterprise_y.pk: 1.5}
    settings.CREDIT_SAMPLING_WEIGHTS = {"C": 4.0}
    assert selectors.sampling_weight(cast.enterprise_x.pk) == 4.0


def test_list_filters_pages_and_excel_read_back(cast, records, client_for):
    services.recompute(user=cast.city_bureau)
    c = client_for(cast.city_bureau)
    page = c.get("/credit/?grade=C").content.decode()
    assert cast.enterprise_x.name in page and cast.enterprise_y.name not in page
    page = c.get(f"/credit/?county={cast.county_b.pk}").content.decode()
    assert cast.enterprise_y.name in page and cast.enterprise_x.name not in page
    assert cast.enterprise_x.name not in c.get("/credit/?brand=YTO").content.decode()
    assert c.get("/credit/?page=999&grade=Z&county=abc").status_code == 200
    response = c.get("/credit/export.xlsx?grade=C")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][0] == cast.enterprise_x.name and rows[1][3] == 65.5 and rows[1][4] == "C"
    assert rows[1][6] == 2.0
    assert client_for(cast.worker_a1).get("/credit/export.xlsx").status_code == 403


def test_the_city_bureau_recomputes_and_publishes_from_the_pages(cast, records, client_for):
    c = client_for(cast.city_bureau)
    assert c.post("/credit/recompute/").status_code == 302
    assert Rating.objects.filter(current=True).count() == 2
    form = {"title": "2027版", "window_days": "365", **{f"min_{g['grade']}": g["min"] for g in GRADES}}
    for r in RULES:
        form |= {f"label_{r['code']}": r["label"], f"points_{r['code']}": r["points"], f"cap_{r['code']}": r["cap"]}
    form["points_early_warning"] = "abc"
    refused = c.post("/credit/method/", form)
    assert refused.status_code == 400 and RuleSet.objects.count() == 1
    form["points_early_warning"] = "1"
    assert c.post("/credit/method/", form).status_code == 302
    assert RuleSet.objects.get(version=2).rules[5]["points"] == "1"
    assert "2027版" in c.get("/credit/method/").content.decode()
    assert client_for(cast.centre_a).post("/credit/recompute/").status_code == 403


def test_the_api_lists_explains_weighs_and_refuses(cast, records, client_for):
    services.recompute(user=cast.city_bureau)
    x = _current(cast.enterprise_x)
    c = client_for(cast.officer_x)
    listed = c.get("/api/v1/credit/ratings").json()
    assert listed["count"] == 1 and listed["items"][0]["grade"] == "C" and listed["items"][0]["sampling_weight"] == 2.0
    detail = c.get(f"/api/v1/credit/ratings/{x.pk}").json()
    assert sum(line["deducted"] for line in detail["lines"]) == 34.5
    assert client_for(cast.officer_y).get(f"/api/v1/credit/ratings/{x.pk}").status_code == 404
    weight = c.get(f"/api/v1/credit/enterprises/{cast.enterprise_x.pk}/sampling-weight").json()
    assert weight == {"enterprise_id": cast.enterprise_x.pk, "grade": "C", "sampling_weight": 2.0}
    assert c.post("/api/v1/credit/recompute").json()["error"]["code"] == "role_not_allowed"
    city = client_for(cast.city_bureau)
    bad = city.post("/api/v1/credit/method", {"title": "x办法", "rules": [{"source": "nope", "points": 1}],
                                              "grades": GRADES}, content_type="application/json")
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "unknown_source"
    good = city.post("/api/v1/credit/method", {"title": "新办法", "rules": [{"source": "hazard_event", "points": 1}],
                                               "grades": GRADES}, content_type="application/json")
    assert good.status_code == 201 and good.json()["version"] == 2
    assert city.post("/api/v1/credit/recompute").json()["enterprises"] == 2


def test_work_duty_figure_and_the_nightly_job(cast, records):
    from parcelguard.core.schedule import JOBS
    from parcelguard.credit.tasks import recompute_ratings_task

    start, end = at(11, 1), at(12, 1)
    assert registry.figure("credit.low_grade").compute(cast.city_bureau, start, end) == 0
    assert "credit" in {j.name.split("_")[0] for j in JOBS}
    recompute_ratings_task.enqueue()
    run = RecomputeRun.objects.get()
    assert run.trigger == "nightly" and run.requested_by is None and run.enterprises == 2
    assert registry.figure("credit.low_grade").compute(cast.city_bureau, start, end) == 1
    assert registry.figure("credit.low_grade").compute(cast.centre_b, start, end) == 0
    items = [i for i in registry.work_for(cast.officer_x, NOW) if i.kind == "credit"]
    assert len(items) == 1 and items[0].url == f"/credit/{_current(cast.enterprise_x).pk}/"
    assert not [i for i in registry.work_for(cast.officer_y, NOW) if i.kind == "credit"]
    # the duty record: the days since the method was published without a recompute
    RuleSet.objects.update(published_at=at(11, 17))
    RecomputeRun.objects.update(started_at=at(11, 19))
    lapses = registry.lapses_for(cast.city_bureau, at(11, 1), NOW, NOW)["credit"]
    assert [lapse.subject for lapse in lapses] == ["credit-day:2026-11-17", "credit-day:2026-11-18"]
    assert lapses[0].done_at == at(11, 19)
    assert registry.lapses_for(cast.centre_a, at(11, 1), NOW, NOW)["credit"] == []
    city_items = [i for i in registry.work_for(cast.city_bureau, NOW + dt.timedelta(days=2)) if i.kind == "credit"]
    assert len(city_items) == 1


def test_the_list_pages_through_many_enterprises(cast, client_for, settings):
    from parcelguard.registry.models import Enterprise
    from parcelguard.testing.cast import credit_code

    ensure_ruleset()
    settings.PAGE_SIZE = 10
    for i in range(23):
        Enterprise.objects.create(name=f"莆田市测试快递{i:02d}有限公司", brand_id="SF",
                                  credit_code=credit_code(f"91350300MA{i:07d}"), legal_representative="林某")
    services.recompute(user=cast.city_bureau)
    c = client_for(cast.city_bureau)
    first, last = c.get("/credit/").content.decode(), c.get("/credit/?page=3").content.decode()
    assert "?page=2" in first and first.count('class="grade-') == 10
    assert last.count('class="grade-') == 5 and "?page=2" in last


def test_months_before_the_first_report_on_file_owe_nothing(cast):
    ensure_ruleset()
    services.recompute(user=cast.city_bureau)  # no monthly report on file at all: nobody owes one yet
    assert not Deduction.objects.filter(rule="selfcheck_missing").exists()
    _report(cast, cast.enterprise_x, cast.county_a, dt.date(2026, 9, 1))
    services.recompute(user=cast.city_bureau)
    missing = set(Deduction.objects.filter(rule="selfcheck_missing", rating__current=True)
                  .values_list("subject", flat=True))
    ex, ey, ca, cb = cast.enterprise_x.pk, cast.enterprise_y.pk, cast.county_a.pk, cast.county_b.pk
    assert missing == {f"selfcheck-missing:{ex}:{ca}:2026-10", f"selfcheck-missing:{ey}:{cb}:2026-09",
                       f"selfcheck-missing:{ey}:{cb}:2026-10"}
