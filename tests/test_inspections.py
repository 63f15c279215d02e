"""Inspections: standards as data (points add up, published never changes), scoring by hand, the inspector
pool, the double-random draw (reproducible, verifiable, conflicts of interest, risk weights), the phone
checklist (findings become hazard events, a repeat is answered once), scoping, the public page."""

from __future__ import annotations

import datetime as dt
import json
import random
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from parcelguard.accounts.models import User
from parcelguard.accounts.roles import Role
from parcelguard.core import clock, registry
from parcelguard.core.errors import Conflict, Forbidden, Invalid, NotFound
from parcelguard.events.models import Event
from parcelguard.events.testing import ensure_taxonomy, photo
from parcelguard.inspections import draw as drawing
from parcelguard.inspections import selectors, services
from parcelguard.inspections.models import Finding, Inspection, Standard
from parcelguard.inspections.testing import all_in_order, putian_items

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def at(monkeypatch):
    def freeze(*args: int) -> dt.datetime:
        moment = dt.datetime(*args, tzinfo=SH)
        monkeypatch.setattr(clock, "now", lambda: moment)
        return moment
    return freeze


@pytest.fixture
def world(cast, at):
    at(2026, 12, 1, 9)
    ensure_taxonomy()
    standard = services.standard_create(user=cast.city_bureau, code="putian-model", title="平安寄递示范网点考评标准",
                                        items=putian_items())
    services.standard_publish(user=cast.city_bureau, pk=standard.pk)
    officers = []
    for n, (role, place) in enumerate([(Role.CITY_BUREAU, cast.city)] * 3 + [(Role.COUNTY_CENTRE, cast.county_a)] * 2
                                      + [(Role.COUNTY_CENTRE, cast.county_b)] * 2):
        u = User.objects.create_user(f"officer{n}", password="x", role=role, jurisdiction=place, display_name=f"执法{n}")
        officers.append(services.inspector_register(user=cast.city_bureau, officer_id=u.pk,
                                                    certificate_no=f"闽邮执{n:04d}", valid_until="2028-12-31"))
    standard.refresh_from_db()
    return {"standard": standard, "officers": officers}


def _plan(cast, world, **kw):
    args = dict(user=cast.city_bureau, kind="routine", title="2026年12月日常检查", starts_on="2026-12-01",
                ends_on="2026-12-20", standard_id=world["standard"].pk, ratio="50%", minimum=2)
    args.update(kw)
    return services.plan_create(**args)


def _drawn(cast, world, **kw):
    plan = _plan(cast, world, **kw)
    services.plan_commit(user=cast.city_bureau, pk=plan.pk, version=None)
    return services.plan_draw(user=cast.city_bureau, pk=plan.pk, version=None)


# ---- standards -----------------------------------------------------------------------------------------

def test_a_standard_whose_points_do_not_add_up_is_refused_and_nothing_written(cast, world):
    items = putian_items()
    items[0]["points"] = 11
    with pytest.raises(Invalid) as e:
        services.standard_create(user=cast.city_bureau, code="bad", title="错误标准", items=items)
    assert e.value.code == "points_mismatch" and e.value.details == {"sum": "99.0", "total": "100.0"}
    assert not Standard.objects.filter(code="bad").exists()


@pytest.mark.parametrize(("change", "code"), [
    ({"method": "guess"}, "invalid_method"), ({"evidence": "smell"}, "invalid_evidence"),
    ({"site_kinds": ["palace"]}, "invalid_site_kind"), ({"code": "realname"}, "duplicate_code"),
    ({"method": "deduct", "deduct": 0}, "invalid_deduct"), ({"hazard_type": "nope"}, "invalid_hazard_type")])
def test_bad_items_are_refused_with_their_row(cast, world, change, code):
    items = putian_items()
    items[1].update(change)
    with pytest.raises(Invalid) as e:
        services.standard_create(user=cast.city_bureau, code="x2", title="标准", items=items)
    assert e.value.code == code and e.value.details == {"row": 2}


