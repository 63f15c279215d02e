"""`parcelguard`: the one command that drives the platform.

    parcelguard demo [--reset]          migrate and load the demo city (Putian)
    parcelguard serve [--port 8000]     serve the platform with its background worker
    parcelguard worker                  run only the background worker
    parcelguard scheduler [--once]      enqueue the periodic jobs when due (escalation, reports, analysis)
    parcelguard media                   the media server (nginx-RTMP on loopback) and the simulated cameras
    parcelguard privacy ...             waybill personal-information audit and masking (waybill_privacy)
    parcelguard parcels ...             three-systems analysis of parcel records (parcel_audit)
    parcelguard backup [--to DIR]       one consistent dated archive: database, files, manifest of hashes
    parcelguard restore ARCHIVE         rebuild an empty installation from a backup
    parcelguard trail verify            recompute the hash-chained trail and the evidence hashes
    parcelguard manage ...              any Django management command
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

USAGE = __doc__ or ""


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parcelguard.settings")
    import django

    django.setup()


def _manage(*args: str) -> None:
    _django()
    from django.core.management import call_command

    call_command(*args)


def _prepare() -> None:
    _manage("migrate", "--noinput", "-v", "0")


def cmd_demo(argv: list[str]) -> int:
    _prepare()
    _manage("demo", *argv)
    return 0


def _collectstatic() -> None:
    """collectstatic, unless STATIC_ROOT already holds exactly the current files (compressing them takes
    ~10 s on two cores; a restart should not pay it again)."""
    import hashlib

    from django.conf import settings
    from django.contrib.staticfiles.finders import get_finders

    digest = hashlib.sha256()
    for finder in get_finders():
        for path, storage in sorted(finder.list([]), key=lambda item: item[0]):
            stat = os.stat(storage.path(path))
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    stamp = Path(settings.STATIC_ROOT) / ".collected"
    if stamp.exists() and stamp.read_text() == digest.hexdigest():
        return
    _manage("collectstatic", "--noinput", "-v", "0")
    stamp.write_text(digest.hexdigest())


def cmd_serve(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="parcelguard serve")
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--no-worker", action="store_true", help="do not start the background task worker")
    parser.add_argument("--no-media", action="store_true", help="do not start the media server (video)")
    args = parser.parse_args(argv)
    _prepare()
    _collectstatic()
    from django.conf import settings

    from parcelguard.core.supervise import Child, Supervisor

    children = [Child("web server", [
        sys.executable, "-m", "granian", "--interface", "wsgi", "--host", args.host, "--port", str(args.port),
        "--workers", str(args.workers), "--blocking-threads", "4", "--static-path-mount",
        str(settings.STATIC_ROOT), "--static-path-route", "/static", "parcelguard.wsgi:application"])]
    if not args.no_worker:  # the task worker, and the scheduler that enqueues the periodic jobs
        children += [Child(name, [sys.executable, "-m", "parcelguard.cli", name]) for name in ("worker", "scheduler")]
    if not args.no_media:
        from parcelguard.video.mediaserver import binaries_present

        if binaries_present():
            children.append(Child("media server", [sys.executable, "-m", "parcelguard.cli", "media"]))
        else:
            print("parcelguard serve: nginx with the RTMP module or ffmpeg is not installed; the video pages will "
                  "say the media server is down (scripts/env.sh's ensure_apt installs them)", flush=True)
    print(f"ParcelGuard serving at http://{args.host}:{args.port}/  (API docs: /api/docs)", flush=True)
    grace = float(os.environ.get("PARCELGUARD_STOP_GRACE", "30"))
    return Supervisor(children, cwd=ROOT, grace=grace).run()


def cmd_worker(argv: list[str]) -> int:
    """The task worker; first it releases the tasks a dead worker left running (core/orphans.py)."""
    _django()
    from parcelguard.core.orphans import release_orphans, worker_id

    released = release_orphans()
    if released:
        print(f"parcelguard worker: released {released} task(s) left running by a worker that died", flush=True)
    _manage("db_worker", "--no-reload", "--worker-id", worker_id(), *argv)
    return 0


def cmd_scheduler(argv: list[str]) -> int:
    _manage("scheduler", *argv)
    return 0


def cmd_media(argv: list[str]) -> int:
    """The media server on loopback (nginx + RTMP module: HLS for live view, FLV recordings for playback)
    and one ffmpeg test-pattern camera per simulated channel, supervised like `serve`'s children."""
    _django()
    from django.conf import settings

    from parcelguard.core.supervise import Child, Supervisor
    from parcelguard.video.mediaserver import MediaServer, SimulatedCamera, binaries_present
    from parcelguard.video.models import Channel

    if not binaries_present():
        print("parcelguard media: nginx with the RTMP module and ffmpeg are needed (apt-get install nginx-light "
              "libnginx-mod-rtmp ffmpeg)", file=sys.stderr)
        return 1
    conf = settings.VIDEO
    cameras = [SimulatedCamera(c.stream, f"{c.camera.site.name} {c.camera.location}")
               for c in Channel.objects.filter(simulated=True).select_related("camera__site")]
    server = MediaServer(Path(conf["ROOT"]), rtmp_port=int(conf["RTMP_PORT"]), http_port=int(conf["HTTP_PORT"]),
                         record_interval=int(conf["RECORD_INTERVAL"]), cameras=cameras)
    os.environ["TZ"] = "Asia/Shanghai"  # recording names and burned-in clocks (mediaserver.environment)
    children = [Child("nginx", server.nginx_argv())]
    children += [Child(f"camera {c.stream}", server.camera_loop_argv(c)) for c in cameras]
    print(f"parcelguard media: nginx-RTMP on 127.0.0.1:{server.rtmp_port} (HLS on {server.http_base}), "
          f"{len(cameras)} simulated camera(s)", flush=True)
    return Supervisor(children, cwd=server.root, grace=5).run()


