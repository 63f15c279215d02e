import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = ("Rebuild the summary table behind filtered dashboards and recompute the default figures of the city "
            "and every county. "
            "Run it every few minutes (cron), or with --enqueue for the task worker.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--enqueue", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            from parcelguard.analytics.tasks import refresh_snapshots_task

            self.stdout.write(f"enqueued {refresh_snapshots_task.enqueue().id}")
            return
        from parcelguard.analytics import cube
        from parcelguard.analytics.reports import refresh_snapshots

        built = cube.rebuild()
        rows = ", ".join(f"{grain} {n:,}" for grain, n in built["rows"].items())
        self.stdout.write(f"summary table rebuilt in {built['seconds']:.1f} s (rows per grain: {rows})")
        started = time.perf_counter()
        n = refresh_snapshots()
        self.stdout.write(f"{n} default figures stored in {time.perf_counter() - started:.1f} s")
