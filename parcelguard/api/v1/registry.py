"""The basic-information library over REST: list (filtered, paginated), read, create, change, history."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import models
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from parcelguard.accounts.models import Jurisdiction, Level
from parcelguard.accounts.roles import Perm
from parcelguard.accounts.scoping import get_for, require, scope
from parcelguard.api.schemas import ERRORS, LocalTime, Text
from parcelguard.core.errors import Invalid
from parcelguard.core.pii import mask_field
from parcelguard.registry import services
from parcelguard.registry.kinds import KINDS, Kind
from parcelguard.registry.models import Brand, Enterprise, MachineStatusWindow, Site, XrayMachine
from parcelguard.registry.selectors import registry_list

router = Router(tags=["registry"])


class ListParams(Schema):
    q: Text(100) = ""  # type: ignore[valid-type]
    county: Text(20) = ""  # type: ignore[valid-type]
    grid: Text(20) = ""  # type: ignore[valid-type]
    brand: Text(10) = ""  # type: ignore[valid-type]
    kind: Text(20) = ""  # type: ignore[valid-type]
    status: Text(12) = ""  # type: ignore[valid-type]
    flag: Text(30) = ""  # type: ignore[valid-type]
    sort: Text(40) = ""  # type: ignore[valid-type]
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=10_000_000)


def _page(request: HttpRequest, kind: Kind, params: ListParams) -> tuple[int, list[Any]]:
    require(request.user, Perm.REGISTRY_VIEW)
    qs = registry_list(user=request.user, kind=kind, q=params.q, sort=params.sort, flag=params.flag,
                       filters={"county": params.county, "grid": params.grid, "brand": params.brand,
                                "kind": params.kind, "status": params.status})
    return qs.count(), list(qs[params.offset: params.offset + params.limit])


def _masked(obj: models.Model, name: str) -> str:
    value = getattr(obj, name) or ""
    return mask_field(name, value) if value else ""


# ---- enterprises -------------------------------------------------------------------------------

class EnterpriseOut(Schema):
    id: int
    name: str
    brand: str
    credit_code: str
    licence_no: str
    licence_valid_until: dt.date | None
    legal_representative: str
    contact_name: str
    contact_phone: str
    address: str
    status: str
    version: int

    @staticmethod
    def of(e: Enterprise) -> EnterpriseOut:
        return EnterpriseOut(id=e.pk, name=e.name, brand=e.brand_id, credit_code=e.credit_code,
                             licence_no=e.licence_no, licence_valid_until=e.licence_valid_until,
                             legal_representative=_masked(e, "legal_representative"),
                             contact_name=_masked(e, "contact_name"), contact_phone=_masked(e, "contact_phone"),
                             address=e.address, status=e.status, version=e.version)


class EnterprisePage(Schema):
    count: int
    items: list[EnterpriseOut]


class EnterpriseIn(Schema):
    name: Text(120, 1)  # type: ignore[valid-type]
    brand: Text(10, 1)  # type: ignore[valid-type]
    credit_code: Text(18, 18)  # type: ignore[valid-type]
    licence_no: Text(20) = ""  # type: ignore[valid-type]
    licence_valid_until: dt.date | None = None
    legal_representative: Text(40, 1)  # type: ignore[valid-type]
    contact_name: Text(40) = ""  # type: ignore[valid-type]
    contact_phone: Text(30) = ""  # type: ignore[valid-type]
    address: Text(200) = ""  # type: ignore[valid-type]
    status: Text(10) = "active"  # type: ignore[valid-type]


class EnterprisePatch(Schema):
    version: int = Field(..., ge=1, le=2_000_000_000)
    name: Text(120, 1) | None = None  # type: ignore[valid-type]
    licence_no: Text(20) | None = None  # type: ignore[valid-type]
    licence_valid_until: dt.date | None = None
    legal_representative: Text(40, 1) | None = None  # type: ignore[valid-type]
    contact_name: Text(40) | None = None  # type: ignore[valid-type]
    contact_phone: Text(30) | None = None  # type: ignore[valid-type]
    address: Text(200) | None = None  # type: ignore[valid-type]
    status: Text(10) | None = None  # type: ignore[valid-type]


def _brand(code: str) -> Brand:
    brand = Brand.objects.filter(code=code).first()
    if brand is None:
        raise Invalid(f"unknown brand {code}", code="unknown_brand")
    return brand


@router.get("/enterprises", response={200: EnterprisePage, **ERRORS}, summary="List enterprises")
def enterprise_list(request: HttpRequest, params: Query[ListParams]) -> EnterprisePage:
    count, items = _page(request, KINDS["enterprises"], params)
    return EnterprisePage(count=count, items=[EnterpriseOut.of(e) for e in items])


@router.get("/enterprises/{pk}", response={200: EnterpriseOut, **ERRORS}, summary="One enterprise")
def enterprise_get(request: HttpRequest, pk: int) -> EnterpriseOut:
    require(request.user, Perm.REGISTRY_VIEW)
    return EnterpriseOut.of(get_for(request.user, Enterprise, pk=pk))


@router.post("/enterprises", response={201: EnterpriseOut, **ERRORS}, summary="Register an enterprise")
def enterprise_create(request: HttpRequest, body: EnterpriseIn) -> Status[EnterpriseOut]:
    data = body.dict() | {"brand": _brand(body.brand)}
    obj = services.record_create(user=request.user, model=Enterprise, data=data)
    return Status(201, EnterpriseOut.of(obj))  # type: ignore[arg-type]


@router.patch("/enterprises/{pk}", response={200: EnterpriseOut, **ERRORS}, summary="Change an enterprise")
def enterprise_update(request: HttpRequest, pk: int, body: EnterprisePatch) -> EnterpriseOut:
    require(request.user, Perm.REGISTRY_VIEW)
    obj = get_for(request.user, Enterprise, pk=pk)
    data = body.dict(exclude_unset=True, exclude={"version"})
    return EnterpriseOut.of(services.record_update(user=request.user, obj=obj, data=data, version=body.version))


# ---- sites -------------------------------------------------------------------------------------

class SiteOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    enterprise_id: int
    brand: str
    county: str
    grid: str | None
    filed_address: str
    actual_address: str
    address_mismatch: bool
    latitude: Decimal | None
    longitude: Decimal | None
    opens: LocalTime | None
    closes: LocalTime | None
    status: str
    opened_on: dt.date | None
    filed_on: dt.date | None
    filing_overdue: bool
    manager_name: str
    manager_phone: str
    version: int

    @staticmethod
    def of(s: Site) -> SiteOut:
        return SiteOut(id=s.pk, code=s.code, name=s.name, kind=s.kind, enterprise_id=s.enterprise_id,
                       brand=s.enterprise.brand_id, county=s.county.code, grid=s.grid.code if s.grid else None,
                       filed_address=s.filed_address, actual_address=s.actual_address,
                       address_mismatch=s.address_mismatch, latitude=s.latitude, longitude=s.longitude,
                       opens=s.opens, closes=s.closes, status=s.status, opened_on=s.opened_on, filed_on=s.filed_on,
                       filing_overdue=s.filing_overdue, manager_name=_masked(s, "manager_name"),
                       manager_phone=_masked(s, "manager_phone"), version=s.version)


class SitePage(Schema):
    count: int
    items: list[SiteOut]


class SiteIn(Schema):
    code: Text(40, 1)  # type: ignore[valid-type]
    name: Text(120, 1)  # type: ignore[valid-type]
    kind: Text(20, 1)  # type: ignore[valid-type]
    enterprise_id: int = Field(..., ge=1, le=2_000_000_000)
    county: Text(6, 6)  # type: ignore[valid-type]
    grid: Text(20) | None = None  # type: ignore[valid-type]
    filed_address: Text(200, 1)  # type: ignore[valid-type]
    actual_address: Text(200) = ""  # type: ignore[valid-type]
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    opens: LocalTime | None = None
    closes: LocalTime | None = None
    status: Text(10) = "active"  # type: ignore[valid-type]
    opened_on: dt.date | None = None
    filed_on: dt.date | None = None
    manager_name: Text(40) = ""  # type: ignore[valid-type]
    manager_phone: Text(30) = ""  # type: ignore[valid-type]


class SitePatch(Schema):
    version: int = Field(..., ge=1, le=2_000_000_000)
    name: Text(120, 1) | None = None  # type: ignore[valid-type]
    grid: Text(20) | None = None  # type: ignore[valid-type]
    filed_address: Text(200, 1) | None = None  # type: ignore[valid-type]
    actual_address: Text(200) | None = None  # type: ignore[valid-type]
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    opens: LocalTime | None = None
    closes: LocalTime | None = None
    status: Text(10) | None = None  # type: ignore[valid-type]
    opened_on: dt.date | None = None
    filed_on: dt.date | None = None
    manager_name: Text(40) | None = None  # type: ignore[valid-type]
    manager_phone: Text(30) | None = None  # type: ignore[valid-type]


def _node(code: str | None, level: str) -> Jurisdiction | None:
    if not code:
        return None
    node = Jurisdiction.objects.filter(code=code, level=level).first()
    if node is None:
        raise Invalid(f"unknown {level} {code}", code=f"unknown_{level}")
    return node


def _coord(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(round(value, 6)))


@router.get("/sites", response={200: SitePage, **ERRORS}, summary="List sites (outlets, sorting centres, ...)")
def site_list(request: HttpRequest, params: Query[ListParams]) -> SitePage:
    count, items = _page(request, KINDS["sites"], params)
    return SitePage(count=count, items=[SiteOut.of(s) for s in items])


@router.get("/sites/{pk}", response={200: SiteOut, **ERRORS}, summary="One site")
def site_get(request: HttpRequest, pk: int) -> SiteOut:
    require(request.user, Perm.REGISTRY_VIEW)
    return SiteOut.of(get_for(request.user, Site.objects.select_related("enterprise", "county", "grid"), pk=pk))


@router.post("/sites", response={201: SiteOut, **ERRORS}, summary="Register a site")
def site_create(request: HttpRequest, body: SiteIn) -> Status[SiteOut]:
    enterprise = (scope(request.user, Enterprise) if request.user.role == "enterprise"
                  else Enterprise.objects).filter(pk=body.enterprise_id).first()
    if enterprise is None:
        raise Invalid("unknown enterprise", code="unknown_enterprise")
    data = body.dict(exclude={"enterprise_id"}) | {
        "enterprise": enterprise, "county": _node(body.county, Level.COUNTY), "grid": _node(body.grid, Level.GRID),
        "latitude": _coord(body.latitude), "longitude": _coord(body.longitude)}
    obj = services.record_create(user=request.user, model=Site, data=data)
    return Status(201, SiteOut.of(obj))  # type: ignore[arg-type]


@router.patch("/sites/{pk}", response={200: SiteOut, **ERRORS}, summary="Change a site")
def site_update(request: HttpRequest, pk: int, body: SitePatch) -> SiteOut:
    require(request.user, Perm.REGISTRY_VIEW)
    obj = get_for(request.user, Site, pk=pk)
    data = body.dict(exclude_unset=True, exclude={"version"})
    if "grid" in data:
        data["grid"] = _node(data["grid"], Level.GRID)
    for name in ("latitude", "longitude"):
        if name in data:
            data[name] = _coord(data[name])
    return SiteOut.of(services.record_update(user=request.user, obj=obj, data=data, version=body.version))


# ---- machines and their status windows ---------------------------------------------------------

class MachineOut(Schema):
    id: int
    code: str
    site_code: str
    model_name: str
    serial_no: str
    capacity_per_hour: int
    networked: bool
    status: str
    installed_on: dt.date | None
    version: int

    @staticmethod
    def of(m: XrayMachine) -> MachineOut:
        return MachineOut(id=m.pk, code=m.code, site_code=m.site.code, model_name=m.model_name, serial_no=m.serial_no,
                          capacity_per_hour=m.capacity_per_hour, networked=m.networked, status=m.status,
                          installed_on=m.installed_on, version=m.version)


class MachinePage(Schema):
    count: int
    items: list[MachineOut]


class WindowOut(Schema):
    status: str
    start: dt.datetime
    end: dt.datetime | None
    note: str


@router.get("/machines", response={200: MachinePage, **ERRORS}, summary="List X-ray screening machines")
def machine_list(request: HttpRequest, params: Query[ListParams]) -> MachinePage:
    count, items = _page(request, KINDS["machines"], params)
    return MachinePage(count=count, items=[MachineOut.of(m) for m in items])


@router.get("/machines/{pk}", response={200: MachineOut, **ERRORS}, summary="One X-ray machine")
def machine_get(request: HttpRequest, pk: int) -> MachineOut:
    require(request.user, Perm.REGISTRY_VIEW)
    return MachineOut.of(get_for(request.user, XrayMachine.objects.select_related("site"), pk=pk))


@router.get("/machines/{pk}/status-windows", response={200: list[WindowOut], **ERRORS},
            summary="A machine's offline, maintenance and broken windows")
def machine_windows(request: HttpRequest, pk: int) -> list[WindowOut]:
    require(request.user, Perm.REGISTRY_VIEW)
    machine = get_for(request.user, XrayMachine, pk=pk)
    windows = scope(request.user, MachineStatusWindow).filter(machine=machine)
    return [WindowOut(status=w.status, start=w.start, end=w.end, note=w.note) for w in windows]


# ---- people and cameras: read-only lists ----------------------------------------------------------

class PersonOut(Schema):
    id: int
    site_code: str
    name: str
    phone: str
    status: str


class PersonPage(Schema):
    count: int
    items: list[PersonOut]


def _person(p: Any) -> PersonOut:
    return PersonOut(id=p.pk, site_code=p.site.code, name=_masked(p, "name"), phone=_masked(p, "phone"),
                     status=p.status)


@router.get("/staff", response={200: PersonPage, **ERRORS}, summary="List staff (names and phones masked)")
def staff_list(request: HttpRequest, params: Query[ListParams]) -> PersonPage:
    count, items = _page(request, KINDS["staff"], params)
    return PersonPage(count=count, items=[_person(p) for p in items])


@router.get("/safety-officers", response={200: PersonPage, **ERRORS},
            summary="List safety officers (names and phones masked)")
def officer_list(request: HttpRequest, params: Query[ListParams]) -> PersonPage:
    count, items = _page(request, KINDS["safety-officers"], params)
    return PersonPage(count=count, items=[_person(p) for p in items])


class CameraOut(Schema):
    id: int
    code: str
    site_code: str
    location: str
    protocol: str
    stream_url: str
    status: str


class CameraPage(Schema):
    count: int
    items: list[CameraOut]


@router.get("/cameras", response={200: CameraPage, **ERRORS}, summary="List cameras")
def camera_list(request: HttpRequest, params: Query[ListParams]) -> CameraPage:
    count, items = _page(request, KINDS["cameras"], params)
    return CameraPage(count=count, items=[
        CameraOut(id=c.pk, code=c.code, site_code=c.site.code, location=c.location, protocol=c.protocol,
                  stream_url=c.stream_url, status=c.status) for c in items])


# ---- history -------------------------------------------------------------------------------------

class ChangeOut(Schema):
    at: dt.datetime
    action: str
    actor: str | None
    changes: dict[str, list[Any]]
    reason: str


@router.get("/{kind}/{pk}/history", response={200: list[ChangeOut], **ERRORS},
            summary="Every recorded change of one registry record")
def history(request: HttpRequest, kind: str, pk: int) -> list[ChangeOut]:
    from parcelguard.registry.kinds import kind_of

    require(request.user, Perm.REGISTRY_VIEW)
    obj = get_for(request.user, kind_of(kind).model, pk=pk)
    return [ChangeOut(at=c.at, action=c.action, actor=c.actor.username if c.actor else None, changes=c.changes,
                      reason=c.reason) for c in services.history_of(obj)[:500]]


# ---- writes for site-bound records: machines, status windows, staff, safety officers, cameras -------

def _site_for_write(request: HttpRequest, code: str) -> Site:
    """The site a new record belongs to, looked up through the user's scope (unknown and foreign alike 404)."""
    return get_for(request.user, Site, code=code)


