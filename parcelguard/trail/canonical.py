"""The canonical form of a trail entry and its hash.

The same rules are copied into the stand-alone verify.py of every evidence bundle, so they must stay
simple enough to restate in a dozen lines of standard-library Python:

    canonical(obj) = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False) as UTF-8
    entry_hash     = sha256(prev_hash as ASCII + canonical(content)), hex
    content        = {"seq", "at", "actor", "action", "subject", "payload", "evidence_hashes"}
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

GENESIS = "0" * 64


def canonical_json(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False,
                      cls=DjangoJSONEncoder).encode("utf-8")


def _stable_numbers(value: Any) -> Any:
    # PostgreSQL's jsonb gives 1e16 back as 10000000000000000, an int: hash what comes back.
    if isinstance(value, float) and value.is_integer() and abs(value) >= 1e16:
        return int(value)
    if isinstance(value, dict):
        return {k: _stable_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_stable_numbers(v) for v in value]
    return value


def normalise(payload: Any) -> Any:
    """What the payload looks like after a round trip through the database's JSON column (dates and
    decimals become strings, tuples lists). NaN and infinity are refused (ValueError)."""
    return _stable_numbers(json.loads(canonical_json(payload)))


def timestamp(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).isoformat(timespec="microseconds")


def entry_hash(prev_hash: str, content: dict[str, Any]) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + canonical_json(content)).hexdigest()


def sha256_file(fileobj: Any, chunk_size: int = 1024 * 1024) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: fileobj.read(chunk_size), b""):
        digest.update(chunk)
    return digest.hexdigest()
