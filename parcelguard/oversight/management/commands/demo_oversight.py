from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from parcelguard.oversight.demo import load_demo_oversight


class Command(BaseCommand):
    help = "The procuratorate's stories in the demo city: a closed Shiyan-like file and an open Jiayuguan-like one."

    def handle(self, *args: Any, **options: Any) -> None:
        from parcelguard.oversight.models import Recommendation

        if Recommendation.objects.exists():
            self.stdout.write("Procuratorial recommendations are already loaded.")
            return
        s = load_demo_oversight()
        self.stdout.write(f"Procuratorial oversight: {s['recommendations']} recommendations "
                          f"(closed {s.get('closed', '-')}, open {s.get('open', '-')}).")