def _create(request: HttpRequest, model: type[models.Model], data: dict[str, Any]) -> Any:
    return services.record_create(user=request.user, model=model, data=data)


def _update(request: HttpRequest, model: type[models.Model], pk: int, body: Schema) -> Any:
    require(request.user, Perm.REGISTRY_VIEW)
    obj = get_for(request.user, model, pk=pk)
    data = body.dict(exclude_unset=True, exclude={"version"})
    return services.record_update(user=request.user, obj=obj, data=data, version=body.version)  # type: ignore[attr-defined]


class MachineIn(Schema):
    code: Text(40, 1)  # type: ignore[valid-type]
    site_code: Text(40, 1)  # type: ignore[valid-type]
    model_name: Text(60, 1)  # type: ignore[valid-type]
    serial_no: Text(60, 1)  # type: ignore[valid-type]
    capacity_per_hour: int = Field(..., ge=1, le=100_000)
    networked: bool = False
    status: Text(12) = "in_service"  # type: ignore[valid-type]
    installed_on: dt.date | None = None


class MachinePatch(Schema):
    version: int = Field(..., ge=1, le=2_000_000_000)
    model_name: Text(60, 1) | None = None  # type: ignore[valid-type]
    serial_no: Text(60, 1) | None = None  # type: ignore[valid-type]
    capacity_per_hour: int | None = Field(None, ge=1, le=100_000)
    networked: bool | None = None
    status: Text(12) | None = None  # type: ignore[valid-type]
    installed_on: dt.date | None = None


