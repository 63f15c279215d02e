"""The hash-chained trail: appends, verification that names the first broken entry or file, the
PostgreSQL trigger, the registry and unmask hooks, the command and the page."""

from __future__ import annotations

import contextlib
import hashlib
import io
import threading
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, connections, transaction
from PIL import Image

from parcelguard import cli
from parcelguard.accounts.services import unmask_value
from parcelguard.core.errors import Invalid
from parcelguard.evidence.services import evidence_store
from parcelguard.registry.models import Site
from parcelguard.registry.services import record_update
from parcelguard.trail.canonical import GENESIS, entry_hash
from parcelguard.trail.models import TrailEntry, VerifyRun
from parcelguard.trail.services import trail_append, trail_verify

ON_POSTGRES = connection.vendor == "postgresql"
postgres_only = pytest.mark.skipif(not ON_POSTGRES, reason="the append-only trigger exists only on PostgreSQL")


@contextlib.contextmanager
def trigger_off(table: str):
    """Tamper as an attacker with superuser access to the database would: on PostgreSQL, with triggers
    switched off for the session (`table` names what is tampered with, for the reader)."""
    with connection.cursor() as cursor:
        if ON_POSTGRES:
            cursor.execute("SET session_replication_role = replica")
        yield cursor
        if ON_POSTGRES:
            cursor.execute("SET session_replication_role = DEFAULT")


def _three_entries(actor) -> list[TrailEntry]:
    return [trail_append(actor=actor, action="event.report", subject="event:1", payload={"n": i, "说明": "隐患"})
            for i in range(3)]


def _jpeg() -> ContentFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(buffer, "JPEG")
    return ContentFile(buffer.getvalue(), name="photo.jpg")


def test_each_entry_holds_the_hash_of_the_one_before(cast):
    first, second, third = _three_entries(cast.users["grid_a1"])
    assert first.prev_hash == GENESIS
    assert (second.prev_hash, third.prev_hash) == (first.entry_hash, second.entry_hash)
    assert [first.seq, second.seq, third.seq] == [1, 2, 3]
    stored = TrailEntry.objects.get(seq=2)
    assert stored.entry_hash == entry_hash(stored.prev_hash, stored.content())
    assert stored.actor_name == f"grid_a1#{cast.users['grid_a1'].pk}"


def test_it_refuses_malformed_entries(cast):
    with pytest.raises(Invalid):
        trail_append(actor=None, action="", subject="event:1", payload={})
    with pytest.raises(Invalid):
        trail_append(actor=None, action="x", subject="event:1", payload={}, evidence_hashes=["not-a-hash"])
    assert not TrailEntry.objects.exists()


def test_payloads_survive_the_round_trip_through_the_database(cast):
    import datetime as dt
    from decimal import Decimal

    trail_append(actor=None, action="case.decide", subject="case:1", payload={
        "amount": Decimal("1500.00"), "due": dt.date(2026, 12, 12), "lat": 25.4600123, "big": 1e20,
        "tiny": 1e-7, "nested": {"z": [1, 2.5, "三"], "a": None}, "flag": True})
    assert trail_verify(record=False).ok
    with pytest.raises(Invalid):
        trail_append(actor=None, action="x.y", subject="case:1", payload={"bad": float("nan")})


def test_an_intact_trail_verifies_and_the_run_is_recorded(cast):
    _three_entries(cast.users["grid_a1"])
    evidence_store(actor=cast.users["grid_a1"], upload=_jpeg())
    result = trail_verify()
    assert result.ok, result.problems
    assert (result.entries, result.files) == (4, 1)
    assert VerifyRun.objects.get().ok


def test_changing_one_byte_of_a_stored_entry_makes_verify_fail_and_name_it(cast):
    _three_entries(cast.users["grid_a1"])
    with trigger_off("trail_trailentry") as cursor:
        cursor.execute("UPDATE trail_trailentry SET subject = 'event:7' WHERE seq = 2")
    result = trail_verify()
    assert not result.ok
    assert result.broken_seq == 2
    assert "entry #2" in result.problems[0]


def test_changing_the_payload_and_rehashing_the_entry_is_caught_by_the_next_link(cast):
    _three_entries(cast.users["grid_a1"])
    forged = TrailEntry.objects.get(seq=2)
    forged.payload = {"n": 99}
    new_hash = entry_hash(forged.prev_hash, forged.content())
    with trigger_off("trail_trailentry") as cursor:
        cursor.execute("UPDATE trail_trailentry SET payload = %s, entry_hash = %s WHERE seq = 2",
                       ['{"n": 99}', new_hash])
    result = trail_verify()
    assert result.broken_seq == 3
    assert "entry #3 does not link" in result.problems[0]


def test_a_removed_entry_is_named(cast):
    _three_entries(cast.users["grid_a1"])
    with trigger_off("trail_trailentry") as cursor:
        cursor.execute("DELETE FROM trail_trailentry WHERE seq = 2")
    result = trail_verify()
    assert result.broken_seq == 2
    assert "missing" in result.problems[0]


def test_changing_one_byte_of_an_evidence_file_makes_verify_fail_and_name_it(cast):
    evidence = evidence_store(actor=cast.users["grid_a1"], upload=_jpeg())
    path = Path(default_storage.path(evidence.file.name))
    data = bytearray(path.read_bytes())
    data[-10] ^= 0x01
    path.write_bytes(bytes(data))
    result = trail_verify()
    assert not result.ok
    assert result.broken_files == [evidence.file.name]
    assert f"evidence #{evidence.pk}" in result.problems[0]


