"""The demo city's assessment and circulars, through the real services: the city bureau publishes the
county assessments of the last two months under the method in force (the demo's monthly reports cover three
months, so a quarter would count reports that were never generated); Hanjiang's county centre issues
last month's circular (late reporters, its spot checks, a good practice in its own words) and the city
bureau a city-wide one."""

from __future__ import annotations

import datetime as dt
from typing import Any

from parcelguard.accounts.models import User
from parcelguard.accounts.roles import Role
from parcelguard.assessment import scoring, services
from parcelguard.core.errors import DomainError

PRACTICE = ("涵江区中通快递服务有限公司在各网点推行“安全员每日视频巡检+每周现场自查”制度，"
            "本月自查发现的消防、视频问题均当场整改并留存照片，值得推广。")


def load_demo_assessment() -> dict[str, Any]:
    bureau = User.objects.filter(role=Role.CITY_BUREAU, is_active=True).order_by("pk").first()
    centre = User.objects.filter(username="hanjiang_centre").first()
    out: dict[str, Any] = {"assessments": [], "circulars": []}
    if bureau is None:
        return out
    month = scoring.last_periods()[0]
    before = scoring.parse_period(f"{month.start - dt.timedelta(days=1):%Y-%m}")
    for period in (before, month):
        try:
            made = services.assessment_publish(user=bureau, period=period.code)
        except DomainError:
            continue
        out["assessments"].append(made.number)
    for user, practice in ((centre, PRACTICE), (bureau, "")):
        if user is None:
            continue
        try:
            circular = services.circular_issue(user=user, month=month.code, practice=practice)
        except DomainError:
            continue
        out["circulars"].append(circular.number)
    return out
