"""The registry's record kinds, described once: lists, filters, forms, imports, exports and the API
all read these descriptions instead of repeating them per model."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from parcelguard.registry.models import (
    Camera,
    Enterprise,
    SafetyOfficer,
    Site,
    Staff,
    XrayMachine,
)


@dataclass(frozen=True)
class Column:
    """One column of a list, an export and an import: the field path and its Chinese header."""

    path: str
    header: str  # the header in import/export files (Chinese, fixed: outside systems rely on it)
    importable: bool = True
    required: bool = False


@dataclass(frozen=True)
class Kind:
    slug: str
    model: type[models.Model]
    title: str | Promise
    columns: tuple[Column, ...]
    search: tuple[str, ...]
    filters: dict[str, str]  # filter name → lookup
    form_fields: tuple[str, ...]
    related: tuple[str, ...] = ()
    default_sort: str = "pk"
    sortable: tuple[str, ...] = ()
    natural_key: str = "code"
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def list_columns(self) -> tuple[Column, ...]:
        return self.columns[:7]


ENTERPRISES = Kind(
    slug="enterprises", model=Enterprise, title=_("Enterprises"),
    columns=(
        Column("credit_code", "统一社会信用代码", required=True),
        Column("name", "企业名称", required=True),
        Column("brand", "品牌", required=True),
        Column("licence_no", "快递业务经营许可证号"),
        Column("licence_valid_until", "许可证有效期至"),
        Column("status", "状态"),
        Column("legal_representative", "法定代表人", required=True),
        Column("contact_name", "联系人"),
        Column("contact_phone", "联系电话"),
        Column("address", "注册地址"),
    ),
    search=("name", "credit_code", "licence_no"),
    filters={"county": "sites__county__code", "brand": "brand_id", "status": "status"},
    form_fields=("name", "brand", "credit_code", "licence_no", "licence_valid_until", "legal_representative",
                 "contact_name", "contact_phone", "address", "status"),
    related=("brand",),
    default_sort="name", sortable=("name", "credit_code", "licence_valid_until", "status"),
    natural_key="credit_code",
)

SITES = Kind(
    slug="sites", model=Site, title=_("Sites"),
    columns=(
        Column("code", "网点编码", required=True),
        Column("name", "网点名称", required=True),
        Column("kind", "类型", required=True),
        Column("enterprise", "所属企业信用代码", required=True),
        Column("county", "区县代码", required=True),
        Column("grid", "网格编码"),
        Column("status", "状态"),
        Column("filed_address", "备案地址", required=True),
        Column("actual_address", "实际地址"),
        Column("longitude", "经度"),
        Column("latitude", "纬度"),
        Column("opens", "营业开始"),
        Column("closes", "营业结束"),
        Column("opened_on", "开业日期"),
        Column("filed_on", "备案日期"),
        Column("manager_name", "负责人"),
        Column("manager_phone", "负责人电话"),
    ),
    search=("code", "name", "filed_address", "actual_address", "enterprise__name"),
    filters={"county": "county__code", "grid": "grid__code", "brand": "enterprise__brand_id", "kind": "kind",
             "status": "status"},
    form_fields=("code", "name", "kind", "enterprise", "county", "grid", "filed_address", "actual_address",
                 "latitude", "longitude", "opens", "closes", "status", "opened_on", "filed_on", "manager_name",
                 "manager_phone"),
    related=("enterprise", "enterprise__brand", "county", "grid"),
    default_sort="code", sortable=("code", "name", "kind", "status", "opened_on", "filed_on"),
)

MACHINES = Kind(
    slug="machines", model=XrayMachine, title=_("X-ray machines"),
    columns=(
        Column("code", "设备编号", required=True),
        Column("site", "所在网点编码", required=True),
        Column("model_name", "型号", required=True),
        Column("serial_no", "序列号", required=True),
        Column("capacity_per_hour", "每小时处理能力", required=True),
        Column("networked", "是否联网"),
        Column("status", "状态"),
        Column("installed_on", "安装日期"),
    ),
    search=("code", "serial_no", "model_name", "site__name"),
    filters={"county": "site__county__code", "grid": "site__grid__code", "brand": "site__enterprise__brand_id",
             "status": "status"},
    form_fields=("code", "site", "model_name", "serial_no", "capacity_per_hour", "networked", "status",
                 "installed_on"),
    related=("site",),
    default_sort="code", sortable=("code", "model_name", "capacity_per_hour", "status", "installed_on"),
)

STAFF = Kind(
    slug="staff", model=Staff, title=_("Staff"),
    columns=(
        Column("site", "所在网点编码", required=True),
        Column("name", "姓名", required=True),
        Column("position", "岗位", required=True),
        Column("phone", "手机号"),
        Column("status", "状态"),
        Column("trained_on", "培训日期"),
    ),
    search=("name", "site__name", "site__code"),
    filters={"county": "site__county__code", "grid": "site__grid__code", "brand": "site__enterprise__brand_id",
             "status": "status"},
    form_fields=("site", "name", "position", "phone", "status", "trained_on"),
    related=("site",),
    default_sort="pk", sortable=("name", "position", "status", "trained_on"),
    natural_key="",
)

SAFETY_OFFICERS = Kind(
    slug="safety-officers", model=SafetyOfficer, title=_("Safety officers"),
    columns=(
        Column("site", "所在网点编码", required=True),
        Column("name", "姓名", required=True),
        Column("phone", "手机号", required=True),
        Column("filed_on", "备案日期"),
        Column("status", "状态"),
    ),
    search=("name", "site__name", "site__code"),
    filters={"county": "site__county__code", "grid": "site__grid__code", "brand": "site__enterprise__brand_id",
             "status": "status"},
    form_fields=("site", "name", "phone", "filed_on", "status"),
    related=("site",),
    default_sort="pk", sortable=("name", "filed_on", "status"),
    natural_key="",
)

CAMERAS = Kind(
    slug="cameras", model=Camera, title=_("Cameras"),
    columns=(
        Column("code", "摄像头编号", required=True),
        Column("site", "所在网点编码", required=True),
        Column("location", "安装位置", required=True),
        Column("protocol", "协议", required=True),
        Column("stream_url", "视频流地址", required=True),
        Column("status", "状态"),
    ),
    search=("code", "location", "site__name"),
    filters={"county": "site__county__code", "grid": "site__grid__code", "brand": "site__enterprise__brand_id",
             "status": "status"},
    form_fields=("code", "site", "location", "protocol", "stream_url", "status"),
    related=("site",),
    default_sort="code", sortable=("code", "location", "status"),
)

KINDS: dict[str, Kind] = {k.slug: k for k in (ENTERPRISES, SITES, MACHINES, STAFF, SAFETY_OFFICERS, CAMERAS)}
IMPORTABLE = ("enterprises", "sites", "machines", "staff")


def kind_of(slug: str) -> Kind:
    from parcelguard.core.errors import NotFound

    try:
        return KINDS[slug]
    except KeyError:
        raise NotFound(_("No such register.")) from None
