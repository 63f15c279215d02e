"""Each finding rule of contract section 3 on small hand-built tables, edges included."""

from __future__ import annotations

import datetime as dt

import pytest
from parcel_audit import AuditConfig, analyze

T = dt.datetime.fromisoformat


def by_kind(findings, kind):
    return [f for f in findings if f.kind == kind]


# --- SCREENED_WHILE_DOWN ----------------------------------------------------------------------------

def test_a_scan_exactly_at_a_windows_start_is_inside_and_one_at_its_end_is_not(audit, parcel):
    rows = [
        parcel("W-AT-START", screened_at="2026-11-01 10:00:00"),
        parcel("W-JUST-BEFORE-END", screened_at="2026-11-01 10:59:59.999999"),
        parcel("W-AT-END", screened_at="2026-11-01 11:00:00"),
        parcel("W-BEFORE-START", screened_at="2026-11-01 09:59:59"),
    ]
    found = audit(rows, status_rows=(("M1", "offline", "2026-11-01 10:00:00", "2026-11-01 11:00:00"),),
                  kinds=("SCREENED_WHILE_DOWN",))
    assert len(found) == 1
    f = found[0]
    assert (f.subject_type, f.subject_id) == ("machine", "M1")
    assert (f.window_start, f.window_end) == (T("2026-11-01 10:00"), T("2026-11-01 11:00"))
    assert f.count == 2
    assert f.waybills == ("W-AT-START", "W-JUST-BEFORE-END")
    assert f.severity == "high"


def test_a_window_with_no_end_catches_every_later_scan_the_jiayuguan_pattern(audit, parcel):
    rows = [parcel(f"W{i}", accepted_at=f"2026-11-{d:02d} 09:00:00", screened_at=f"2026-11-{d:02d} 09:05:00")
            for i, d in enumerate((1, 2, 15, 30))]
    found = audit(rows, status_rows=(("M1", "broken", "2026-11-02 00:00:00", None),),
                  kinds=("SCREENED_WHILE_DOWN",))
    assert [(f.window_start, f.window_end, f.count) for f in found] == [(T("2026-11-02 00:00"), None, 3)]
    assert found[0].waybills == ("W1", "W2", "W3")


def test_each_status_window_with_scans_is_its_own_finding_and_other_machines_do_not_count(audit, parcel):
    rows = [
        parcel("A", screened_at="2026-11-01 08:30:00"),
        parcel("B", screened_at="2026-11-01 12:30:00"),
        parcel("C", screening_machine_id="M2", screened_at="2026-11-01 08:30:00"),
        parcel("D", screened_at="2026-11-01 10:30:00"),
    ]
    windows = (
        ("M1", "maintenance", "2026-11-01 08:00:00", "2026-11-01 09:00:00"),
        ("M1", "offline", "2026-11-01 12:00:00", "2026-11-01 13:00:00"),
        ("M1", "offline", "2026-11-01 20:00:00", "2026-11-01 21:00:00"),
    )
    found = audit(rows, machine_rows=(("M1", "O1", 600), ("M2", "O1", 600)), status_rows=windows,
                  kinds=("SCREENED_WHILE_DOWN",))
    assert [(f.window_start.hour, f.waybills) for f in found] == [(8, ("A",)), (12, ("B",))]


def test_a_status_window_spanning_midnight_holds_scans_on_both_days(audit, parcel):
    rows = [
        parcel("LATE", accepted_at="2026-11-01 23:50:00", screened_at="2026-11-01 23:59:59"),
        parcel("EARLY", accepted_at="2026-11-01 23:55:00", screened_at="2026-11-02 00:00:00"),
    ]
    window = (("M1", "maintenance", "2026-11-01 22:00:00", "2026-11-02 06:00:00"),)
    for chunk_days in (None, 1):
        found = audit(rows, status_rows=window, kinds=("SCREENED_WHILE_DOWN",), chunk_days=chunk_days)
        assert [(f.count, f.waybills) for f in found] == [(2, ("EARLY", "LATE"))]


# --- OVER_CAPACITY ----------------------------------------------------------------------------------

def scans(parcel, prefix, minute, n, machine="M1"):
    """n parcels screened inside the clock minute starting at ``minute`` (spread over its seconds)."""
    start = T(minute)
    return [
        parcel(f"{prefix}{i:02d}", accepted_at=(start - dt.timedelta(minutes=5)).isoformat(sep=" "),
               screening_machine_id=machine,
               screened_at=(start + dt.timedelta(seconds=59 * i / max(n - 1, 1))).isoformat(sep=" "))
        for i in range(n)
    ]


