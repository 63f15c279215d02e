"""One work queue and one figure registry: events, warnings, rewards and monthly reports each register
their work and their figures (core.registry); /work/ and the API merge them; an app that joins is seen
without touching accounts, analytics or core."""

from __future__ import annotations

import datetime as dt

import pytest

from parcelguard.core import clock, registry
from parcelguard.events.testing import make_event, make_reward
from parcelguard.parcels.testing import make_warning


@pytest.fixture
def waiting(cast):
    """An overdue reminder (enterprise X must answer), an escalation past its deadline (the city must
    decide), a fresh report (centre A must verify), an open warning at outlet A1, an acknowledged one at
    B1, a dismissed one, a proposed reward (the city approves)."""
    past = clock.now() - dt.timedelta(days=2)
    return {
        "overdue": make_event(cast.outlet_a1, state="reminded", deadline=past),
        "escalated": make_event(cast.outlet_a1, state="escalated", deadline=past - dt.timedelta(days=1)),
        "fresh": make_event(cast.outlet_a1, state="reported"),
        "warning": make_warning(cast.outlet_a1, n=1),
        "warning_b": make_warning(cast.outlet_b1, status="acknowledged", n=2),
        "closed_warning": make_warning(cast.outlet_a1, status="dismissed", n=3),
        "reward": make_reward(cast),
    }


def _subjects(user, **kw):
    return [i.subject for i in registry.work_for(user, clock.now(), **kw)]


def test_each_user_sees_the_work_of_every_app_that_waits_for_them_in_their_scope(cast, waiting):
    w = waiting
    assert set(_subjects(cast.centre_a)) >= {f"event:{w['fresh'].pk}", f"warning:{w['warning'].pk}"}
    assert f"warning:{w['warning_b'].pk}" not in _subjects(cast.centre_a)  # outside county A
    assert f"warning:{w['closed_warning'].pk}" not in _subjects(cast.centre_a)  # dismissed: terminal
    assert f"reward:{w['reward'].pk}" not in _subjects(cast.centre_a)  # the city approves rewards
    assert set(_subjects(cast.centre_b, kinds=["warning"])) == {f"warning:{w['warning_b'].pk}"}
    city = _subjects(cast.city_bureau)
    assert {f"reward:{w['reward'].pk}", f"warning:{w['warning'].pk}", f"warning:{w['warning_b'].pk}"} <= set(city)
    assert _subjects(cast.officer_x, kinds=["event"]) == [f"event:{w['overdue'].pk}"]
    assert _subjects(cast.grid_a1, kinds=["warning", "reward"]) == []
    # the procurator takes no step: nothing waits for him (his home shows the regulator's overdue work)
    assert _subjects(cast.procurator, kinds=["event", "warning", "reward"]) == []


