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


def test_the_demo_loaded_again_into_a_new_database_still_analyses_its_month(db):
    """`demo --reset` empties the database, not the parcel store on disk: the records are found present, and
    the month must still be analysed (its warnings and outlet-day metrics are back)."""
    from parcelguard.parcels.models import AnalysisRun, OutletDayMetric, ParcelBatch

    load_demo_city()
    call_command("demo_parcels", parcels=20_000, stdout=StringIO())
    warnings, metrics = EarlyWarning.objects.count(), OutletDayMetric.objects.count()
    assert warnings == 12 and metrics > 0
    # what a flush of the database leaves behind: the store's files
    for model in (EarlyWarning, OutletDayMetric, AnalysisRun, ParcelBatch):
        model.objects.all().delete()
    out = StringIO()
    call_command("demo_parcels", parcels=20_000, stdout=out)
    assert "Demo parcels: 0 records" in out.getvalue()  # nothing new on disk ...
    assert EarlyWarning.objects.count() == warnings and OutletDayMetric.objects.count() == metrics  # ... all analysed
