from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from parcelguard.trail.services import trail_verify


class Command(BaseCommand):
    help = "Verify the hash-chained trail and every evidence file: `trail verify`."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"])
        parser.add_argument("--no-record", action="store_true", help="do not keep the outcome for the trail page")

    def handle(self, *args: Any, **options: Any) -> None:
        result = trail_verify(record=not options["no_record"])
        if not result.ok:
            raise CommandError(result.summary(), returncode=1)
        self.stdout.write(result.summary())
