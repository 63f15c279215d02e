"""Every role × every registry page and API route × a record inside and outside the user's scope.

Inside → visible. Outside → "not found" (existence does not leak). Forbidden actions change nothing.
"""

from __future__ import annotations

import json

import pytest

from parcelguard.accounts.scoping import scope
from parcelguard.registry.kinds import KINDS
from parcelguard.registry.models import Camera, Enterprise, SafetyOfficer, Site, Staff, XrayMachine

# For each user of the cast: which of the two probes they can see.
#   site A = outlet_a1 (Hanjiang grid A1, enterprise X);  site B = outlet_b1 (Licheng grid B1, enterprise Y)
VISIBLE = {
    "city_bureau": {"a": True, "b": True},
    "procurator": {"a": True, "b": True},
    "admin": {"a": True, "b": True},
    "centre_a": {"a": True, "b": False},
    "centre_b": {"a": False, "b": True},
    "grid_a1": {"a": True, "b": False},
    "grid_a2": {"a": False, "b": False},  # outlet_a1 lies in grid A1, not A2
    "grid_b1": {"a": False, "b": True},
    "officer_x": {"a": True, "b": False},
    "officer_y": {"a": False, "b": True},
}
CAN_EDIT = {"city_bureau", "admin", "centre_a", "centre_b", "officer_x", "officer_y"}


def _probe(cast, slug: str, side: str):
    site = cast.outlet_a1 if side == "a" else cast.outlet_b1
    return {
        "sites": site,
        "enterprises": site.enterprise,
        "machines": cast.machine_a if side == "a" else cast.machine_b,
        "staff": Staff.objects.get(site=site if side == "b" else cast.outlet_a1),
        "safety-officers": SafetyOfficer.objects.get(site=site),
        "cameras": Camera.objects.get(site=site),
    }[slug]


def _expected_visible(cast, user_name: str, slug: str, side: str) -> bool:
    if slug == "machines" and side == "a":
        # machine_a stands in the sorting centre in grid A1: the same visibility as outlet_a1
        return VISIBLE[user_name]["a"]
    if slug == "enterprises" and user_name == "grid_a2" and side == "a":
        return True  # enterprise X also runs outlet_a2 in grid A2
    return VISIBLE[user_name][side]


@pytest.mark.parametrize("user_name", sorted(VISIBLE))
@pytest.mark.parametrize("slug", sorted(KINDS))
@pytest.mark.parametrize("side", ["a", "b"])
def test_it_shows_detail_pages_and_api_records_only_inside_the_scope(cast, client_for, user_name, slug, side):
    user = cast.users[user_name]
    obj = _probe(cast, slug, side)
    expected = _expected_visible(cast, user_name, slug, side)
    client = client_for(user)

    page = client.get(f"/registry/{slug}/{obj.pk}/")
    assert page.status_code == (200 if expected else 404), page.content[:300]

    api = client.get(f"/api/v1/{slug}/{obj.pk}/history")
    assert api.status_code == (200 if expected else 404)
    if not expected:
        assert api.json()["error"]["code"] == "not_found"

    listing = client.get(f"/api/v1/{slug}?limit=200")
    assert listing.status_code == 200
    ids = {item["id"] for item in listing.json()["items"]}
    assert (obj.pk in ids) is expected

    html_list = client.get(f"/registry/{slug}/")
    assert html_list.status_code == 200


@pytest.mark.parametrize("user_name", sorted(VISIBLE))
def test_every_list_equals_the_scoping_layer(cast, client_for, user_name):
    user = cast.users[user_name]
    client = client_for(user)
    for slug, kind in KINDS.items():
        body = client.get(f"/api/v1/{slug}?limit=200").json()
        assert body["count"] == scope(user, kind.model).count()


@pytest.mark.parametrize("user_name", sorted(VISIBLE))
@pytest.mark.parametrize("side", ["a", "b"])
def test_it_refuses_edits_outside_the_scope_or_role_and_changes_nothing(cast, client_for, user_name, side):
    user = cast.users[user_name]
    site = cast.outlet_a1 if side == "a" else cast.outlet_b1
    client = client_for(user)
    before = Site.objects.filter(pk=site.pk).values().get()

    response = client.patch(f"/api/v1/sites/{site.pk}", data=json.dumps({"version": site.version, "name": "改名测试"}),
                            content_type="application/json")
    visible = VISIBLE[user_name][side]
    if not visible:
        assert response.status_code == 404
    elif user_name not in CAN_EDIT:
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "forbidden"
    else:
        assert response.status_code == 200, response.content
        return
    assert Site.objects.filter(pk=site.pk).values().get() == before

    page = client.post(f"/registry/sites/{site.pk}/edit/", {"name": "改名测试"})
    assert page.status_code in (403, 404)
    assert Site.objects.filter(pk=site.pk).values().get() == before


def test_a_county_cannot_move_a_site_into_another_county(cast, client_for):
    client = client_for(cast.centre_a)
    site = cast.outlet_a1
    response = client.patch(f"/api/v1/sites/{site.pk}",
                            data=json.dumps({"version": site.version, "grid": cast.grid_b1.code}),
                            content_type="application/json")
    assert response.status_code in (403, 422)
    site.refresh_from_db()
    assert site.grid_id == cast.grid_a1.pk


def test_an_enterprise_cannot_register_a_site_for_another_enterprise(cast, client_for):
    client = client_for(cast.officer_x)
    response = client.post("/api/v1/sites", data=json.dumps({
        "code": "PTYTOWD0099", "name": "冒名网点", "kind": "outlet", "enterprise_id": cast.enterprise_y.pk,
        "county": "350304", "filed_address": "福建省莆田市荔城区镇海街道1号"}), content_type="application/json")
    assert response.status_code in (403, 422)
    assert not Site.objects.filter(code="PTYTOWD0099").exists()


def test_anonymous_users_see_nothing(cast, client):
    assert client.get("/api/v1/sites").status_code == 401
    assert client.get("/api/v1/sites").json()["error"]["code"] == "unauthenticated"
    response = client.get(f"/registry/sites/{cast.outlet_a1.pk}/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_user_without_a_place_in_the_tree_sees_nothing(cast):
    from parcelguard.accounts.models import User

    stray = User.objects.create_user("stray", password="x" * 12, role="county_centre")
    for model in (Site, Enterprise, XrayMachine, Staff):
        assert scope(stray, model).count() == 0
