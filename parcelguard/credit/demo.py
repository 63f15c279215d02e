"""The demo city's credit: the published method applied to the year of demo records (hazard events,
cases, early warnings, monthly duty reports) through the real service, as if the nightly job ran."""

from __future__ import annotations

from typing import Any

from parcelguard.credit.services import recompute


def load_demo_credit() -> dict[str, Any]:
    run = recompute(trigger="demo")
    grades: dict[str, int] = {}
    for grade in run.ratings.values_list("grade", flat=True):
        grades[grade] = grades.get(grade, 0) + 1
    return {"enterprises": run.enterprises, "deductions": run.deductions, "grades": dict(sorted(grades.items())),
            "seconds": run.seconds}
