"""Writes to the registry. Pages, API, imports and the demo loader all go through these functions."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F
from django.forms.models import model_to_dict
from django.utils.translation import gettext as _

from parcelguard.accounts.roles import Perm
from parcelguard.accounts.scoping import jurisdiction_allowed, require, scope
from parcelguard.core import clock
from parcelguard.core.errors import Conflict, Forbidden, Invalid, NotFound
from parcelguard.core.pii import mask_field
from parcelguard.registry.models import ChangeRecord, Enterprise, Site


def _jsonable(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def _snapshot(obj: models.Model) -> dict[str, Any]:
    data = model_to_dict(obj)
    data.pop("id", None)
    return data


def _diff(model: type[models.Model], old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[Any]]:
    pii = set(getattr(model, "pii_fields", ()))
    changes: dict[str, list[Any]] = {}
    for name, value in new.items():
        before = old.get(name)
        if before == value:
            continue
        pair = [_jsonable(before), _jsonable(value)]
        if name in pii:
            pair = [mask_field(name, str(v)) if v else v for v in pair]
        changes[name] = pair
    return changes


def record_change(*, actor: Any, obj: models.Model, action: str, changes: dict[str, list[Any]],
                  reason: str = "") -> ChangeRecord:
    from parcelguard.trail.services import trail_append

    record = ChangeRecord.objects.create(
        model=obj._meta.model_name or "", object_id=obj.pk, action=action, actor=actor, at=clock.now(),
        changes=changes, reason=reason,
    )
    trail_append(actor=actor, action=f"registry.{action}", subject=f"{record.model}:{obj.pk}",
                 payload={"changes": changes, "reason": reason})  # personal data already masked by _diff
    return record


def _check_placement(user: Any, obj: models.Model) -> None:
    """The record must land inside what the user may act on."""
    from parcelguard.accounts.roles import Role

    site = obj if isinstance(obj, Site) else getattr(obj, "site", None)
    if isinstance(obj, Site) and not jurisdiction_allowed(user, obj.grid or obj.county):
        raise Forbidden(_("You may not place a site outside your jurisdiction."), code="outside_jurisdiction")
    if user.role == Role.ENTERPRISE:
        enterprise_id = obj.pk if isinstance(obj, Enterprise) else getattr(site or obj, "enterprise_id", None)
        if enterprise_id != user.enterprise_id:
            raise Forbidden(_("You may only register records of your own enterprise."), code="outside_enterprise")
    elif site is not None and not isinstance(obj, Site) and not scope(user, Site).filter(pk=site.pk).exists():
        raise NotFound(_("Site not found."))


def _validate(obj: models.Model) -> None:
    try:
        obj.full_clean()
    except ValidationError as exc:
        raise Invalid(_("The record is not valid."), code="validation_failed",
                      details={k: [str(m) for m in v] for k, v in exc.message_dict.items()}) from exc


@transaction.atomic
def record_create(*, user: Any, model: type[models.Model], data: dict[str, Any], action: str = "create",
                  reason: str = "") -> models.Model:
    require(user, Perm.REGISTRY_EDIT)
    obj = model(**data)
    _validate(obj)
    _check_placement(user, obj)
    obj.save()
    record_change(actor=user, obj=obj, action=action, changes=_diff(model, {}, _snapshot(obj)), reason=reason)
    return obj


@transaction.atomic
def record_update(*, user: Any, obj: models.Model, data: dict[str, Any], version: int | None = None,
                  reason: str = "") -> models.Model:
    """Change fields of a record the user can see. `version` is the version the user edited: if somebody
    saved in between, the update is refused with a conflict instead of overwriting their work."""
    require(user, Perm.REGISTRY_EDIT)
    model = type(obj)
    if not scope(user, model).filter(pk=obj.pk).exists():
        raise NotFound(_("Record not found."))
    current = model._default_manager.select_for_update().get(pk=obj.pk)
    if version is not None and current.version != version:
        raise Conflict(_("Somebody else changed this record meanwhile; reload it and apply your change again."),
                       code="version_conflict")
    before = _snapshot(current)
    for name, value in data.items():
        setattr(current, name, value)
    _validate(current)
    _check_placement(user, current)
    changes = _diff(model, before, _snapshot(current))
    if not changes:
        return current
    updated = model._default_manager.filter(pk=obj.pk, version=current.version).update(version=F("version") + 1)
    if not updated:
        raise Conflict(_("Somebody else changed this record meanwhile; reload it and apply your change again."),
                       code="version_conflict")
    current.version += 1
    current.save()
    record_change(actor=user, obj=current, action="update", changes=changes, reason=reason)
    return current


def history_of(obj: models.Model) -> models.QuerySet[ChangeRecord]:
    return ChangeRecord.objects.filter(model=obj._meta.model_name, object_id=obj.pk).select_related("actor")


@transaction.atomic
def machine_window_record(*, user: Any, machine: Any, status: str, start: Any, end: Any = None,
                          note: str = "") -> Any:
    """Record a window in which an X-ray machine could not screen; the parcel analysis checks against it."""
    from parcelguard.registry.models import MachineStatus, MachineStatusWindow, XrayMachine

    require(user, Perm.REGISTRY_EDIT)
    if not scope(user, XrayMachine).filter(pk=machine.pk).exists():
        raise NotFound(_("Record not found."))
    if status not in (MachineStatus.OFFLINE, MachineStatus.MAINTENANCE, MachineStatus.BROKEN):
        raise Invalid(_("A down-window is offline, maintenance or broken."), code="invalid_status")
    if end is not None and end <= start:
        raise Invalid(_("The window must end after it starts."), code="invalid_window")
    window = MachineStatusWindow.objects.create(machine=machine, status=status, start=start, end=end, note=note)
    record_change(actor=user, obj=machine, action="update", reason=note,
                  changes={"status_window": [None, f"{status} {start:%Y-%m-%d %H:%M}"
                                                   + (f" – {end:%Y-%m-%d %H:%M}" if end else "")]})
    return window
