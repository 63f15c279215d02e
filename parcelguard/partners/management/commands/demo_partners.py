from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from parcelguard.partners.demo import load_demo_partners


class Command(BaseCommand):
    help = "The demo city's partner departments, memorandum, a joint meeting and clue transfers."

    def handle(self, *args: Any, **options: Any) -> None:
        from parcelguard.partners.models import Partner

        if Partner.objects.exists():
            self.stdout.write("Partner departments are already loaded.")
            return
        s = load_demo_partners()
        self.stdout.write(f"Inter-department coordination: {s['partners']} partner departments, "
                          f"{s['transfers']} clue transfers, one joint meeting.")
