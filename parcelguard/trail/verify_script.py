#!/usr/bin/env python3
"""Check a ParcelGuard evidence bundle without the platform (Python 3.9+ and `cryptography`).

    python verify.py                 check the bundle this script was extracted with
    python verify.py bundle.zip      check a zip, or an extracted directory

It checks (1) the Ed25519 signature of hashes.json with public_key.pem, (2) the SHA-256 of every file
and that no file was added or removed, (3) every trail entry of timeline.json: its hash over its
canonical content and the unbroken chain links from the subject's first entry to its last.
Compare the printed key fingerprint with the one the bureau publishes: a forger can re-sign a
bundle with another key, but not with the bureau's.
Exit code 0 when everything holds; 1 with the first problem named otherwise.
校验证据包：签名、每个文件的SHA-256、时间线哈希链。退出码0表示通过。
"""

import base64
import hashlib
import json
import sys
import zipfile
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

UNSIGNED = {"hashes.json", "hashes.json.sig", "public_key.pem"}
GENESIS = "0" * 64


class Problem(Exception):
    pass


def canonical(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def read_bundle(where):
    if where.is_file():
        with zipfile.ZipFile(where) as zf:
            return {i.filename: zf.read(i) for i in zf.infolist() if not i.is_dir()}
    return {p.relative_to(where).as_posix(): p.read_bytes() for p in where.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts}


def check_signature(files):
    for name in UNSIGNED:
        if name not in files:
            raise Problem(f"{name} is missing")
    key = serialization.load_pem_public_key(files["public_key.pem"])
    if not isinstance(key, Ed25519PublicKey):
        raise Problem("public_key.pem is not an Ed25519 key")
    try:
        key.verify(base64.b64decode(files["hashes.json.sig"]), files["hashes.json"])
    except (InvalidSignature, ValueError):
        raise Problem("the signature of hashes.json is not valid: the list of hashes was changed") from None
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def check_files(files):
    listed = json.loads(files["hashes.json"])["files"]
    for name in sorted(listed):
        if name not in files:
            raise Problem(f"file {name} is missing")
        if hashlib.sha256(files[name]).hexdigest() != listed[name]:
            raise Problem(f"file {name} was changed: its SHA-256 does not match hashes.json")
    extra = sorted(set(files) - set(listed) - UNSIGNED)
    if extra:
        raise Problem(f"file {extra[0]} is not listed in hashes.json")
    return len(listed)


def check_timeline(files):
    timeline = json.loads(files["timeline.json"])
    links = timeline["links"]
    for i, (seq, prev_hash, _entry_hash) in enumerate(links):
        if i == 0 and seq == 1 and prev_hash != GENESIS:
            raise Problem("trail entry #1 does not start from the genesis hash")
        if i > 0 and (seq != links[i - 1][0] + 1 or prev_hash != links[i - 1][2]):
            raise Problem(f"the chain is broken before trail entry #{seq}")
    by_seq = {link[0]: link for link in links}
    evidence = set()
    for entry in timeline["entries"]:
        content = {k: entry[k] for k in ("seq", "at", "actor", "action", "subject", "payload", "evidence_hashes")}
        digest = hashlib.sha256(entry["prev_hash"].encode("ascii") + canonical(content)).hexdigest()
        if digest != entry["entry_hash"]:
            raise Problem(f"trail entry #{entry['seq']} was altered: its hash does not match its content")
        if by_seq.get(entry["seq"]) != [entry["seq"], entry["prev_hash"], entry["entry_hash"]]:
            raise Problem(f"trail entry #{entry['seq']} is not the one in the chain")
        evidence.update(entry["evidence_hashes"])
    for name, data in files.items():
        if name.startswith("evidence/") and hashlib.sha256(data).hexdigest() not in evidence:
            raise Problem(f"evidence file {name} is not recorded in the timeline")
    return len(timeline["entries"]), len(links)


def main(argv):
    where = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent
    try:
        files = read_bundle(where)
        fingerprint = check_signature(files)
        count = check_files(files)
        entries, links = check_timeline(files)
    except Problem as problem:
        print(f"FAILED: {problem}")
        return 1
    except (OSError, KeyError, ValueError, TypeError, IndexError, zipfile.BadZipFile) as exc:
        print(f"FAILED: the bundle cannot be read ({exc.__class__.__name__}: {exc})")
        return 1
    print(f"OK: signature valid (key fingerprint {fingerprint}), {count} files intact, "
          f"{entries} trail entries verified over {links} chain links.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
