"""A job for the crash test (tests/test_worker_crash.py): it waits while `hold` exists in `folder`,
then commits its one effect — a counter — in a single transaction."""

from __future__ import annotations

import time
from pathlib import Path

from django.db import transaction
from django.tasks import task


@task()
def held_job(folder: str) -> int:
    (Path(folder) / "started").touch()
    while (Path(folder) / "hold").exists():
        time.sleep(0.1)
    from parcelguard.core import ratelimit

    with transaction.atomic():
        return ratelimit.hit("crash-test-effect", folder, window=10**9)
