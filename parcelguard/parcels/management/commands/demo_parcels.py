from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand

from parcelguard.parcels.models import BatchSource, ParcelBatch


class Command(BaseCommand):
    help = ("Give the demo city a month of generated parcel records (with the Jiayuguan pattern: a broken "
            "machine still 'screening') and run the analysis once, so the early-warning page is populated.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--parcels", type=int, default=200_000)
        parser.add_argument("--days", type=int, default=30)
        parser.add_argument("--seed", type=int, default=2021)

    def handle(self, *args: Any, parcels: int, days: int, seed: int, **options: Any) -> None:
        from parcel_audit import ingest

        from parcelguard.core import clock
        from parcelguard.parcels import demo, store
        from parcelguard.parcels.services import CONFIG, analysis_run

        if ParcelBatch.objects.filter(source=BatchSource.DEMO).exists():
            self.stdout.write("The demo parcel records are already loaded.")
            return
        began = time.monotonic()
        made = demo.generate(parcels=parcels, days=days, seed=seed)
        report = ingest(made.table, store.store_dir(), reject_path=store.rejects_dir() / "demo.csv", config=CONFIG)
        # After `demo --reset` the database is new but the store on disk still holds these records (the
        # ingest finds them all present and reports no day): the batch names the generated days all the
        # same, so the analysis below covers them.
        span = (made.last_day - made.first_day).days + 1
        days = {made.first_day + dt.timedelta(days=i) for i in range(span)} | set(report.dates)
        ParcelBatch.objects.create(
            submitted_at=clock.now(), source=BatchSource.DEMO, status="accepted", rows=report.rows_read,
            accepted=report.rows_written, duplicates=report.rows_already_present, rejected=report.rows_rejected,
            dates=[d.isoformat() for d in sorted(days)])
        run = analysis_run(trigger="demo")
        self.stdout.write(self.style.SUCCESS(
            f"Demo parcels: {report.rows_written} records {made.first_day}..{made.last_day} "
            f"(broken machine {made.broken_machine}); analysis: {run.findings} findings, {run.warnings_new} "
            f"early warnings ({time.monotonic() - began:.1f} s)."))