def test_a_minute_at_capacity_is_fine_and_one_scan_more_is_over(audit, parcel):
    # capacity 120/h = 2 per minute
    at_capacity = scans(parcel, "A", "2026-11-01 10:00:00", 2)
    over = scans(parcel, "B", "2026-11-01 10:10:00", 3)
    found = audit(at_capacity + over, machine_rows=(("M1", "O1", 120),), kinds=("OVER_CAPACITY",))
    assert [(f.window_start, f.window_end, f.count) for f in found] == [
        (T("2026-11-01 10:10"), T("2026-11-01 10:11"), 3)
    ]
    assert found[0].waybills == ("B00", "B01", "B02")
    assert found[0].severity == "medium"


def test_the_last_minute_of_an_hour_ends_at_the_next_hour_and_a_scan_on_the_hour_is_the_next_minute(audit,
                                                                                                  parcel):
    rows = [*scans(parcel, "A", "2026-11-01 10:59:00", 3),
            parcel("NEXT", accepted_at="2026-11-01 10:50:00", screened_at="2026-11-01 11:00:00")]
    found = audit(rows, machine_rows=(("M1", "O1", 120),), kinds=("OVER_CAPACITY",))
    assert [(f.window_start, f.window_end, f.count) for f in found] == [
        (T("2026-11-01 10:59"), T("2026-11-01 11:00"), 3)
    ]


def test_consecutive_over_minutes_form_one_finding_and_a_gap_starts_another(audit, parcel):
    rows = (scans(parcel, "A", "2026-11-01 10:59:00", 3) + scans(parcel, "B", "2026-11-01 11:00:00", 4)
            + scans(parcel, "C", "2026-11-01 11:02:00", 3) + scans(parcel, "D", "2026-11-01 11:01:00", 2))
    found = audit(rows, machine_rows=(("M1", "O1", 120),), kinds=("OVER_CAPACITY",))
    assert [(f.window_start, f.window_end, f.count) for f in found] == [
        (T("2026-11-01 10:59"), T("2026-11-01 11:01"), 7),
        (T("2026-11-01 11:02"), T("2026-11-01 11:03"), 3),
    ]


def test_an_overload_across_midnight_is_one_finding_even_when_analysed_day_by_day(audit, parcel):
    rows = scans(parcel, "A", "2026-11-01 23:59:00", 3) + scans(parcel, "B", "2026-11-02 00:00:00", 3)
    for chunk_days in (None, 1):
        found = audit(rows, machine_rows=(("M1", "O1", 120),), kinds=("OVER_CAPACITY",), chunk_days=chunk_days)
        assert [(f.window_start, f.window_end, f.count) for f in found] == [
            (T("2026-11-01 23:59"), T("2026-11-02 00:01"), 6)
        ]


@pytest.mark.parametrize(("last", "first"), [("2026-12-31 23:59:00", "2027-01-01 00:00:00"),
                                            ("2028-02-28 23:59:00", "2028-02-29 00:00:00"),
                                            ("2026-01-31 23:59:00", "2026-02-01 00:00:00")])
def test_an_overload_across_a_month_or_year_end_is_one_finding(audit, parcel, last, first):
    rows = scans(parcel, "A", last, 3) + scans(parcel, "B", first, 3)
    found = audit(rows, machine_rows=(("M1", "O1", 120),), kinds=("OVER_CAPACITY",))
    assert [(f.window_start, f.window_end, f.count) for f in found] == [
        (T(last), T(first) + dt.timedelta(minutes=1), 6)
    ]


def test_a_machine_with_no_registry_entry_is_never_over_capacity_but_is_unknown(audit, parcel):
    rows = scans(parcel, "A", "2026-11-01 10:00:00", 50, machine="GHOST")
    found = audit(rows, machine_rows=(("M1", "O1", 120),), kinds=("OVER_CAPACITY", "UNKNOWN_MACHINE"))
    assert [(f.kind, f.subject_id, f.count) for f in found] == [("UNKNOWN_MACHINE", "GHOST", 50)]


def test_capacity_not_divisible_by_sixty_compares_exactly(audit, parcel):
    # 150/h = 2.5 per minute: 2 scans fine, 3 over
    rows = scans(parcel, "A", "2026-11-01 10:00:00", 2) + scans(parcel, "B", "2026-11-01 10:05:00", 3)
    found = audit(rows, machine_rows=(("M1", "O1", 150),), kinds=("OVER_CAPACITY",))
    assert [f.window_start for f in found] == [T("2026-11-01 10:05")]


# --- SCREENED_BEFORE_ACCEPTED -------------------------------------------------------------------------

