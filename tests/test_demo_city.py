from __future__ import annotations

from django.db import transaction

from parcelguard.accounts.models import Jurisdiction, Level, User
from parcelguard.accounts.roles import Role
from parcelguard.demo.city import load_demo_city
from parcelguard.registry.models import Enterprise, Site, SiteKind, XrayMachine
from parcelguard.registry.validators import validate_credit_code, validate_licence_no


def _fingerprint() -> list[tuple[str, str, str, str]]:
    return list(Site.objects.order_by("code").values_list("code", "name", "filed_address", "manager_phone"))


def test_the_demo_city_is_putian_with_553_outlets_and_24_sorting_centres(db):
    summary = load_demo_city()
    assert summary.outlets == 553 and summary.sorting_centres == 24
    assert Site.objects.filter(kind=SiteKind.OUTLET).count() == 553
    assert Site.objects.filter(kind=SiteKind.SORTING_CENTRE).count() == 24
    counties = dict(Jurisdiction.objects.filter(level=Level.COUNTY).values_list("code", "name"))
    assert counties == {"350302": "城厢区", "350303": "涵江区", "350304": "荔城区", "350305": "秀屿区", "350322": "仙游县"}
    assert Jurisdiction.objects.filter(level=Level.GRID).count() >= 40
    # every sorting centre screens with at least two X-ray machines; stations and lockers exist
    for centre in Site.objects.filter(kind=SiteKind.SORTING_CENTRE):
        assert XrayMachine.objects.filter(site=centre).count() >= 2
    assert Site.objects.filter(kind=SiteKind.STATION).count() > 30
    assert Site.objects.filter(kind=SiteKind.LOCKER).count() > 30
    # identifiers are valid, names are real-looking, not test1/test2
    for e in Enterprise.objects.all():
        validate_credit_code(e.credit_code)
        if e.licence_no:
            validate_licence_no(e.licence_no)
        assert e.name.startswith(("莆田", "中国邮政", "深圳"))
    assert not Site.objects.filter(name__icontains="test").exists()
    # one user for every role, and a county centre and grid worker in every district
    roles = set(User.objects.values_list("role", flat=True))
    assert roles == {r.value for r in Role}
    for code in counties:
        assert User.objects.filter(role=Role.COUNTY_CENTRE, jurisdiction__code=code).exists()
        assert User.objects.filter(role=Role.GRID_WORKER, jurisdiction__parent__code=code).exists()


def _load_and_roll_back(seed: int) -> list[tuple[str, str, str, str]]:
    with transaction.atomic():
        load_demo_city(seed=seed)
        fingerprint = _fingerprint()
        transaction.set_rollback(True)
    return fingerprint


def test_the_same_seed_gives_the_same_city(db):
    first = _load_and_roll_back(7)
    assert len(first) > 700
    assert _load_and_roll_back(7) == first
    assert _load_and_roll_back(8) != first
