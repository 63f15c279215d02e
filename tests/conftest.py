from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.test import Client

from parcelguard.testing.cast import Cast, make_cast


@pytest.fixture(autouse=True)
def _fast_hashing_and_isolated_files(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.DATA_DIR = tmp_path / "data"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def cast(db) -> Cast:
    return make_cast()


@pytest.fixture
def client_for():
    """A logged-in test client for a user of the cast: client_for(cast.centre_a)."""

    def make(user) -> Client:
        c = Client()
        c.force_login(user)
        return c

    return make


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium, as root, on a closed network (see ../shared/stack-notes.md)."""
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"],
    }


@pytest.fixture
def artifacts_dir() -> Path:
    path = Path(os.environ.get("ARTIFACTS_DIR", Path(__file__).resolve().parent.parent / ".ci" / "artifacts"))
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def migrated_installation(tmp_path_factory) -> Path:
    """A migrated SQLite installation folder for process tests (copy it: `copy_installation`)."""
    from parcelguard.testing.processes import migrate_into

    folder = tmp_path_factory.mktemp("installation")
    migrate_into(folder)
    return folder


@pytest.fixture(scope="session")
def media_server(tmp_path_factory):
    """The real media server (nginx + RTMP module) on free loopback ports with one ffmpeg camera pushing
    320×180 at 5 fps; skipped only where the binaries are absent (scripts/env.sh's ensure_apt installs them)."""
    from parcelguard.video.mediaserver import binaries_present
    from parcelguard.video.testing import start_media_server

    if not binaries_present():
        pytest.skip("nginx with the RTMP module or ffmpeg is not installed (scripts/env.sh ensure_apt installs them)")
    server = start_media_server(tmp_path_factory.mktemp("mediaserver"))
    yield server
    server.stop()