def test_a_published_standard_never_changes_a_new_version_does(cast, world):
    standard = world["standard"]
    with pytest.raises(Conflict) as e:
        services.standard_update(user=cast.city_bureau, pk=standard.pk, title="改", items=putian_items(),
                                 total_points=100, excellent_at=90, pass_at=75)
    assert e.value.code == "standard_published"
    copy = services.standard_copy(user=cast.city_bureau, pk=standard.pk)
    assert (copy.code, copy.version, copy.published_at) == (standard.code, 2, None)
    services.standard_update(user=cast.city_bureau, pk=copy.pk, title="2027版", items=putian_items(),
                             total_points=100, excellent_at=92, pass_at=80)
    standard.refresh_from_db()
    assert standard.title == "平安寄递示范网点考评标准" and standard.excellent_at == 90
    with pytest.raises(Forbidden):
        services.standard_copy(user=cast.centre_a, pk=standard.pk)


def test_excel_export_reopens_and_imports_as_the_same_items(cast, world, client_for, tmp_path):
    response = client_for(cast.city_bureau).get(f"/inspections/standards/{world['standard'].pk}/export/")
    assert response.status_code == 200
    path = tmp_path / "s.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    with path.open("rb") as f:
        again = services.standard_import(user=cast.city_bureau, upload=f, code="copy-xlsx", title="导入")
    assert again.items == world["standard"].items
    with pytest.raises(Invalid) as e, (tmp_path / "x.xlsx").open("wb+") as f:
        f.write(b"not excel")
        f.seek(0)
        services.standard_import(user=cast.city_bureau, upload=f, code="c3", title="导入")
    assert e.value.code == "invalid_file"


def test_scores_equal_a_hand_computation_for_every_item_type(cast, world):
    standard = world["standard"]
    answers = all_in_order(standard, "outlet")
    answers["realname"] = {"ok": False, "note": "未核验身份"}  # yes/no: loses 12
    answers["open_inspect"] = {"findings": 1, "note": "一件未验视"}  # deduct 5 per finding: 10 - 5
    answers["fire"] = {"findings": 5, "note": "灭火器过期"}  # 12 - 15 → 0, not below
    answers["video"] = {"score": 7.5, "note": "两路离线"}  # graded: 7.5 of 12
    _cleaned, score, out_of, failed = services.score_answers(standard, "outlet", answers)
    assert out_of == Decimal(100)
    assert score == Decimal(100) - 12 - 5 - 12 - Decimal("4.5")
    assert [f["code"] for f in failed] == ["realname", "open_inspect", "fire", "video"]
    # a station: the X-ray and sorting items do not apply
    _c, _s, out_of, _f = services.score_answers(standard, "station", all_in_order(standard, "station"))
    assert out_of == Decimal(100) - 12 - 8
    with pytest.raises(Invalid) as e:
        services.score_answers(standard, "outlet", {**answers, "video": {"score": 13, "note": "x"}})
    assert e.value.code == "out_of_range"
    with pytest.raises(Invalid) as e:
        services.score_answers(standard, "outlet", {**answers, "realname": {"ok": False}})
    assert e.value.code == "note_required"


# ---- pool and plans ----------------------------------------------------------------------------------

def test_an_officer_without_a_valid_certificate_is_refused(cast, world):
    u = User.objects.create_user("late", password="x", role=Role.CITY_BUREAU, jurisdiction=cast.city)
    with pytest.raises(Invalid) as e:
        services.inspector_register(user=cast.city_bureau, officer_id=u.pk, certificate_no="闽邮执9999",
                                    valid_until="2026-11-30")
    assert e.value.code == "certificate_expired"
    with pytest.raises(Invalid) as e:
        services.inspector_register(user=cast.city_bureau, officer_id=cast.worker_a1.pk, certificate_no="闽邮执9998",
                                    valid_until="2028-01-01")
    assert e.value.code == "not_an_officer"


def test_a_scope_with_fewer_targets_than_the_ratio_needs_is_refused(cast, world):
    plan = _plan(cast, world, counties=["350304"], minimum=3)  # 荔城区 has one outlet
    with pytest.raises(Invalid) as e:
        services.plan_commit(user=cast.city_bureau, pk=plan.pk, version=None)
    assert e.value.code == "too_few_targets" and e.value.details == {"targets": 1, "needed": 3}
    plan.refresh_from_db()
    assert plan.state == "draft" and plan.commitment == ""
    with pytest.raises(Invalid) as e:
        _plan(cast, world, ratio="150%")
    assert e.value.code == "invalid_ratio"


