import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = ("Generate the monthly reports (city and every county) for last month or --month YYYY-MM. "
            "Run it from cron on the 1st of each month, or pass --enqueue to hand it to the task worker.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--month", default="", help="YYYY-MM (default: last month)")
        parser.add_argument("--enqueue", action="store_true", help="enqueue for db_worker instead of running now")

    def handle(self, *args: Any, **options: Any) -> None:
        month = options["month"]
        if options["enqueue"]:
            from parcelguard.analytics.tasks import monthly_reports_task

            result = monthly_reports_task.enqueue(month)
            self.stdout.write(f"enqueued {result.id}")
            return
        from parcelguard.analytics.reports import monthly_reports

        for report in monthly_reports(dt.date.fromisoformat(month + "-01") if month else None):
            self.stdout.write(f"{report.title}: {report.size:,} bytes in {report.seconds:.2f} s")
