"""The analysis over a small hand-built data set: the right early warnings, once; conversion to hazard
events for the right county; automatic conversion of high severity when the bureau switches it on."""

from __future__ import annotations

import datetime as dt

import pytest

from parcelguard.core.errors import Conflict, Forbidden, Invalid, NotFound
from parcelguard.events.models import Event
from parcelguard.parcels import services
from parcelguard.parcels.models import EarlyWarning, OutletDayMetric, OutletRisk
from parcelguard.parcels.testing import day_of_parcels

DAY = dt.date(2026, 10, 20)


@pytest.fixture
def data(cast):
    """Enterprise Y keeps "screening" on its broken machine (the Jiayuguan pattern, broken since 1 Oct);
    enterprise X's outlet A1 skips the real-name check on one parcel of ten."""
    x = day_of_parcels(1, 10, "PTZTOWD0001", DAY, machine="XRZTOFB000101")
    x[3]["realname_verified"] = False
    services.batch_push(user=cast.officer_x, records=x)
    y = day_of_parcels(100, 6, "PTYTOWD0001", DAY, brand="YTO", machine="XRYTOWD000101")
    services.batch_push(user=cast.officer_y, records=y)
    return cast


def kinds() -> set[tuple[str, str, str]]:
    return set(EarlyWarning.objects.values_list("kind", "subject_id", "severity"))


def test_the_analysis_finds_the_broken_machine_and_the_missing_real_name_check(data):
    run = services.analysis_run(trigger="test")
    assert run.status == "done", run.message
    assert kinds() == {("SCREENED_WHILE_DOWN", "XRYTOWD000101", "high"), ("LOW_REALNAME", "PTZTOWD0001", "medium")}
    down = EarlyWarning.objects.get(kind="SCREENED_WHILE_DOWN")
    assert down.count == 6 and down.site == data.outlet_b1 and down.machine == data.machine_b
    assert down.county == data.county_b and down.window_end is None
    assert down.window_start == dt.datetime(2026, 10, 1, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert len(down.waybills) == 6 and down.risk_points == 40
    realname = EarlyWarning.objects.get(kind="LOW_REALNAME")
    assert realname.count == 1 and realname.county == data.county_a and realname.waybills == ["ZTO000000000004"]
    metric = OutletDayMetric.objects.get(site=data.outlet_a1)
    assert (metric.day, metric.parcels, metric.realname_rate) == (DAY, 10, 0.9)
    assert OutletRisk.objects.get(site=data.outlet_b1).score >= 40


def test_running_again_on_the_same_data_adds_no_warning(data):
    services.analysis_run(trigger="test")
    assert services.analysis_run(trigger="test").status == "nothing"
    services.analysis_run(trigger="test", all_days=True)
    services.batch_push(user=data.officer_y, records=day_of_parcels(100, 6, "PTYTOWD0001", DAY, brand="YTO",
                                                                    machine="XRYTOWD000101"))
    services.analysis_run(trigger="test")
    assert EarlyWarning.objects.count() == 2


def test_new_days_extend_the_open_down_window_instead_of_adding_a_warning(data):
    services.analysis_run(trigger="test")
    later = day_of_parcels(200, 4, "PTYTOWD0001", DAY + dt.timedelta(days=5), brand="YTO", machine="XRYTOWD000101")
    services.batch_push(user=data.officer_y, records=later)
    services.analysis_run(trigger="test")
    down = EarlyWarning.objects.get(kind="SCREENED_WHILE_DOWN")
    assert down.count == 10


def test_converting_a_warning_reports_a_hazard_event_to_the_right_county(data):
    services.analysis_run(trigger="test")
    down = EarlyWarning.objects.get(kind="SCREENED_WHILE_DOWN")
    converted = services.warning_convert(user=data.city_bureau, warning_id=down.pk)
    event = Event.objects.get()
    assert converted.status == "converted" and converted.event == event
    assert (event.hazard_type.code, event.source, event.severity) == ("forged_screening", "parcel_analysis", "high")
    assert event.county == data.county_b and event.site == data.outlet_b1
    assert "XRYTOWD000101" in event.description
    with pytest.raises(Conflict):
        services.warning_convert(user=data.city_bureau, warning_id=down.pk)
    assert Event.objects.count() == 1


def test_a_county_centre_converts_only_warnings_in_its_county(data):
    services.analysis_run(trigger="test")
    down = EarlyWarning.objects.get(kind="SCREENED_WHILE_DOWN")
    with pytest.raises(NotFound):
        services.warning_convert(user=data.centre_a, warning_id=down.pk)
    assert Event.objects.count() == 0 and EarlyWarning.objects.get(pk=down.pk).status == "new"


def test_dismissing_needs_a_reason_and_acknowledging_keeps_it_open(data):
    services.analysis_run(trigger="test")
    realname = EarlyWarning.objects.get(kind="LOW_REALNAME")
    with pytest.raises(Invalid):
        services.warning_dismiss(user=data.centre_a, warning_id=realname.pk, reason="")
    assert services.warning_acknowledge(user=data.centre_a, warning_id=realname.pk).status == "acknowledged"
    dismissed = services.warning_dismiss(user=data.centre_a, warning_id=realname.pk, reason="当日系统故障，已补录")
    assert (dismissed.status, dismissed.status_by) == ("dismissed", data.centre_a)
    services.analysis_run(trigger="test", all_days=True)
    assert EarlyWarning.objects.get(pk=realname.pk).status == "dismissed"


def test_high_severity_warnings_become_events_automatically_when_the_bureau_switches_it_on(data):
    with pytest.raises(Forbidden):
        services.settings_set_auto_convert(user=data.centre_a, enabled=True)
    services.settings_set_auto_convert(user=data.city_bureau, enabled=True)
    run = services.analysis_run(trigger="test")
    assert run.converted == 1
    assert EarlyWarning.objects.get(kind="SCREENED_WHILE_DOWN").status == "converted"
    assert EarlyWarning.objects.get(kind="LOW_REALNAME").status == "new"
    assert Event.objects.get().county == data.county_b


def test_with_the_switch_off_nothing_is_converted(data):
    services.settings_set_auto_convert(user=data.city_bureau, enabled=True)
    services.settings_set_auto_convert(user=data.city_bureau, enabled=False)
    assert services.analysis_run(trigger="test").converted == 0
    assert Event.objects.count() == 0


def test_a_switch_left_on_by_a_user_who_has_gone_converts_nothing_and_the_run_still_succeeds(data):
    services.settings_set_auto_convert(user=data.city_bureau, enabled=True)
    data.city_bureau.is_active = False
    data.city_bureau.save()
    run = services.analysis_run(trigger="test")
    assert (run.status, run.converted) == ("done", 0) and "not converted" in run.message
    assert EarlyWarning.objects.get(kind="SCREENED_WHILE_DOWN").status == "new" and Event.objects.count() == 0


def test_the_nightly_command_runs_the_analysis_or_hands_it_to_the_worker(data):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("parcels_analyze", stdout=out)
    assert "2 new warnings" in out.getvalue()
    call_command("parcels_analyze", "--enqueue", "--all", stdout=out)  # the immediate backend in tests
    assert "enqueued" in out.getvalue() and EarlyWarning.objects.count() == 2
