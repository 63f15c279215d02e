"""Training in the demo city, through the real services at the moments things happened: each enterprise
trains its key staff in the required courses (sign-in sheet attached) about fifteen months ago, the city
bureau holds an X-ray screening class; over the following year most key staff sit the exam on their phone
(most pass, a few fail and sit it again), so today some screeners' certificates have expired (flagged), some
expire within the month, some staff were never examined, and a few papers wait to be taken."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.utils import timezone

from parcelguard.accounts.models import User
from parcelguard.accounts.roles import Role
from parcelguard.core import clock
from parcelguard.registry.models import Staff, Status
from parcelguard.training import selectors, services
from parcelguard.training.models import Position, Question

PLACES = ["公司二楼培训室", "分拨中心会议室", "营业部后场", "企业安全教育室"]
TRAINERS = ["林美玲", "陈志鹏", "黄丽华", "郑文斌", "吴建新", "方晓燕"]


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _answers(attempt: Any, keys: dict[int, list[int]], options: dict[int, int], skill: float,
             rng: random.Random) -> dict[str, list[int]]:
    out = {}
    for pk in attempt.questions:
        if rng.random() < skill:
            out[str(pk)] = keys[pk]
        else:
            out[str(pk)] = [rng.choice([i for i in range(options[pk]) if [i] != keys[pk]] or [0])]
    return out


def load_demo_training(seed: int = 20191) -> dict[str, int]:
    from parcelguard.events.testing import photo

    rng = random.Random(seed + 15)
    today = clock.today()
    start = today - dt.timedelta(days=450)
    positions = {p.staff_position: p for p in Position.objects.prefetch_related("courses") if p.staff_position}
    bureau = User.objects.filter(role=Role.CITY_BUREAU).order_by("pk").first()
    officers = {u.enterprise_id: u for u in User.objects.filter(role=Role.ENTERPRISE, is_active=True).order_by("pk")}
    staff = list(Staff.objects.filter(status=Status.ACTIVE, position__in=list(positions), site__status=Status.ACTIVE)
                 .select_related("site").order_by("pk"))
    by_enterprise: dict[int, list[Staff]] = {}
    for s in staff:
        by_enterprise.setdefault(s.site.enterprise_id, []).append(s)
    sessions = 0
    for n, (enterprise_id, people) in enumerate(sorted(by_enterprise.items())):
        who = officers.get(enterprise_id) or bureau
        courses: dict[int, tuple[Any, list[Staff]]] = {}
        for s in people:
            if rng.random() < 0.08:
                continue  # never trained: stays uncertified
            for c in positions[s.position].courses.all():
                courses.setdefault(c.pk, (c, []))[1].append(s)
        for k, (course, attendees) in enumerate(sorted(courses.values(), key=lambda x: x[0].code)):
            day = start + dt.timedelta(days=(n * 3 + k) % 20)
            with clock.frozen_at(_at(day, 17)):
                services.session_record(user=who, course_id=course.pk, held_on=day, place=rng.choice(PLACES),
                                        trainer=rng.choice(TRAINERS), staff_ids=[s.pk for s in attendees],
                                        uploads=[photo("培训签到表.png", (230, 230, 220))])
            sessions += 1
    keys = dict(Question.objects.values_list("pk", "answer"))
    options = {pk: len(o) for pk, o in Question.objects.values_list("pk", "options")}
    taken = passed = 0
    trained = set(services.Attendance.objects.values_list("staff_id", flat=True))
    for s in staff:
        if s.pk not in trained or rng.random() < 0.12:
            continue  # trained but not examined yet
        position = positions[s.position]
        latest = 365 * position.renewal_months // 12 - 30
        day = start + dt.timedelta(days=rng.randint(25, min(latest, 440)))
        skill = rng.choice([0.97, 0.95, 0.9, 0.85, 0.7])
        for _try in range(2):
            at = _at(day, rng.randint(9, 16))
            with clock.frozen_at(at):
                attempt = services.exam_issue(user=officers.get(s.site.enterprise_id) or bureau, staff_id=s.pk,
                                              position=position.code)
            opened = at + dt.timedelta(minutes=rng.randint(5, 60))
            with clock.frozen_at(opened):
                services.exam_start(token=attempt.token)
            with clock.frozen_at(opened + dt.timedelta(minutes=rng.randint(6, position.exam_minutes - 2))):
                done = services.exam_submit(token=attempt.token,
                                            answers=_answers(attempt, keys, options, skill, rng))
            taken += 1
            if done.state == "passed":
                passed += 1
                break
            day += dt.timedelta(days=7)
            skill = 0.97
    waiting = 0
    for s in [s for s in staff if s.pk in trained and s.position in ("clerk", "courier")][:4]:
        try:
            services.exam_issue(user=officers.get(s.site.enterprise_id) or bureau, staff_id=s.pk,
                                position=positions[s.position].code)
            waiting += 1
        except services.Conflict:
            continue
    flagged = sum(1 for r in selectors.staff_rows(bureau, today) if r.flagged)
    return {"sessions": sessions, "exams": taken, "passed": passed, "waiting": waiting, "flagged": flagged,
            "staff": len(staff)}
