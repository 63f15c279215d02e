from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from parcelguard.video.demo import load_demo_video


class Command(BaseCommand):
    help = "The demo city's video channels (GB/T 28181 codes), five live simulated cameras and a health history."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--seed", type=int, default=20191)

    def handle(self, *args: Any, seed: int, **options: Any) -> None:
        from parcelguard.video.models import Channel

        if Channel.objects.exists():
            self.stdout.write("The video library is already loaded.")
            return
        s = load_demo_video(seed)
        self.stdout.write(f"Video library: {s['channels']} channels with GB/T 28181 codes, {s['live']} live simulated "
                          f"cameras (parcelguard media pushes them), {s['checks']} hourly health checks.")
