from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Rate every demo enterprise under the published credit method."

    def handle(self, *args: Any, **options: Any) -> None:
        from parcelguard.credit.demo import load_demo_credit
        from parcelguard.credit.models import Rating

        if Rating.objects.exists():
            self.stdout.write("Credit ratings are already computed.")
            return
        s = load_demo_credit()
        grades = ", ".join(f"{g} {n}" for g, n in s["grades"].items())
        self.stdout.write(f"Credit ratings: {s['enterprises']} enterprises ({grades}) from {s['deductions']} "
                          f"deductions in {s['seconds']} s.")
