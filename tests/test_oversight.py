"""Procuratorial oversight: the reply clock at its edges, the procurator's case file, recommendation,
service, follow-up and suit; the bureau's tasks and its reply letter read back from the PDF; the bundle
verified offline; scoping of every write; bad input refused with nothing written; queue, duty, figures."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys
import zipfile
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Model
from pypdf import PdfReader

from parcelguard.core import clock, registry
from parcelguard.core.errors import Conflict, Forbidden, Invalid, NotFound
from parcelguard.core.models import StatusChange
from parcelguard.events.models import Event
from parcelguard.events.testing import ensure_taxonomy, make_event, photo
from parcelguard.oversight import clock as rclock
from parcelguard.oversight import selectors, services
from parcelguard.oversight.models import CaseFile, Item, ItemCheck, Recommendation, Reply, Task
from parcelguard.oversight.testing import close_event, warning_at
from parcelguard.trail.models import TrailEntry

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def at(monkeypatch):
    def freeze(*args: int) -> dt.datetime:
        moment = dt.datetime(*args, tzinfo=SH)
        monkeypatch.setattr(clock, "now", lambda: moment)
        return moment
    return freeze


# ---- the clock ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("served", "urgent", "due"), [
    (dt.date(2026, 8, 31), False, dt.date(2026, 10, 31)),
    (dt.date(2026, 12, 30), False, dt.date(2027, 2, 28)),
    (dt.date(2027, 12, 30), False, dt.date(2028, 2, 29)),  # leap year
    (dt.date(2027, 12, 31), False, dt.date(2028, 2, 29)),
    (dt.date(2023, 6, 30), False, dt.date(2023, 8, 30)),  # Shiyan
    (dt.date(2026, 1, 15), False, dt.date(2026, 3, 15)),
    (dt.date(2026, 12, 20), True, dt.date(2027, 1, 4)),  # 15 days, across the year end
    (dt.date(2026, 2, 20), True, dt.date(2026, 3, 7)),
])
def test_the_reply_is_due_two_calendar_months_after_service_or_15_days_when_urgent(served, urgent, due):
    assert rclock.reply_due_on(served, urgent) == due


def test_a_reply_becomes_late_at_the_first_moment_after_its_last_day():
    assert rclock.due_at(dt.date(2026, 10, 31)) == dt.datetime(2026, 11, 1, tzinfo=SH)


# ---- the story -------------------------------------------------------------------------------------------

@pytest.fixture
def story(cast, at):
    """A case file, a hearing, and a recommendation whose three items link a site, an event and a warning."""
    ensure_taxonomy()
    at(2026, 6, 28, 10)
    proc = cast.procurator
    case = services.case_open(user=proc, number="莆检行公立〔2026〕1号", procuratorate="莆田市人民检察院",
                              matter="waybill_privacy", summary="辖区快递企业运单未去标识化", opened_on="2026-06-28",
                              site_ids=cast.outlet_a1.code)
    services.investigation_record(user=proc, case_id=case.pk, kind="hearing", held_on="2026-06-28",
                                  findings="承办检察官说明排查情况", supervisors_opinion="同意发出检察建议",
                                  uploads=[photo("听证会.png")])
    event = make_event(cast.outlet_a2, state="reported")
    warning = warning_at(cast.sorting_centre_a)
    rec = services.recommendation_create(
        user=proc, case_id=case.pk, number="莆检行公建〔2026〕1号", title="检察建议书", addressee="莆田市邮政管理局",
        issued_on="2026-06-28", items=[
            {"problem": "涵东营业部运单未去标识化", "request": "督促使用隐私面单", "sites": cast.outlet_a1.code},
            {"problem": "白塘营业部隐患未整改", "request": "依法查处", "events": str(event.pk)},
            {"problem": "分拨中心安检机未开机", "request": "加强安检设备巡查", "warnings": [warning.pk]},
        ])
    return case, rec, event, warning


def test_the_case_file_keeps_the_hearing_with_the_evidence_hash_on_the_trail(cast, story):
    case, *_ = story
    record = case.investigations.get()
    entry = TrailEntry.objects.get(seq=record.trail_seq)
    assert entry.subject == f"casefile:{case.pk}" and entry.action == "oversight.investigation"
    assert entry.evidence_hashes == [record.evidence.get().sha256]


def test_the_recommendation_is_drafted_with_its_links_and_served_starting_the_clock(cast, story, at):
    _case, rec, event, warning = story
    items = list(rec.items.order_by("position"))
    assert [i.position for i in items] == [1, 2, 3]
    assert list(items[0].sites.all()) == [cast.outlet_a1]
    assert list(items[1].events.all()) == [event] and list(items[2].warnings.all()) == [warning]
    at(2026, 6, 30, 9)
    served = services.recommendation_serve(user=cast.procurator, pk=rec.pk, version=rec.version,
                                           served_on="2026-06-30", method="announced", received_by="局长")
    assert served.state == "served" and served.due_on == dt.date(2026, 8, 30)
    with pytest.raises(Conflict) as again:
        services.recommendation_serve(user=cast.procurator, pk=rec.pk, version=None, served_on="2026-06-30",
                                      method="direct")
    assert again.value.code == "already_served"
    assert StatusChange.objects.filter(subject=f"recommendation:{rec.pk}", action="serve").count() == 1


def _serve(cast, rec, day="2026-06-30"):
    return services.recommendation_serve(user=cast.procurator, pk=rec.pk, version=None, served_on=day,
                                         method="direct")


def test_the_extension_moves_the_due_day_once_with_a_reason(cast, story, at):
    _case, rec, *_ = story
    at(2026, 7, 1, 9)
    _serve(cast, rec)
    with pytest.raises(Invalid):
        services.recommendation_extend(user=cast.procurator, pk=rec.pk, version=None, due_on="2026-09-30", reason="")
    rec = services.recommendation_extend(user=cast.procurator, pk=rec.pk, version=None, due_on="2026-09-30",
                                         reason="涉及跨省总部系统改造，客观上无法按期完成")
    assert (rec.due_on, rec.original_due_on) == (dt.date(2026, 9, 30), dt.date(2026, 8, 30))
    with pytest.raises(Conflict) as twice:
        services.recommendation_extend(user=cast.procurator, pk=rec.pk, version=None, due_on="2026-10-30",
                                       reason="再次延期")
    assert twice.value.code == "already_extended"


def test_the_bureau_replies_from_its_records_and_the_pdf_says_what_is_open(cast, story, at):
    _case, rec, event, _warning = story
    at(2026, 7, 1, 9)
    _serve(cast, rec)
    bureau = cast.city_bureau
    with pytest.raises(Conflict) as early:
        services.reply_issue(user=bureau, pk=rec.pk, version=None)
    assert early.value.code == "no_tasks"
    assert not Reply.objects.exists()
    items = list(rec.items.order_by("position"))
    ev1 = make_event(cast.outlet_a1, state="reported")
    t1 = services.task_create(user=bureau, item_id=items[0].pk, county_id=cast.county_a.pk, title="督促涵东营业部换用隐私面单",
                              due_on="2026-07-20", event_id=ev1.pk)
    services.task_create(user=bureau, item_id=items[1].pk, county_id=cast.county_a.pk, title="白塘营业部隐患整改",
                         due_on="2026-07-20", event_id=event.pk)
    t3 = services.task_create(user=bureau, item_id=items[2].pk, county_id=cast.county_a.pk, title="安检机维修并复查",
                              due_on="2026-08-20")
    for e in (ev1, event):
        close_event(e, centre=cast.centre_a, officer=cast.officer_x, worker=cast.worker_a1 if e == ev1 else cast.worker_a2)
    with pytest.raises(Conflict):
        services.task_done(user=cast.centre_a, task_id=t1.pk, note="已完成", uploads=[photo()])
    at(2026, 8, 3, 15)
    draft = selectors.reply_draft(Recommendation.objects.get(pk=rec.pk))
    assert [i.status for i in draft.items] == ["rectified", "rectified", "open"]
    line = draft.items[0].tasks[0].event
    assert line.state == "closed" and len(line.evidence) == 4  # three photos and the reminder letter
    assert len(line.documents) == 1 and "提" in line.documents[0]
    assert draft.items[2].open_until == dt.date(2026, 8, 20)
    reply = services.reply_issue(user=bureau, pk=rec.pk, version=None, contact_name="王敏", contact_phone="0594-2222222")
    rec.refresh_from_db()
    assert rec.state == "replied" and not reply.late
    assert reply.document.number == f"莆邮管函〔{clock.today().year}〕1号"
    with reply.document.evidence.file.open("rb") as fh:
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(fh.read())).pages)
    flat = text.replace("\n", "").replace(" ", "")
    assert flat.count("莆田市邮政管理局") >= 2  # the issuer at the head and at the signature
    assert "莆田市人民检察院：" in flat  # addressed to the procuratorate
    assert "莆检行公建〔2026〕1号" in flat and reply.document.number in flat
    assert "关于检察建议第1项" in flat and "关于检察建议第2项" in flat and "关于检察建议第3项" in flat
    assert flat.count("已整改完毕") >= 2 and "正在整改，尚未完成" in flat
    assert "安检机维修并复查" in flat and "2026年08月20日" in flat
    assert f"隐患事件#{ev1.pk}" in flat and "办结" in flat and line.documents[0] in flat
    assert "二〇二六年八月三日" in flat and "（印章）" in flat
    assert t3.done_at is None
    # the trail lists every piece of evidence the reply cites
    cited = TrailEntry.objects.get(subject=f"recommendation:{rec.pk}", action="oversight.reply_evidence")
    assert set(cited.evidence_hashes) == draft.evidence_hashes() and len(cited.evidence_hashes) == 5  # the same photos twice count once


def _reply(cast, rec):
    item = rec.items.order_by("position").first()
    services.task_create(user=cast.city_bureau, item_id=item.pk, county_id=cast.county_a.pk, title="督促整改",
                         due_on=rclock.today() + dt.timedelta(days=10))
    return services.reply_issue(user=cast.city_bureau, pk=rec.pk, version=None)


def test_the_bundle_carries_the_reply_and_its_evidence_and_verifies_offline(cast, story, at, tmp_path):
    from parcelguard.trail.bundle import bundle_export

    _case, rec, *_ = story
    at(2026, 7, 1, 9)
    _serve(cast, rec)
    reply = _reply(cast, rec)
    data = bundle_export(subject=f"recommendation:{rec.pk}", user=cast.procurator)
    folder = tmp_path / "bundle"
    zipfile.ZipFile(io.BytesIO(data)).extractall(folder)
    names = [p.name for p in (folder / "evidence").iterdir()]
    assert any(n.startswith(reply.document.evidence.sha256[:16]) for n in names)
    result = subprocess.run([sys.executable, str(folder / "verify.py")], capture_output=True, text=True, timeout=60,
                            cwd=folder.parent)
    assert result.returncode == 0, result.stdout + result.stderr


def test_follow_up_comes_after_the_reply_then_suit_judgment_recheck_and_close(cast, story, at):
    _case, rec, *_ = story
    at(2026, 7, 1, 9)
    _serve(cast, rec)
    items = list(rec.items.order_by("position"))
    results = {i.pk: {"result": "not_rectified", "note": "仍未去标识化"} for i in items}
    with pytest.raises(Conflict) as early:
        services.follow_up(user=cast.procurator, pk=rec.pk, version=None, checked_on="2026-07-01", results=results)
    assert early.value.code == "not_replied" and not ItemCheck.objects.exists()
    _reply(cast, rec)
    at(2026, 8, 20, 9)
    with pytest.raises(Invalid) as partial:
        services.follow_up(user=cast.procurator, pk=rec.pk, version=None, checked_on="2026-08-20",
                           results={items[0].pk: results[items[0].pk]})
    assert partial.value.code == "result_missing" and not ItemCheck.objects.exists()
    results[items[0].pk] = {"result": "partly", "note": "部分网点已换用隐私面单"}
    rec = services.follow_up(user=cast.procurator, pk=rec.pk, version=None, checked_on="2026-08-20", results=results,
                             uploads=[photo("跟进.png")])
    assert rec.state == "followed_up"
    assert [i.finding for i in Item.objects.filter(recommendation=rec).order_by("position")] == [
        "partly", "not_rectified", "not_rectified"]
    rec = services.suit_record(user=cast.procurator, pk=rec.pk, version=None, court="莆田市城厢区人民法院",
                               case_number="(2026)闽0302行初88号", filed_on="2026-08-20", claims="判令依法履行监管职责")
    rec = services.judgment_record(user=cast.procurator, pk=rec.pk, version=None, judged_on="2026-08-20",
                                   judgment="责令继续履行监管职责")
    with pytest.raises(Invalid):
        services.compliance_check(user=cast.procurator, pk=rec.pk, version=None, checked_on="2026-08-20",
                                  results=results)
    ok = {i.pk: {"result": "rectified", "note": "已全面使用隐私面单"} for i in items}
    rec = services.compliance_check(user=cast.procurator, pk=rec.pk, version=None, checked_on="2026-08-20",
                                    results=ok, uploads=[photo("复查.png")])
    assert rec.state == "judged" and ItemCheck.objects.filter(round="compliance").count() == 3
    rec = services.recommendation_close(user=cast.procurator, pk=rec.pk, version=None, reason="整改到位，依法结案")
    assert rec.state == "closed"


def test_a_recommendation_without_items_or_with_a_foreign_link_is_refused_with_nothing_written(cast, story):
    case, *_ = story
    before = (Recommendation.objects.count(), Item.objects.count(), StatusChange.objects.count())
    with pytest.raises(Invalid) as empty:
        services.recommendation_create(user=cast.procurator, case_id=case.pk, number="X1", title="检察建议书",
                                       addressee="莆田市邮政管理局", issued_on="2026-06-28", items=[{"problem": "", "request": ""}])
    assert empty.value.code == "no_items"
    with pytest.raises(Invalid) as unknown:
        services.recommendation_create(user=cast.procurator, case_id=case.pk, number="X2", title="检察建议书", addressee="莆田市邮政管理局",
                                       issued_on="2026-06-28",
                                       items=[{"problem": "问题问题", "request": "建议建议", "events": "999999"}])
    assert unknown.value.code == "unknown_reference"
    assert (Recommendation.objects.count(), Item.objects.count(), StatusChange.objects.count()) == before


# ---- who writes what -------------------------------------------------------------------------------------

def test_the_procurator_cannot_write_the_bureaus_records_nor_the_bureau_the_procurators(cast, story, at):
    _case, rec, _event, _w = story
    at(2026, 7, 1, 9)
    item = rec.items.first()
    for call in (lambda: services.recommendation_serve(user=cast.city_bureau, pk=rec.pk, version=None,
                                                       served_on="2026-07-01", method="direct"),
                 lambda: services.case_open(user=cast.city_bureau, number="N", procuratorate="P", matter="other",
                                            summary="summary", opened_on="2026-07-01"),
                 lambda: services.recommendation_close(user=cast.city_bureau, pk=rec.pk, version=None, reason="关闭"),
                 lambda: services.task_create(user=cast.procurator, item_id=item.pk, county_id=cast.county_a.pk,
                                              title="t", due_on="2026-08-01"),
                 lambda: services.reply_issue(user=cast.procurator, pk=rec.pk, version=None),
                 lambda: services.case_open(user=cast.centre_a, number="N", procuratorate="P", matter="other",
                                            summary="summary", opened_on="2026-07-01")):
        with pytest.raises(Forbidden):
            call()
    assert Recommendation.objects.get(pk=rec.pk).state == "draft" and not Task.objects.exists()


def test_every_write_route_outside_oversight_leaves_the_bureaus_records_unchanged_for_the_procurator(
        cast, story, client_for):
    """Every route of the platform (pages and API) is posted to by the procurator with the numbers of real
    records in its area: nothing of the bureau's records changes."""
    _case, _rec, event, warning = story
    client = client_for(cast.procurator)
    before = _snapshot()
    tried = 0
    for route in _all_routes():
        if route.startswith(("admin/", "i18n/", "oversight/", "logout", "login", "api/v1/auth", "report/")):
            continue
        for path in _filled(route, event, warning, cast):
            response = client.post("/" + path, {"version": event.version, "reason": "检察官试图修改", "note": "试图修改",
                                                "name": "试图修改", "state": "closed"})
            assert response.status_code < 500, path
            tried += 1
    assert tried >= 40
    assert _snapshot() == before


