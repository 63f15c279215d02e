"""Background work of the credit mechanism: the nightly recompute of every enterprise's rating."""

from __future__ import annotations

from django.tasks import task

from parcelguard.credit.services import recompute


@task()
def recompute_ratings_task(trigger: str = "nightly") -> dict[str, int | float]:
    from parcelguard.credit.models import RuleSet

    if not RuleSet.objects.exists():
        return {"run": 0, "enterprises": 0, "deductions": 0, "seconds": 0.0}
    run = recompute(trigger=trigger)
    return {"run": run.pk, "enterprises": run.enterprises, "deductions": run.deductions, "seconds": run.seconds}
