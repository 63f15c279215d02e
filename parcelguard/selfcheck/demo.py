"""Three months of monthly duty reports in the demo city: most filed on time, some late, a few missing,
with the problems a safety officer really writes down; then, through the real services, Hanjiang's
county centre draws last month's reports, confirms one on site and finds one false (a hazard event)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import transaction

from parcelguard.accounts.models import User
from parcelguard.accounts.roles import Role
from parcelguard.core import clock
from parcelguard.core.models import StatusChange
from parcelguard.registry.models import Site, Status
from parcelguard.selfcheck import services
from parcelguard.selfcheck.models import MonthlyReport

PROBLEMS = {
    "fire": ["两具灭火器压力不足，已送检更换", "后门安全出口堆放纸箱，已清理"],
    "video": ["分拣区一路摄像头离线3天，已报修恢复", "监控硬盘仅存45天，已扩容"],
    "privacy": ["部分散单仍用普通面单，已停用并换隐私面单"],
    "inspection": ["一名新员工未开箱验视，已批评教育并复训"],
    "counter": ["营业执照未上墙公示，已整改"],
    "staff": ["两名分拣员未完成岗前培训，已补训"],
}


def _answers(checklist: Any, rng: random.Random) -> tuple[dict[str, Any], int]:
    wrong = {code: rng.choice(texts) for code, texts in PROBLEMS.items() if rng.random() < 0.12}
    return ({i["code"]: {"ok": i["code"] not in wrong, "note": wrong.get(i["code"], "")} for i in checklist.items},
            len(wrong))


def load_demo_selfcheck(seed: int = 20191, months: int = 3) -> dict[str, int]:
    rng = random.Random(seed + 13)
    checklist = services.active_checklist()
    now = clock.now()
    last = services.first_of(services.current_month(now) - dt.timedelta(days=1))
    month_list = [last]
    for _i in range(months - 1):
        month_list.append(services.first_of(month_list[-1] - dt.timedelta(days=1)))
    officers = {u.enterprise_id: u for u in User.objects.filter(role=Role.ENTERPRISE, is_active=True)
                .order_by("pk")}
    pairs = sorted(set(Site.objects.filter(status=Status.ACTIVE, county__level="county")
                       .values_list("enterprise_id", "county_id", "county__path")))
    reports: list[MonthlyReport] = []
    for month in month_list:
        due = services.due_at(month)
        for enterprise_id, county_id, path in pairs:
            luck = rng.random()
            if luck < 0.05 or (month == last and now < due and luck < 0.3):
                continue  # missing (or, this month, not yet filed)
            if luck < 0.15:
                at = due + dt.timedelta(days=rng.randint(1, 9), hours=rng.randint(8, 18))
            else:
                at = due - dt.timedelta(days=rng.randint(1, 5), hours=rng.randint(1, 12))
            if at > now:
                continue
            answers, found = _answers(checklist, rng)
            officer = officers.get(enterprise_id) or User.objects.filter(role=Role.ADMIN).first()
            reports.append(MonthlyReport(
                enterprise_id=enterprise_id, county_id=county_id, jurisdiction_path=path, month=month, due_at=due,
                submitted_at=at, submitted_by=officer, checklist=checklist, answers=answers, problems_found=found,
                problems_fixed=found, trainings_held=rng.choice([0, 1, 1, 2]), drills_held=rng.choice([0, 0, 1]),
                summary="本月完成各网点安全自查，发现问题已当场整改。" if found else "本月自查未发现问题。"))
    with transaction.atomic():
        made = MonthlyReport.objects.bulk_create(reports, batch_size=500)
        StatusChange.objects.bulk_create([StatusChange(
            flow="selfcheck", subject=f"selfcheck:{r.pk}", object_id=r.pk, action="submit", to_state=r.state,
            actor=r.submitted_by, actor_role=Role.ENTERPRISE, at=r.submitted_at, data={"month": f"{r.month:%Y-%m}"},
            jurisdiction_path=r.jurisdiction_path, enterprise_id=r.enterprise_id) for r in made], batch_size=500)
        if made:
            from parcelguard.trail.services import trail_append

            trail_append(actor=None, action="selfcheck.demo_history",
                         subject=f"selfcheck:{made[0].pk}-{made[-1].pk}", payload={"reports": len(made)})
    checked = _hanjiang_spot_check(last)
    return {"reports": len(made), "pairs": len(pairs), "checked": checked}


def _hanjiang_spot_check(month: dt.date) -> int:
    from parcelguard.events.testing import photo

    centre = User.objects.filter(username="hanjiang_centre").first()
    if centre is None or not MonthlyReport.objects.filter(month=month, jurisdiction_path__startswith=centre.jurisdiction.path).exists():
        return 0
    draw = services.spot_draw(user=centre, month=month, count=3)
    chosen = list(draw.chosen)
    services.spot_confirm(user=centre, report_id=chosen[0], version=None, method="on_site",
                          note="现场核查消防器材、视频监控与报告一致", uploads=[photo("现场核查.png", (60, 140, 80))])
    if len(chosen) > 1:
        services.spot_find_false(user=centre, report_id=chosen[1], version=None, method="video",
                                 reason="视频巡查发现营业时段安检机未开机，与月报告“过机安检正常”不符",
                                 uploads=[photo("视频截图.png", (40, 40, 140))])
    return min(2, len(chosen))
