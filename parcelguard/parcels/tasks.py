"""Background work of the parcels module: a thin wrapper around the analysis service."""

from __future__ import annotations

from django.tasks import task

from parcelguard.parcels.services import analysis_run


@task()
def analyze_parcels_task(trigger: str = "nightly", user_id: int | None = None, all_days: bool = False) -> dict[str, int | str]:
    """Run the parcel analysis over the days with new records. Idempotent: warnings are keyed by finding."""
    from parcelguard.accounts.models import User

    user = User.objects.filter(pk=user_id).first() if user_id else None
    run = analysis_run(trigger=trigger, user=user, all_days=all_days)
    return {"run": run.pk, "status": run.status, "findings": run.findings, "new_warnings": run.warnings_new,
            "converted": run.converted}
