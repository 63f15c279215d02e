from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = ("Analyse the parcel records that arrived since the last run and turn findings into early warnings. "
            "Run it nightly (cron or a systemd timer: `manage.py parcels_analyze`), or with --enqueue to hand it "
            "to the task worker (`manage.py db_worker`). Idempotent: the same data gives the same warnings.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--all", action="store_true", help="analyse every day in the store, not only new ones")
        parser.add_argument("--enqueue", action="store_true", help="enqueue the task for the worker")

    def handle(self, *args: Any, all: bool, enqueue: bool, **options: Any) -> None:
        if enqueue:
            from parcelguard.parcels.tasks import analyze_parcels_task

            result = analyze_parcels_task.enqueue(trigger="nightly", all_days=all)
            self.stdout.write(f"enqueued {result.id}")
            return
        from parcelguard.parcels.services import analysis_run

        run = analysis_run(trigger="nightly", all_days=all)
        self.stdout.write(f"run {run.pk}: {run.status}, days {run.first_day}..{run.last_day}, {run.findings} findings, "
                          f"{run.warnings_new} new warnings, {run.converted} converted")
        if run.message:
            self.stdout.write(run.message)