def test_the_draw_commits_then_reveals_and_anyone_can_recompute_it(cast, world):
    plan = _plan(cast, world)
    committed = services.plan_commit(user=cast.city_bureau, pk=plan.pk, version=None)
    assert committed.state == "committed" and committed.revealed_seed == ""
    assert drawing.commitment(committed.secret_seed) == committed.commitment
    plan = services.plan_draw(user=cast.city_bureau, pk=plan.pk, version=None)
    assert plan.state == "drawn" and len(plan.result) == 2  # 50% of 4 sites
    assert services.verify_plan(plan)["ok"]
    insp = Inspection.objects.filter(plan=plan)
    assert insp.count() == 2 and all(i.inspectors.count() == 2 for i in insp)
    with pytest.raises(Conflict):
        services.plan_draw(user=cast.city_bureau, pk=plan.pk, version=None)  # locked
    # the seed is on the trail
    from parcelguard.trail.models import TrailEntry
    entry = TrailEntry.objects.filter(action="inspection_plan.draw").get()
    assert entry.payload["data"]["seed"] == plan.secret_seed


def test_a_locked_draw_is_redrawn_only_with_a_recorded_reason(cast, world):
    plan = _drawn(cast, world)
    with pytest.raises((Forbidden, NotFound)):
        services.plan_redraw(user=cast.centre_a, pk=plan.pk, version=None, reason="重新抽取")
    with pytest.raises(Invalid):
        services.plan_redraw(user=cast.city_bureau, pk=plan.pk, version=None, reason="")
    again = services.plan_redraw(user=cast.city_bureau, pk=plan.pk, version=None, reason="执法人员回避名单有误")
    assert again.state == "committed" and again.overrides == 1 and again.commitment != plan.commitment
    assert set(Inspection.objects.filter(plan=plan).values_list("state", flat=True)) == {"cancelled"}


def test_draw_properties_reproducible_two_eligible_never_tied_never_the_same_pair_twice():
    rng = random.Random(7)
    pool = [[i, "350300/" if i < 6 else f"350300/35030{i % 3}/", [e for e in range(20) if rng.random() < 0.1]]
            for i in range(20)]
    targets = [[t, rng.choice([1, 1, 2, 3])] for t in range(300)]
    info = {str(t): [f"350300/35030{t % 3}/", t % 20] for t, _w in targets}
    for seed in ("a", "b", "c"):
        result = drawing.run(seed, targets, 60, info, pool)
        assert result == drawing.run(seed, targets, 60, info, pool)
        previous = None
        for target, ids in result:
            path, enterprise = info[str(target)]
            assert len(set(ids)) == 2
            for i in ids:
                assert enterprise not in pool[i][2] and path.startswith(pool[i][1])
            assert set(ids) != previous
            previous = set(ids)
    changed = [[t, w] for t, w in targets]
    changed[5][1] = 9
    base = drawing.run("a", targets, 60, info, pool)
    assert drawing.run("a", changed, 60, info, pool) != base  # the lists' digest is in the working seed
    check = drawing.verify(seed="a", commitment_hex=drawing.commitment("a"), targets=changed, n=60, info=info,
                           pool=pool, result=base, digest=drawing.lists_digest(targets, info, pool))
    assert check["problems"] == ["lists_mismatch", "result_mismatch"]
    assert drawing.verify(seed="b", commitment_hex=drawing.commitment("a"), targets=targets, n=60, info=info,
                          pool=pool, result=base)["problems"][0] == "seed_mismatch"


def test_the_sampling_honours_risk_weights_within_tolerance():
    targets = [[t, 3 if t < 100 else 1] for t in range(1000)]
    heavy = light = 0
    for k in range(200):
        drawn = drawing.draw_targets(f"s{k}", targets, 50)
        heavy += sum(1 for t in drawn if t < 100)
        light += sum(1 for t in drawn if t >= 100)
    # per-target inclusion rate of a weight-3 target ≈ 3× a weight-1 target when few are drawn
    ratio = (heavy / 100) / (light / 900)
    assert 2.5 < ratio < 3.3, ratio


def test_an_officer_tied_to_the_enterprise_is_never_drawn_for_it(cast, world):
    tied = world["officers"][0]
    services.tie_add(user=cast.city_bureau, inspector_id=tied.pk, enterprise_id=cast.enterprise_x.pk, reason="配偶在该企业任职")
    plan = _drawn(cast, world, ratio="100%")
    for insp in Inspection.objects.filter(plan=plan, enterprise=cast.enterprise_x):
        assert tied not in insp.inspectors.all()


