"""Helpers for tests that run the platform as real processes (servers, workers, `parcelguard serve`).

They run against their own SQLite file (migrated once per test session and copied), never the test
database, so they behave the same in the SQLite and the PostgreSQL runs of the suite.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
_DB_VARIABLES = ("DATABASE_URL", "DB_ENGINE", "PGDATABASE")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def port_is_free(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def platform_env(folder: Path, **extra: str) -> dict[str, str]:
    """The environment of a platform process whose data lives in `folder` (SQLite, media, keys)."""
    env = {k: v for k, v in os.environ.items() if k not in _DB_VARIABLES and not k.startswith("PYTEST")}
    env.update(SQLITE_PATH=str(folder / "db.sqlite3"), PARCELGUARD_DATA_DIR=str(folder / "data"),
               PARCELGUARD_MEDIA_ROOT=str(folder / "media"), DJANGO_SETTINGS_MODULE="parcelguard.settings",
               PYTHONUNBUFFERED="1", PARCELGUARD_STATIC_ROOT=str(folder / "static"),
               # the media server `serve` starts (video): its own loopback ports, never the defaults
               PARCELGUARD_VIDEO_RTMP_PORT=str(free_port()), PARCELGUARD_VIDEO_HTTP_PORT=str(free_port()))
    env.update(extra)
    return env


def migrate_into(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, check=True,
                   env=platform_env(folder), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def copy_installation(template: Path, folder: Path) -> Path:
    shutil.copytree(template, folder, dirs_exist_ok=True)
    return folder


def start_server(folder: Path, port: int, **extra: str) -> subprocess.Popen[bytes]:
    """One granian process (one worker) serving the platform from `folder`."""
    return subprocess.Popen(
        [sys.executable, "-m", "granian", "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port),
         "--workers", "1", "--blocking-threads", "2", "parcelguard.wsgi:application"],
        cwd=ROOT, env=platform_env(folder, **extra), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_until_serving(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except Exception:
            time.sleep(0.2)
    raise TimeoutError(url)


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
