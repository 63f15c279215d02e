from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Emergency plans, the city's annual drill and enterprise drills, and incidents in the demo city."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--seed", type=int, default=20191)

    def handle(self, *args: Any, seed: int, **options: Any) -> None:
        from parcelguard.emergency.demo import load_demo_emergency
        from parcelguard.emergency.models import Plan

        if Plan.objects.exists():
            self.stdout.write("Emergency management is already loaded.")
            return
        s = load_demo_emergency(seed)
        self.stdout.write(f"Emergency management: {s['plans']} plans filed, {s['drills']} drills, "
                          f"{s['incidents']} incidents.")
