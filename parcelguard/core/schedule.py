"""The platform's periodic work, as data, and the scheduler that enqueues it.

Django's tasks framework runs tasks but does not schedule them, so this small scheduler does: each job
has a rule that names its time slots (every N minutes, daily at a local time, monthly on a day), and
each slot is claimed once by inserting a `JobRun` row whose (job, slot) is unique. Two schedulers, or
one restarted, therefore never enqueue the same slot twice; a slot missed while nothing ran is caught
up once (only the latest missed slot, not every one). `parcelguard serve` starts it beside the worker;
`manage.py scheduler --once` runs one pass (cron-friendly).
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from parcelguard.core import clock

Slot = Callable[[dt.datetime], dt.datetime]  # local now → the start of the latest slot due


def every(minutes: int) -> Slot:
    """Slots at every `minutes` past the hour (a divisor of 60)."""
    if 60 % minutes:
        raise ValueError("minutes must divide an hour")

    def latest(now: dt.datetime) -> dt.datetime:
        start = now.replace(second=0, microsecond=0)
        return start - dt.timedelta(minutes=start.minute % minutes)
    return latest


def daily_at(hour: int, minute: int = 0) -> Slot:
    def latest(now: dt.datetime) -> dt.datetime:
        today = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
        return today if now >= today else today - dt.timedelta(days=1)
    return latest


def monthly_on(day: int, hour: int, minute: int = 0) -> Slot:
    def latest(now: dt.datetime) -> dt.datetime:
        this = now.replace(day=day, hour=hour, minute=minute, second=0, microsecond=0)
        if now >= this:
            return this
        last_month = (now.replace(day=1) - dt.timedelta(days=1)).replace(day=day)
        return last_month.replace(hour=hour, minute=minute, second=0, microsecond=0)
    return latest


@dataclass(frozen=True)
class Job:
    name: str
    task: str  # dotted path of a django.tasks task
    slot: Slot
    help: str


JOBS: tuple[Job, ...] = (
    Job("escalate_overdue", "parcelguard.events.tasks.escalate_overdue_task", every(10),
        "escalate overdue hazard events to the city bureau; deadline-near and overdue notifications"),
    Job("dashboard_snapshots", "parcelguard.analytics.tasks.refresh_snapshots_task", every(5),
        "recompute the default dashboard figures (the summary table)"),
    Job("parcel_analysis", "parcelguard.parcels.tasks.analyze_parcels_task", daily_at(2, 0),
        "analyse the parcel records of the days with new data; early warnings"),
    Job("credit_ratings", "parcelguard.credit.tasks.recompute_ratings_task", daily_at(3, 30),
        "recompute every enterprise's credit rating under the published method"),
    Job("purge_import_spool", "parcelguard.registry.tasks.purge_import_spool_task", every(15),
        "delete import uploads never confirmed (older than IMPORT_SPOOL_MAX_AGE): they hold personal data"),
    Job("monthly_reports", "parcelguard.analytics.tasks.monthly_reports_task", monthly_on(1, 3, 0),
        "last month's report for the city and every county"),
    Job("video_health", "parcelguard.video.tasks.health_check_task", every(1),
        "ask the media server which cameras' pictures it receives (the video online rate)"),
    Job("video_retention", "parcelguard.video.tasks.purge_recordings_task", daily_at(4, 15),
        "delete video recordings older than VIDEO_RETENTION_DAYS (default 30)"),
)


def run_due(now: dt.datetime | None = None, jobs: tuple[Job, ...] = JOBS) -> list[str]:
    """Enqueue every job whose latest slot has not been claimed yet. Returns the names enqueued."""
    from parcelguard.core.models import JobRun

    local_now = timezone.localtime(now or clock.now())
    enqueued = []
    for job in jobs:
        slot = job.slot(local_now)
        try:
            with transaction.atomic():
                JobRun.objects.create(job=job.name, slot=slot, enqueued_at=clock.now())
                module, _, attr = job.task.rpartition(".")
                task = getattr(importlib.import_module(module), attr)
                transaction.on_commit(task.enqueue)
        except IntegrityError:
            continue  # this slot was claimed already, by us earlier or by another scheduler
        enqueued.append(job.name)
    return enqueued
