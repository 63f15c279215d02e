from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from parcelguard.assessment.demo import load_demo_assessment


class Command(BaseCommand):
    help = "Publish the demo city's county assessments of last quarter and last month, and last month's circulars."

    def handle(self, *args: Any, **options: Any) -> None:
        from parcelguard.assessment.models import Assessment

        if Assessment.objects.exists():
            self.stdout.write("County assessments are already published.")
            return
        s = load_demo_assessment()
        self.stdout.write(f"County assessments published: {', '.join(s['assessments']) or 'none'}; "
                          f"circulars issued: {', '.join(s['circulars']) or 'none'}.")