@router.post("/machines", response={201: MachineOut, **ERRORS}, summary="Register an X-ray machine")
def machine_create(request: HttpRequest, body: MachineIn) -> Status[MachineOut]:
    data = body.dict(exclude={"site_code"}) | {"site": _site_for_write(request, body.site_code)}
    return Status(201, MachineOut.of(_create(request, XrayMachine, data)))  # type: ignore[arg-type]


@router.patch("/machines/{pk}", response={200: MachineOut, **ERRORS}, summary="Change an X-ray machine")
def machine_update(request: HttpRequest, pk: int, body: MachinePatch) -> MachineOut:
    return MachineOut.of(_update(request, XrayMachine, pk, body))


class WindowIn(Schema):
    status: Text(12, 1)  # type: ignore[valid-type]
    start: dt.datetime
    end: dt.datetime | None = None
    note: Text(200) = ""  # type: ignore[valid-type]


@router.post("/machines/{pk}/status-windows", response={201: WindowOut, **ERRORS},
             summary="Record a window in which the machine could not screen (offline, maintenance, broken)")
def machine_window_create(request: HttpRequest, pk: int, body: WindowIn) -> Status[WindowOut]:
    require(request.user, Perm.REGISTRY_VIEW)
    machine = get_for(request.user, XrayMachine, pk=pk)
    window = services.machine_window_record(user=request.user, machine=machine, status=body.status,
                                            start=body.start, end=body.end, note=body.note)
    return Status(201, WindowOut(status=window.status, start=window.start, end=window.end, note=window.note))  # type: ignore[arg-type]


