"""Test helpers: a screener in the cast, the required courses attended (through the real service) and the
right answers of a paper (read from the key, for tests only)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from parcelguard.core import clock
from parcelguard.registry.models import Staff
from parcelguard.training import services
from parcelguard.training.models import Attempt, Position, Question


def screener(cast: Any, name: str = "黄志强", site: Any = None) -> Staff:
    return Staff.objects.create(site=site or cast.sorting_centre_a, name=name, phone="13906001234",
                                position="screener", trained_on=dt.date(2026, 3, 2))


def attend_required(user: Any, staff: list[Staff], position: str, held_on: dt.date | None = None) -> None:
    from parcelguard.events.testing import photo

    for course in Position.objects.get(code=position).courses.all():
        services.session_record(user=user, course_id=course.pk, held_on=held_on or clock.today(),
                                place="中通莆田涵江分拨中心二楼培训室", trainer="林美玲",
                                staff_ids=[s.pk for s in staff], uploads=[photo("签到表.png")])


def right_answers(attempt: Attempt) -> dict[str, list[int]]:
    key = dict(Question.objects.filter(pk__in=attempt.questions).values_list("pk", "answer"))
    return {str(pk): list(key[pk]) for pk in attempt.questions}
