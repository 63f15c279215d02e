"""One consistent, dated archive of an installation, and its restore into an empty one.

`parcelguard backup [--to DIR]` writes `parcelguard-backup-YYYYMMDD-HHMMSS.tar` holding

- `database/db.sqlite3` (SQLite's online backup API: a consistent copy while the platform writes) or
  `database/db.pgdump` (`pg_dump -Fc`, one snapshot transaction, on PostgreSQL);
- `media/…` — the evidence, thumbnails and documents (MEDIA_ROOT) — and `parcels/…`, the parcel store;
- `config.json` — the settings that are not secret (no SECRET_KEY, no keys, no passwords);
- `manifest.json` — when, which engine, the migrations applied, and every member's SHA-256 and size.

The database is copied first and the files after: the files only ever grow (evidence is append-only),
so every file the copied database names is in the archive. Files added during the backup may be in
it without a row; they are harmless.

`parcelguard restore ARCHIVE` checks every hash in the manifest first, refuses a database that already
holds data, loads the database (SQLite backup API the other way, or `pg_restore`), writes the files
back and checks their hashes again. Then `parcelguard trail verify` passes on the restored installation.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection

from parcelguard.core.errors import Invalid

SECRET_SETTINGS = {"SECRET_KEY", "ID_HASH_KEY"}
CONFIG_KEYS = ["PARCELGUARD_AUTHORITY_NAME", "TIME_ZONE", "LANGUAGE_CODE", "ALLOWED_HOSTS", "TRUSTED_PROXIES",
               "HTTPS", "LOGIN_MAX_FAILURES", "LOGIN_MAX_FAILURES_PER_CLIENT", "LOGIN_LOCKOUT_MINUTES",
               "TIPOFF_RATE_LIMIT", "TIPOFF_RATE_WINDOW", "SESSION_COOKIE_AGE", "IMPORT_MAX_BYTES"]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _pg_env() -> dict[str, str]:
    db = connection.settings_dict
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if db.get(key):
            env[var] = str(db[key])
    return env


def _file_trees() -> list[tuple[str, Path]]:
    return [("media", Path(settings.MEDIA_ROOT)), ("parcels", Path(settings.DATA_DIR) / "parcels")]


def backup(to: Path, *, now: dt.datetime | None = None) -> Path:
    now = now or dt.datetime.now(dt.UTC)
    to.mkdir(parents=True, exist_ok=True)
    archive = to / f"parcelguard-backup-{now:%Y%m%d-%H%M%S}.tar"
    with tempfile.TemporaryDirectory(dir=to) as tmp:
        staging = Path(tmp)
        (staging / "database").mkdir()
        engine = connection.vendor
        if engine == "sqlite":
            connection.ensure_connection()
            target = sqlite3.connect(staging / "database" / "db.sqlite3")
            connection.connection.backup(target)
            target.close()
        elif engine == "postgresql":
            subprocess.run(["pg_dump", "-Fc", "--no-owner", "-f", str(staging / "database" / "db.pgdump"),
                            str(connection.settings_dict["NAME"])], env=_pg_env(), check=True)
        else:
            raise Invalid(f"cannot back up a {engine} database", code="unsupported_database")
        for name, root in _file_trees():
            if root.is_dir():
                shutil.copytree(root, staging / name, ignore=shutil.ignore_patterns("spool", "*.tmp"))
        config = {key: getattr(settings, key, None) for key in CONFIG_KEYS if key not in SECRET_SETTINGS}
        (staging / "config.json").write_text(json.dumps(config, ensure_ascii=False, indent=1, default=str))
        files = {str(p.relative_to(staging)): {"sha256": _sha256(p), "size": p.stat().st_size}
                 for p in sorted(staging.rglob("*")) if p.is_file()}
        with connection.cursor() as cursor:
            cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
            migrations = [f"{app}.{name}" for app, name in cursor.fetchall()]
        manifest = {"format": 1, "created_at": now.isoformat(), "engine": engine, "migrations": migrations,
                    "files": files}
        partial = archive.with_suffix(".tar.partial")
        with tarfile.open(partial, "w") as tar:
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size, info.mtime = len(data), int(now.timestamp())
            tar.addfile(info, io.BytesIO(data))
            for rel in files:
                tar.add(staging / rel, arcname=rel, recursive=False)
        os.chmod(partial, 0o600)
        partial.rename(archive)  # a half-written archive never carries the final name
    return archive


def _read_manifest(tar: tarfile.TarFile) -> dict[str, Any]:
    member = tar.extractfile("manifest.json")
    if member is None:
        raise Invalid("the archive has no manifest", code="no_manifest")
    return dict(json.loads(member.read()))


def verify(archive: Path) -> dict[str, Any]:
    """Every member is listed in the manifest with the right hash, and nothing else is in the archive."""
    with tarfile.open(archive) as tar:
        manifest = _read_manifest(tar)
        members = {m.name: m for m in tar.getmembers() if m.isfile() and m.name != "manifest.json"}
        if set(members) != set(manifest["files"]):
            raise Invalid("the archive's files differ from its manifest", code="manifest_mismatch")
        for name, member in members.items():
            stream = tar.extractfile(member)
            if stream is None:
                raise Invalid(f"{name}: cannot be read", code="manifest_mismatch")
            digest = hashlib.file_digest(stream, "sha256")  # type: ignore[arg-type]
            if digest.hexdigest() != manifest["files"][name]["sha256"]:
                raise Invalid(f"{name}: its hash does not match the manifest", code="hash_mismatch")
    return manifest


def _database_is_empty() -> bool:
    tables = connection.introspection.table_names()
    if "django_migrations" not in tables:
        return True
    from parcelguard.accounts.models import User

    return not User.objects.exists()


def restore(archive: Path, *, database_name: str | None = None) -> dict[str, Any]:
    manifest = verify(archive)
    engine = connection.vendor
    if manifest["engine"] != engine:
        raise Invalid(f"the archive holds a {manifest['engine']} database; this installation uses {engine}",
                      code="engine_mismatch")
    if database_name is None and not _database_is_empty():
        raise Invalid("this installation already holds data; restore into an empty one", code="not_empty")
    with tempfile.TemporaryDirectory() as tmp:
        staging = Path(tmp)
        with tarfile.open(archive) as tar:
            tar.extractall(staging, filter="data")
        if engine == "sqlite":
            source = sqlite3.connect(staging / "database" / "db.sqlite3")
            connection.ensure_connection()
            source.backup(connection.connection)
            source.close()
        else:
            subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", "-d",
                            database_name or str(connection.settings_dict["NAME"]),
                            str(staging / "database" / "db.pgdump")], env=_pg_env(), check=True)
        for name, root in _file_trees():
            if (staging / name).is_dir():
                root.mkdir(parents=True, exist_ok=True)
                shutil.copytree(staging / name, root, dirs_exist_ok=True)
                for path in (staging / name).rglob("*"):
                    if path.is_file():
                        rel = str(path.relative_to(staging))
                        if _sha256(root / path.relative_to(staging / name)) != manifest["files"][rel]["sha256"]:
                            raise Invalid(f"{rel}: written back with a different hash", code="hash_mismatch")
    return manifest
