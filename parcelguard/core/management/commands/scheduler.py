from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from parcelguard.core.schedule import JOBS, run_due


class Command(BaseCommand):
    help = "Enqueue the platform's periodic jobs when they are due (runs forever; --once for one pass)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="one pass, then exit (for cron)")
        parser.add_argument("--interval", type=int, default=30, help="seconds between passes")

    def handle(self, *args: Any, once: bool, interval: int, **options: Any) -> None:
        if not once:
            for job in JOBS:
                self.stdout.write(f"scheduled: {job.name} — {job.help}")
        while True:
            for name in run_due():
                self.stdout.write(f"enqueued {name}")
            if once:
                return
            time.sleep(interval)
