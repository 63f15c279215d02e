"""Reads of training and exams: who may work in which position (valid certificates), the flags of the staff
registry (an expired or missing certificate), training coverage, the work waiting and the public checks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import segno
from django.db.models import QuerySet

from parcelguard.accounts.roles import Role
from parcelguard.accounts.scoping import scope
from parcelguard.registry.models import Staff, Status
from parcelguard.training.models import (
    Attempt,
    AttemptState,
    Certificate,
    Position,
    Question,
    TrainingSession,
)

EXPIRING_DAYS = 30  # a certificate ending within this many days is "expiring": the enterprise is told


def positions() -> list[Position]:
    return list(Position.objects.prefetch_related("courses"))


def key_position_of() -> dict[str, Position]:
    """Registry staff position → the key position it needs a certificate for."""
    return {p.staff_position: p for p in Position.objects.all() if p.staff_position}


def certificates(user: Any) -> QuerySet[Certificate]:
    return scope(user, Certificate).select_related("staff", "staff__site", "position")


def attempts(user: Any) -> QuerySet[Attempt]:
    return scope(user, Attempt).select_related("staff", "staff__site", "position")


def sessions(user: Any) -> QuerySet[TrainingSession]:
    return scope(user, TrainingSession).select_related("course", "enterprise")


def valid_on(certs: QuerySet[Certificate], day: dt.date) -> QuerySet[Certificate]:
    return certs.filter(issued_on__lte=day, valid_until__gte=day)


@dataclass
class StaffRow:
    staff: Staff
    needs: Position | None  # the key position the registry position requires, if any
    valid: list[Certificate] = field(default_factory=list)
    last: Certificate | None = None  # the latest certificate for `needs`, valid or not

    @property
    def status(self) -> str:
        """ok / expiring / expired / none / not_key"""
        if self.needs is None:
            return "not_key"
        mine = [c for c in self.valid if c.position_id == self.needs.pk]
        if mine:
            return "expiring" if self._soon(max(c.valid_until for c in mine)) else "ok"
        return "expired" if self.last is not None else "none"

    def _soon(self, until: dt.date) -> bool:
        return until < self.today + dt.timedelta(days=EXPIRING_DAYS)

    today: dt.date = dt.date.min

    @property
    def flagged(self) -> bool:
        return self.status in ("expired", "none")


def staff_rows(user: Any, today: dt.date, flag: str = "", position: str = "") -> list[StaffRow]:
    """Every active staff member in scope with the positions they may work in today."""
    staff = list(scope(user, Staff).filter(status=Status.ACTIVE).select_related("site", "site__enterprise")
                 .order_by("site__code", "name"))
    needs = key_position_of()
    certs = Certificate.objects.filter(staff__in=staff).select_related("position").order_by("valid_until")
    valid: dict[int, list[Certificate]] = {}
    last: dict[tuple[int, int], Certificate] = {}
    for c in certs:
        if c.issued_on <= today <= c.valid_until:
            valid.setdefault(c.staff_id, []).append(c)
        last[(c.staff_id, c.position_id)] = c
    rows = []
    for s in staff:
        need = needs.get(s.position)
        row = StaffRow(s, need, valid.get(s.pk, []), last.get((s.pk, need.pk)) if need else None, today=today)
        if position and (need is None or need.code != position):
            continue
        if flag == "flagged" and not row.flagged:
            continue
        if flag and flag != "flagged" and row.status != flag:
            continue
        rows.append(row)
    return rows


def coverage(user: Any, today: dt.date) -> tuple[int, int]:
    """(certified, total) of active staff in key positions inside the scope."""
    rows = [r for r in staff_rows(user, today) if r.needs is not None]
    return sum(1 for r in rows if not r.flagged), len(rows)


def coverage_percent(user: Any, today: dt.date) -> float:
    done, total = coverage(user, today)
    return round(100 * done / total, 1) if total else 100.0


def expiring(user: Any, today: dt.date) -> list[StaffRow]:
    return [r for r in staff_rows(user, today) if r.status in ("expiring", "expired")]


def open_attempts(user: Any, now: dt.datetime) -> list[Attempt]:
    return [a for a in attempts(user).filter(state__in=(AttemptState.ISSUED, AttemptState.STARTED))
            if not (a.deadline and now > a.deadline)]


def shown_state(attempt: Attempt, now: dt.datetime) -> str:
    if attempt.state == AttemptState.STARTED and attempt.deadline and now > attempt.deadline:
        return str(AttemptState.EXPIRED.label)
    return str(attempt.get_state_display())


def can_issue(user: Any) -> bool:
    return getattr(user, "role", None) in (Role.ENTERPRISE, Role.COUNTY_CENTRE, Role.CITY_BUREAU)


def can_keep_bank(user: Any) -> bool:
    return getattr(user, "role", None) in (Role.CITY_BUREAU, Role.ADMIN)


def bank(user: Any) -> QuerySet[Question]:
    """The bank with its key: for the city bureau and administrators only."""
    return Question.objects.all() if can_keep_bank(user) else Question.objects.none()


# ---- the candidate's paper and the public check ------------------------------------------------------------

def paper(attempt: Attempt) -> list[Question]:
    """The paper's questions in order. The caller shows text, options and image only, never `answer`."""
    found = {q.pk: q for q in Question.objects.filter(pk__in=attempt.questions)}
    return [found[pk] for pk in attempt.questions if pk in found]


def attempt_by_token(token: str) -> Attempt | None:
    if not token:
        return None
    return Attempt.objects.select_related("staff", "staff__site", "position").filter(token=token[:64]).first()


def certificate_by_token(token: str) -> Certificate | None:
    if not token:
        return None
    return (Certificate.objects.select_related("staff", "staff__site", "staff__site__enterprise", "position")
            .filter(verify_token=token[:40]).first())


def qr_data_uri(url: str) -> str:
    return str(segno.make(url, error="m").svg_data_uri(scale=5, dark="#000", light="#fff"))
