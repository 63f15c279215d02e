"""Accounts and abuse (issue 19, items 10 and 11): log-in throttling that locks nobody out and reveals
no account, on the app's page and on /admin/login/; rate limits keyed on the client behind trusted
proxies and shared by every process."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.test import Client, RequestFactory

from parcelguard.accounts.models import User
from parcelguard.core import ratelimit
from parcelguard.testing.cast import PASSWORD

LOCK_WORDS = ("锁定", "locked", "过多", "Too many")


def _login(client: Client, username: str, password: str, path: str = "/login/"):
    return client.post(path, {"username": username, "password": password, "next": ""})


def _fail_until_throttled(client: Client, username: str, path: str = "/login/") -> None:
    for _ in range(settings.LOGIN_MAX_FAILURES):
        _login(client, username, "wrong-password", path)


def test_repeated_failures_hold_back_that_client_for_that_name_even_with_the_right_password(cast):
    client = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(settings.LOGIN_MAX_FAILURES):
        assert _login(client, "centre_a", "wrong").status_code == 400
    held = _login(client, "centre_a", PASSWORD)
    assert held.status_code == 429 and "过多" in held.content.decode()
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES + 1)
    with time_machine.travel(later):
        assert _login(client, "centre_a", PASSWORD).status_code == 302


@pytest.mark.parametrize("victim", ["centre_a", "city_bureau"])
def test_nobody_can_lock_another_person_out(cast, victim):
    attacker = Client(REMOTE_ADDR="198.51.100.66")
    _fail_until_throttled(attacker, victim)
    assert _login(attacker, victim, PASSWORD).status_code == 429
    owner = Client(REMOTE_ADDR="192.0.2.10")  # the real user at their own desk
    assert _login(owner, victim, PASSWORD).status_code == 302


def test_the_throttle_answers_the_same_for_a_name_that_does_not_exist(cast):
    known, unknown = Client(REMOTE_ADDR="198.51.100.1"), Client(REMOTE_ADDR="198.51.100.2")
    answers = []
    for client, name in ((known, "centre_a"), (unknown, "no_such_person")):
        codes = [_login(client, name, "wrong").status_code for _ in range(settings.LOGIN_MAX_FAILURES + 2)]
        last = _login(client, name, "wrong")
        answers.append((codes, last.status_code, last.content.decode().split('role="alert">')[1].split("<")[0]))
    assert answers[0] == answers[1]
    assert answers[0][1] == 429


def test_one_client_guessing_many_names_is_held_back(cast, settings):
    settings.LOGIN_MAX_FAILURES_PER_CLIENT = 6
    sprayer = Client(REMOTE_ADDR="198.51.100.77")
    for i in range(6):
        assert _login(sprayer, f"name{i}", "Summer2026!").status_code == 400
    assert _login(sprayer, "centre_a", PASSWORD).status_code == 429  # even a right guess is not tried
    assert _login(Client(REMOTE_ADDR="192.0.2.11"), "centre_a", PASSWORD).status_code == 302


def test_admin_login_never_answers_500_when_held_back(cast):
    User.objects.filter(username="admin").update(is_staff=True, is_superuser=True)
    client = Client(REMOTE_ADDR="203.0.113.9")
    _fail_until_throttled(client, "admin", "/admin/login/")
    for name, password in (("admin", PASSWORD), ("admin", "wrong"), ("nobody_here", "wrong")):
        response = _login(client, name, password, "/admin/login/")
        assert response.status_code == 200  # the admin form's own answer, not a 500
        assert "_auth_user_id" not in client.session
        assert not any(word in response.content.decode() for word in ("锁定", "locked"))
    elsewhere = Client(REMOTE_ADDR="192.0.2.12")
    assert _login(elsewhere, "admin", PASSWORD, "/admin/login/").status_code == 302


def test_a_successful_log_in_clears_the_pair_and_does_not_count_against_the_client(cast, settings):
    settings.LOGIN_MAX_FAILURES_PER_CLIENT = settings.LOGIN_MAX_FAILURES
    office = Client(REMOTE_ADDR="192.0.2.50")  # many colleagues behind one address
    for _ in range(10):
        assert _login(office, "centre_a", PASSWORD).status_code == 302
        office.post("/logout/")
    for _ in range(settings.LOGIN_MAX_FAILURES - 1):
        _login(office, "centre_b", "wrong")
    assert _login(office, "centre_b", PASSWORD).status_code == 302


# --- the client address behind trusted proxies ------------------------------------------------------

def _address(settings, remote: str, forwarded: str | None = None, proxies: tuple[str, ...] = ()) -> str:
    settings.TRUSTED_PROXIES = list(proxies)
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return ratelimit.client_address(RequestFactory().get("/", **meta))


def test_the_client_address_is_the_peer_unless_the_peer_is_a_trusted_proxy(settings):
    assert _address(settings, "10.0.0.5", "1.2.3.4") == "10.0.0.5"  # no proxy trusted: header ignored
    assert _address(settings, "10.0.0.5", "1.2.3.4", ("10.0.0.0/8",)) == "1.2.3.4"
    # A forged left-most entry does not help: the right-most untrusted hop is the client.
    assert _address(settings, "10.0.0.5", "9.9.9.9, 1.2.3.4", ("10.0.0.0/8",)) == "1.2.3.4"
    assert _address(settings, "10.0.0.5", "1.2.3.4, 10.0.0.7", ("10.0.0.0/8",)) == "1.2.3.4"
    assert _address(settings, "10.0.0.5", "", ("10.0.0.0/8",)) == "10.0.0.5"
    assert _address(settings, "10.0.0.5", "not-an-address", ("10.0.0.0/8",)) == "10.0.0.5"
    assert _address(settings, "::1", "2001:db8::1", ("::1",)) == "2001:db8::1"


def test_login_throttle_keys_on_the_client_behind_the_proxy(cast, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    flooder = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.99")
    _fail_until_throttled(flooder, "centre_a")
    assert _login(flooder, "centre_a", PASSWORD).status_code == 429
    other = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.100")
    assert _login(other, "centre_a", PASSWORD).status_code == 302


def test_the_counter_is_atomic_and_windowed(db):
    assert [ratelimit.hit("t", "a", window=60, now=1000.0) for _ in range(3)] == [1, 2, 3]
    assert ratelimit.hit("t", "b", window=60, now=1000.0) == 1
    assert ratelimit.count("t", "a", window=60, now=1019.0) == 3
    assert ratelimit.hit("t", "a", window=60, now=1021.0) == 1  # the next window


# --- two real server processes behind one proxy -------------------------------------------------------

def test_the_tipoff_limit_holds_across_two_server_processes_behind_a_proxy(migrated_installation, tmp_path):
    """Two granian processes share one database; the proxy (127.0.0.1, trusted) forwards two clients.
    The flooder is held back after the limit wherever its requests land; the other client is not."""
    import re

    import requests

    from parcelguard.testing.processes import (
        copy_installation,
        free_port,
        start_server,
        stop,
        wait_until_serving,
    )

    folder = copy_installation(migrated_installation, tmp_path / "site")
    extra = {"PARCELGUARD_TRUSTED_PROXIES": "127.0.0.1", "PARCELGUARD_TIPOFF_RATE_LIMIT": "3"}
    ports = [free_port(), free_port()]
    servers = [start_server(folder, port, **extra) for port in ports]
    try:
        for port in ports:
            wait_until_serving(f"http://127.0.0.1:{port}/report/")
        session = requests.Session()
        page = session.get(f"http://127.0.0.1:{ports[0]}/report/", timeout=10)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)

        def submit(port: int, client: str) -> int:
            return session.post(f"http://127.0.0.1:{port}/report/", timeout=10,
                                data={"csrfmiddlewaretoken": token, "check": "wrong"},
                                headers={"X-Forwarded-For": client, "Referer": f"http://127.0.0.1:{port}/report/"}
                                ).status_code

        flooder = [submit(ports[i % 2], "203.0.113.50") for i in range(5)]
        assert flooder == [400, 400, 400, 429, 429]  # wrong answers still count; the 4th is over the limit
        assert submit(ports[1], "203.0.113.51") == 400  # another client behind the same proxy is still heard
    finally:
        for server in servers:
            stop(server)
