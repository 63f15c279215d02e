"""Emergency management (issue 13): plans (PDF by content, superseding, validity), drills and their action
items, incidents routed county → city against the clock; refusals leave nothing written; scoping; the
work queue, duty record and figures; pages and API."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from parcelguard.core import clock, registry
from parcelguard.core.errors import Conflict, Forbidden, Invalid, NotFound
from parcelguard.core.models import StatusChange
from parcelguard.emergency import selectors, services
from parcelguard.emergency.models import Drill, DrillAction, Incident, IncidentUpdate, Plan
from parcelguard.events.testing import pdf, photo
from parcelguard.evidence.models import Evidence
from parcelguard.trail.models import TrailEntry

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def at(monkeypatch):
    """Freeze the platform clock at a local moment: at(2026, 12, 5, 10)."""
    def freeze(*args: int) -> dt.datetime:
        moment = dt.datetime(*args, tzinfo=SH)
        monkeypatch.setattr(clock, "now", lambda: moment)
        monkeypatch.setattr(clock, "today", lambda: moment.date())
        return moment
    return freeze


def _plan(cast, **kw):
    args = dict(user=cast.officer_x, kind="general", title="中通涵江生产安全事故综合应急预案", version_label="2025版",
                approved_by="林志明（总经理）", approved_on="2025-03-01", upload=pdf("综合应急预案.pdf", "plan"))
    args.update(kw)
    return services.plan_file(**args)


def _report(cast, **kw):
    args = dict(user=cast.officer_x, kind="suspicious", occurred_at=clock.now() - dt.timedelta(minutes=20),
                site_id=cast.sorting_centre_a.pk, place="分拣中心2号安检机旁",
                summary="安检机图像显示一件包裹内有疑似管状物", first_measures="已隔离包裹，疏散周边20米人员，报110",
                uploads=[photo("可疑包裹.png")])
    args.update(kw)
    return services.incident_report(**args)


# ---- plans -----------------------------------------------------------------------------------------------

def test_a_plan_is_filed_as_a_pdf_and_a_new_version_supersedes_the_old(cast, at):
    at(2026, 12, 5, 10)
    first = _plan(cast)
    assert first.review_on == dt.date(2028, 3, 1) and first.pages == 1 and first.file.content_type == "application/pdf"
    assert TrailEntry.objects.filter(action="emergency.plan_file", subject=f"plan:{first.pk}").exists()
    second = _plan(cast, version_label="2026版", approved_on="2026-11-20", review_on="2029-11-19")
    first.refresh_from_db()
    assert first.superseded_by_id == second.pk and first.superseded_at is not None
    assert not first.valid_on(clock.today()) and second.valid_on(clock.today())
    other_kind = _plan(cast, kind="fire", title="火灾专项应急预案")
    assert other_kind.superseded_at is None and second.__class__.objects.get(pk=second.pk).superseded_at is None


@pytest.mark.parametrize(("change", "code", "error"), [
    ({"upload": SimpleUploadedFile("预案.pdf", b"this is a word file renamed to pdf")}, "not_pdf", Invalid),
    ({"upload": SimpleUploadedFile("预案.pdf", b"%PDF-1.4 broken")}, "not_pdf", Invalid),
    ({"upload": photo("预案.pdf")}, "not_pdf", Invalid),
    ({"upload": None}, "file_required", Invalid),
    ({"approved_on": "2027-01-01"}, "approved_in_future", Invalid),
    ({"review_on": "2028-03-02"}, "review_too_late", Invalid),
    ({"review_on": "2025-02-01"}, "review_before_approval", Invalid),
    ({"kind": "poem"}, "invalid_kind", Invalid),
    ({"title": " "}, "field_required", Invalid),
    ({"approved_on": "1/3/2025"}, "invalid_date", Invalid),
])
def test_a_bad_plan_is_refused_with_a_code_and_nothing_written(cast, at, change, code, error):
    at(2026, 12, 5, 10)
    with pytest.raises(error) as e:
        _plan(cast, **change)
    assert e.value.code == code
    assert not Plan.objects.exists() and not Evidence.objects.exists() and not TrailEntry.objects.exists()


def test_only_an_enterprise_files_its_plans(cast, at):
    at(2026, 12, 5, 10)
    with pytest.raises(Forbidden) as e:
        _plan(cast, user=cast.centre_a)
    assert e.value.code == "role_not_allowed" and not Plan.objects.exists()


def test_plan_scoping_expiry_work_and_the_figure(cast, at):
    at(2026, 12, 5, 10)
    x = _plan(cast, approved_on="2024-01-10", review_on="2026-12-20")  # review due in 15 days
    assert selectors.plan_status(x, clock.today()) == "expiring"
    assert list(selectors.plans(cast.officer_x)) == [x]
    assert list(selectors.plans(cast.officer_y)) == []
    assert list(selectors.plans(cast.centre_a)) == [x]  # ZTO has sites in Hanjiang
    assert list(selectors.plans(cast.centre_b)) == []
    assert list(selectors.plans(cast.procurator)) == [x]
    items = registry.work_for(cast.officer_x, clock.now(), kinds=["emergency_plan"])
    assert [i.subject for i in items] == [f"plan:{x.pk}"]
    missing = registry.work_for(cast.officer_y, clock.now(), kinds=["emergency_plan"])
    assert [i.subject for i in missing] == [f"plan-missing:{cast.enterprise_y.pk}"]
    figure = registry.figure("emergency.without_valid_plan")
    start, end = dt.datetime(2026, 12, 1, tzinfo=SH), dt.datetime(2027, 1, 1, tzinfo=SH)
    assert figure.compute(cast.city_bureau, start, end, now=clock.now()) == 1  # YTO has none
    assert figure.compute(cast.city_bureau, start, end) == 2  # at the end of December, ZTO's expired too
    assert figure.compute(cast.centre_b, start, end, now=clock.now()) == 1
    later = at(2026, 12, 21, 9)
    assert selectors.plan_status(x, later.date()) == "expired"
    assert [i.subject for i in registry.work_for(cast.officer_x, later, kinds=["emergency_plan"])] == [
        f"plan-missing:{cast.enterprise_x.pk}"]


# ---- incidents -------------------------------------------------------------------------------------------

def test_an_incident_goes_up_the_tiers_and_closes_with_evidence(cast, at):
    at(2026, 12, 5, 10)
    incident = _report(cast)
    assert incident.state == "reported" and incident.county == cast.county_a
    assert incident.enterprise == cast.enterprise_x and incident.evidence.count() == 1
    at(2026, 12, 5, 10, 20)
    incident = services.incident_forward(user=cast.centre_a, incident_id=incident.pk, version=1, note="已派员到场")
    assert incident.state == "forwarded"
    at(2026, 12, 5, 10, 50)
    incident = services.incident_take_charge(user=cast.city_bureau, incident_id=incident.pk, version=2)
    assert incident.state == "in_charge"
    update = services.incident_follow_up(user=cast.officer_x, incident_id=incident.pk, version=3,
                                         text="公安排爆人员到场，确认为保温杯，无危险", uploads=[photo("排查.png")])
    assert update.author == cast.officer_x and update.evidence.count() == 1
    with pytest.raises(Invalid) as e:  # closing needs evidence
        services.incident_close(user=cast.city_bureau, incident_id=incident.pk, version=4, summary="虚惊一场")
    assert e.value.code == "evidence_required"
    at(2026, 12, 5, 12)
    done = services.incident_close(user=cast.city_bureau, incident_id=incident.pk, version=4,
                                   summary="经公安排查为误报，已恢复作业", uploads=[pdf("处置报告.pdf")])
    assert done.state == "closed" and done.closed_at is not None and done.evidence.count() == 2
    assert [c.action for c in StatusChange.objects.filter(subject=f"incident:{incident.pk}").order_by("pk")] == [
        "report", "forward", "take_charge", "follow_up", "close"]
    assert services.on_time(done, clock.now())


@pytest.mark.parametrize(("change", "code"), [
    ({"occurred_at": dt.datetime(2026, 12, 5, 10, 30, tzinfo=SH)}, "occurred_in_future"),
    ({"occurred_at": "2026-12-05T11:00"}, "occurred_in_future"),
    ({"occurred_at": "yesterday"}, "invalid_time"),
    ({"kind": "alien"}, "invalid_kind"),
    ({"place": ""}, "field_required"),
    ({"first_measures": " "}, "field_required"),
    ({"site_id": None}, "site_required"),
    ({"casualties": -1}, "invalid_count"),
])
def test_a_bad_incident_report_is_refused_and_nothing_is_written(cast, at, change, code):
    at(2026, 12, 5, 10)
    with pytest.raises(Invalid) as e:
        _report(cast, **change)
    assert e.value.code == code
    assert not Incident.objects.exists() and not StatusChange.objects.exists() and not Evidence.objects.exists()


def test_out_of_order_steps_and_wrong_roles_are_refused(cast, at):
    at(2026, 12, 5, 10)
    incident = _report(cast)
    with pytest.raises(Conflict) as e:  # the city cannot take charge before the county forwards
        services.incident_take_charge(user=cast.city_bureau, incident_id=incident.pk, version=1)
    assert e.value.code == "transition_not_allowed"
    with pytest.raises(Forbidden) as e:
        services.incident_forward(user=cast.officer_x, incident_id=incident.pk, version=1)
    assert e.value.code == "role_not_allowed"
    with pytest.raises(NotFound):  # another county's centre does not even see it
        services.incident_forward(user=cast.centre_b, incident_id=incident.pk, version=1)
    with pytest.raises(Forbidden) as e:
        services.incident_report(user=cast.procurator, kind="fire", occurred_at=clock.now(), place="x1",
                                 summary="着火了", first_measures="灭火")
    assert e.value.code == "role_not_allowed"
    services.incident_forward(user=cast.centre_a, incident_id=incident.pk, version=1)
    with pytest.raises(Conflict) as e:  # a stale page
        services.incident_forward(user=cast.centre_a, incident_id=incident.pk, version=1)
    assert e.value.code == "state_conflict"
    incident.refresh_from_db()
    assert incident.state == "forwarded" and incident.version == 2
    assert StatusChange.objects.filter(subject=f"incident:{incident.pk}").count() == 2


def test_incident_scoping(cast, at):
    at(2026, 12, 5, 10)
    mine = _report(cast)
    theirs = _report(cast, user=cast.officer_y, site_id=cast.outlet_b1.pk, kind="fire", place="营业厅")
    officer = services.incident_report(user=cast.worker_a1, kind="backlog", occurred_at="2026-12-05T09:30",
                                       place="涵东街道驿站门口", summary="门口堆积快件约3000件占道",
                                       first_measures="通知企业增派车辆")
    assert officer.county == cast.county_a and officer.enterprise is None
    assert set(selectors.incidents(cast.officer_x)) == {mine}
    assert set(selectors.incidents(cast.officer_y)) == {theirs}
    assert set(selectors.incidents(cast.centre_a)) == {mine, officer}
    assert set(selectors.incidents(cast.centre_b)) == {theirs}
    assert set(selectors.incidents(cast.city_bureau)) == set(selectors.incidents(cast.procurator)) == {
        mine, theirs, officer}
    with pytest.raises(NotFound):  # an enterprise cannot report at another's site
        _report(cast, site_id=cast.outlet_b1.pk)


def test_the_clock_across_a_month_end_work_lapses_and_the_figure(cast, at, settings):
    settings.EMERGENCY_REPORT_MINUTES = 60
    settings.EMERGENCY_FORWARD_MINUTES = 30
    settings.EMERGENCY_TAKE_CHARGE_MINUTES = 60
    at(2026, 11, 30, 23, 50)
    incident = _report(cast, occurred_at=dt.datetime(2026, 11, 30, 23, 30, tzinfo=SH))
    stages = {s.key: s for s in services.stages(incident)}
    assert stages["report"].due == dt.datetime(2026, 12, 1, 0, 30, tzinfo=SH) and stages["report"].status(
        clock.now()) == "on_time"
    assert stages["forward"].due == dt.datetime(2026, 12, 1, 0, 20, tzinfo=SH)
    assert stages["take_charge"].status(clock.now()) == "waiting"
    items = registry.work_for(cast.centre_a, clock.now(), kinds=["incident"])
    assert [(i.subject, i.due, i.urgency) for i in items] == [
        (f"incident:{incident.pk}", stages["forward"].due, "ok")]
    assert registry.work_for(cast.centre_b, clock.now(), kinds=["incident"]) == []
    assert registry.work_for(cast.city_bureau, clock.now(), kinds=["incident"]) == []
    now = at(2026, 12, 1, 0, 35)  # the county is 15 minutes late, into the new month
    assert services.current_stage(incident).status(now) == "overdue"
    assert services.current_stage(incident).minutes_left(now) == -15
    nov = (dt.datetime(2026, 11, 1, tzinfo=SH), dt.datetime(2026, 12, 1, tzinfo=SH))
    dec = (dt.datetime(2026, 12, 1, tzinfo=SH), dt.datetime(2027, 1, 1, tzinfo=SH))
    assert registry.lapses_for(cast.city_bureau, *nov, now)["incident"] == []  # due in December
    lapses = registry.lapses_for(cast.city_bureau, *dec, now)["incident"]
    assert [(lapse.subject, lapse.done_at) for lapse in lapses] == [(f"incident:{incident.pk}", None)]
    assert registry.lapses_for(cast.centre_b, *dec, now)["incident"] == []
    services.incident_forward(user=cast.centre_a, incident_id=incident.pk, version=1)
    incident.refresh_from_db()
    assert services.stages(incident)[1].status(now) == "late"
    assert [i.subject for i in registry.work_for(cast.city_bureau, now, kinds=["incident"])] == [
        f"incident:{incident.pk}"]
    lapse = registry.lapses_for(cast.city_bureau, *dec, now)["incident"][0]
    assert lapse.done_at == now
    figure = registry.figure("emergency.incidents_on_time")
    assert figure.compute(cast.city_bureau, *nov, now=now) == 0.0  # reported in November, forwarded late
    at(2026, 12, 2, 9)
    _report(cast, occurred_at=dt.datetime(2026, 12, 2, 8, 50, tzinfo=SH))
    assert figure.compute(cast.city_bureau, *dec, now=clock.now()) == 100.0


def test_the_limits_are_configurable_and_kept_with_the_incident(cast, at, settings):
    settings.EMERGENCY_FORWARD_MINUTES = 10
    at(2026, 12, 5, 10)
    incident = _report(cast)
    settings.EMERGENCY_FORWARD_MINUTES = 120  # a later change does not move an incident's running clock
    assert services.forward_due(incident) == dt.datetime(2026, 12, 5, 10, 10, tzinfo=SH)
    late = _report(cast, occurred_at=dt.datetime(2026, 12, 5, 8, 0, tzinfo=SH))
    change = StatusChange.objects.get(subject=f"incident:{late.pk}", action="report")
    assert change.data["late"] is True and services.stages(late)[0].status(clock.now()) == "late"


# ---- drills ----------------------------------------------------------------------------------------------

def test_the_city_drill_its_action_items_and_their_completion(cast, at):
    at(2026, 11, 20, 16)
    drill = services.drill_record(
        user=cast.city_bureau, title="2026年莆田市寄递渠道突发事件应急演练", scenario="suspicious",
        held_on="2026-11-20", place="中通莆田涵江分拨中心", participants=86,
        enterprise_ids=[cast.enterprise_x.pk, cast.enterprise_y.pk], evaluation="响应迅速，信息报送略慢",
        photos=[photo("演练.png")],
        actions=[{"problem": "安检员发现可疑件后未第一时间上报", "due_on": "2026-12-20",
                  "enterprise_id": cast.enterprise_x.pk},
                 {"problem": "区中心联络表未更新", "due_on": "2026-12-10", "jurisdiction_id": cast.county_a.pk}])
    assert drill.kind == "city" and drill.photos.count() == 1 and drill.actions.count() == 2
    zto, hanjiang = drill.actions.order_by("pk")
    assert set(selectors.drills(cast.officer_x)) == {drill} and set(selectors.drills(cast.centre_b)) == {drill}
    assert list(selectors.actions(cast.officer_x)) == [zto] and list(selectors.actions(cast.officer_y)) == []
    now = at(2026, 12, 11, 9)
    items = registry.work_for(cast.centre_a, now, kinds=["drill_action"])
    assert [(i.subject, i.urgency) for i in items] == [(f"drillaction:{hanjiang.pk}", "overdue")]
    assert [i.subject for i in registry.work_for(cast.officer_x, now, kinds=["drill_action"])] == [
        f"drillaction:{zto.pk}"]
    with pytest.raises(Forbidden) as e:
        services.action_complete(user=cast.centre_a, action_id=zto.pk, version=1, note="已完成",
                                 uploads=[photo()])
    assert e.value.code == "not_owner"
    with pytest.raises(Invalid) as e:
        services.action_complete(user=cast.officer_x, action_id=zto.pk, version=1, note="已培训")
    assert e.value.code == "evidence_required"
    done = services.action_complete(user=cast.officer_x, action_id=zto.pk, version=1, note="已组织安检员专题培训",
                                    uploads=[photo("培训签到.png")])
    assert done.state == "done" and done.evidence.count() == 1
    reopened = services.action_reopen(user=cast.city_bureau, action_id=zto.pk, version=2, reason="培训记录不全")
    assert reopened.state == "open"
    assert registry.work_for(cast.officer_x, now, kinds=["drill_action"])


@pytest.mark.parametrize(("change", "code"), [
    ({"held_on": "2026-11-21"}, "held_in_future"),
    ({"scenario": "zombies"}, "invalid_scenario"),
    ({"actions": [{"problem": "灭火器过期", "due_on": "2026-11-01"}]}, "due_in_past"),
    ({"actions": [{"problem": "x", "due_on": "2026-12-01"}]}, "field_required"),
])
def test_a_bad_drill_is_refused_and_nothing_is_written(cast, at, change, code):
    at(2026, 11, 20, 16)
    args = dict(user=cast.officer_x, title="中通涵江分拨中心消防演练", scenario="fire", held_on="2026-11-20",
                place="涵江分拨中心", participants=30, photos=[photo()])
    args.update(change)
    with pytest.raises(Invalid) as e:
        services.drill_record(**args)
    assert e.value.code == code
    assert not Drill.objects.exists() and not DrillAction.objects.exists() and not Evidence.objects.exists()


def test_an_enterprise_drill_is_its_own(cast, at):
    at(2026, 11, 20, 16)
    drill = services.drill_record(user=cast.officer_x, title="中通涵江分拨中心消防演练", scenario="fire",
                                  held_on="2026-11-18", place="涵江分拨中心", participants=30,
                                  actions=[{"problem": "疏散用时超过4分钟", "due_on": "2026-12-31"}])
    assert drill.kind == "enterprise" and drill.jurisdiction_path == cast.county_a.path
    assert drill.actions.get().owner_enterprise_id == cast.enterprise_x.pk
    assert list(selectors.drills(cast.officer_y)) == [] and list(selectors.drills(cast.centre_b)) == []
    assert list(selectors.drills(cast.centre_a)) == [drill]
    with pytest.raises(Forbidden) as e:
        services.drill_record(user=cast.centre_a, title="演练", scenario="fire", held_on="2026-11-18", place="区中心")
    assert e.value.code == "role_not_allowed"
    with pytest.raises(NotFound):
        services.drill_add_action(user=cast.officer_y, drill_id=drill.pk, problem="应急照明不亮", due_on="2026-12-31")


# ---- pages and API ---------------------------------------------------------------------------------------

def test_pages_render_for_every_role_in_chinese_and_refuse_cleanly(cast, at, client_for):
    from tests.test_i18n_pages import english_words

    at(2026, 12, 5, 10)
    plan = _plan(cast)
    incident = _report(cast)
    drill = services.drill_record(user=cast.city_bureau, title="2026年莆田市寄递渠道应急演练", scenario="fire",
                                  held_on="2026-11-20", place="莆田", enterprise_ids=[cast.enterprise_x.pk],
                                  actions=[{"problem": "疏散慢", "due_on": "2026-12-20",
                                            "enterprise_id": cast.enterprise_x.pk}])
    names = frozenset(u.username for u in cast.users.values())
    urls = ["/emergency/", "/emergency/?state=open&kind=suspicious&q=分拣&page=2", f"/emergency/incidents/{incident.pk}/",
            "/emergency/plans/", "/emergency/plans/?validity=expired", f"/emergency/plans/{plan.pk}/",
            "/emergency/drills/", f"/emergency/drills/{drill.pk}/"]
    for user in (cast.city_bureau, cast.centre_a, cast.officer_x, cast.procurator):
        for url in urls + (["/emergency/incidents/new/"] if user in (cast.centre_a, cast.officer_x) else []):
            response = client_for(user).get(url)
            assert response.status_code == 200, (user.username, url)
            assert not english_words(response.content.decode(), names), (user.username, url)
    page = client_for(cast.centre_a).get(f"/emergency/incidents/{incident.pk}/").content.decode()
    assert 'id="incident-clock"' in page and "转报市局" in page and "剩余" in page
    assert client_for(cast.officer_y).get(f"/emergency/incidents/{incident.pk}/").status_code == 404
    assert client_for(cast.officer_y).get(f"/emergency/plans/{plan.pk}/file/").status_code == 404
    download = client_for(cast.centre_a).get(f"/emergency/plans/{plan.pk}/file/")
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF-")
    # a refusal through a page: a message, no 500, nothing written
    bad = client_for(cast.officer_x).post("/emergency/incidents/new/", {
        "kind": "fire", "occurred_at": "2026-12-05T12:00", "site_id": cast.outlet_a1.pk, "place": "营业厅",
        "summary": "起火", "first_measures": "灭火"})
    assert bad.status_code == 400 and "不能发生在将来" in bad.content.decode() and Incident.objects.count() == 1
    notpdf = client_for(cast.officer_x).post("/emergency/plans/", {
        "kind": "fire", "title": "火灾专项预案", "approved_by": "林志明", "approved_on": "2026-01-05",
        "file": SimpleUploadedFile("火灾.pdf", b"GIF89a not a pdf")})
    assert notpdf.status_code == 400 and "PDF" in notpdf.content.decode() and Plan.objects.count() == 1
    wrong = client_for(cast.city_bureau).post(f"/emergency/incidents/{incident.pk}/step/",
                                              {"action": "take_charge", "version": "1"})
    assert wrong.status_code == 409
    ok = client_for(cast.centre_a).post(f"/emergency/incidents/{incident.pk}/step/",
                                        {"action": "forward", "version": "1", "text": "请市局指挥"})
    assert ok.status_code == 302
    filed = client_for(cast.officer_x).post("/emergency/incidents/new/", {
        "kind": "injury", "occurred_at": "2026-12-05T09:40", "site_id": cast.outlet_a1.pk, "place": "装卸区",
        "summary": "一名装卸工被滑落的快件砸伤手臂", "first_measures": "已送医，现场设置警戒", "casualties": "1"})
    assert filed.status_code == 302 and Incident.objects.count() == 2


def test_the_api_reports_moves_and_lists_incidents_in_scope(cast, at, client_for):
    at(2026, 12, 5, 10)
    client = client_for(cast.officer_x)
    body = {"kind": "data", "occurred_at": "2026-12-05T09:30:00", "site_id": cast.outlet_a1.pk,
            "place": "涵东营业部电脑", "summary": "员工电脑感染勒索软件，疑似面单数据外泄",
            "first_measures": "已断网并保存日志"}
    created = client.post("/api/v1/emergency/incidents", json.dumps(body), content_type="application/json")
    assert created.status_code == 201, created.content
    item = created.json()
    assert item["state"] == "reported" and item["clock"][1]["key"] == "forward"
    assert item["clock"][1]["status"] == "running"
    future = client.post("/api/v1/emergency/incidents", json.dumps({**body, "occurred_at": "2026-12-05T11:00:00"}),
                         content_type="application/json")
    assert future.status_code == 422 and future.json()["error"]["code"] == "occurred_in_future"
    assert Incident.objects.count() == 1
    step = client_for(cast.city_bureau).post(f"/api/v1/emergency/incidents/{item['id']}/steps",
                                             json.dumps({"action": "take_charge", "version": 1}),
                                             content_type="application/json")
    assert step.status_code == 409 and step.json()["error"]["code"] == "transition_not_allowed"
    forwarded = client_for(cast.centre_a).post(f"/api/v1/emergency/incidents/{item['id']}/steps",
                                               json.dumps({"action": "forward", "version": 1}),
                                               content_type="application/json")
    assert forwarded.status_code == 200 and forwarded.json()["state"] == "forwarded"
    assert client_for(cast.centre_b).get("/api/v1/emergency/incidents").json()["count"] == 0
    assert client_for(cast.procurator).get("/api/v1/emergency/incidents?state=forwarded").json()["count"] == 1
    assert client_for(cast.officer_y).get(f"/api/v1/emergency/incidents/{item['id']}").status_code == 404
    plans = client_for(cast.city_bureau).get("/api/v1/emergency/plans/missing").json()
    assert {e["name"] for e in plans["items"]} == {cast.enterprise_x.name, cast.enterprise_y.name}
    assert IncidentUpdate.objects.count() == 0


def test_the_demo_looks_like_a_bureau_that_runs_emergency_management(db, at, client_for):
    from parcelguard.accounts.models import User
    from parcelguard.demo.city import load_demo_city
    from parcelguard.emergency.demo import load_demo_emergency
    from parcelguard.events.testing import ensure_taxonomy
    from parcelguard.registry.models import Enterprise

    ensure_taxonomy()
    at(2026, 12, 10, 9)
    load_demo_city()
    summary = load_demo_emergency()
    city = User.objects.get(username="city")
    today = clock.today()
    enterprises = Enterprise.objects.count()
    missing = selectors.without_valid_plan(city, today).count()
    assert 0 < missing < enterprises / 3  # most have a valid plan, some do not
    assert Plan.objects.filter(superseded_at__isnull=False).count() == 1
    assert Plan.objects.filter(superseded_at__isnull=True, review_on__lte=today).exists()  # some expired
    assert summary["incidents"] == 5
    states = sorted(Incident.objects.values_list("state", flat=True))
    assert states == ["closed", "closed", "forwarded", "in_charge", "reported"]
    assert any(not services.on_time(i, clock.now()) for i in Incident.objects.all())  # Licheng forwarded late
    assert Drill.objects.filter(kind="city").count() == 1 and DrillAction.objects.filter(state="done").count() == 1
    assert registry.work_for(city, clock.now(), kinds=["incident"])
    for url in ("/emergency/", "/emergency/plans/", "/emergency/drills/",
                f"/emergency/incidents/{Incident.objects.get(state='reported').pk}/"):
        assert client_for(city).get(url).status_code == 200