# ---- the checklist -----------------------------------------------------------------------------------

def _assigned(cast, world):
    plan = _drawn(cast, world, ratio="100%")
    insp = Inspection.objects.get(plan=plan, site=cast.outlet_a1)
    return insp, insp.inspectors.first().user


def _photos(standard, kind, *codes):
    need = [i["code"] for i in standard.items if i["evidence"] == "photo" and services.applies(i, kind)]
    return {c: [photo(f"{c}.png")] for c in set(need) | set(codes)}


def test_a_submitted_checklist_is_scored_and_failed_items_become_hazard_events(cast, world, at):
    insp, inspector = _assigned(cast, world)
    at(2026, 12, 5, 10)
    answers = all_in_order(insp.standard, "outlet")
    answers["fire"] = {"findings": 2, "note": "两具灭火器压力不足"}
    answers["realname"] = {"ok": False, "note": "未核验寄件人身份"}
    done, replayed = services.inspection_submit(
        user=inspector, pk=insp.pk, answers=answers, client_token="tok-12345678", representative="吴海燕",
        signature=photo("sign.png"), photos=_photos(insp.standard, "outlet"))
    assert not replayed and done.state == "submitted"
    assert done.score == Decimal(100 - 6 - 12) and done.grade == "pass" and done.number.startswith("莆邮检〔2026〕")
    findings = Finding.objects.filter(inspection=done).order_by("item_code")
    assert [f.item_code for f in findings] == ["fire", "realname"]
    events = Event.objects.filter(pk__in=[f.event_id for f in findings])
    assert {e.source for e in events} == {"inspection"} and {e.hazard_type.code for e in events} == {
        "fire_safety", "realname_not_done"}
    assert events.get(hazard_type__code="realname_not_done").severity == "high"
    # the phone retries after the network dropped: answered once, nothing new written
    again, replayed = services.inspection_submit(
        user=inspector, pk=insp.pk, answers=answers, client_token="tok-12345678", representative="吴海燕",
        signature=photo("sign.png"), photos=_photos(insp.standard, "outlet"))
    assert replayed and again.pk == done.pk and Finding.objects.count() == 2
    with pytest.raises(Conflict) as e:  # another form for a submitted inspection
        services.inspection_submit(user=inspector, pk=insp.pk, answers=answers, client_token="other-123456",
                                   representative="吴海燕", signature=photo("sign.png"),
                                   photos=_photos(insp.standard, "outlet"))
    assert e.value.code == "already_submitted"


@pytest.mark.parametrize(("change", "code"), [
    ({"answers": {}}, "answer_missing"), ({"photos": {}}, "photo_required"), ({"signature": None}, "signature_required"),
    ({"representative": ""}, "representative_required"), ({"client_token": ""}, "token_required")])
def test_a_bad_checklist_is_refused_and_nothing_written(cast, world, change, code):
    insp, inspector = _assigned(cast, world)
    args = dict(user=inspector, pk=insp.pk, answers=all_in_order(insp.standard, "outlet"), client_token="tok-99999999",
                representative="吴海燕", signature=photo("sign.png"), photos=_photos(insp.standard, "outlet"))
    args.update(change)
    with pytest.raises(Invalid) as e:
        services.inspection_submit(**args)
    assert e.value.code == code
    insp.refresh_from_db()
    assert insp.state == "assigned" and not Finding.objects.exists()


def test_only_the_drawn_inspectors_submit(cast, world):
    insp, _inspector = _assigned(cast, world)
    other = next(o.user for o in world["officers"] if o not in insp.inspectors.all()
                 and o.user.jurisdiction.path in ("350300/", "350300/350303/"))
    with pytest.raises(Forbidden) as e:
        services.inspection_submit(user=other, pk=insp.pk, answers={}, client_token="tok-12345678",
                                   representative="x", signature=None)
    assert e.value.code == "not_assigned"


