"""The early warning's flow as data (core.workflow): raised by the parcel analysis, then acknowledged,
dismissed with a reason, or turned into a hazard event by the regulator. A warning is the subject
"warning:5"."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from parcelguard.accounts.roles import ROLE_PERMISSIONS, Perm
from parcelguard.core import workflow
from parcelguard.parcels.models import WarningStatus as S

# Who acts on warnings is the permission's business: the roles that hold it.
ACTING = frozenset(role for role, perms in ROLE_PERMISSIONS.items() if Perm.WARNINGS_ACT in perms)


def _fetch(user: Any, pk: int) -> Any:
    from parcelguard.accounts.scoping import get_for
    from parcelguard.parcels.models import EarlyWarning

    return get_for(user, EarlyWarning.objects.select_related("site", "machine"), pk=pk)


WARNING_FLOW = workflow.Flow(
    name="warning", label=_("Early warning"), model="parcels.EarlyWarning", states=S,
    steps=(
        workflow.step("acknowledge", _("Acknowledge"), [S.NEW], S.ACKNOWLEDGED, ACTING,
                      note="seen; somebody follows it up"),
        workflow.step("dismiss", _("Dismiss"), [S.NEW, S.ACKNOWLEDGED], S.DISMISSED, ACTING, reason=True,
                      note="not a problem, with the reason"),
        workflow.step("convert", _("Turn into a hazard event"), [S.NEW, S.ACKNOWLEDGED], S.CONVERTED, ACTING,
                      note="a hazard event at the warning's site, its evidence as a PDF; automatic for high "
                           "severity when switched on"),
    ),
    terminal=frozenset({S.CONVERTED, S.DISMISSED}), state_field="status", fetch=_fetch,
    scope_of=lambda warning: (warning.jurisdiction_path, warning.enterprise_id),
    messages={"state_conflict": gettext_noop("Somebody else acted on this warning meanwhile; reload it."),
              "reason_required": gettext_noop("Say why the warning is dismissed.")})
