"""`parcelguard serve` owns its children (issue 19, item 17): SIGTERM stops the web server, the task
worker and the scheduler, nothing of it remains and the port is free; a child that dies brings the
supervisor down with a message instead of leaving a half-platform."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from parcelguard.core.supervise import Child, Supervisor
from parcelguard.testing.processes import (
    ROOT,
    copy_installation,
    free_port,
    platform_env,
    port_is_free,
    wait_until_serving,
)


def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_sigterm_stops_every_process_of_serve_and_frees_the_port(migrated_installation, tmp_path):
    folder = copy_installation(migrated_installation, tmp_path / "site")
    # serve skips collectstatic when its stamp matches: the session's copy is collected once
    subprocess.run([sys.executable, "-c", "from parcelguard import cli; cli._django(); cli._collectstatic()"],
                   cwd=ROOT, env=platform_env(migrated_installation), check=True, capture_output=True)
    copy_installation(migrated_installation, folder)
    port = free_port()
    serve = subprocess.Popen([sys.executable, "-m", "parcelguard.cli", "serve", "--port", str(port)], cwd=ROOT,
                             env=platform_env(folder, PARCELGUARD_STOP_GRACE="15"),
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_until_serving(f"http://127.0.0.1:{port}/login/", timeout=90)
        deadline = time.monotonic() + 30
        family = _descendants(serve.pid)
        while time.monotonic() < deadline:  # web server (+ its worker), task worker, scheduler
            commands = {Path(f"/proc/{p}/cmdline").read_bytes().replace(b"\0", b" ") for p in family if _alive(p)}
            if any(b"granian" in c for c in commands) and sum(b"parcelguard.cli" in c for c in commands) >= 2:
                break
            time.sleep(0.3)
            family = _descendants(serve.pid)
        assert len(family) >= 3, family
        serve.send_signal(signal.SIGTERM)
        assert serve.wait(timeout=30) == 0
        time.sleep(0.3)
        assert not [p for p in family if _alive(p)], "processes of serve outlived it"
        assert port_is_free(port)
    finally:
        if serve.poll() is None:
            serve.kill()


def test_a_child_that_dies_brings_the_supervisor_down_and_the_others_with_it(tmp_path):
    marker = tmp_path / "stopped"
    survivor = [sys.executable, "-c", f"import signal, sys, time, pathlib\n"
                f"signal.signal(signal.SIGTERM, lambda *a: (pathlib.Path({str(marker)!r}).write_text('ok'), "
                f"sys.exit(0)))\ntime.sleep(60)"]
    supervisor = Supervisor([Child("long", survivor), Child("short", [sys.executable, "-c", "import time; "
                                                                      "time.sleep(1); raise SystemExit(3)"])],
                            cwd=tmp_path, grace=10)
    started = time.monotonic()
    assert supervisor.run() == 1
    assert time.monotonic() - started < 10
    assert marker.read_text() == "ok"  # the other child was stopped gracefully, not killed
    assert all(c.process is not None and c.process.poll() is not None for c in supervisor.children)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGHUP, signal.SIG_DFL)
    assert os.getpid()
