from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from parcelguard.events.demo import load_demo_events
from parcelguard.events.models import Event


class Command(BaseCommand):
    help = ("Lay a year of hazard events in the demo city (load it first with `manage.py demo`), with the "
            "Hanjiang story of seed 002 as one complete event. Skipped when events exist.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--seed", type=int, default=20191)
        parser.add_argument("--count", type=int, default=640)

    def handle(self, *args: Any, seed: int, count: int, **options: Any) -> None:
        if Event.objects.exists():
            self.stdout.write("Hazard events are already loaded.")
            return
        s = load_demo_events(seed, count)
        self.stdout.write(self.style.SUCCESS(
            f"Hazard events: {s.events} over a year, {s.closed} closed ({s.closed_at_county} at county tier), "
            f"{s.cases} cases with {s.fines:,.0f} yuan of fines paid, {s.rework} with rework, {s.open} open "
            f"({s.overdue} overdue). The Hanjiang story of seed 002 is event #{s.hanjiang_event}."))
