from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from parcelguard.inspections.demo import load_demo_inspections


class Command(BaseCommand):
    help = "The evaluation standard, inspector pool and a drawn special inspection plan in the demo city."

    def handle(self, *args: Any, **options: Any) -> None:
        from parcelguard.inspections.models import Standard

        if Standard.objects.exists():
            self.stdout.write("Inspections are already loaded.")
            return
        s = load_demo_inspections()
        self.stdout.write(f"Inspections: {s.get('plans', 0)} plan, {s.get('drawn', 0)} drawn, "
                          f"{s.get('done', 0)} inspected and published.")
