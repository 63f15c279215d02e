from typing import Any

from django.core.management.base import BaseCommand

from parcelguard.analytics import boundaries


class Command(BaseCommand):
    help = "Regenerate the schematic district boundaries of the map from the sites' coordinates."

    def handle(self, *args: Any, **options: Any) -> None:
        data = boundaries.build()
        boundaries.write(data)
        self.stdout.write(f"{len(data['features'])} districts written to {boundaries.DATA_FILE}")