class PersonIn(Schema):
    site_code: Text(40, 1)  # type: ignore[valid-type]
    name: Text(40, 1)  # type: ignore[valid-type]
    phone: Text(30) = ""  # type: ignore[valid-type]
    status: Text(10) = "active"  # type: ignore[valid-type]


class StaffIn(PersonIn):
    position: Text(20, 1)  # type: ignore[valid-type]
    trained_on: dt.date | None = None
    id_number: Text(18) = ""  # type: ignore[valid-type]


class PersonPatch(Schema):
    version: int = Field(..., ge=1, le=2_000_000_000)
    name: Text(40, 1) | None = None  # type: ignore[valid-type]
    phone: Text(30) | None = None  # type: ignore[valid-type]
    status: Text(10) | None = None  # type: ignore[valid-type]


@router.post("/staff", response={201: PersonOut, **ERRORS},
             summary="Register a staff member (an ID number, if given, is stored only as a keyed hash)")
def staff_create(request: HttpRequest, body: StaffIn) -> Status[PersonOut]:
    from parcelguard.core.pii import id_number_hash
    from parcelguard.registry.models import Staff

    data = body.dict(exclude={"site_code", "id_number"}) | {"site": _site_for_write(request, body.site_code)}
    if body.id_number:
        data["id_number_hash"] = id_number_hash(body.id_number)
    return Status(201, _person(_create(request, Staff, data)))  # type: ignore[arg-type]


