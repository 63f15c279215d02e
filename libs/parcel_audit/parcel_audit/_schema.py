"""Column lists of the data contract (contracts.md sections 1-3) and of the normalised store."""

from __future__ import annotations

__all__ = [
    "FINDING_KINDS",
    "MACHINE_COLUMNS",
    "OUTLET_COLUMNS",
    "RECORD_COLUMNS",
    "REQUIRED_RECORD_COLUMNS",
    "STATUS_COLUMNS",
    "STORE_COLUMNS",
]

# Contract section 1, in contract order.
RECORD_COLUMNS: tuple[str, ...] = (
    "waybill_no",
    "brand",
    "outlet_id",
    "accepted_at",
    "sender_id_hash",
    "realname_verified",
    "inspected",
    "inspector_id",
    "screening_machine_id",
    "screened_at",
    "screening_result",
    "item_category",
    "dest_county_code",
)
REQUIRED_RECORD_COLUMNS: tuple[str, ...] = (
    "waybill_no",
    "brand",
    "outlet_id",
    "accepted_at",
    "realname_verified",
    "inspected",
)
# What the store holds: the contract's columns (timestamps as local wall-clock) plus the partition
# column ``accept_date`` and ``accept_hour``.
STORE_COLUMNS: tuple[str, ...] = (*RECORD_COLUMNS, "accept_hour", "accept_date")

OUTLET_COLUMNS: tuple[str, ...] = ("outlet_id", "brand", "name", "county_code", "kind", "opens", "closes")
MACHINE_COLUMNS: tuple[str, ...] = ("machine_id", "site_id", "capacity_per_hour")
# ``start``/``end`` are reserved words in SQL; the engines expose them as window_start/window_end.
STATUS_COLUMNS: tuple[str, ...] = ("machine_id", "status", "start", "end")

FINDING_KINDS: tuple[str, ...] = (
    "SCREENED_WHILE_DOWN",
    "OVER_CAPACITY",
    "SCREENED_BEFORE_ACCEPTED",
    "UNKNOWN_MACHINE",
    "SENDER_SPREAD",
    "LOW_REALNAME",
    "LOW_INSPECTION",
    "LOW_SCREENING",
)
