"""Append to the trace and verify it.

Every write that must be provable calls `trail_append` inside its own transaction, so a rolled-back
transition leaves no entry. Appends are serialised: on PostgreSQL by a transaction-scoped advisory
lock, on SQLite by the IMMEDIATE transaction mode (one writer at a time).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils.translation import gettext, gettext_noop

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


# What verification can find wrong, as English msgids: the result keeps (and the trail page stores) the
# English text, the same for every reader and for the command line; screens translate each line back
# through these templates (`problem_text`), so a stored run is shown in the reader's language.
PROBLEMS = {
    "entry_missing": gettext_noop("expected entry #%(expected)s but found #%(found)s (an entry is missing)"),
    "entry_unlinked": gettext_noop("entry #%(seq)s does not link to the entry before it"),
    "entry_altered": gettext_noop("entry #%(seq)s (%(action)s %(subject)s) was altered: its hash does not match"),
    "file_missing": gettext_noop("evidence #%(pk)s %(name)s (%(original)s): the file is missing"),
    "file_changed": gettext_noop(
        "evidence #%(pk)s %(name)s (%(original)s): the file's SHA-256 is %(actual)s, the recorded one %(recorded)s"),
    "file_unrecorded": gettext_noop(
        "evidence #%(pk)s %(name)s (%(original)s): its SHA-256 is not recorded in the trail"),
}


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"%\((\w+)\)s", template)
    return re.compile("".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.*?)" for i, p in enumerate(parts)) + r"\Z",
                      re.DOTALL)


_PATTERNS = [(template, _pattern(template)) for template in PROBLEMS.values()]


def problem_text(line: str) -> str:
    """One problem line, as `VerifyResult.problems` and `VerifyRun.problem` keep it, in the active language;
    a line no template matches is returned as it is."""
    for template, pattern in _PATTERNS:
        found = pattern.match(line)
        if found:
            return gettext(template) % found.groupdict()
    return line


def problem_lines(text: str) -> list[str]:
    """A stored run's problems (one a line) in the active language."""
    return [problem_text(line) for line in text.splitlines() if line.strip()]


@dataclass
class VerifyResult:
    ok: bool = True
    entries: int = 0
    files: int = 0
    broken_seq: int | None = None
    broken_files: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def fail(self, problem: str, **params: Any) -> None:
        """Record a problem: a key of PROBLEMS and its values (kept as English text)."""
        self.ok = False
        self.problems.append(PROBLEMS[problem] % params)

    def problems_shown(self) -> list[str]:
        """The problems in the active language, for a screen."""
        return [problem_text(p) for p in self.problems]

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
        problem: tuple[str, dict[str, Any]] | None = None
        if entry.seq != expected_seq:
            problem = "entry_missing", {"expected": expected_seq, "found": entry.seq}
        elif entry.prev_hash != prev_hash:
            problem = "entry_unlinked", {"seq": entry.seq}
        elif entry.entry_hash != entry_hash(entry.prev_hash, entry.content()):
            problem = "entry_altered", {"seq": entry.seq, "action": entry.action, "subject": entry.subject}
        if problem:
            result.broken_seq = entry.seq if entry.seq == expected_seq else expected_seq
            result.fail(problem[0], **problem[1])
            return
        prev_hash, expected_seq = entry.entry_hash, expected_seq + 1


def _verify_files(result: VerifyResult, recorded: set[str]) -> None:
    from parcelguard.evidence.models import Evidence
    from parcelguard.evidence.services import evidence_open

    for ev in Evidence.objects.order_by("pk").iterator(chunk_size=500):
        result.files += 1
        label = {"pk": ev.pk, "name": ev.file.name, "original": ev.original_name}
        try:
            with evidence_open(ev) as fh:
                actual = sha256_file(fh)
        except OSError:
            result.broken_files.append(ev.file.name)
            result.fail("file_missing", **label)
            continue
        if actual != ev.sha256:
            result.broken_files.append(ev.file.name)
            result.fail("file_changed", **label, actual=actual, recorded=ev.sha256)
        elif ev.sha256 not in recorded:
            result.broken_files.append(ev.file.name)
            result.fail("file_unrecorded", **label)


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
