"""How training plugs into the platform's seams: the work waiting (certificates expiring or expired, exam
papers issued and not taken), the figure (training coverage), the credit source (staff in key positions
without a valid certificate) and the staff registry's flag."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parcelguard.accounts.roles import Role
from parcelguard.core import registry
from parcelguard.training import selectors


def work(user: Any, now: dt.datetime) -> Iterable[registry.WorkItem]:
    role = getattr(user, "role", None)
    if role not in (Role.ENTERPRISE, Role.COUNTY_CENTRE):
        return
    today = timezone.localdate(now)
    for row in selectors.expiring(user, today):
        until = row.last.valid_until if row.status == "expired" and row.last else max(
            c.valid_until for c in row.valid if row.needs and c.position_id == row.needs.pk)
        due = timezone.make_aware(dt.datetime.combine(until + dt.timedelta(days=1), dt.time()))
        yield registry.WorkItem(
            "training", f"training-staff:{row.staff.pk}:{row.needs.code if row.needs else ''}",
            _("Certificate of %(name)s (%(position)s) expires %(day)s: renew it")
            % {"name": row.staff.name, "position": row.needs.name if row.needs else "", "day": f"{until:%Y-%m-%d}"},
            reverse("training:staff") + f"?flag={row.status}",
            _("Certificate expired") if row.status == "expired" else _("Expiring within 30 days"), due=due)
    for attempt in selectors.open_attempts(user, now):
        yield registry.WorkItem(
            "training", f"training-exam:{attempt.pk}",
            _("Exam to take: %(name)s, %(position)s") % {"name": attempt.staff.name,
                                                         "position": attempt.position.name},
            reverse("training:exam", args=[attempt.pk]), attempt.get_state_display(), since=attempt.issued_at,
            due=attempt.deadline)


def _coverage(user: Any, start: dt.datetime, end: dt.datetime, now: dt.datetime | None = None,
              **_f: Any) -> float:
    return selectors.coverage_percent(user, timezone.localdate(min(end, now or end)))


def _uncertified(start: dt.datetime, end: dt.datetime) -> Iterable[Any]:
    """Credit source: every active staff member in a key position without a valid certificate on the
    window's last day, one unit each."""
    from parcelguard.credit.sources import Hit
    from parcelguard.registry.models import Staff, Status

    day = timezone.localdate(end - dt.timedelta(microseconds=1))
    needs = selectors.key_position_of()
    staff = Staff.objects.filter(status=Status.ACTIVE, position__in=list(needs)).select_related("site")
    valid = set(selectors.valid_on(selectors.Certificate.objects.all(), day).values_list("staff_id", "position_id"))
    for s in staff.order_by("pk"):
        if (s.pk, needs[s.position].pk) not in valid:
            yield Hit(s.site.enterprise_id, f"staff:{s.pk}", s.pk,
                      timezone.make_aware(dt.datetime.combine(day, dt.time())), Decimal(1),
                      s.site.jurisdiction_path, note=needs[s.position].name)


def _uncertified_staff(qs: Any) -> Any:
    """Registry flag: active staff in a key position without a valid certificate for it today."""
    from django.db.models import Exists, OuterRef

    from parcelguard.core import clock
    from parcelguard.registry.models import Status
    from parcelguard.training.models import Certificate

    today = clock.today()
    valid = Certificate.objects.filter(staff=OuterRef("pk"), position__staff_position=OuterRef("position"),
                                       issued_on__lte=today, valid_until__gte=today)
    return qs.filter(status=Status.ACTIVE, position__in=list(selectors.key_position_of())).exclude(Exists(valid))


def _screener_expired(qs: Any) -> Any:
    """Registry flag: an X-ray screener whose certificate expired (certified once, not valid today)."""
    from django.db.models import Exists, OuterRef

    from parcelguard.training.models import Certificate

    ever = Certificate.objects.filter(staff=OuterRef("pk"), position__staff_position=OuterRef("position"))
    return _uncertified_staff(qs.filter(position="screener")).filter(Exists(ever))


def register_all() -> None:
    from parcelguard.credit import sources
    from parcelguard.registry import attention

    attention.register(attention.Flag("staff", "screener_expired", gettext_lazy("X-ray screener whose certificate expired"),
                                      _screener_expired))
    attention.register(attention.Flag("staff", "uncertified",
                                      gettext_lazy("Staff in key positions without a valid certificate"),
                                      _uncertified_staff))

    registry.register_work("training", gettext_lazy("Training and exams"), work)
    registry.register_figure(registry.Figure(
        key="training.coverage", label=gettext_lazy("Training coverage"), compute=_coverage, unit="%",
        section="training",
        help=gettext_lazy("Share of active staff in key positions holding a valid certificate for it.")))
    sources.register(sources.CreditSource(
        "training_uncertified", gettext_lazy("Staff in key positions without a valid certificate"),
        gettext_lazy("staff member"), _uncertified, lambda hit: reverse("training:staff") + "?flag=flagged",
        help=gettext_lazy("Training coverage: each active staff member in a key position without a valid "
                          "certificate on the window's last day.")))
