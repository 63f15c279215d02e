"""Enterprises push parcel records: scoped to their own outlets, idempotent by waybill, row-level errors."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from parcelguard.accounts.models import ApiToken
from parcelguard.parcels import store
from parcelguard.parcels.models import ParcelBatch
from parcelguard.parcels.testing import day_of_parcels, record

DAY = dt.date(2026, 10, 20)
URL = "/api/v1/parcels/batches"


@pytest.fixture
def token_x(cast) -> str:
    return ApiToken.issue(cast.officer_x, "x-system")[1]


def push(client, token: str, records) -> object:
    return client.post(URL, data=json.dumps(records), content_type="application/json",
                       headers={"Authorization": f"Bearer {token}"})


def stored_waybills() -> set[str]:
    import duckdb

    days = store.store_days()
    if not days:
        return set()
    files = [str(p / "*.parquet") for p in days.values()]
    return {r[0] for r in duckdb.sql(f"SELECT waybill_no FROM read_parquet({files!r})").fetchall()}


def test_it_stores_a_batch_for_the_enterprises_own_outlets(client, cast, token_x):
    records = day_of_parcels(1, 5, "PTZTOWD0001", DAY, machine="XRZTOFB000101")
    answer = push(client, token_x, records)
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert (body["status"], body["rows"], body["accepted"], body["duplicates"], body["rejected"]) == (
        "accepted", 5, 5, 0, 0)
    assert body["dates"] == ["2026-10-20"]
    assert stored_waybills() == {r["waybill_no"] for r in records}
    batch = ParcelBatch.objects.get()
    assert batch.enterprise == cast.enterprise_x and batch.submitted_by == cast.officer_x


def test_the_same_batch_sent_twice_adds_nothing(client, cast, token_x):
    records = day_of_parcels(1, 4, "PTZTOWD0001", DAY)
    push(client, token_x, records)
    again = push(client, token_x, records).json()
    assert (again["accepted"], again["duplicates"], again["rejected"]) == (0, 4, 0)
    assert len(stored_waybills()) == 4


def test_a_batch_naming_another_enterprises_outlet_is_refused_whole(client, cast, token_x):
    records = [*day_of_parcels(1, 3, "PTZTOWD0001", DAY), record(9, "PTYTOWD0001", dt.datetime(2026, 10, 20, 9))]
    answer = push(client, token_x, records)
    assert answer.status_code == 403
    error = answer.json()["error"]
    assert error["code"] == "outlet_not_allowed" and error["details"]["outlets"] == ["PTYTOWD0001"]
    assert stored_waybills() == set()
    assert ParcelBatch.objects.get().status == "refused"


def test_a_batch_naming_an_unknown_outlet_is_refused_whole_the_same_way(client, cast, token_x):
    answer = push(client, token_x, [*day_of_parcels(1, 2, "PTZTOWD0001", DAY),
                                    record(5, "NO-SUCH-OUTLET", dt.datetime(2026, 10, 20, 9))])
    assert answer.status_code == 403 and answer.json()["error"]["details"]["outlets"] == ["NO-SUCH-OUTLET"]
    assert stored_waybills() == set()


def test_malformed_rows_get_row_level_errors_and_the_good_rows_land(client, cast, token_x):
    good = day_of_parcels(1, 2, "PTZTOWD0001", DAY)
    bad_time = {**record(10, "PTZTOWD0001", dt.datetime(2026, 10, 20, 9)), "accepted_at": "yesterday-ish"}
    missing = record(11, "PTZTOWD0001", dt.datetime(2026, 10, 20, 9))
    del missing["realname_verified"]
    raw_id = record(12, "PTZTOWD0001", dt.datetime(2026, 10, 20, 9), sender_id_hash="35030319900101123X")
    dup = dict(good[0])
    answer = push(client, token_x, [*good, bad_time, missing, raw_id, dup])
    assert answer.status_code == 201
    body = answer.json()
    assert (body["accepted"], body["rejected"]) == (3, 3)  # the raw ID's parcel is kept, its sender emptied
    codes = {e["row"]: e["codes"] for e in body["errors"]}
    assert codes == {3: ["bad_timestamp:accepted_at"], 4: ["missing_value:realname_verified"],
                     5: ["raw_id_number"], 6: ["duplicate_waybill"]}
    assert "35030319900101123X" not in json.dumps(body)
    rejects = "".join(p.read_text() for p in store.rejects_dir().glob("*.csv"))
    assert "35030319900101123X" not in rejects
    assert "PTZT" in rejects  # the field-issues file sits beside the reject file


def test_only_an_enterprise_pushes_and_a_batch_has_a_size_limit(client, cast, token_x):
    city = ApiToken.issue(cast.city_bureau, "city")[1]
    assert push(client, city, day_of_parcels(1, 1, "PTZTOWD0001", DAY)).status_code == 403
    too_many = push(client, token_x, [{"waybill_no": str(i)} for i in range(5001)])
    assert too_many.status_code == 422 and too_many.json()["error"]["code"] == "batch_too_large"
    assert stored_waybills() == set()


def test_the_upload_page_takes_a_csv_file_with_the_same_rules(client_for, cast):
    import csv
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile

    records = day_of_parcels(1, 3, "PTZTOWD0001", DAY, machine="XRZTOFB000101")
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(records[0]))
    writer.writeheader()
    writer.writerows(records)
    page = client_for(cast.officer_x).post("/parcels/upload/", {
        "file": SimpleUploadedFile("records.csv", buffer.getvalue().encode(), content_type="text/csv")})
    assert page.status_code == 200
    assert ParcelBatch.objects.get().accepted == 3 and len(stored_waybills()) == 3
    foreign = client_for(cast.officer_y).post("/parcels/upload/", {
        "file": SimpleUploadedFile("records.csv", buffer.getvalue().encode(), content_type="text/csv")})
    assert foreign.status_code == 403 and len(stored_waybills()) == 3
    assert client_for(cast.centre_a).get("/parcels/upload/").status_code == 403


def test_the_upload_page_takes_a_parquet_file_and_refuses_other_formats(client_for, cast, tmp_path):
    import pyarrow.parquet as pq
    from django.core.files.uploadedfile import SimpleUploadedFile

    table = store.records_table(day_of_parcels(1, 4, "PTZTOWD0001", DAY, machine="XRZTOFB000101"))
    pq.write_table(table, tmp_path / "records.parquet")
    officer = client_for(cast.officer_x)
    page = officer.post("/parcels/upload/", {"file": SimpleUploadedFile(
        "records.parquet", (tmp_path / "records.parquet").read_bytes(), content_type="application/octet-stream")})
    assert page.status_code == 200 and ParcelBatch.objects.get().accepted == 4
    wrong = officer.post("/parcels/upload/", {"file": SimpleUploadedFile("records.xlsx", b"PK\x03\x04")})
    assert wrong.status_code == 422 and len(stored_waybills()) == 4
