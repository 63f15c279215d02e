"""The demo city: Putian's supervision as a bureau would have it on file. Deterministic: the same seed
always gives the same city (dates are laid out from a fixed anchor day, not from today)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from stdnum.cn import uscc

from parcelguard.accounts.models import Jurisdiction, Level, User
from parcelguard.accounts.roles import Role
from parcelguard.demo.people import landline, mobile, person_name
from parcelguard.demo.places import (
    CITY,
    COUNTIES,
    LANDMARKS,
    OUTLETS_PER_COUNTY,
    SORTING_CENTRES_PER_COUNTY,
)
from parcelguard.registry.models import (
    Brand,
    Camera,
    ChangeRecord,
    Enterprise,
    MachineStatus,
    MachineStatusWindow,
    SafetyOfficer,
    Site,
    SiteKind,
    Staff,
    StaffPosition,
    Status,
    XrayMachine,
)

ANCHOR = dt.date(2026, 11, 1)  # the day the demo data "was exported"
DEMO_PASSWORD = "Putian-Demo-2026"
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"

# brand code: (brand name, short name for site names, how the local enterprise is named)
BRANDS = {
    "SF": ("顺丰速运", "顺丰", "莆田市顺丰速运有限公司{county}分部"),
    "EMS": ("中国邮政EMS", "EMS", "中国邮政速递物流股份有限公司莆田市{county}营业部"),
    "ZTO": ("中通快递", "中通", "莆田市{county}中通快递服务有限公司"),
    "YTO": ("圆通速递", "圆通", "莆田市{county}圆通速递有限公司"),
    "STO": ("申通快递", "申通", "莆田市{county}申通快递有限公司"),
    "YD": ("韵达速递", "韵达", "莆田市{county}韵达快递服务有限公司"),
    "JT": ("极兔速递", "极兔", "莆田市{county}极兔速递有限公司"),
    "DBL": ("德邦快递", "德邦", "莆田市{county}德邦物流有限公司"),
    "JD": ("京东物流", "京东", "莆田市{county}京东物流有限公司"),
    "CN": ("菜鸟驿站", "菜鸟驿站", "莆田市{county}邻里驿站服务有限公司"),
    "FC": ("丰巢", "丰巢", "深圳市丰巢网络技术有限公司莆田{county}分公司"),
    "SS": ("闪送", "闪送", "莆田市闪送同城配送有限公司"),
    "DD": ("达达快送", "达达", "莆田市达达众包配送有限公司"),
}
EXPRESS_BRANDS = ["SF", "EMS", "ZTO", "YTO", "STO", "YD", "JT", "DBL", "JD"]
BRAND_WEIGHTS = [10, 8, 16, 14, 12, 14, 12, 6, 8]  # franchise brands run more outlets
MACHINE_MODELS = [("同方威视 CX5030", 1800), ("同方威视 CX6550", 2400), ("公安一所 PG-6550C", 2400),
                  ("中科微精 ZK-5030A", 1500), ("华讯方舟 HF-100100", 3600)]


@dataclass
class Summary:
    counties: int
    grids: int
    enterprises: int
    outlets: int
    sorting_centres: int
    stations: int
    lockers: int
    machines: int
    users: list[tuple[str, str, str]]  # username, role label, where


def _credit_code(rng: random.Random, county_code: str) -> str:
    body = "91" + county_code + "MA" + "".join(rng.choice(_USCC_ALPHABET) for _ in range(7))
    return body + uscc.calc_check_digit(body)


def _aware(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


class _Builder:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.codes: set[str] = set()

    def address(self, county: str, town: str, roads: list[str]) -> str:
        number = self.rng.randrange(1, 999)
        extra = self.rng.choice(["", "", "", f"{self.rng.randrange(1, 30)}号楼", f"{self.rng.randrange(1, 5)}号店面"])
        return f"福建省莆田市{county}{town}{self.rng.choice(roads)}{number}号{extra}"

    def point(self, lat: float, lon: float, spread: float = 0.05) -> tuple[Decimal, Decimal]:
        return (Decimal(str(round(lat + self.rng.uniform(-spread, spread), 6))),
                Decimal(str(round(lon + self.rng.uniform(-spread, spread), 6))))

    def day_between(self, start: dt.date, end: dt.date) -> dt.date:
        return start + dt.timedelta(days=self.rng.randrange(max((end - start).days, 1)))


def demo_exists() -> bool:
    return Jurisdiction.objects.filter(code=CITY[0]).exists()


@transaction.atomic
def load_demo_city(seed: int = 20191) -> Summary:
    b = _Builder(seed)
    rng = b.rng
    city = Jurisdiction.objects.create(code=CITY[0], name=CITY[1], level=Level.CITY, latitude=CITY[2],
                                       longitude=CITY[3])
    counties: dict[str, Jurisdiction] = {}
    grids: dict[str, list[Jurisdiction]] = {}
    for code, (name, lat, lon, towns, _roads) in COUNTIES.items():
        county = Jurisdiction.objects.create(code=code, name=name, level=Level.COUNTY, parent=city, latitude=lat,
                                             longitude=lon)
        counties[code] = county
        grids[code] = [
            Jurisdiction.objects.create(code=f"{code}{i:03d}", name=f"{name}{town}网格", level=Level.GRID,
                                        parent=county, latitude=lat + rng.uniform(-.04, .04),
                                        longitude=lon + rng.uniform(-.04, .04))
            for i, town in enumerate(towns, start=1)
        ]

    Brand.objects.bulk_create([Brand(code=c, name=v[0]) for c, v in BRANDS.items()])
    admin = User.objects.create_user("admin", password=DEMO_PASSWORD, role=Role.ADMIN, jurisdiction=city,
                                     display_name="系统管理员", is_staff=True)

    # Enterprises: one franchisee or branch per express brand and district, plus station, locker and
    # new-format operators.
    enterprises: dict[tuple[str, str], Enterprise] = {}
    for code, (cname, *_rest) in COUNTIES.items():
        for brand in [*EXPRESS_BRANDS, "CN", "FC"]:
            year = rng.randrange(2012, 2024)
            enterprises[(brand, code)] = Enterprise(
                name=BRANDS[brand][2].format(county=cname), brand_id=brand, credit_code=_credit_code(rng, code),
                licence_no=f"闽邮{year}{rng.randrange(1, 9999):04d}" if brand not in ("CN", "FC") else "",
                licence_valid_until=dt.date(year + 5 * (1 + (2026 - year) // 5), rng.randrange(1, 13), 1)
                if brand not in ("CN", "FC") else None,
                legal_representative=person_name(rng), contact_name=person_name(rng), contact_phone=mobile(rng),
                address=b.address(cname, COUNTIES[code][3][0], COUNTIES[code][4]),
            )
    for brand in ("SS", "DD"):
        enterprises[(brand, "350304")] = Enterprise(
            name=BRANDS[brand][2], brand_id=brand, credit_code=_credit_code(rng, "350304"),
            legal_representative=person_name(rng), contact_name=person_name(rng), contact_phone=mobile(rng),
            address=b.address("荔城区", "镇海街道", COUNTIES["350304"][4]))
    # A few licences lapse soon or have lapsed: the registry must show them.
    lapsing = rng.sample([e for (brand, _c), e in enterprises.items() if e.licence_no], 4)
    for i, e in enumerate(lapsing):
        e.licence_valid_until = ANCHOR + dt.timedelta(days=[-40, -5, 20, 45][i])
    Enterprise.objects.bulk_create(enterprises.values())

    sites: list[Site] = []
    seq: dict[str, int] = {}

    def site(kind: str, brand: str, county_code: str, name: str, **extra: Any) -> Site:
        cname, lat, lon, towns, roads = COUNTIES[county_code]
        grid_index = rng.randrange(len(towns))
        grid = grids[county_code][grid_index]
        prefix = {"outlet": "WD", "sorting_centre": "FB", "station": "YZ", "locker": "GZ",
                  "intra_city": "TC", "crowdsourced": "ZB"}[kind]
        seq[prefix] = seq.get(prefix, 0) + 1
        filed = b.address(cname, towns[grid_index], roads)
        opened = b.day_between(dt.date(2014, 3, 1), ANCHOR - dt.timedelta(days=30))
        lat_, lon_ = b.point(grid.latitude or lat, grid.longitude or lon, 0.02)
        s = Site(
            code=f"PT{brand}{prefix}{seq[prefix]:04d}", name=name, kind=kind,
            enterprise=enterprises.get((brand, county_code)) or enterprises[(brand, "350304")],
            county=counties[county_code], grid=grid, jurisdiction_path=grid.path, filed_address=filed,
            actual_address=filed, latitude=lat_, longitude=lon_, opened_on=opened,
            filed_on=opened + dt.timedelta(days=rng.randrange(1, 15)),
            opens=dt.time(8, 0) if kind != SiteKind.SORTING_CENTRE else None,
            closes=dt.time(rng.choice([19, 20, 21]), 0) if kind != SiteKind.SORTING_CENTRE else None,
            manager_name=person_name(rng), manager_phone=mobile(rng) if rng.random() < .85 else landline(rng),
            **extra,
        )
        s._town = towns[grid_index]  # type: ignore[attr-defined]
        sites.append(s)
        return s

    for county_code, n in SORTING_CENTRES_PER_COUNTY.items():
        cname, _lat, _lon, towns, _roads = COUNTIES[county_code]
        for i in range(n):
            brand = EXPRESS_BRANDS[(i * 3 + len(cname) + int(county_code[-1])) % len(EXPRESS_BRANDS)]
            site(SiteKind.SORTING_CENTRE, brand, county_code, f"{BRANDS[brand][1]}莆田{cname[:2]}分拨中心"
                 + ("" if i < len(EXPRESS_BRANDS) else f"{i}号"))
    for county_code, n in OUTLETS_PER_COUNTY.items():
        cname, _lat, _lon, towns, _roads = COUNTIES[county_code]
        for _ in range(n):
            brand = rng.choices(EXPRESS_BRANDS, BRAND_WEIGHTS)[0]
            s = site(SiteKind.OUTLET, brand, county_code, "")
            s.name = f"{BRANDS[brand][1]}{cname[:2]}{s._town[:-2] if len(s._town) > 3 else s._town}" \
                     f"{rng.choice(LANDMARKS)}营业部"  # type: ignore[attr-defined]
    for county_code in COUNTIES:
        cname = COUNTIES[county_code][0]
        for _ in range(rng.randrange(12, 20)):
            s = site(SiteKind.STATION, "CN", county_code, "")
            s.name = f"菜鸟驿站·{s._town}{rng.choice(LANDMARKS)}店"  # type: ignore[attr-defined]
            s.opens, s.closes = dt.time(9, 0), dt.time(21, 0)
        for _ in range(rng.randrange(8, 14)):
            s = site(SiteKind.LOCKER, "FC", county_code, "")
            s.name = f"丰巢智能柜·{s._town}{rng.choice(LANDMARKS)}"  # type: ignore[attr-defined]
            s.opens = s.closes = None
    for i in range(3):
        site(SiteKind.INTRA_CITY, "SS", "350304", f"闪送莆田{['荔城', '城厢', '涵江'][i]}服务站")
    for i in range(2):
        site(SiteKind.CROWDSOURCED, "DD", "350304", f"达达快送莆田{['荔城', '秀屿'][i]}配送站")

    # What grid workers find: outlets operating away from their filed address, stations filed late.
    outlets = [s for s in sites if s.kind == SiteKind.OUTLET]
    for s in rng.sample(outlets, 14):
        cname, _lat, _lon, towns, roads = COUNTIES[s.county.code]
        s.actual_address = b.address(cname, s._town, roads)  # type: ignore[attr-defined]
    stations = [s for s in sites if s.kind == SiteKind.STATION]
    for s in rng.sample(stations, 6):
        s.opened_on = ANCHOR - dt.timedelta(days=rng.randrange(25, 90))
        s.filed_on = None if rng.random() < 0.5 else s.opened_on + dt.timedelta(days=rng.randrange(25, 40))
    for s in rng.sample(outlets, 5):
        s.status = Status.SUSPENDED
    for s in rng.sample(outlets, 3):
        s.status = Status.CLOSED
    Site.objects.bulk_create(sites)

    # Safety officers, staff, machines, cameras.
    officers, staff, machines, cameras = [], [], [], []
    for s in sites:
        if s.kind in (SiteKind.OUTLET, SiteKind.SORTING_CENTRE) and rng.random() > 0.03:
            officers.append(SafetyOfficer(site=s, name=person_name(rng), phone=mobile(rng),
                                          filed_on=s.filed_on or s.opened_on))
        if s.kind in (SiteKind.OUTLET, SiteKind.SORTING_CENTRE, SiteKind.STATION):
            positions = [StaffPosition.CLERK, StaffPosition.COURIER, StaffPosition.COURIER]
            if s.kind == SiteKind.SORTING_CENTRE:
                positions += [StaffPosition.SCREENER, StaffPosition.SCREENER, StaffPosition.SORTER,
                              StaffPosition.SORTER, StaffPosition.MANAGER]
            for position in positions[: rng.randrange(2, len(positions) + 1)]:
                staff.append(Staff(site=s, name=person_name(rng), phone=mobile(rng), position=position,
                                   trained_on=b.day_between(dt.date(2023, 1, 1), ANCHOR)))
        n_machines = rng.randrange(2, 5) if s.kind == SiteKind.SORTING_CENTRE else (
            1 if s.kind == SiteKind.OUTLET and rng.random() < 0.3 else 0)
        for _ in range(n_machines):
            model_name, capacity = rng.choice(MACHINE_MODELS)
            if s.kind == SiteKind.OUTLET:
                capacity = rng.choice([600, 800, 1000])
            machines.append(XrayMachine(
                code=f"XR{s.code[2:]}{len([m for m in machines if m.site is s]) + 1:02d}", site=s,
                model_name=model_name, serial_no=f"{model_name.split()[-1]}-{rng.randrange(10**6, 10**7)}",
                capacity_per_hour=capacity, networked=s.kind == SiteKind.SORTING_CENTRE or rng.random() < .6,
                installed_on=b.day_between(s.opened_on or dt.date(2016, 1, 1), ANCHOR)))
        n_cameras = 3 if s.kind == SiteKind.SORTING_CENTRE else (1 if s.kind == SiteKind.OUTLET else 0)
        for i in range(n_cameras):
            location = ["收寄台", "安检机出口", "分拣区"][i]
            cameras.append(Camera(code=f"CAM{s.code[2:]}{i + 1}", site=s, location=location,
                                  protocol="rtsp", stream_url=f"rtsp://video.putian.example/{s.code}/{i + 1}"))
    SafetyOfficer.objects.bulk_create(officers)
    Staff.objects.bulk_create(staff)
    XrayMachine.objects.bulk_create(machines)
    Camera.objects.bulk_create(cameras)

    # Down-windows over the last month, and the Jiayuguan pattern: a sorting-centre machine broken for
    # days (its "screening" records will say otherwise once parcel data arrives).
    windows = []
    for m in rng.sample(machines, 12):
        start = _aware(ANCHOR - dt.timedelta(days=rng.randrange(2, 30)), rng.randrange(0, 23))
        windows.append(MachineStatusWindow(machine=m, status=rng.choice([MachineStatus.OFFLINE,
                                                                          MachineStatus.MAINTENANCE]),
                                           start=start, end=start + dt.timedelta(hours=rng.randrange(2, 30)),
                                           note="设备例行维护" if rng.random() < .5 else "网络中断"))
    broken = next(m for m in machines if m.site.kind == SiteKind.SORTING_CENTRE and m.site.enterprise.brand_id == "YD")
    windows.append(MachineStatusWindow(machine=broken, status=MachineStatus.BROKEN,
                                       start=_aware(ANCHOR - dt.timedelta(days=9), 14, 30), end=None,
                                       note="射线源故障，待厂家维修"))
    MachineStatus_ = XrayMachine.objects.filter(pk=broken.pk)
    MachineStatus_.update(status=MachineStatus.BROKEN)
    MachineStatusWindow.objects.bulk_create(windows)

    # Users: one for every role and district.
    users = [("admin", str(Role.ADMIN.label), city.name)]

    def user(username: str, role: Role, display: str, where: Jurisdiction | None = None,
             enterprise: Enterprise | None = None) -> None:
        User.objects.create_user(username, password=DEMO_PASSWORD, role=role, jurisdiction=where,
                                 enterprise=enterprise, display_name=display, phone=mobile(rng))
        users.append((username, str(role.label), (where.name if where else enterprise.name if enterprise else "")))

    user("city", Role.CITY_BUREAU, f"{person_name(rng)}（市局执法科）", city)
    user("procurator", Role.PROCURATOR, f"{person_name(rng)}（市检察院）", city)
    pinyin = {"350302": "chengxiang", "350303": "hanjiang", "350304": "licheng", "350305": "xiuyu",
              "350322": "xianyou"}
    for code, county in counties.items():
        user(f"{pinyin[code]}_centre", Role.COUNTY_CENTRE, f"{person_name(rng)}（{county.name}安全中心）", county)
        user(f"{pinyin[code]}_grid", Role.GRID_WORKER, f"{person_name(rng)}（{grids[code][0].name}）", grids[code][0])
        user(f"{pinyin[code]}_zto", Role.ENTERPRISE, f"{person_name(rng)}（中通安全员）",
             enterprise=enterprises[("ZTO", code)])

    # Every record starts its history with the import it came from.
    now = _aware(ANCHOR, 9)
    history = []
    for model_name, rows in (("enterprise", enterprises.values()), ("site", sites), ("xraymachine", machines)):
        history += [ChangeRecord(model=model_name, object_id=r.pk, action="import", actor=admin, at=now,
                                 changes={}, reason="2026年基础信息普查导入") for r in rows]
    ChangeRecord.objects.bulk_create(history, batch_size=2000)

    kinds = [s.kind for s in sites]
    return Summary(
        counties=len(counties), grids=sum(len(g) for g in grids.values()), enterprises=len(enterprises),
        outlets=kinds.count(SiteKind.OUTLET), sorting_centres=kinds.count(SiteKind.SORTING_CENTRE),
        stations=kinds.count(SiteKind.STATION), lockers=kinds.count(SiteKind.LOCKER), machines=len(machines),
        users=users,
    )
