"""Inspections in the browser's forms (server side): the standard editor (create, edit a draft, a
published one refused, refusals with nothing written), the inspector pool (register, expired refused,
conflicts of interest), scoping of both."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from parcelguard.accounts.models import User
from parcelguard.accounts.roles import Role
from parcelguard.core import clock
from parcelguard.events.testing import ensure_taxonomy
from parcelguard.inspections import services
from parcelguard.inspections.models import Inspector, Standard, Tie
from parcelguard.inspections.testing import putian_items

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def frozen(monkeypatch):
    moment = dt.datetime(2026, 12, 1, 9, tzinfo=SH)
    monkeypatch.setattr(clock, "now", lambda: moment)
    return moment


def _rows(items):
    """The editor's POST: one list per column."""
    data: dict[str, list[str]] = {f"item_{f}": [] for f in ("code", "section", "text", "points", "method", "deduct",
                                                            "evidence", "basis", "site_kinds", "serious", "hazard_type")}
    for i in items:
        data["item_code"].append(i["code"])
        data["item_section"].append(i["section"])
        data["item_text"].append(i["text"])
        data["item_points"].append(str(i["points"]))
        data["item_method"].append(i["method"])
        data["item_deduct"].append(str(i["deduct"] or ""))
        data["item_evidence"].append(i["evidence"])
        data["item_basis"].append(i["basis"])
        data["item_site_kinds"].append(",".join(i["site_kinds"]))
        data["item_serious"].append("yes" if i["serious"] else "")
        data["item_hazard_type"].append(i["hazard_type"])
    for values in data.values():  # a blank row, as the form always has some
        values.append("")
    return data


def test_the_bureau_creates_a_standard_in_the_editor_edits_the_draft_and_publishes(cast, frozen, client_for):
    ensure_taxonomy()
    c = client_for(cast.city_bureau)
    assert c.get("/inspections/standards/new/").status_code == 200
    made = c.post("/inspections/standards/new/", {"code": "putian-2027", "title": "平安寄递示范网点考评标准（2027）",
                                                  "total_points": "100", "excellent_at": "90", "pass_at": "75",
                                                  **_rows(putian_items())})
    assert made.status_code == 302, made.content.decode()[:3000]
    standard = Standard.objects.get(code="putian-2027")
    assert standard.items == services.clean_items(putian_items(), standard.total_points)
    assert standard.published_at is None
    items = putian_items()
    items[0]["points"], items[1]["points"] = 10, 12  # move two points between items: still 100
    page = c.get(f"/inspections/standards/{standard.pk}/edit/")
    assert page.status_code == 200 and "落实实名收寄" in page.content.decode()
    saved = c.post(f"/inspections/standards/{standard.pk}/edit/", {"title": "2027版", "total_points": "100",
                                                                   "excellent_at": "92", "pass_at": "80", **_rows(items)})
    assert saved.status_code == 302
    standard.refresh_from_db()
    assert standard.title == "2027版" and standard.items[0]["points"] == 10 and standard.excellent_at == 92
    c.post(f"/inspections/standards/{standard.pk}/step/", {"action": "publish"})
    standard.refresh_from_db()
    assert standard.published_at is not None
    refused = c.post(f"/inspections/standards/{standard.pk}/edit/", {"title": "改", "total_points": "100",
                                                                     "excellent_at": "90", "pass_at": "75",
                                                                     **_rows(putian_items())})
    assert refused.status_code == 409 and "新版本" in refused.content.decode()
    standard.refresh_from_db()
    assert standard.title == "2027版"


@pytest.mark.parametrize(("change", "message"), [
    ({"points": 11}, "合计为"),  # points that do not add up
    ({"method": "deduct", "deduct": ""}, "第2项"),
    ({"hazard_type": "nope"}, "第2项")])
