"""Backup and restore (issue 19, item 15), on the database of the current run (SQLite or PostgreSQL):
one archive with the database, the evidence files and a manifest of hashes; restored into an empty
installation, the rows and files are back, every evidence hash matches and the trail verifies."""

from __future__ import annotations

import json
import tarfile
from pathlib import Path

import pytest
from django.db import connection

from parcelguard.core import backup as backups
from parcelguard.core.errors import DomainError
from parcelguard.events.testing import photo
from parcelguard.evidence.models import Evidence
from parcelguard.evidence.services import evidence_store
from parcelguard.trail.models import TrailEntry
from parcelguard.trail.services import trail_append, trail_verify

pytestmark = pytest.mark.django_db(transaction=True)


def _installation(cast):
    ev = evidence_store(actor=cast.users["grid_a1"], upload=photo())
    trail_append(actor=cast.users["centre_a"], action="test.backup", subject=f"evidence:{ev.pk}", payload={"n": 1})
    return ev


def test_a_backup_is_one_dated_archive_with_a_manifest_of_hashes_and_no_secrets(cast, tmp_path, settings):
    ev = _installation(cast)
    archive = backups.backup(tmp_path / "backups")
    assert archive.name.startswith("parcelguard-backup-") and archive.suffix == ".tar"
    assert oct(archive.stat().st_mode & 0o777) == "0o600"
    manifest = backups.verify(archive)
    assert manifest["engine"] == connection.vendor
    assert f"media/{ev.file.name}" in manifest["files"]
    assert manifest["files"][f"media/{ev.file.name}"]["sha256"] == ev.sha256
    with tarfile.open(archive) as tar:
        config = json.loads(tar.extractfile("config.json").read())
        names = tar.getnames()
    assert "SECRET_KEY" not in config and not any("signing-key" in n for n in names)
    assert any(n.startswith("database/") for n in names)


def test_a_tampered_archive_is_refused_before_anything_is_written(cast, tmp_path):
    _installation(cast)
    archive = backups.backup(tmp_path / "b")
    bad = tmp_path / "bad.tar"
    with tarfile.open(archive) as src, tarfile.open(bad, "w") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read() if member.isfile() else b""
            if member.name.startswith("media/") and member.isfile():
                data = data[:-1] + bytes([data[-1] ^ 1])
            import io
            member.size = len(data)
            dst.addfile(member, io.BytesIO(data))
    with pytest.raises(DomainError) as refused:
        backups.restore(bad)
    assert refused.value.code == "hash_mismatch"


def test_restore_refuses_an_installation_that_holds_data(cast, tmp_path):
    archive = backups.backup(tmp_path / "b")
    with pytest.raises(DomainError) as refused:
        backups.restore(archive)
    assert refused.value.code == "not_empty"


def test_restore_rebuilds_an_empty_installation_and_the_trail_verifies(cast, tmp_path, settings):
    ev = _installation(cast)
    counts = (Evidence.objects.count(), TrailEntry.objects.count())
    archive = backups.backup(tmp_path / "b")

    # Lose the machine: a new, empty media folder and an empty database.
    settings.MEDIA_ROOT = tmp_path / "new-media"
    if connection.vendor == "sqlite":
        from django.core.management import call_command

        with connection.cursor() as cursor:
            cursor.execute("PRAGMA foreign_keys=OFF")
        call_command("flush", "--noinput", verbosity=0)
        assert not Evidence.objects.exists()
        backups.restore(archive)
        assert (Evidence.objects.count(), TrailEntry.objects.count()) == counts
        restored = Evidence.objects.get(pk=ev.pk)
        assert backups._sha256(Path(settings.MEDIA_ROOT) / restored.file.name) == restored.sha256
        assert trail_verify(record=False).ok
    else:
        import psycopg

        name = f"{connection.settings_dict['NAME']}_restored"
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cursor.execute(f'CREATE DATABASE "{name}"')
        try:
            backups.restore(archive, database_name=name)
            db = connection.settings_dict
            with psycopg.connect(dbname=name, host=db["HOST"], port=db["PORT"], user=db["USER"],
                                 password=db["PASSWORD"] or None) as other:
                got = (other.execute("SELECT count(*) FROM evidence_evidence").fetchone()[0],
                       other.execute("SELECT count(*) FROM trail_trailentry").fetchone()[0])
                sha = other.execute("SELECT sha256, file FROM evidence_evidence WHERE id = %s", [ev.pk]).fetchone()
            assert got == counts
            assert backups._sha256(Path(settings.MEDIA_ROOT) / sha[1]) == sha[0] == ev.sha256
        finally:
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
