"""The shared cast of the tests: a small city with two districts, their grids, two enterprises, sites
in each, and one user per role. Everyone in tests says "the grid worker in Hanjiang", not "user 3".

    city 350300 莆田市
    ├── county 350303 涵江区 (A) ── grid 350303001 涵东街道网格 (A1), grid 350303002 白塘镇网格 (A2)
    └── county 350304 荔城区 (B) ── grid 350304001 镇海街道网格 (B1)
    users (cast.users[name], or cast.<name>): city_bureau, procurator, admin, centre_a, centre_b,
    grid_a1, grid_a2, grid_b1 (grid workers; as attributes cast.worker_a1 etc., since cast.grid_a1 is the grid),
    officer_x, officer_y (enterprise safety officers)
    enterprise X: ZTO (safety officer user: officer_x), with outlet_a1 (grid A1), outlet_a2 (grid A2) and sorting_centre_a (grid A1, 2 machines)
    enterprise Y: YTO (safety officer user: officer_y), with outlet_b1 (grid B1, 1 machine)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from stdnum.cn import uscc

from parcelguard.accounts.models import Jurisdiction, Level, User
from parcelguard.accounts.roles import Role
from parcelguard.registry.models import (
    Brand,
    Camera,
    Enterprise,
    MachineStatusWindow,
    SafetyOfficer,
    Site,
    SiteKind,
    Staff,
    XrayMachine,
)

PASSWORD = "cast-password-123"


def credit_code(body17: str) -> str:
    return body17 + uscc.calc_check_digit(body17)


@dataclass
class Cast:
    city: Jurisdiction
    county_a: Jurisdiction
    county_b: Jurisdiction
    grid_a1: Jurisdiction
    grid_a2: Jurisdiction
    grid_b1: Jurisdiction
    enterprise_x: Enterprise
    enterprise_y: Enterprise
    outlet_a1: Site
    outlet_a2: Site
    sorting_centre_a: Site
    outlet_b1: Site
    machine_a: XrayMachine
    machine_b: XrayMachine
    users: dict[str, User] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        users = self.__dict__.get("users", {})
        if name.startswith("worker_"):  # cast.grid_a1 is the grid itself; its grid worker is cast.worker_a1
            name = "grid_" + name.removeprefix("worker_")
        if name in users:
            return users[name]
        raise AttributeError(name)


def make_cast() -> Cast:
    city = Jurisdiction.objects.create(code="350300", name="莆田市", level=Level.CITY)
    county_a = Jurisdiction.objects.create(code="350303", name="涵江区", level=Level.COUNTY, parent=city)
    county_b = Jurisdiction.objects.create(code="350304", name="荔城区", level=Level.COUNTY, parent=city)
    grid_a1 = Jurisdiction.objects.create(code="350303001", name="涵东街道网格", level=Level.GRID, parent=county_a)
    grid_a2 = Jurisdiction.objects.create(code="350303002", name="白塘镇网格", level=Level.GRID, parent=county_a)
    grid_b1 = Jurisdiction.objects.create(code="350304001", name="镇海街道网格", level=Level.GRID, parent=county_b)
    for code, name in (("ZTO", "中通快递"), ("YTO", "圆通速递"), ("SF", "顺丰速运"), ("YD", "韵达速递")):
        Brand.objects.create(code=code, name=name)
    enterprise_x = Enterprise.objects.create(
        name="莆田市涵江区中通快递服务有限公司", brand_id="ZTO", credit_code=credit_code("91350303MA2XYW123"),
        licence_no="闽邮20190012", licence_valid_until=dt.date(2029, 6, 30), legal_representative="林志明",
        contact_name="陈丽娟", contact_phone="13805941234")
    enterprise_y = Enterprise.objects.create(
        name="莆田市荔城区圆通速递有限公司", brand_id="YTO", credit_code=credit_code("91350304MA3ABC456"),
        licence_no="闽邮20200031", licence_valid_until=dt.date(2030, 1, 31), legal_representative="黄建华",
        contact_name="郑秀英", contact_phone="13959401234")

    def site(code: str, name: str, kind: str, enterprise: Enterprise, county: Jurisdiction,
             grid: Jurisdiction, address: str) -> Site:
        return Site.objects.create(code=code, name=name, kind=kind, enterprise=enterprise, county=county, grid=grid,
                                   filed_address=address, actual_address=address, manager_name="吴海燕",
                                   manager_phone="13600001111", opened_on=dt.date(2020, 5, 1),
                                   filed_on=dt.date(2020, 5, 6))

    outlet_a1 = site("PTZTOWD0001", "中通涵江涵东营业部", SiteKind.OUTLET, enterprise_x, county_a, grid_a1,
                     "福建省莆田市涵江区涵东街道涵华东路88号")
    outlet_a2 = site("PTZTOWD0002", "中通涵江白塘营业部", SiteKind.OUTLET, enterprise_x, county_a, grid_a2,
                     "福建省莆田市涵江区白塘镇白塘路12号")
    sorting_centre_a = site("PTZTOFB0001", "中通莆田涵江分拨中心", SiteKind.SORTING_CENTRE, enterprise_x, county_a,
                    grid_a1, "福建省莆田市涵江区三江口镇三江口大道1号")
    outlet_b1 = site("PTYTOWD0001", "圆通荔城镇海营业部", SiteKind.OUTLET, enterprise_y, county_b, grid_b1,
                     "福建省莆田市荔城区镇海街道荔园东路66号")
    machine_a = XrayMachine.objects.create(code="XRZTOFB000101", site=sorting_centre_a, model_name="同方威视 CX6550",
                                           serial_no="CX6550-1234567", capacity_per_hour=2400, networked=True)
    XrayMachine.objects.create(code="XRZTOFB000102", site=sorting_centre_a, model_name="同方威视 CX5030",
                               serial_no="CX5030-7654321", capacity_per_hour=1800, networked=True)
    machine_b = XrayMachine.objects.create(code="XRYTOWD000101", site=outlet_b1, model_name="公安一所 PG-5030",
                                           serial_no="PG5030-1111111", capacity_per_hour=800)
    MachineStatusWindow.objects.create(machine=machine_b, status="broken",
                                       start=timezone.make_aware(dt.datetime(2026, 10, 1, 8, 0)))
    for s in (outlet_a1, sorting_centre_a, outlet_b1):
        SafetyOfficer.objects.create(site=s, name="欧阳建国", phone="13712345678")
        Staff.objects.create(site=s, name="许文彬", phone="18859401234", position="clerk")
        Camera.objects.create(code=f"CAM{s.code}", site=s, location="收寄台", protocol="rtsp",
                              stream_url=f"rtsp://video.example/{s.code}")
    cast = Cast(city, county_a, county_b, grid_a1, grid_a2, grid_b1, enterprise_x, enterprise_y, outlet_a1, outlet_a2,
                sorting_centre_a, outlet_b1, machine_a, machine_b)

    def user(name: str, role: str, jurisdiction: Jurisdiction | None = None,
             enterprise: Enterprise | None = None) -> None:
        cast.users[name] = User.objects.create_user(name, password=PASSWORD, role=role, jurisdiction=jurisdiction,
                                                    enterprise=enterprise, display_name=name)

    user("city_bureau", Role.CITY_BUREAU, city)
    user("procurator", Role.PROCURATOR, city)
    user("admin", Role.ADMIN, city)
    user("centre_a", Role.COUNTY_CENTRE, county_a)
    user("centre_b", Role.COUNTY_CENTRE, county_b)
    user("grid_a1", Role.GRID_WORKER, grid_a1)
    user("grid_a2", Role.GRID_WORKER, grid_a2)
    user("grid_b1", Role.GRID_WORKER, grid_b1)
    user("officer_x", Role.ENTERPRISE, enterprise=enterprise_x)
    user("officer_y", Role.ENTERPRISE, enterprise=enterprise_y)
    return cast
