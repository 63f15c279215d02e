"""How the credit mechanism plugs into the platform's seams: its sources, the work waiting (an enterprise
rated C or D; the city bureau when the ratings went stale), the duty record (a day without a recompute)
and its figure (enterprises rated C or D)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parcelguard.accounts.roles import Role
from parcelguard.core import registry
from parcelguard.credit import selectors, sources
from parcelguard.credit.models import RecomputeRun, RuleSet

STALE_HOURS = 36  # the nightly recompute missed once: the city bureau is told


def work(user: Any, now: dt.datetime) -> Iterable[registry.WorkItem]:
    role = getattr(user, "role", None)
    if role == Role.ENTERPRISE:
        for r in selectors.ratings(user).filter(grade__in=("C", "D")):
            yield registry.WorkItem(
                "credit", f"credit-rating:{r.pk}",
                _("Credit grade %(grade)s (%(score)s): see what lowered it") % {"grade": r.grade, "score": r.score},
                reverse("credit:detail", args=[r.pk]), r.get_grade_display(), since=r.computed_at)
    elif role == Role.CITY_BUREAU and RuleSet.objects.exists():
        last = RecomputeRun.objects.order_by("-started_at").first()
        due = (last.started_at if last else now) + dt.timedelta(hours=STALE_HOURS)
        if last is None or now >= due:
            yield registry.WorkItem("credit", "credit-recompute", _("Credit ratings are out of date: recompute"),
                                    reverse("credit:index"), _("Out of date"), due=due)


def duty(user: Any, start: dt.datetime, end: dt.datetime, now: dt.datetime) -> Iterable[registry.Lapse]:
    """A day of the published method without any recompute: the ratings that direct inspections went
    stale. Read by the whole city's users (the city bureau recomputes)."""
    if getattr(user, "jurisdiction", None) is None or user.jurisdiction.parent_id is not None:
        return
    first = RuleSet.objects.order_by("version").values_list("published_at", flat=True).first()
    if first is None:
        return
    runs = sorted(RecomputeRun.objects.filter(started_at__gte=max(start, first) - dt.timedelta(days=1))
                  .values_list("started_at", flat=True))
    day = timezone.localtime(max(start, first)).date()
    while True:
        day_start = timezone.make_aware(dt.datetime.combine(day, dt.time()))
        due = day_start + dt.timedelta(days=1)
        if due > min(end, now) or day_start >= end:
            break
        if day_start >= start and not any(day_start <= at < due for at in runs):
            done = next((at for at in runs if at >= due), None)
            yield registry.Lapse("credit", f"credit-day:{day:%Y-%m-%d}",
                                 _("Credit ratings not recomputed on %(day)s") % {"day": f"{day:%Y-%m-%d}"},
                                 reverse("credit:index"), user.jurisdiction.path, due, done_at=done)
        day += dt.timedelta(days=1)


def register_all() -> None:
    sources.register_builtin()
    registry.register_work("credit", gettext_lazy("Enterprise credit"), work)
    registry.register_duty("credit", gettext_lazy("Daily recompute of credit ratings"), duty)
    registry.register_figure(registry.Figure(
        key="credit.low_grade", label=gettext_lazy("Enterprises rated C or D"),
        compute=lambda user, start, end, now=None, **_f: selectors.ratings(user).filter(
            grade__in=("C", "D")).count(), section="credit",
        help=gettext_lazy("Current credit ratings: enterprises graded C (watch) or D (untrustworthy).")))