def _all_routes():
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                yield prefix + str(p.pattern)
    return sorted(set(walk(get_resolver().url_patterns)))


def _filled(route, event, warning, cast):
    import re

    if "<" not in route:
        return [route.lstrip("^").rstrip("$")]
    out = []
    for slug in ("sites", "enterprises", "machines", "staff", "officers", "cameras"):
        pk = {"sites": cast.outlet_a1.pk, "enterprises": cast.enterprise_x.pk, "machines": cast.machine_a.pk}.get(
            slug, 1)
        for number in {event.pk, warning.pk, pk}:
            path = re.sub(r"<(?:int:)?(pk|event_id|id|attachment)>", str(number), route)
            path = re.sub(r"<str:(slug|kind)>", slug, path)
            path = re.sub(r"<str:(action|step)>", "close", path)
            path = re.sub(r"<[^>]+>", "1", path)
            out.append(path)
        if "<str:slug>" not in route and "<slug>" not in route:
            break
    return sorted(set(out))


def _snapshot():
    from parcelguard.events.models import Case, Transition
    from parcelguard.parcels.models import EarlyWarning
    from parcelguard.registry.models import Enterprise, Site, XrayMachine

    return (list(Event.objects.values_list("pk", "state", "version", "description")),
            list(Site.objects.values_list("pk", "version", "status")),
            list(Enterprise.objects.values_list("pk", "version")),
            list(XrayMachine.objects.values_list("pk", "version")),
            list(EarlyWarning.objects.values_list("pk", "status", "event_id")),
            Case.objects.count(), Transition.objects.count())