def test_a_deleted_evidence_file_is_named(cast):
    evidence = evidence_store(actor=None, upload=_jpeg())
    default_storage.delete(evidence.file.name)
    result = trail_verify(record=False)
    assert result.broken_files == [evidence.file.name]
    assert "the file is missing" in result.problems[0]


def test_an_evidence_row_whose_hash_was_rewritten_with_its_file_is_caught_by_the_trail(cast):
    evidence = evidence_store(actor=cast.users["grid_a1"], upload=_jpeg())
    forged = b"forged bytes"
    Path(default_storage.path(evidence.file.name)).write_bytes(forged)
    with trigger_off("evidence_evidence") as cursor:
        cursor.execute("UPDATE evidence_evidence SET sha256 = %s WHERE id = %s",
                       [hashlib.sha256(forged).hexdigest(), evidence.pk])
    result = trail_verify()
    assert not result.ok
    assert "not recorded in the trail" in result.problems[0]


@postgres_only
def test_postgres_refuses_to_update_or_delete_trail_entries(cast):
    _three_entries(cast.users["grid_a1"])
    for sql in ("UPDATE trail_trailentry SET subject = 'x' WHERE seq = 1", "DELETE FROM trail_trailentry"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as c:
            c.execute(sql)
    assert TrailEntry.objects.get(seq=1).subject == "event:1"
    assert TrailEntry.objects.count() == 3


def test_a_rolled_back_transition_leaves_no_entry(cast):
    with contextlib.suppress(RuntimeError), transaction.atomic():
        trail_append(actor=cast.users["centre_a"], action="event.verify", subject="event:1", payload={})
        raise RuntimeError("the transition failed after appending")
    assert not TrailEntry.objects.exists()
    assert trail_append(actor=None, action="x.y", subject="event:1", payload={}).seq == 1


def test_registry_changes_land_in_the_trail(cast):
    site = Site.objects.get(pk=cast.outlet_a1.pk)
    record_update(user=cast.users["centre_a"], obj=site, data={"actual_address": "福建省莆田市涵江区新址1号"},
                  reason="现场核实")
    entry = TrailEntry.objects.get(action="registry.update")
    assert entry.subject == f"site:{site.pk}"
    assert entry.payload["reason"] == "现场核实"
    assert entry.payload["changes"]["actual_address"][1] == "福建省莆田市涵江区新址1号"


def test_unmasking_records_the_field_and_reason_but_never_the_value(cast):
    value = unmask_value(user=cast.users["centre_a"], kind_slug="sites", pk=cast.outlet_a1.pk,
                         field="manager_phone", reason="联系整改负责人")
    entry = TrailEntry.objects.get(action="pii.unmask")
    assert entry.subject == f"site:{cast.outlet_a1.pk}"
    assert entry.payload == {"field": "manager_phone", "reason": "联系整改负责人"}
    assert value not in str(entry.as_dict())


def test_the_command_reports_ok_and_exits_non_zero_when_broken(cast, capsys):
    _three_entries(None)
    call_command("trail", "verify")
    assert "OK: 3 trail entries" in capsys.readouterr().out
    with trigger_off("trail_trailentry") as cursor:
        cursor.execute("UPDATE trail_trailentry SET action = 'event.xxxxxx' WHERE seq = 3")
    with pytest.raises(CommandError, match="entry #3") as exc:
        call_command("trail", "verify", "--no-record")
    assert exc.value.returncode == 1
    assert cli.main(["trail", "verify", "--no-record"]) == 1
    assert "entry #3" in capsys.readouterr().err


@pytest.mark.parametrize("user_name, status", [("admin", 200), ("city_bureau", 200), ("centre_a", 403),
                                               ("grid_a1", 403), ("procurator", 403), ("officer_x", 403)])
def test_the_trail_page_is_for_the_administrator_and_the_city_bureau(cast, client_for, user_name, status):
    trail_append(actor=None, action="event.report", subject="event:1", payload={})
    response = client_for(cast.users[user_name]).get("/trail/")
    assert response.status_code == status
    if status == 200:
        assert b"event.report" in response.content


def test_verify_now_on_the_page_runs_and_shows_the_result(cast, client_for):
    _three_entries(None)
    client = client_for(cast.users["city_bureau"])
    response = client.post("/trail/", follow=True)
    assert response.status_code == 200
    run = VerifyRun.objects.get()
    assert run.ok and run.by == cast.users["city_bureau"] and run.entries == 3
    with trigger_off("trail_trailentry") as cursor:
        cursor.execute("UPDATE trail_trailentry SET subject = 'event:9' WHERE seq = 1")
    response = client.post("/trail/", follow=True)
    assert "第 1 条记录" in response.content.decode()  # the problem, in the default Chinese


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_on_postgres_form_one_unbroken_chain():
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            barrier.wait()
            for i in range(5):
                with transaction.atomic():
                    trail_append(actor=None, action="test.append", subject=f"thread:{n}", payload={"i": i})
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert list(TrailEntry.objects.values_list("seq", flat=True)) == list(range(1, 41))
    assert trail_verify(record=False).ok
