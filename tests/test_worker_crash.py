"""Work survives a crash (issue 19, item 16): a real worker is killed (SIGKILL) in the middle of a job;
a new worker releases the task the dead one left running and runs it once more; the job's effect is
there exactly once."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time

from parcelguard.testing.processes import ROOT, copy_installation, platform_env


def _wait(predicate, timeout: float = 40.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def test_a_worker_killed_mid_job_leaves_nothing_half_done_and_nothing_done_twice(migrated_installation, tmp_path):
    folder = copy_installation(migrated_installation, tmp_path / "site")
    env = platform_env(folder)
    work = tmp_path / "work"
    work.mkdir()
    (work / "hold").touch()
    subprocess.run([sys.executable, "-c", "import django; django.setup(); from parcelguard.testing.tasks import held_job; "
                    f"held_job.enqueue({str(work)!r})"], cwd=ROOT, env=env, check=True, capture_output=True)
    db = folder / "db.sqlite3"

    def status() -> str:
        with sqlite3.connect(db) as c:
            return c.execute("SELECT status FROM django_tasks_database_dbtaskresult").fetchone()[0]

    def effects() -> int:
        with sqlite3.connect(db) as c:
            row = c.execute("SELECT count FROM core_ratecounter WHERE key LIKE 'crash-test-effect:%'").fetchone()
            return row[0] if row else 0

    worker = [sys.executable, "-m", "parcelguard.cli", "worker", "--no-startup-delay", "--interval", "0.2"]
    first = subprocess.Popen(worker, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait(lambda: (work / "started").exists())
        first.kill()  # mid-job, no chance to clean up
        first.wait()
    finally:
        if first.poll() is None:
            first.kill()
    assert status() == "RUNNING" and effects() == 0  # nothing half-done
    (work / "hold").unlink()
    second = subprocess.Popen([*worker, "--batch"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out, _ = second.communicate(timeout=60)
    assert b"released 1 task" in out, out[-2000:]
    assert status() == "SUCCESSFUL"
    assert effects() == 1  # done once