def test_the_work_page_merges_every_source_overdue_first_in_chinese(cast, waiting, client_for):
    page = client_for(cast.city_bureau).get("/work/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "待我办理" in html and "Waiting for me" not in html
    w = waiting
    rows = [s for s in (f"event:{w['escalated'].pk}", f"reward:{w['reward'].pk}", f"warning:{w['warning'].pk}")
            if f'data-subject="{s}"' in html]
    assert len(rows) == 3 and f'data-subject="event:{w["overdue"].pk}"' not in html  # the enterprise's step
    assert html.index(f'data-subject="event:{w["escalated"].pk}"') < html.index(f'data-subject="reward:{w["reward"].pk}"')
    only = client_for(cast.city_bureau).get("/work/?kind=warning").content.decode()
    assert f'data-subject="warning:{w["warning"].pk}"' in only and "data-subject=\"reward:" not in only


def test_the_work_api_answers_the_same_queue(cast, waiting, client_for):
    body = client_for(cast.city_bureau).get("/api/v1/work").json()
    assert body["count"] == len(body["items"]) and body["kinds"]["reward"] == 1 and body["kinds"]["warning"] == 2
    first = body["items"][0]
    assert (first["subject"], first["overdue"]) == (f"event:{waiting['escalated'].pk}", True)
    assert client_for(cast.centre_a).get("/api/v1/work?kind=reward").json() == {"count": 0, "kinds": {}, "items": []}
    assert client_for(cast.centre_a).get("/api/v1/work?limit=0").status_code == 422


def test_the_figures_api_counts_every_registered_figure_inside_the_scope(cast, waiting, client_for):
    today = clock.today().isoformat()
    city = {f["key"]: f["value"] for f in client_for(cast.city_bureau).get(
        f"/api/v1/analytics/figures?from={today}&to={today}").json()["figures"]}
    assert city["events.reported"] == 4 and city["events.open_overdue"] == 2
    assert city["events.rewards_waiting"] == 1
    assert (city["warnings.raised"], city["warnings.open"], city["warnings.converted"]) == (3, 2, 0)
    assert "selfcheck.late_or_missing" in city
    county_b = {f["key"]: f["value"] for f in client_for(cast.centre_b).get(
        f"/api/v1/analytics/figures?from={today}&to={today}&section=parcels").json()["figures"]}
    assert county_b == {"warnings.raised": 1, "warnings.open": 1, "warnings.converted": 0}
    enterprise = {f["key"]: f["value"] for f in client_for(cast.officer_x).get(
        f"/api/v1/analytics/figures?from={today}&to={today}&section=parcels").json()["figures"]}
    assert set(enterprise.values()) == {0}  # an enterprise may not see early warnings


def test_a_new_app_plugs_in_work_a_duty_rule_and_a_figure_without_touching_the_platform(cast, client_for):
    import io

    import openpyxl
    from pypdf import PdfReader

    now = clock.now()
    registry.register_duty("toyapp", "Toy patrols", lambda user, start, end, at: [
        registry.Lapse("toyapp", "toyapp:9", "涵江区视频巡查", "/toy/9", cast.outlet_a1.jurisdiction_path,
                       due=at - dt.timedelta(days=3), enterprise_id=cast.enterprise_x.pk)] if user.role != "enterprise" and start <= at - dt.timedelta(days=3) < end
        else [])
    registry.register_work("toyapp", "Toy app", lambda user, at: [
        registry.WorkItem("toyapp", "toyapp:7", "玩具事项", "/toy/7", "待办", due=at - dt.timedelta(hours=1))])
    registry.register_figure(registry.Figure("toyapp.count", "Toy count", lambda user, s, e, **kw: 42,
                                             section="toyapp"))
    try:
        assert client_for(cast.centre_a).get("/api/v1/work").json()["items"][0]["subject"] == "toyapp:7"
        assert 'data-subject="toyapp:7"' in client_for(cast.centre_a).get("/work/").content.decode()
        home = client_for(cast.centre_a).get("/").content.decode()
        assert 'data-subject="toyapp:7"' in home
        dashboard = client_for(cast.centre_a).get("/analytics/").content.decode()
        assert '<tr data-registered="toyapp.count" title=""><th>Toy count</th><td class="num">42</td>' in dashboard
        figures = client_for(cast.centre_a).get("/api/v1/analytics/figures?section=toyapp").json()["figures"]
        assert [(f["key"], f["value"]) for f in figures] == [("toyapp.count", 42)]
        assert registry.work_for(cast.centre_a, now, kinds=["toyapp"])[0].overdue(now)
        c = client_for(cast.procurator)
        q = {"from": (now - dt.timedelta(days=30)).date().isoformat(), "to": now.date().isoformat()}
        line = [x for x in c.get("/api/v1/analytics/duty", q).json()["lines"] if x["rule"] == "toyapp"]
        assert [(x["subjects"], x["subject"], x["county"], x["url"]) for x in line] == [
            (["toyapp:9"], "涵江区视频巡查", "涵江区", "/toy/9")]
        assert "逾期3天" in line[0]["detail"] and line[0]["event_ids"] == []
        for extra, shown in (({"county": cast.county_b.code}, False), ({"county": cast.county_a.code}, True),
                             ({"brand": cast.enterprise_x.brand_id}, True), ({"brand": cast.enterprise_y.brand_id}, False)):
            counts = c.get("/api/v1/analytics/duty", q | extra).json()["counts"]
            assert counts["toyapp"] == (1 if shown else 0), extra
        page = c.get("/analytics/duty/", q).content.decode()
        assert 'id="duty-toyapp"' in page and 'data-subjects="toyapp:9"' in page
        sheet = openpyxl.load_workbook(io.BytesIO(b"".join(c.get("/analytics/duty.xlsx", q).streaming_content))).active
        assert ["Toy patrols", "toyapp:9", "涵江区视频巡查"] in [[r[0], r[1], r[2]] for r in sheet.iter_rows(values_only=True)]
        pdf = c.get("/analytics/duty.pdf", q)
        text = "".join("".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf.content)).pages)
        assert "toyapp:9" in text and "涵江区视频巡查" in text
    finally:
        registry._DUTY.pop("toyapp")
        registry._WORK.pop("toyapp")
        registry._FIGURES.pop("toyapp.count")


def test_the_home_page_shows_the_merged_queue(cast, waiting, client_for):
    home = client_for(cast.city_bureau).get("/").content.decode()
    w = waiting
    positions = [home.index(f'data-subject="{s}"') for s in (
        f"event:{w['escalated'].pk}", f"reward:{w['reward'].pk}")]
    assert positions == sorted(positions) and f'data-subject="warning:{w["warning"].pk}"' in home
    assert 'class="due-overdue" data-subject="event:' in home
