from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from parcelguard.events import clocks


class Command(BaseCommand):
    help = ("Escalate hazard events whose rectification deadline passed to the city bureau, every other missed "
            "step to the party above the one that missed it, and send deadline notifications. Idempotent: run it from cron or a timer as often as you like; --enqueue hands it to "
            "the task worker instead.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--enqueue", action="store_true", help="enqueue the task for the worker")

    def handle(self, *args: Any, enqueue: bool, **options: Any) -> None:
        if enqueue:
            from parcelguard.events.tasks import escalate_overdue_task

            result = escalate_overdue_task.enqueue()
            self.stdout.write(f"enqueued {result.id}")
            return
        done = clocks.sweep()
        self.stdout.write(f"escalated {done['escalated']} event(s); {done['lapses']} missed step(s) escalated; "
                          f"{done['notified']} deadline notification(s)")
