"""Helpers for tests (and the demo) of procuratorial oversight."""

from __future__ import annotations

from typing import Any


def warning_at(site: Any, n: int = 1, kind: str = "LOW_SCREENING") -> Any:
    """An early warning on a site, as the parcel analysis would have written it."""
    from parcelguard.core import clock
    from parcelguard.parcels.models import EarlyWarning

    now = clock.now()
    return EarlyWarning.objects.create(
        key=f"oversight-test-{site.code}-{n}", kind=kind, subject_type="outlet", subject_id=site.code, site=site,
        enterprise=site.enterprise, county=site.county, jurisdiction_path=site.jurisdiction_path, window_start=now,
        count=12, severity="high", first_seen_at=now, last_seen_at=now)


def close_event(event: Any, *, centre: Any, officer: Any, worker: Any) -> Any:
    """Take a reported hazard event through the normal county-tier loop to closed: verify on site, remind,
    the enterprise answers with evidence, the grid worker confirms the fix."""
    from parcelguard.events import services as ev
    from parcelguard.events.testing import photo

    e = ev.event_verify(user=centre, event_id=event.pk, version=None, note="现场核实属实", uploads=[photo("核实.png")])
    e = ev.event_remind(user=centre, event_id=e.pk, version=None, note="限期整改")
    e = ev.event_answer(user=officer, event_id=e.pk, version=None, note="已整改", uploads=[photo("整改.png", (20, 160, 60))])
    return ev.event_confirm_fix(user=worker, event_id=e.pk, version=None, note="复查合格",
                                uploads=[photo("复查.png", (60, 60, 200))])