def cmd_privacy(argv: list[str]) -> int:
    from waybill_privacy.cli import main

    return main(argv, prog="parcelguard privacy")


def cmd_parcels(argv: list[str]) -> int:
    from parcel_audit.cli import main

    return main(argv, prog="parcelguard parcels")


def cmd_trail(argv: list[str]) -> int:
    """`parcelguard trail verify`: recompute the trail's hash chain and every evidence file's SHA-256."""
    _django()
    from django.core.management import call_command
    from django.core.management.base import CommandError

    try:
        call_command("trail", *(argv or ["verify"]))
    except CommandError as exc:
        print(exc, file=sys.stderr)
        return exc.returncode
    return 0


def cmd_backup(argv: list[str]) -> int:
    """`parcelguard backup [--to DIR]`: one consistent, dated archive (docs/operations.md)."""
    import argparse

    parser = argparse.ArgumentParser(prog="parcelguard backup")
    parser.add_argument("--to", default=os.environ.get("PARCELGUARD_BACKUP_DIR", "backups"))
    args = parser.parse_args(argv)
    _django()
    from parcelguard.core.backup import backup

    print(backup(Path(args.to).resolve()))
    return 0


def cmd_restore(argv: list[str]) -> int:
    """`parcelguard restore ARCHIVE`: rebuild an empty installation from a backup, hashes checked."""
    import argparse

    parser = argparse.ArgumentParser(prog="parcelguard restore")
    parser.add_argument("archive")
    args = parser.parse_args(argv)
    _django()
    from parcelguard.core.backup import restore
    from parcelguard.core.errors import DomainError

    try:
        manifest = restore(Path(args.archive))
    except DomainError as exc:
        print(f"parcelguard restore: {exc.message} ({exc.code})", file=sys.stderr)
        return 1
    print(f"restored {len(manifest['files'])} files from the backup of {manifest['created_at']}; "
          "now run: parcelguard trail verify")
    return 0


def cmd_manage(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parcelguard.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["parcelguard manage", *argv])
    return 0


COMMANDS = {"demo": cmd_demo, "serve": cmd_serve, "worker": cmd_worker, "scheduler": cmd_scheduler, "media": cmd_media,
            "privacy": cmd_privacy,
            "parcels": cmd_parcels, "manage": cmd_manage, "trail": cmd_trail, "backup": cmd_backup,
            "restore": cmd_restore}


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help", "help"):
        print(USAGE)
        return 0
    command = COMMANDS.get(args[0])
    if command is None:
        print(f"parcelguard: unknown command {args[0]!r}\n{USAGE}", file=sys.stderr)
        return 2
    return command(args[1:])


if __name__ == "__main__":
    sys.exit(main())
