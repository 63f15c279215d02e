from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from parcelguard.selfcheck.demo import load_demo_selfcheck


class Command(BaseCommand):
    help = "Three months of safety officers' monthly duty reports in the demo city, and a spot check."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--seed", type=int, default=20191)

    def handle(self, *args: Any, seed: int, **options: Any) -> None:
        from parcelguard.selfcheck.models import MonthlyReport

        if MonthlyReport.objects.exists():
            self.stdout.write("Monthly duty reports are already loaded.")
            return
        s = load_demo_selfcheck(seed)
        self.stdout.write(f"Monthly duty reports: {s['reports']} filed by {s['pairs']} enterprise-county pairs "
                          f"over three months; {s['checked']} spot-checked in 涵江区.")
