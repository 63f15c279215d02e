from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from parcelguard.demo.city import DEMO_PASSWORD, demo_exists, load_demo_city


class Command(BaseCommand):
    help = "Load the demo city (Putian) unless it is loaded already; --reset empties the database first."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--seed", type=int, default=20191)
        parser.add_argument("--reset", action="store_true", help="flush the database before loading")

    def handle(self, *args: Any, seed: int, reset: bool, **options: Any) -> None:
        if reset:
            call_command("flush", interactive=False, verbosity=0)
            # flush also empties the reference data that migrations seeded: lay it again
            import importlib

            from django.apps import apps

            importlib.import_module("parcelguard.events.migrations.0002_seed_taxonomy").seed(apps, None)
            importlib.import_module("parcelguard.selfcheck.migrations.0002_seed_checklist").seed(apps, None)
            importlib.import_module("parcelguard.credit.seed").seed(apps, None)
            importlib.import_module("parcelguard.assessment.seed").seed(apps, None)
            importlib.import_module("parcelguard.training.seed").seed(apps, None)
        if demo_exists():
            self.stdout.write("The demo city is already loaded (use --reset to load it again).")
            return
        s = load_demo_city(seed)
        self.stdout.write(self.style.SUCCESS(
            f"Demo city 莆田市 loaded: {s.counties} districts, {s.grids} grids, {s.enterprises} enterprises, "
            f"{s.outlets} outlets, {s.sorting_centres} sorting centres, {s.stations} stations, {s.lockers} lockers, "
            f"{s.machines} X-ray machines."))
        call_command("demo_events", seed=seed, stdout=self.stdout)
        call_command("demo_privacy", seed=seed, stdout=self.stdout)
        call_command("demo_selfcheck", seed=seed, stdout=self.stdout)
        call_command("demo_inspections", stdout=self.stdout)
        call_command("demo_training", seed=seed, stdout=self.stdout)
        call_command("demo_video", seed=seed, stdout=self.stdout)
        self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
        for username, role, where in s.users:
            self.stdout.write(f"  {username:<20} {role:<12} {where}")
        call_command("demo_parcels", stdout=self.stdout)
        call_command("demo_oversight", stdout=self.stdout)  # links the parcel analysis' warnings
        call_command("demo_credit", stdout=self.stdout)
        call_command("demo_assessment", stdout=self.stdout)
        call_command("demo_emergency", seed=seed, stdout=self.stdout)
        call_command("demo_partners", stdout=self.stdout)