def test_a_county_centre_sees_its_own_tasks_and_nothing_else(cast, story, at, client_for):
    _case, rec, *_ = story
    at(2026, 7, 1, 9)
    _serve(cast, rec)
    items = list(rec.items.order_by("position"))
    ta = services.task_create(user=cast.city_bureau, item_id=items[0].pk, county_id=cast.county_a.pk, title="涵江任务",
                              due_on="2026-08-01")
    tb = services.task_create(user=cast.city_bureau, item_id=items[1].pk, county_id=cast.county_b.pk, title="荔城任务",
                              due_on="2026-08-01")
    assert list(selectors.tasks(cast.centre_a)) == [ta]
    assert list(selectors.recommendations(cast.centre_a)) == []
    assert client_for(cast.centre_a).get(f"/oversight/tasks/{tb.pk}/").status_code == 404
    assert client_for(cast.centre_a).get(f"/oversight/recommendations/{rec.pk}/").status_code == 404
    page = client_for(cast.centre_a).get("/oversight/")
    assert "涵江任务" in page.content.decode() and "荔城任务" not in page.content.decode()
    with pytest.raises(NotFound):
        services.task_done(user=cast.centre_a, task_id=tb.pk, note="完成了任务", uploads=[photo()])
    done = services.task_done(user=cast.centre_a, task_id=ta.pk, note="已组织培训并复查", uploads=[photo()])
    assert done.done_at is not None
    work = [w.subject for w in registry.work_for(cast.centre_a, clock.now())]
    assert f"task:{tb.pk}" not in work