@router.patch("/staff/{pk}", response={200: PersonOut, **ERRORS}, summary="Change a staff member")
def staff_update(request: HttpRequest, pk: int, body: PersonPatch) -> PersonOut:
    from parcelguard.registry.models import Staff

    return _person(_update(request, Staff, pk, body))


class OfficerIn(PersonIn):
    filed_on: dt.date | None = None


@router.post("/safety-officers", response={201: PersonOut, **ERRORS}, summary="File a safety officer")
def officer_create(request: HttpRequest, body: OfficerIn) -> Status[PersonOut]:
    from parcelguard.registry.models import SafetyOfficer

    data = body.dict(exclude={"site_code"}) | {"site": _site_for_write(request, body.site_code)}
    return Status(201, _person(_create(request, SafetyOfficer, data)))  # type: ignore[arg-type]


@router.patch("/safety-officers/{pk}", response={200: PersonOut, **ERRORS}, summary="Change a safety officer")
def officer_update(request: HttpRequest, pk: int, body: PersonPatch) -> PersonOut:
    from parcelguard.registry.models import SafetyOfficer

    return _person(_update(request, SafetyOfficer, pk, body))


class CameraIn(Schema):
    code: Text(40, 1)  # type: ignore[valid-type]
    site_code: Text(40, 1)  # type: ignore[valid-type]
    location: Text(60, 1)  # type: ignore[valid-type]
    protocol: Text(10, 1)  # type: ignore[valid-type]
    stream_url: Text(300, 1)  # type: ignore[valid-type]
    status: Text(10) = "active"  # type: ignore[valid-type]


@router.post("/cameras", response={201: CameraOut, **ERRORS}, summary="Register a camera")
def camera_create(request: HttpRequest, body: CameraIn) -> Status[CameraOut]:
    from parcelguard.registry.models import Camera

    data = body.dict(exclude={"site_code"}) | {"site": _site_for_write(request, body.site_code)}
    c = _create(request, Camera, data)
    return Status(201, CameraOut(id=c.pk, code=c.code, site_code=c.site.code, location=c.location,  # type: ignore[arg-type]
                                 protocol=c.protocol, stream_url=c.stream_url, status=c.status))
