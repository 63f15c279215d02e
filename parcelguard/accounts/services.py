"""Writes of the accounts app: revealing one personal-data value (recorded, with the reason) and the
enterprise's API tokens. Pages and the API call these."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from parcelguard.accounts.models import ApiToken
from parcelguard.accounts.roles import Perm
from parcelguard.accounts.scoping import get_for, require
from parcelguard.core import clock
from parcelguard.core.errors import Invalid, NotFound
from parcelguard.core.models import UnmaskRecord


def unmask_value(*, user: Any, kind_slug: str, pk: Any, field: str, reason: str) -> str:
    from parcelguard.core.pii import pii_model

    require(user, Perm.PII_UNMASK)
    model = pii_model(kind_slug)  # a registry kind ("sites") or any model label with pii_fields ("events.tipoff")
    if model is None or field not in model.pii_fields:
        raise NotFound(_("No such personal-data field."))
    if len(reason.strip()) < 4:
        raise Invalid(_("State why you need to see this value."), code="reason_required")
    try:
        pk_int = int(pk)
    except (TypeError, ValueError):
        raise NotFound(_("Record not found.")) from None
    obj = get_for(user, model, pk=pk_int)
    with transaction.atomic():
        UnmaskRecord.objects.create(actor=user, model=model._meta.model_name, object_id=obj.pk, field=field,
                                    reason=reason.strip()[:200], at=clock.now())
        from parcelguard.trail.services import trail_append

        trail_append(actor=user, action="pii.unmask", subject=f"{model._meta.model_name}:{obj.pk}",
                     payload={"field": field, "reason": reason.strip()[:200]})  # never the value itself
    return str(getattr(obj, field))


def token_issue(*, user: Any, name: str) -> str:
    """A new API token for the user's enterprise systems; the clear token is shown once."""
    require(user, Perm.API_TOKENS)
    _token, clear = ApiToken.issue(user, name.strip()[:100] or _("API client"))
    return str(clear)


def token_revoke(*, user: Any, token_id: Any) -> int:
    """Revoke one of the user's own tokens; another user's, or no such token, is not found."""
    require(user, Perm.API_TOKENS)
    try:
        pk = int(token_id)
    except (TypeError, ValueError):
        raise NotFound(_("Record not found.")) from None
    revoked = ApiToken.objects.filter(user=user, pk=pk, revoked_at__isnull=True).update(revoked_at=clock.now())
    if not revoked and not ApiToken.objects.filter(user=user, pk=pk).exists():
        raise NotFound(_("Record not found."))
    return revoked