# ---- queue, duty, figures ------------------------------------------------------------------------------

def test_the_reply_is_in_the_bureaus_queue_and_a_late_reply_is_a_lapse(cast, story, at):
    _case, rec, *_ = story
    at(2026, 7, 1, 9)
    _serve(cast, rec, "2026-06-30")
    now = at(2026, 8, 20, 9)
    items = [w for w in registry.work_for(cast.city_bureau, now) if w.subject == f"recommendation:{rec.pk}"]
    assert len(items) == 1 and items[0].due == dt.datetime(2026, 8, 31, tzinfo=SH)
    assert "10" in items[0].title
    start, end = dt.datetime(2026, 8, 1, tzinfo=SH), dt.datetime(2026, 9, 1, tzinfo=SH)
    assert registry.figure("oversight.replies_due").compute(cast.city_bureau, start, end, now=now) == 1
    assert registry.lapses_for(cast.city_bureau, start, end, now)["recommendation"] == []
    now = at(2026, 8, 31, 0, 0)
    reply = _reply(cast, Recommendation.objects.get(pk=rec.pk))
    assert reply.late
    lapses = registry.lapses_for(cast.procurator, start, end, now)["recommendation"]
    assert [lapse.subject for lapse in lapses] == [f"recommendation:{rec.pk}"]
    assert registry.figure("oversight.replies_late").compute(cast.procurator, start, end, now=now) == 1


