"""`parcelguard serve`'s supervisor: the web server, the task worker, the scheduler (and any other child
the platform needs) run as children of one process that owns them.

- SIGTERM or SIGINT to `serve` (a service manager, a container runtime, Ctrl-C) is passed on as SIGTERM
  to every child; the task worker finishes its running job (django-tasks-db stops after the current
  task), the others stop at once. A child still running after `grace` seconds is killed, with its own
  children: each child leads its own process group, so granian's worker processes go with it.
- A child that exits on its own brings `serve` down with a message naming it (and the others are
  stopped the same way), so a service manager sees the failure and restarts the whole platform —
  never a half-platform, never a second scheduler next to an orphaned first one.
- `serve` exits only when every child is gone: the port is free when it returns.

Nothing here needs Django.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Child:
    name: str
    argv: list[str]
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)


class Supervisor:
    def __init__(self, children: list[Child], *, cwd: Path, grace: float = 30.0) -> None:
        self.children, self.cwd, self.grace = children, cwd, grace
        self._stop_signal: int | None = None

    def _on_signal(self, signum: int, _frame: object) -> None:
        self._stop_signal = signum

    def run(self) -> int:
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, self._on_signal)
        rc = 0
        try:
            for child in self.children:
                if self._stop_signal is not None:
                    break
                child.process = subprocess.Popen(child.argv, cwd=self.cwd, start_new_session=True)
            while self._stop_signal is None:
                dead = next((c for c in self.children if c.process and c.process.poll() is not None), None)
                if dead is not None:
                    print(f"parcelguard serve: {dead.name} exited with code {dead.process.returncode}; "  # type: ignore[union-attr]
                          "stopping the platform", file=sys.stderr, flush=True)
                    rc = 1
                    break
                time.sleep(0.2)
        finally:
            self.stop()
        return rc

    def stop(self) -> None:
        running = [c.process for c in self.children if c.process and c.process.poll() is None]
        for process in running:
            _signal_group(process, signal.SIGTERM)
        deadline = time.monotonic() + self.grace
        for process in running:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(process, signal.SIGKILL)
                process.wait()
        for child in self.children:  # leftovers of a group whose leader already exited
            if child.process:
                _signal_group(child.process, signal.SIGKILL)


def _signal_group(process: subprocess.Popen[bytes], sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, sig)
