"""Background jobs of the analysis library (django.tasks; the worker is `manage.py db_worker`)."""

from __future__ import annotations

import datetime as dt

from django.tasks import task


@task()
def monthly_reports_task(month: str = "") -> int:
    """Generate last month's (or `month`, YYYY-MM) report of the city and every county."""
    from parcelguard.analytics.reports import monthly_reports

    day = dt.date.fromisoformat(month + "-01") if month else None
    return len(monthly_reports(day))


@task()
def report_task(jurisdiction_code: str, month: str, actor_id: int | None = None) -> int:
    """One report on demand, made by the worker so the page does not wait for the PDF."""
    from parcelguard.accounts.models import Jurisdiction, User
    from parcelguard.analytics.reports import report_generate

    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    report = report_generate(jurisdiction=Jurisdiction.objects.get(code=jurisdiction_code),
                             month=dt.date.fromisoformat(month + "-01"), actor=actor)
    return report.pk


@task()
def refresh_snapshots_task() -> int:
    """Rebuild the summary table behind filtered dashboards (`analytics.cube`), then recompute the default
    figures of every jurisdiction (`FigureSnapshot`). Returns how many figures it stored."""
    from parcelguard.analytics import cube
    from parcelguard.analytics.reports import refresh_snapshots

    cube.rebuild()
    return refresh_snapshots()