def test_scoping_a_county_sees_its_own_an_enterprise_only_its_results(cast, world):
    plan = _drawn(cast, world, ratio="100%")
    all_sites = set(Inspection.objects.filter(plan=plan).values_list("site_id", flat=True))
    assert set(selectors.inspections(cast.city_bureau).values_list("site_id", flat=True)) == all_sites
    assert set(selectors.inspections(cast.centre_a).values_list("site_id", flat=True)) == {
        cast.outlet_a1.pk, cast.outlet_a2.pk, cast.sorting_centre_a.pk}
    assert set(selectors.inspections(cast.officer_y).values_list("site_id", flat=True)) == {cast.outlet_b1.pk}
    assert not selectors.plans(cast.officer_y).exists()


def test_work_duty_and_figures(cast, world, at):
    insp, inspector = _assigned(cast, world)
    items = registry.work_for(inspector, clock.now(), kinds=["inspection"])
    assert any(i.subject == f"inspection:{insp.pk}" for i in items)
    at(2026, 12, 22, 9)  # past the plan's end: every drawn inspection not done is a lapse
    lapses = registry.lapses_for(cast.city_bureau, dt.datetime(2026, 12, 1, tzinfo=SH),
                                 dt.datetime(2027, 1, 1, tzinfo=SH), clock.now())["inspection"]
    assert len(lapses) == Inspection.objects.filter(plan=insp.plan).count()
    start, end = dt.datetime(2026, 12, 1, tzinfo=SH), dt.datetime(2027, 1, 1, tzinfo=SH)
    assert registry.figure("inspections.done").compute(cast.city_bureau, start, end) == 0


# ---- pages -------------------------------------------------------------------------------------------

def test_the_public_page_verifies_and_fails_on_a_changed_list_or_seed(cast, world, client):
    plan = _drawn(cast, world)
    page = client.get(f"/inspections/public/plans/{plan.pk}/")
    assert page.status_code == 200 and "从公布的随机种子和名单可重新计算出相同结果" in page.content.decode()
    assert "执法0" not in page.content.decode()  # no personal data
    data = json.loads(page.context["published_json"])
    assert client.post(f"/inspections/public/plans/{plan.pk}/", {"data": json.dumps(data)}).context[
        "verification"]["ok"]
    bad_seed = {**data, "seed": "0" * 64}
    assert "seed_mismatch" in client.post(f"/inspections/public/plans/{plan.pk}/", {"data": json.dumps(bad_seed)}
                                          ).context["verification"]["problems"]
    for bad in ({**data, "targets": data["targets"][1:]}, {**data, "pool": data["pool"][1:]},
                {**data, "targets": [[t, w + 1] for t, w in data["targets"]]}):
        check = client.post(f"/inspections/public/plans/{plan.pk}/", {"data": json.dumps(bad)}).context["verification"]
        assert not check["ok"] and "lists_mismatch" in check["problems"]
    assert client.post(f"/inspections/public/plans/{plan.pk}/", {"data": "{"}).status_code == 200
    assert client.get("/inspections/public/").status_code == 200


def test_pages_render_in_chinese(cast, world, client_for):
    from tests.test_i18n_pages import english_words

    insp, inspector = _assigned(cast, world)
    c = client_for(cast.city_bureau)
    names = frozenset(u.username for u in User.objects.all())
    import re

    def visible(html: str) -> str:  # the published draw data (JSON for anyone to recompute) is data, not UI text
        return re.sub(r"<textarea[^>]*>.*?</textarea>", "", html, flags=re.S)

    for url in ["/inspections/", f"/inspections/plans/{insp.plan_id}/", f"/inspections/{insp.pk}/",
                "/inspections/standards/", f"/inspections/standards/{insp.standard_id}/", "/inspections/public/",
                f"/inspections/public/plans/{insp.plan_id}/"]:
        r = c.get(url)
        assert r.status_code == 200, url
        assert not english_words(visible(r.content.decode()), names), (url, english_words(visible(r.content.decode()), names))
    r = client_for(inspector).get(f"/inspections/{insp.pk}/fill/")
    assert r.status_code == 200 and not english_words(r.content.decode(), names)
    assert client_for(cast.officer_x).get(f"/inspections/{insp.pk}/fill/").status_code in (403, 404)


# ---- API ---------------------------------------------------------------------------------------------

