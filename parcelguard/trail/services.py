"""Append to the trace and verify it.

Every write that must be provable calls `trail_append` inside its own transaction, so a rolled-back
transition leaves no entry. Appends are serialised: on PostgreSQL by a transaction-scoped advisory
lock, on SQLite by the IMMEDIATE transaction mode (one writer at a time).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction

from parcelguard.core import clock
from parcelguard.core.errors import Invalid
from parcelguard.trail.canonical import GENESIS, entry_hash, normalise, sha256_file
from parcelguard.trail.models import TrailEntry, VerifyRun

_LOCK_KEY = 0x7472_6169_6C  # "trail"
_HEX = frozenset("0123456789abcdef")


def _is_sha256(value: str) -> bool:
    return isinstance(value, str) and len(value) == 64 and set(value) <= _HEX


def actor_label(actor: Any) -> str:
    if actor is None or not getattr(actor, "pk", None):
        return "system"
    return f"{actor.get_username()}#{actor.pk}"


def trail_lock() -> None:
    """Take the chain's append lock now; it is held until the current transaction ends. Every append
    takes it; a service that will append and also locks other rows (a document counter) takes it FIRST,
    so that all writers lock in the same order and never deadlock."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])


def trail_append(*, actor: Any, action: str, subject: str, payload: dict[str, Any] | None = None,
                 evidence_hashes: Sequence[str] = ()) -> TrailEntry:
    """Append one entry to the chain. Call it inside the transaction of the change it records.

    `action` names what happened ("event.report", "registry.update", "pii.unmask"), `subject` what it
    happened to ("event:42", "site:7"). The payload must be JSON-serialisable and must never hold a
    personal-data value in clear. Raises `Invalid` (code `invalid_trail_entry`) on a malformed call.
    """
    hashes = [h.lower() if isinstance(h, str) else h for h in evidence_hashes]
    if not action or not subject or len(action) > 60 or len(subject) > 80:
        raise Invalid("A trail entry needs an action and a subject.", code="invalid_trail_entry")
    if not all(_is_sha256(h) for h in hashes):
        raise Invalid("Evidence hashes must be SHA-256 hex digests.", code="invalid_trail_entry")
    try:
        content = normalise(payload or {})
    except (TypeError, ValueError) as exc:
        raise Invalid(f"The payload cannot be stored as JSON: {exc}", code="invalid_trail_entry") from exc
    with transaction.atomic():
        trail_lock()
        last = TrailEntry.objects.order_by("-seq").values_list("seq", "entry_hash").first()
        seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
        entry = TrailEntry(seq=seq, at=clock.now(), actor=actor if getattr(actor, "pk", None) else None,
                           actor_name=actor_label(actor), action=action, subject=subject,
                           payload=content, evidence_hashes=hashes, prev_hash=prev)
        entry.entry_hash = entry_hash(prev, entry.content())
        entry.save(force_insert=True)
    return entry


def trail_for(subject: str) -> Any:
    return TrailEntry.objects.filter(subject=subject).order_by("seq")


def chain_head() -> TrailEntry | None:
    return TrailEntry.objects.order_by("-seq").first()


@dataclass
class VerifyResult:
    ok: bool = True
    entries: int = 0
    files: int = 0
    broken_seq: int | None = None
    broken_files: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def fail(self, problem: str) -> None:
        self.ok = False
        self.problems.append(problem)

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "entries": self.entries, "files": self.files, "broken_seq": self.broken_seq,
                "broken_files": self.broken_files, "problems": self.problems}

    def summary(self) -> str:
        if self.ok:
            return f"OK: {self.entries} trail entries and {self.files} evidence files verified."
        return "BROKEN: " + "; ".join(self.problems)


def _entries() -> Iterator[TrailEntry]:
    return TrailEntry.objects.order_by("seq").iterator(chunk_size=2000)


def _verify_chain(result: VerifyResult, recorded: set[str]) -> None:
    prev_hash, expected_seq = GENESIS, 1
    for entry in _entries():
        result.entries += 1
        recorded.update(entry.evidence_hashes)
        problem = ""
        if entry.seq != expected_seq:
            problem = f"expected entry #{expected_seq} but found #{entry.seq} (an entry is missing)"
        elif entry.prev_hash != prev_hash:
            problem = f"entry #{entry.seq} does not link to the entry before it"
        elif entry.entry_hash != entry_hash(entry.prev_hash, entry.content()):
            problem = f"entry #{entry.seq} ({entry.action} {entry.subject}) was altered: its hash does not match"
        if problem:
            result.broken_seq = entry.seq if entry.seq == expected_seq else expected_seq
            result.fail(problem)
            return
        prev_hash, expected_seq = entry.entry_hash, expected_seq + 1


def _verify_files(result: VerifyResult, recorded: set[str]) -> None:
    from parcelguard.evidence.models import Evidence
    from parcelguard.evidence.services import evidence_open

    for ev in Evidence.objects.order_by("pk").iterator(chunk_size=500):
        result.files += 1
        label = f"evidence #{ev.pk} {ev.file.name} ({ev.original_name})"
        try:
            with evidence_open(ev) as fh:
                actual = sha256_file(fh)
        except OSError:
            result.broken_files.append(ev.file.name)
            result.fail(f"{label}: the file is missing")
            continue
        if actual != ev.sha256:
            result.broken_files.append(ev.file.name)
            result.fail(f"{label}: the file's SHA-256 is {actual}, the recorded one {ev.sha256}")
        elif ev.sha256 not in recorded:
            result.broken_files.append(ev.file.name)
            result.fail(f"{label}: its SHA-256 is not recorded in the trail")


def trail_verify(*, by: Any = None, record: bool = True) -> VerifyResult:
    """Recompute the whole chain and every evidence file's SHA-256. Names the first broken entry and
    every broken file. With `record`, the outcome is kept for the trail page."""
    result = VerifyResult()
    recorded: set[str] = set()
    _verify_chain(result, recorded)
    if result.broken_seq is None:
        _verify_files(result, recorded)
    else:
        # A broken chain makes the cross-check meaningless; still check every file against its row.
        _verify_files(result, _all_hashes())
    if record:
        VerifyRun.objects.create(at=clock.now(), by=by if getattr(by, "pk", None) else None, ok=result.ok,
                                 entries=result.entries, files=result.files, problem="\n".join(result.problems))
    return result


def _all_hashes() -> set[str]:
    hashes: set[str] = set()
    for row in TrailEntry.objects.values_list("evidence_hashes", flat=True).iterator(chunk_size=2000):
        hashes.update(row or [])
    return hashes