def test_a_bad_standard_in_the_editor_is_refused_nothing_written_and_the_rows_kept(cast, frozen, client_for, change,
                                                                                    message):
    ensure_taxonomy()
    items = putian_items()
    items[1].update(change)
    r = client_for(cast.city_bureau).post("/inspections/standards/new/", {
        "code": "bad", "title": "错误标准", "total_points": "100", "excellent_at": "90", "pass_at": "75", **_rows(items)})
    html = r.content.decode()
    assert r.status_code == 400 and message in html, html[html.find("editor-error") - 50:][:400]
    assert "落实收寄验视" in html  # what was typed is still there
    assert not Standard.objects.filter(code="bad").exists()


def test_only_the_city_bureau_edits_standards(cast, frozen, client_for):
    ensure_taxonomy()
    standard = services.standard_create(user=cast.city_bureau, code="d", title="草稿标准", items=putian_items())
    for user in (cast.centre_a, cast.officer_x):
        c = client_for(user)
        assert c.get("/inspections/standards/new/").status_code == 403
        assert c.post(f"/inspections/standards/{standard.pk}/edit/", {"title": "改"}).status_code in (403, 404)
    standard.refresh_from_db()
    assert standard.title == "草稿标准"


def test_the_pool_page_registers_refuses_an_expired_certificate_and_records_a_tie(cast, frozen, client_for):
    officer = User.objects.create_user("hj_officer", password="x", role=Role.COUNTY_CENTRE, jurisdiction=cast.county_a,
                                       display_name="涵江执法员")
    c = client_for(cast.centre_a)
    assert c.get("/inspections/inspectors/").status_code == 200
    late = c.post("/inspections/inspectors/", {"action": "register", "officer_id": officer.pk,
                                                "certificate_no": "闽莆执030101", "valid_until": "2026-11-30"})
    assert late.status_code == 400 and "已过期" in late.content.decode()
    assert not Inspector.objects.exists()
    ok = c.post("/inspections/inspectors/", {"action": "register", "officer_id": officer.pk,
                                              "certificate_no": "闽莆执030101", "valid_until": "2028-06-30"})
    assert ok.status_code == 302
    inspector = Inspector.objects.get(user=officer)
    assert inspector.jurisdiction_path == cast.county_a.path
    tie = c.post("/inspections/inspectors/", {"action": "tie", "inspector_id": inspector.pk,
                                               "enterprise_id": cast.enterprise_x.pk, "reason": "配偶在该企业任职"})
    assert tie.status_code == 302 and Tie.objects.get().enterprise == cast.enterprise_x
    page = c.get("/inspections/inspectors/").content.decode()
    assert "闽莆执030101" in page and "配偶在该企业任职" in page
    # another county neither sees this officer nor registers officers outside its county
    other = client_for(cast.centre_b)
    assert "闽莆执030101" not in other.get("/inspections/inspectors/").content.decode()
    r = other.post("/inspections/inspectors/", {"action": "register", "officer_id": officer.pk,
                                                "certificate_no": "闽莆执030199", "valid_until": "2028-06-30"})
    assert r.status_code in (400, 404) and Inspector.objects.get(user=officer).certificate_no == "闽莆执030101"
    assert client_for(cast.officer_x).get("/inspections/inspectors/").status_code == 403


def test_the_editor_and_pool_pages_are_in_chinese(cast, frozen, client_for):
    from tests.test_i18n_pages import english_words

    ensure_taxonomy()
    standard = services.standard_create(user=cast.city_bureau, code="d", title="草稿标准", items=putian_items())
    names = frozenset(u.username for u in User.objects.all())
    c = client_for(cast.city_bureau)
    for url in ("/inspections/standards/new/", f"/inspections/standards/{standard.pk}/edit/", "/inspections/inspectors/",
                "/inspections/standards/"):
        r = c.get(url)
        assert r.status_code == 200, url
        assert not english_words(r.content.decode(), names), (url, english_words(r.content.decode(), names))
