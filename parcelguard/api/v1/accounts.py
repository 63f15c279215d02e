from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from parcelguard.accounts.models import Jurisdiction
from parcelguard.accounts.roles import permissions_of
from parcelguard.accounts.scoping import scope
from parcelguard.accounts.services import unmask_value
from parcelguard.api.schemas import ERRORS, Text

router = Router(tags=["accounts"])


class MeOut(Schema):
    username: str
    display_name: str
    role: str
    jurisdiction: str | None
    enterprise_id: int | None
    permissions: list[str]


@router.get("/me", response={200: MeOut, **ERRORS}, summary="The authenticated user and what they may do")
def me(request: HttpRequest) -> MeOut:
    user = request.user
    return MeOut(username=user.username, display_name=user.display_name, role=user.role,
                 jurisdiction=user.jurisdiction.code if user.jurisdiction_id else None,
                 enterprise_id=user.enterprise_id, permissions=sorted(permissions_of(user)))


class JurisdictionOut(Schema):
    code: str
    name: str
    level: str
    parent: str | None


@router.get("/jurisdictions", response={200: list[JurisdictionOut], **ERRORS},
            summary="The jurisdiction nodes the user may see")
def jurisdictions(request: HttpRequest) -> list[JurisdictionOut]:
    nodes = scope(request.user, Jurisdiction).select_related("parent")
    return [JurisdictionOut(code=j.code, name=j.name, level=j.level, parent=j.parent.code if j.parent else None)
            for j in nodes]


class UnmaskIn(Schema):
    kind: Text(40, 1)  # type: ignore[valid-type]
    id: int
    field: Text(40, 1)  # type: ignore[valid-type]
    reason: Text(200, 4)  # type: ignore[valid-type]


class UnmaskOut(Schema):
    value: str


@router.post("/pii/unmask", response={200: UnmaskOut, **ERRORS},
             summary="Reveal one personal-data value; the reveal and its reason are recorded")
def unmask(request: HttpRequest, body: UnmaskIn) -> UnmaskOut:
    return UnmaskOut(value=unmask_value(user=request.user, kind_slug=body.kind, pk=body.id, field=body.field,
                                        reason=body.reason))