def test_the_api_lists_draws_submits_once_and_verifies_in_public(cast, world, client_for, client):
    api = client_for(cast.city_bureau)
    made = api.post("/api/v1/inspections/plans", content_type="application/json", data={
        "kind": "routine", "title": "API计划", "starts_on": "2026-12-01", "ends_on": "2026-12-20",
        "standard_id": world["standard"].pk, "ratio": "100%"})
    assert made.status_code == 201, made.content
    pk = made.json()["id"]
    assert api.post(f"/api/v1/inspections/plans/{pk}/commit", content_type="application/json", data={}).json()[
        "state"] == "committed"
    drawn = api.post(f"/api/v1/inspections/plans/{pk}/draw", content_type="application/json", data={}).json()
    assert drawn["state"] == "drawn" and drawn["drawn"] == 4 and len(drawn["seed"]) == 64
    public = client.get(f"/api/v1/inspections/public/plans/{pk}/draw").json()
    assert public["ok"] and public["seed"] == drawn["seed"]
    insp = Inspection.objects.get(plan_id=pk, site=cast.outlet_a1)
    inspector = client_for(insp.inspectors.first().user)
    assert inspector.get("/api/v1/inspections?assigned_to_me=true").json()["count"] >= 1
    files = {f"photo_{c}": photo(f"{c}.png") for c in _photos(insp.standard, "outlet")}
    body = {"answers": json.dumps(all_in_order(insp.standard, "outlet")), "client_token": "api-token-1",
            "representative": "吴海燕", "signature": photo("sign.png"), **files}
    first = inspector.post(f"/api/v1/inspections/{insp.pk}/submit", data=body)
    assert first.status_code == 200, first.content
    assert first.json()["percent"] == 100.0 and first.json()["grade"] == "excellent"
    files = {f"photo_{c}": photo(f"{c}.png") for c in _photos(insp.standard, "outlet")}
    again = inspector.post(f"/api/v1/inspections/{insp.pk}/submit",
                           data={**body, "signature": photo("sign.png"), **files})
    assert again.status_code == 200 and again.json()["id"] == insp.pk
    bad = inspector.post(f"/api/v1/inspections/{insp.pk}/submit", data={**body, "client_token": "another-1",
                                                                       "signature": photo("s.png")})
    assert bad.status_code == 409 and bad.json()["error"]["code"] == "already_submitted"
    enterprise = client_for(cast.officer_y).get("/api/v1/inspections").json()
    assert {i["site_id"] for i in enterprise["items"]} == {cast.outlet_b1.pk}



def test_a_county_plan_works_for_its_county_centre_and_stays_in_its_county(cast, world, client_for):
    plan = services.plan_create(user=cast.centre_a, kind="routine", title="涵江区日常检查", starts_on="2026-12-01",
                                ends_on="2026-12-20", standard_id=world["standard"].pk, ratio="50%")
    assert plan.jurisdiction_path == cast.county_a.path
    page = client_for(cast.centre_a).get(f"/inspections/plans/{plan.pk}/").content.decode()
    assert 'id="step-commit"' in page
    for stranger in (cast.centre_b, cast.officer_x):  # another county, an enterprise: not even found
        with pytest.raises((NotFound, Forbidden)):
            services.plan_commit(user=stranger, pk=plan.pk, version=None)
        assert client_for(stranger).get(f"/inspections/plans/{plan.pk}/").status_code == 404
    services.plan_commit(user=cast.centre_a, pk=plan.pk, version=None)
    assert 'id="step-draw"' in client_for(cast.centre_a).get(f"/inspections/plans/{plan.pk}/").content.decode()
    drawn = services.plan_draw(user=cast.centre_a, pk=plan.pk, version=None)
    assert drawn.state == "drawn" and services.verify_plan(drawn)["ok"]
    sites = set(Inspection.objects.filter(plan=plan).values_list("site__county__code", flat=True))
    assert sites == {"350303"}  # the whole jurisdiction of 涵江区, nothing of 荔城区
    inspectors = {i.jurisdiction_path for insp in Inspection.objects.filter(plan=plan) for i in insp.inspectors.all()}
    assert inspectors <= {cast.city.path, cast.county_a.path}
    city_plan = _plan(cast, world)  # the county centre neither sees nor draws the city bureau's plan
    with pytest.raises(NotFound):
        services.plan_commit(user=cast.centre_a, pk=city_plan.pk, version=None)
    city_plan.refresh_from_db()
    assert city_plan.state == "draft" and city_plan.commitment == ""