def test_a_scan_one_second_before_acceptance_is_found_and_one_at_the_same_instant_is_not(audit, parcel):
    rows = [
        parcel("EARLY", accepted_at="2026-11-01 10:00:00", screened_at="2026-11-01 09:59:59"),
        parcel("SAME", accepted_at="2026-11-01 10:00:00", screened_at="2026-11-01 10:00:00"),
    ]
    found = audit(rows, kinds=("SCREENED_BEFORE_ACCEPTED",))
    assert [(f.subject_type, f.subject_id, f.count, f.waybills) for f in found] == [
        ("outlet", "O1", 1, ("EARLY",))
    ]
    assert (found[0].window_start, found[0].window_end) == (T("2026-11-01 00:00"), T("2026-11-02 00:00"))


def test_screened_before_accepted_is_grouped_by_the_day_of_acceptance_around_midnight(audit, parcel):
    rows = [
        parcel("D1", accepted_at="2026-11-01 23:59:59", screened_at="2026-11-01 23:00:00"),
        parcel("D2", accepted_at="2026-11-02 00:00:00", screened_at="2026-11-01 23:59:00"),
    ]
    found = audit(rows, kinds=("SCREENED_BEFORE_ACCEPTED",))
    assert [(f.window_start.date(), f.waybills) for f in found] == [
        (dt.date(2026, 11, 1), ("D1",)), (dt.date(2026, 11, 2), ("D2",))
    ]


# --- UNKNOWN_MACHINE ----------------------------------------------------------------------------------

def test_unknown_machines_are_grouped_by_machine_and_day_of_screening_not_of_acceptance(audit, parcel):
    rows = [
        parcel("A", screening_machine_id="X9", accepted_at="2026-11-01 23:50:00",
               screened_at="2026-11-02 00:10:00"),
        parcel("B", screening_machine_id="X9", accepted_at="2026-11-02 08:00:00",
               screened_at="2026-11-02 08:05:00"),
        parcel("C", screening_machine_id="X9", accepted_at="2026-11-01 08:00:00",
               screened_at="2026-11-01 08:05:00"),
        parcel("D", screening_machine_id="M1"),
        parcel("E", screening_machine_id=None, screened_at=None, screening_result=None),
    ]
    for chunk_days in (None, 1):
        found = audit(rows, kinds=("UNKNOWN_MACHINE",), chunk_days=chunk_days)
        assert [(f.subject_id, f.window_start, f.count, f.waybills) for f in found] == [
            ("X9", T("2026-11-01 00:00"), 1, ("C",)),
            ("X9", T("2026-11-02 00:00"), 2, ("A", "B")),
        ]


# --- SENDER_SPREAD ------------------------------------------------------------------------------------

def spread(parcel, sender, outlets, day="2026-11-01", time="10:00:00"):
    return [parcel(f"{sender[:3]}-{o}", outlet_id=o, sender_id_hash=sender, accepted_at=f"{day} {time}")
            for o in outlets]


def test_a_sender_at_five_outlets_in_a_day_is_found_and_at_four_is_not(audit, parcel):
    five, four = "a" * 64, "b" * 64
    rows = spread(parcel, five, ["O1", "O2", "O3", "O4", "O5"]) + spread(parcel, four, ["O1", "O2", "O3", "O4"])
    rows.append(parcel("aaa-O1-again", outlet_id="O1", sender_id_hash=five, accepted_at="2026-11-01 11:00:00"))
    found = audit(rows, kinds=("SENDER_SPREAD",))
    assert [(f.subject_type, f.subject_id, f.count) for f in found] == [("sender", five, 6)]
    assert found[0].severity == "medium"


def test_a_sender_spread_over_midnight_is_two_days_below_the_threshold(audit, parcel):
    sender = "c" * 64
    rows = (spread(parcel, sender, ["O1", "O2", "O3"], time="23:59:59")
            + spread(parcel, sender, ["O4", "O5"], day="2026-11-02", time="00:00:00"))
    assert audit(rows, kinds=("SENDER_SPREAD",)) == []


def test_the_sender_threshold_is_configurable(audit, parcel):
    sender = "d" * 64
    rows = spread(parcel, sender, ["O1", "O2", "O3"])
    assert audit(rows, kinds=("SENDER_SPREAD",)) == []
    assert len(audit(rows, kinds=("SENDER_SPREAD",), sender_min_outlets=3)) == 1


# --- LOW_REALNAME / LOW_INSPECTION / LOW_SCREENING ----------------------------------------------------

@pytest.mark.parametrize(
    ("kind", "failure"),
    [
        ("LOW_REALNAME", {"realname_verified": False}),
        ("LOW_INSPECTION", {"inspected": False}),
        ("LOW_SCREENING", {"screening_machine_id": None, "screened_at": None, "screening_result": None}),
    ],
)
def test_an_outlet_day_below_target_is_found_with_its_failing_parcels(audit, parcel, kind, failure):
    rows = [parcel(f"OK{i}") for i in range(2)] + [parcel("BAD", **failure)]
    rows.append(parcel("OTHER-DAY", accepted_at="2026-11-02 10:00:00", screened_at="2026-11-02 10:01:00"))
    found = audit(rows, kinds=(kind,))
    assert [(f.subject_id, f.window_start, f.count, f.waybills, f.severity) for f in found] == [
        ("O1", T("2026-11-01 00:00"), 1, ("BAD",), "high")
    ]


