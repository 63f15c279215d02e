"""Writes live in services: token revocation, marking notifications read, revealing a personal-data
value, asking for the parcel analysis. Bad input is a precise error, never a 500."""

from __future__ import annotations

import pytest

from parcelguard.accounts import services as accounts_services
from parcelguard.accounts.models import ApiToken
from parcelguard.core.errors import Forbidden, NotFound
from parcelguard.events import services as event_services
from parcelguard.events.models import Notification
from parcelguard.events.testing import make_event


def test_a_token_is_issued_and_revoked_only_by_its_owner(cast, client_for):
    clear = accounts_services.token_issue(user=cast.officer_x, name="  WMS  ")
    token = ApiToken.objects.get(user=cast.officer_x)
    assert clear.startswith("pg_") and token.name == "WMS"
    with pytest.raises(NotFound):
        accounts_services.token_revoke(user=cast.officer_y, token_id=token.pk)
    with pytest.raises(NotFound):
        accounts_services.token_revoke(user=cast.officer_x, token_id="abc")
    with pytest.raises(Forbidden):
        accounts_services.token_revoke(user=cast.centre_a, token_id=token.pk)
    assert accounts_services.token_revoke(user=cast.officer_x, token_id=str(token.pk)) == 1
    token.refresh_from_db()
    assert token.revoked_at is not None
    page = client_for(cast.officer_x).post("/account/tokens/", {"revoke": "not-a-number"})
    assert page.status_code == 200 and "记录不存在。" in page.content.decode()


def test_marking_notifications_read_touches_only_the_users_own(cast):
    event = make_event(cast.outlet_a1)
    for n, user in enumerate((cast.centre_a, cast.centre_a, cast.city_bureau)):
        Notification.objects.create(user=user, subject=f"event:{event.pk}", event=event, kind="assigned",
                                    message="x", key=f"k{n}", created_at=event.reported_at)
    mine = list(Notification.objects.filter(user=cast.centre_a).values_list("pk", flat=True))
    others = Notification.objects.get(user=cast.city_bureau)
    assert event_services.notifications_mark_read(user=cast.centre_a, ids=[mine[0], others.pk]) == 1
    assert event_services.notifications_mark_read(user=cast.centre_a) == 1
    others.refresh_from_db()
    assert others.read_at is None


def test_asking_for_the_analysis_needs_the_permission(cast, client_for):
    from parcelguard.parcels import services as parcel_services

    with pytest.raises(Forbidden):
        parcel_services.analysis_request(user=cast.centre_a)
    assert client_for(cast.centre_a).post("/parcels/analysis/run/").status_code == 403
