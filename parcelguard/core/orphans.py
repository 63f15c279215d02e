"""Work survives a crash: a task left RUNNING by a worker that died is handed to the next worker.

`parcelguard worker` names itself `host:pid` and, before it takes work, releases every RUNNING task
whose worker is gone: on this host, a pid that no longer exists; on another host, a task started more
than TASK_STALE_SECONDS ago. A released task goes back to READY and runs again from the start, so every
job is written to be re-runnable: its effects are committed in one transaction at its end, or claimed
row by row with conditional updates and unique keys (the escalation sweep), so a job killed midway
leaves nothing half-done and a re-run does nothing twice.
"""

from __future__ import annotations

import datetime as dt
import os
import socket

from django.conf import settings
from django.utils import timezone


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _gone(worker: str, started: dt.datetime | None, now: dt.datetime) -> bool:
    host, _, pid = worker.rpartition(":")
    if host == socket.gethostname() and pid.isdigit():
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        return False
    stale = dt.timedelta(seconds=int(getattr(settings, "TASK_STALE_SECONDS", 6 * 3600)))
    return started is None or now - started > stale


def release_orphans() -> int:
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    now = timezone.now()
    released = 0
    for row in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING):
        last = (row.worker_ids or [""])[-1]
        if _gone(str(last), row.started_at, now):
            released += DBTaskResult.objects.filter(pk=row.pk, status=TaskResultStatus.RUNNING).update(
                status=TaskResultStatus.READY, started_at=None)
    return released