def test_severity_grows_with_the_shortfall(audit, parcel):
    def day_with(failing, total, day):
        return [parcel(f"{day}-{i:03d}", accepted_at=f"2026-11-{day:02d} 10:00:00",
                       screened_at=f"2026-11-{day:02d} 10:01:00", realname_verified=i >= failing)
                for i in range(total)]

    rows = day_with(1, 25, 1) + day_with(2, 20, 2) + day_with(5, 20, 3)
    found = audit(rows, kinds=("LOW_REALNAME",))
    # shortfalls 0.04, 0.10, 0.25 against the default bands (0.05, 0.20)
    assert [f.severity for f in found] == ["low", "medium", "high"]


def test_a_lower_target_tolerates_a_shortfall_within_it(audit, parcel):
    rows = [parcel("A"), parcel("B"), parcel("C", inspected=False), parcel("D")]
    assert audit(rows, kinds=("LOW_INSPECTION",), inspection_target=0.75) == []
    assert len(audit(rows, kinds=("LOW_INSPECTION",), inspection_target=0.8)) == 1


def test_examples_are_the_twenty_smallest_waybill_numbers(audit, parcel):
    rows = [parcel(f"W{i:03d}", realname_verified=False) for i in range(30, 0, -1)]
    [finding] = audit(rows, kinds=("LOW_REALNAME",))
    assert finding.count == 30
    assert finding.waybills == tuple(f"W{i:03d}" for i in range(1, 21))


# --- metrics and risk ---------------------------------------------------------------------------------

def test_outlet_day_metrics_give_each_rate_and_the_suspect_count(parcel, table_builders):
    b = table_builders
    rows = [parcel("A"), parcel("B", realname_verified=False, screening_result="suspect"),
            parcel("C", inspected=False), parcel("D", screening_machine_id=None, screened_at=None,
                                                 screening_result=None)]
    result = analyze(b["records"](rows), machines=b["machines"](("M1", "O1", 600)), machine_status=b["status"]())
    [m] = result.metrics
    assert (m.outlet_id, m.day, m.parcels) == ("O1", dt.date(2026, 11, 1), 4)
    assert (m.realname_rate, m.inspection_rate, m.screening_rate, m.suspect_count) == (0.75, 0.75, 0.75, 1)


def test_the_risk_score_adds_finding_points_and_the_compliance_gap_and_explains_them(parcel, table_builders):
    b = table_builders
    rows = [parcel("A", screened_at="2026-11-01 10:30:00"), parcel("B", inspected=False),
            parcel("C", outlet_id="O2", screening_machine_id="M2")]
    result = analyze(
        b["records"](rows),
        machines=b["machines"](("M1", "O1", 600), ("M2", "O2", 600)),
        machine_status=b["status"](("M1", "broken", "2026-11-01 10:15:00", None)),
    )
    scores = {r.outlet_id: r for r in result.risk}
    o1 = scores["O1"]
    # SCREENED_WHILE_DOWN (high, 40) + LOW_INSPECTION (1 of 2 missing: shortfall 0.5 -> high, 40)
    # + compliance 100 * mean(0, 0.5, 0) = 16.67
    assert o1.score == pytest.approx(96.7)
    assert [c.kind for c in o1.contributions] == ["LOW_INSPECTION", "SCREENED_WHILE_DOWN", "COMPLIANCE"]
    assert scores["O2"].score == 0.0
    assert [r.outlet_id for r in result.risk] == ["O1", "O2"]


def test_the_risk_score_is_capped_at_one_hundred(parcel, table_builders):
    b = table_builders
    rows = [parcel(f"W{d}", accepted_at=f"2026-11-{d:02d} 10:00:00", screened_at=f"2026-11-{d:02d} 09:00:00")
            for d in range(1, 6)]
    result = analyze(b["records"](rows), machines=b["machines"](("M1", "O1", 600)), machine_status=b["status"]())
    assert result.risk[0].score == 100.0
    assert len(result.risk[0].contributions) == 5


def test_a_bad_config_value_is_refused():
    from parcel_audit import ConfigError

    with pytest.raises(ConfigError):
        AuditConfig(realname_target=1.5)
    with pytest.raises(ConfigError):
        AuditConfig(sender_min_outlets=1)
    with pytest.raises(ConfigError):
        AuditConfig(low_bands=(0.3, 0.1))
