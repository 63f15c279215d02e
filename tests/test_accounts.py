from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.test import Client

from parcelguard.accounts.models import ApiToken, User
from parcelguard.testing.cast import PASSWORD


def test_passwords_are_hashed_with_argon2_in_production_settings():
    from parcelguard import settings as production

    assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_it_logs_in_and_lands_on_the_home_page(cast):
    client = Client()
    response = client.post("/login/", {"username": "centre_a", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert "centre_a" in home.content.decode()


def test_a_wrong_password_for_an_unknown_user_says_the_same_as_for_a_known_one(cast):
    client = Client()
    a = client.post("/login/", {"username": "nobody", "password": "x"}).content.decode()
    b = client.post("/login/", {"username": "centre_a", "password": "x"}).content.decode()
    assert ("用户名或密码错误" in a) and ("用户名或密码错误" in b)


def test_sessions_expire(cast):
    assert settings.SESSION_COOKIE_AGE <= 12 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE


def test_a_deactivated_user_is_logged_out_everywhere(cast, client_for):
    client = client_for(cast.centre_a)
    assert client.get("/api/v1/me").status_code == 200
    User.objects.filter(pk=cast.centre_a.pk).update(is_active=False)
    assert client.get("/api/v1/me").status_code == 401


def test_an_api_token_authenticates_a_machine_client_and_can_be_revoked(cast):
    token, raw = ApiToken.issue(cast.officer_x, "分拨系统")
    assert token.token_hash != raw and raw.startswith("pg_")
    client = Client()
    me = client.get("/api/v1/me", headers={"authorization": f"Bearer {raw}"})
    assert me.status_code == 200 and me.json()["role"] == "enterprise"
    sites = client.get("/api/v1/sites", headers={"authorization": f"Bearer {raw}"}).json()
    assert {s["enterprise_id"] for s in sites["items"]} == {cast.enterprise_x.pk}
    assert client.get("/api/v1/me", headers={"authorization": "Bearer pg_forged"}).status_code == 401
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=dt.datetime.now(dt.UTC))
    assert client.get("/api/v1/me", headers={"authorization": f"Bearer {raw}"}).status_code == 401


def test_the_token_page_shows_a_new_token_once(cast, client_for):
    client = client_for(cast.officer_x)
    response = client.post("/account/tokens/", {"name": "网点系统"})
    assert response.status_code == 200
    raw = response.context["new_token"]
    assert ApiToken.find(raw) is not None
    assert raw not in client.get("/account/tokens/").content.decode()
    assert client_for(cast.worker_a1).get("/account/tokens/").status_code == 403


def test_the_interface_is_chinese_by_default_and_english_on_request(cast, client_for):
    client = client_for(cast.centre_a)
    assert "待我关注" in client.get("/", headers={"accept-language": "en-US,en"}).content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "What needs my attention" in client.get("/").content.decode()


def test_only_the_administrator_role_reaches_account_management(cast, client_for):
    assert client_for(cast.admin).get("/admin/accounts/user/").status_code == 200
    for user in (cast.city_bureau, cast.centre_a, cast.officer_x, cast.procurator):
        response = client_for(user).get("/admin/accounts/user/")
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
