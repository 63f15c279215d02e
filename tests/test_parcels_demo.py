"""The demo city's month of parcels: the Jiayuguan pattern and every planted anomaly become warnings."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from parcelguard.demo.city import load_demo_city
from parcelguard.parcels.models import EarlyWarning
from parcelguard.registry.models import MachineStatusWindow


def test_the_demo_parcels_show_the_broken_machine_still_screening_and_nothing_unplanted(db):
    load_demo_city()
    out = StringIO()
    call_command("demo_parcels", parcels=20_000, stdout=out)
    broken = MachineStatusWindow.objects.get(status="broken", end=None).machine
    down = EarlyWarning.objects.get(kind="SCREENED_WHILE_DOWN")
    assert down.machine == broken and down.window_end is None and down.count > 0
    assert down.site.kind == "sorting_centre" and down.site.enterprise.brand_id == "YD"
    assert sorted(EarlyWarning.objects.values_list("kind", flat=True)) == sorted([
        "SCREENED_WHILE_DOWN", "OVER_CAPACITY", "SCREENED_BEFORE_ACCEPTED", "UNKNOWN_MACHINE", "SENDER_SPREAD",
        "LOW_REALNAME", "LOW_REALNAME", "LOW_REALNAME", "LOW_INSPECTION", "LOW_INSPECTION", "LOW_SCREENING",
        "LOW_SCREENING"])
    call_command("demo_parcels", stdout=out)  # a second time: already loaded, nothing added
    assert EarlyWarning.objects.count() == 12 and "already loaded" in out.getvalue()
