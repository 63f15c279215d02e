"""Enterprise self-inspection: the monthly duty report, its due day, the county centre's reproducible
spot check, a false report becoming a hazard event, the work queue, duty record and figure."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from parcelguard.core import clock, registry
from parcelguard.core.errors import Conflict, Forbidden, Invalid, NotFound
from parcelguard.core.models import StatusChange
from parcelguard.events.models import Event
from parcelguard.events.testing import ensure_taxonomy, photo
from parcelguard.selfcheck import selectors, services
from parcelguard.selfcheck.models import MonthlyReport, SpotDraw
from parcelguard.selfcheck.testing import all_in_order, ensure_checklist
from parcelguard.trail.models import TrailEntry

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def at(monkeypatch):
    """Freeze the platform clock at a local moment: at(2026, 12, 5, 10)."""
    def freeze(*args: int) -> dt.datetime:
        moment = dt.datetime(*args, tzinfo=SH)
        monkeypatch.setattr(clock, "now", lambda: moment)
        return moment
    return freeze


@pytest.fixture
def checklist(db):
    ensure_taxonomy()
    return ensure_checklist()


def _file(cast, checklist, month="2026-11", **kw):
    args = dict(user=cast.officer_x, county_id=cast.county_a.pk, month=month,
                answers=all_in_order(checklist), problems_found=2, problems_fixed=2, trainings_held=1)
    args.update(kw)
    return services.report_submit(**args)


def test_the_report_is_due_by_the_end_of_the_fifth_and_late_on_the_sixth(cast, checklist, at, settings):
    settings.SELFCHECK_DUE_DAY = 5
    assert services.due_at(dt.date(2026, 11, 1)) == dt.datetime(2026, 12, 6, tzinfo=SH)
    assert services.due_at(dt.date(2026, 12, 1)) == dt.datetime(2027, 1, 6, tzinfo=SH)  # across the year end
    at(2026, 12, 5, 23, 59)
    assert not _file(cast, checklist).late
    at(2026, 12, 6, 0, 0)
    late = _file(cast, checklist, month="2026-10")
    assert late.late and late.due_at == dt.datetime(2026, 11, 6, tzinfo=SH)


def test_filing_writes_the_report_its_status_change_and_trail_entry(cast, checklist, at):
    at(2026, 12, 3, 9)
    report = _file(cast, checklist, answers=all_in_order(checklist, fire="两具灭火器过期，已更换"),
                   uploads=[photo("extinguisher.png")])
    assert report.answers["fire"] == {"ok": False, "note": "两具灭火器过期，已更换"}
    assert report.evidence.count() == 1
    change = StatusChange.objects.get(subject=f"selfcheck:{report.pk}")
    assert (change.action, change.to_state) == ("submit", "submitted")
    assert change.data["not_in_order"] == ["fire"]
    assert TrailEntry.objects.filter(seq=change.trail_seq, action="selfcheck.submit").exists()


@pytest.mark.parametrize(("change", "code"), [
    ({"month": "2026-12"}, "month_not_over"),
    ({"month": "2027-01"}, "month_not_over"),
    ({"month": "11/2026"}, "invalid_month"),
    ({"answers": {}}, "answer_missing"),
    ({"problems_found": 1, "problems_fixed": 3}, "fixed_exceeds_found"),
    ({"problems_found": "many"}, "invalid_count"),
    ({"county_id": 0}, "no_sites_in_county"),
])
def test_bad_reports_are_refused_with_a_code_and_nothing_written(cast, checklist, at, change, code):
    at(2026, 12, 3, 9)
    with pytest.raises(Invalid) as e:
        _file(cast, checklist, **change)
    assert e.value.code == code
    assert not MonthlyReport.objects.exists() and not StatusChange.objects.exists()


def test_an_item_not_in_order_needs_a_note_and_a_month_is_filed_once(cast, checklist, at):
    at(2026, 12, 3, 9)
    with pytest.raises(Invalid) as e:
        _file(cast, checklist, answers=all_in_order(checklist, fire=" "))
    assert e.value.code == "note_required"
    _file(cast, checklist)
    with pytest.raises(Conflict) as e:
        _file(cast, checklist)
    assert e.value.code == "report_exists"
    with pytest.raises(Forbidden):
        _file(cast, checklist, user=cast.centre_a)


def test_scoping_an_enterprise_sees_its_own_a_county_its_own_the_procurator_all(cast, checklist, at):
    at(2026, 12, 3, 9)
    report = _file(cast, checklist)
    assert list(selectors.reports(cast.officer_x)) == [report]
    assert list(selectors.reports(cast.officer_y)) == []
    assert list(selectors.reports(cast.centre_a)) == [report]
    assert list(selectors.reports(cast.centre_b)) == []
    assert list(selectors.reports(cast.procurator)) == [report]


def test_the_month_table_shows_filed_late_and_missing(cast, checklist, at):
    at(2026, 12, 7, 9)  # past the due day of November
    _file(cast, checklist)  # filed late
    duties = selectors.duties(cast.city_bureau, dt.date(2026, 11, 1))
    status = {(d.enterprise_id, d.county.pk): d.status(clock.now()) for d in duties}
    assert status[(cast.officer_x.enterprise_id, cast.county_a.pk)] == "late"
    assert "missing" in status.values()  # the other enterprise / county never filed
    start, end = dt.datetime(2026, 12, 1, tzinfo=SH), dt.datetime(2027, 1, 1, tzinfo=SH)
    assert registry.figure("selfcheck.late_or_missing").compute(cast.city_bureau, start, end, now=clock.now()) == \
        sum(1 for d in duties if d.status(clock.now()) in ("late", "missing"))


def test_the_draw_is_reproducible_and_a_changed_draw_does_not_recompute(cast, checklist, at):
    at(2026, 12, 3, 9)
    report = _file(cast, checklist)
    draw = services.spot_draw(user=cast.centre_a, month="2026-11", count=5)
    assert draw.chosen == [report.pk] and services.draw_verify(draw)
    report.refresh_from_db()
    assert report.state == "drawn" and report.draw_id == draw.pk
    assert services.draw_pick("abc", [3, 1, 2, 9, 7], 3) == services.draw_pick("abc", [1, 2, 3, 7, 9], 3)
    SpotDraw.objects.filter(pk=draw.pk).update(chosen=[report.pk + 1])
    draw.refresh_from_db()
    assert not services.draw_verify(draw)
    with pytest.raises(Conflict) as e:  # nothing left to draw
        services.spot_draw(user=cast.centre_a, month="2026-11", count=1)
    assert e.value.code == "nothing_to_draw"
    with pytest.raises(Forbidden):
        services.spot_draw(user=cast.officer_x, month="2026-11", count=1)


def test_a_false_report_becomes_a_hazard_event_against_the_enterprise(cast, checklist, at):
    at(2026, 12, 3, 9)
    report = _file(cast, checklist)
    services.spot_draw(user=cast.centre_a, month="2026-11", count=1)
    with pytest.raises(NotFound):
        services.spot_find_false(user=cast.centre_b, report_id=report.pk, version=None, method="on_site",
                                 reason="现场无消防器材", uploads=[photo("site.png")])
    with pytest.raises(Invalid) as e:
        services.spot_find_false(user=cast.centre_a, report_id=report.pk, version=None, method="on_site",
                                 reason="现场无消防器材")
    assert e.value.code == "evidence_required"
    done = services.spot_find_false(user=cast.centre_a, report_id=report.pk, version=None, method="video",
                                    reason="视频显示安检机未开机，与报告不符", uploads=[photo("video.png")])
    assert done.state == "false_report" and done.check_method == "video"
    event = Event.objects.get(pk=done.event_id)
    assert event.enterprise_id == cast.officer_x.enterprise_id and event.county_id == cast.county_a.pk
    assert "视频显示安检机未开机" in event.description and event.state == "reported"
    assert [c.action for c in StatusChange.objects.filter(subject=f"selfcheck:{report.pk}")] == [
        "submit", "draw", "find_false"]


def test_work_and_duty_follow_who_must_act(cast, checklist, at):
    at(2026, 12, 2, 9)
    items = registry.work_for(cast.officer_x, clock.now(), kinds=["selfcheck"])
    assert items and all("2026-11" in i.title for i in items)
    report = _file(cast, checklist)
    services.spot_draw(user=cast.centre_a, month="2026-11", count=1)
    waiting = registry.work_for(cast.centre_a, clock.now(), kinds=["selfcheck"])
    assert [i.subject for i in waiting] == [f"selfcheck:{report.pk}"]
    assert registry.work_for(cast.centre_b, clock.now(), kinds=["selfcheck"]) == []
    later = at(2026, 12, 30, 9)  # 15 days passed without the check
    start, end = dt.datetime(2026, 12, 1, tzinfo=SH), dt.datetime(2027, 1, 1, tzinfo=SH)
    lapses = registry.lapses_for(cast.city_bureau, start, end, later)["selfcheck"]
    assert [lapse.subject for lapse in lapses] == [f"selfcheck:{report.pk}"] and lapses[0].done_at is None
    services.spot_confirm(user=cast.centre_a, report_id=report.pk, version=None, method="on_site",
                          uploads=[photo("ok.png")])
    lapses = registry.lapses_for(cast.city_bureau, start, end, later)["selfcheck"]
    assert lapses[0].done_at is not None and lapses[0].late_days(later) == 13


def test_the_demo_months_look_like_a_county_that_runs_the_mechanism(db, at, client_for):
    from parcelguard.accounts.models import User
    from parcelguard.demo.city import load_demo_city
    from parcelguard.selfcheck.demo import load_demo_selfcheck

    ensure_taxonomy()
    ensure_checklist()
    at(2026, 12, 10, 9)
    load_demo_city()
    summary = load_demo_selfcheck()
    reports = MonthlyReport.objects.all()
    assert summary["reports"] == reports.count() > 3 * summary["pairs"] * 0.8
    assert reports.filter(submitted_at__gte=models_due()).count() > 0  # some late
    assert summary["reports"] < 3 * summary["pairs"]  # some missing
    false = reports.get(state="false_report")
    assert false.event_id and false.county.name == "涵江区"
    assert reports.filter(state="confirmed").count() == 1

    centre, officer = User.objects.get(username="hanjiang_centre"), User.objects.get(username="hanjiang_zto")
    page = client_for(centre).get("/selfcheck/?month=2026-11")
    text = page.content.decode()
    assert page.status_code == 200 and "履职月报告" in text and "逾期未报" in text
    assert client_for(centre).get(f"/selfcheck/{false.pk}/").status_code == 200
    assert client_for(centre).get(f"/selfcheck/draw/{false.draw_id}/").status_code == 200
    mine = client_for(officer).get("/selfcheck/")
    assert mine.status_code == 200 and "file-report" in mine.content.decode()
    other = reports.exclude(enterprise_id=officer.enterprise_id).first()
    assert client_for(officer).get(f"/selfcheck/{other.pk}/").status_code == 404


def models_due():
    from django.db.models import F

    return F("due_at")