def test_pages_answer_in_chinese_for_each_side(cast, story, at, client_for):
    _case, rec, *_ = story
    at(2026, 7, 1, 9)
    _serve(cast, rec)
    for user in (cast.procurator, cast.city_bureau):
        client = client_for(user)
        for url in ("/oversight/", f"/oversight/recommendations/{rec.pk}/", f"/oversight/cases/{rec.case_id}/"):
            response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
            assert response.status_code == 200, url
            assert "莆检行公建〔2026〕1号" in response.content.decode()


def test_model_is_registered_for_scoping():
    for model in (CaseFile, Recommendation, Item, Task, Reply, ItemCheck):
        assert issubclass(model, Model) and getattr(model, "scope_path", None)


# ---- the API -------------------------------------------------------------------------------------------

def test_the_api_runs_the_loop_and_answers_errors_with_codes(cast, at, client_for):
    import json

    ensure_taxonomy()
    at(2026, 6, 28, 10)
    proc, bureau = client_for(cast.procurator), client_for(cast.city_bureau)
    r = proc.post("/api/v1/oversight/cases", {"number": "案1", "procuratorate": "莆田市人民检察院", "matter": "fire_safety",
                                              "summary": "集散中心消防隐患", "opened_on": "2026-06-28",
                                              "sites": [cast.sorting_centre_a.code]}, content_type="application/json")
    assert r.status_code == 201, r.content
    case_id = r.json()["id"]
    empty = proc.post(f"/api/v1/oversight/cases/{case_id}/recommendations",
                      {"number": "建1", "title": "检察建议书", "addressee": "莆田市邮政管理局", "issued_on": "2026-06-28",
                       "items": []}, content_type="application/json")
    assert empty.status_code == 422 and empty.json()["error"]["code"] == "no_items"
    r = proc.post(f"/api/v1/oversight/cases/{case_id}/recommendations",
                  {"number": "建1", "title": "检察建议书", "addressee": "莆田市邮政管理局", "issued_on": "2026-06-28",
                   "items": [{"problem": "消防设施未启用", "request": "加强巡查", "sites": [cast.sorting_centre_a.code]}]},
                  content_type="application/json")
    assert r.status_code == 201, r.content
    rec = r.json()
    assert rec["state"] == "draft" and rec["items"][0]["sites"] == [cast.sorting_centre_a.pk]
    forbidden = bureau.post(f"/api/v1/oversight/recommendations/{rec['id']}/serve",
                            {"version": rec["version"], "served_on": "2026-06-28", "method": "direct"})
    assert forbidden.status_code == 403 and forbidden.json()["error"]["code"] == "role_not_allowed"
    r = proc.post(f"/api/v1/oversight/recommendations/{rec['id']}/serve",
                  {"version": rec["version"], "served_on": "2026-06-28", "method": "announced"})
    assert r.status_code == 200 and r.json()["clock"]["due_on"] == "2026-08-28"
    assert r.json()["clock"]["days_left"] == 61
    no_tasks = bureau.post(f"/api/v1/oversight/recommendations/{rec['id']}/reply", {"version": r.json()["version"]},
                           content_type="application/json")
    assert no_tasks.status_code == 409 and no_tasks.json()["error"]["code"] == "no_tasks"
    task = bureau.post(f"/api/v1/oversight/recommendations/{rec['id']}/tasks",
                       {"item_id": rec["items"][0]["id"], "county_id": cast.county_a.pk, "title": "消防整改",
                        "due_on": "2026-07-30"}, content_type="application/json")
    assert task.status_code == 201, task.content
    assert client_for(cast.centre_b).get("/api/v1/oversight/tasks").json() == []
    assert [t["id"] for t in client_for(cast.centre_a).get("/api/v1/oversight/tasks").json()] == [task.json()["id"]]
    done = client_for(cast.centre_a).post(f"/api/v1/oversight/tasks/{task.json()['id']}/done",
                                          {"note": "已配置灭火器并清理通道", "files": [photo()]})
    assert done.status_code == 200 and done.json()["done_at"]
    draft = bureau.get(f"/api/v1/oversight/recommendations/{rec['id']}/draft").json()
    assert draft[0]["status"] == "rectified"
    version = bureau.get(f"/api/v1/oversight/recommendations/{rec['id']}").json()["version"]
    replied = bureau.post(f"/api/v1/oversight/recommendations/{rec['id']}/reply", {"version": version},
                          content_type="application/json")
    assert replied.status_code == 200 and replied.json()["reply_number"].startswith("莆邮管函")
    pdf = proc.get(replied.json()["reply_pdf"])
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    bad = proc.post(f"/api/v1/oversight/recommendations/{rec['id']}/follow-up",
                    {"version": replied.json()["version"], "checked_on": "2026-06-28", "results": "not json"})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_results"
    ok = proc.post(f"/api/v1/oversight/recommendations/{rec['id']}/follow-up",
                   {"version": replied.json()["version"], "checked_on": "2026-06-28",
                    "results": json.dumps({str(rec["items"][0]["id"]): {"result": "rectified", "note": "现场核查已整改"}})})
    assert ok.status_code == 200 and ok.json()["state"] == "followed_up"
    assert client_for(cast.centre_a).get(f"/api/v1/oversight/recommendations/{rec['id']}").status_code == 404
