from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from parcelguard.privacy.demo import load_demo_samples
from parcelguard.privacy.models import WaybillSample


class Command(BaseCommand):
    help = "Load demo privacy-waybill samples for the demo city (once)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--seed", type=int, default=20191)

    def handle(self, *args: Any, seed: int, **options: Any) -> None:
        if WaybillSample.objects.exists():
            self.stdout.write("Waybill samples are already loaded.")
            return
        s = load_demo_samples(seed)
        self.stdout.write(self.style.SUCCESS(f"Privacy waybills: {s.samples} samples, {s.compliant} compliant."))
