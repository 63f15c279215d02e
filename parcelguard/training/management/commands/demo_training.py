from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Training sessions, exams and certificates of the demo city's key staff."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--seed", type=int, default=20191)

    def handle(self, *args: Any, seed: int, **options: Any) -> None:
        from parcelguard.training.demo import load_demo_training
        from parcelguard.training.models import TrainingSession

        if TrainingSession.objects.exists():
            self.stdout.write("Training is already loaded.")
            return
        s = load_demo_training(seed)
        self.stdout.write(f"Training: {s['sessions']} sessions for {s['staff']} key staff, {s['exams']} exams "
                          f"({s['passed']} passed), {s['waiting']} papers waiting; {s['flagged']} staff without "
                          f"a valid certificate today.")
