"""The media server the platform runs on loopback, and the simulated cameras that feed it.

nginx with the RTMP module (Debian `nginx-light` + `libnginx-mod-rtmp`) ingests RTMP, writes HLS (for live
view) and FLV recordings (for playback and past snapshots), and serves both on a loopback HTTP port, with
the RTMP module's `/stat` page as its health. ffmpeg pushes the simulated cameras: a test pattern with the
site's name and a running clock burned in, 320×180 at 5 frames a second (a few % of a core each).

Nothing here needs Django: `parcelguard media` (cli.py) and the tests' fixtures build a `MediaServer` and
hand its argv lists to `core.supervise`, or start them directly.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

RTMP_MODULE = "/usr/lib/nginx/modules/ngx_rtmp_module.so"
FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"


def binaries_present() -> bool:
    """nginx, its RTMP module and ffmpeg are installed (scripts/env.sh's ensure_apt installs them)."""
    return bool(shutil.which("nginx") or Path("/usr/sbin/nginx").exists()) and Path(RTMP_MODULE).exists() \
        and shutil.which("ffmpeg") is not None


def nginx_binary() -> str:
    return shutil.which("nginx") or "/usr/sbin/nginx"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class SimulatedCamera:
    """One ffmpeg process pushing a test pattern with a caption and the clock to `live/<stream>`."""

    stream: str
    caption: str
    pattern: str = "testsrc"  # or "smptebars"
    size: str = "320x180"
    fps: int = 5


@dataclass
class MediaServer:
    root: Path  # the run's own folder: config, HLS, recordings, logs, nginx's temp paths
    rtmp_port: int = 19350
    http_port: int = 18080
    record_interval: int = 60  # seconds per recording file
    cameras: list[SimulatedCamera] = field(default_factory=list)
    _processes: list[subprocess.Popen[bytes]] = field(default_factory=list, repr=False)

    @property
    def hls_dir(self) -> Path:
        return self.root / "hls"

    @property
    def record_dir(self) -> Path:
        return self.root / "rec"

    @property
    def http_base(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def rtmp_base(self) -> str:
        return f"rtmp://127.0.0.1:{self.rtmp_port}/live"

    def write_config(self) -> Path:
        for sub in ("hls", "rec", "tmp", "logs", "captions"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        r = self.root
        conf = f"""# written by parcelguard.video.mediaserver; regenerated at every start
daemon off;
master_process off;  # one process, as the user who started it: it writes the run's own folder
worker_processes 1;
pid {r}/nginx.pid;
error_log {r}/logs/error.log warn;
load_module {RTMP_MODULE};
events {{ worker_connections 256; }}
rtmp {{
  server {{
    listen 127.0.0.1:{self.rtmp_port};
    chunk_size 4096;
    application live {{
      live on;
      allow publish 127.0.0.1;
      deny publish all;
      allow play 127.0.0.1;
      deny play all;
      hls on;
      hls_path {r}/hls;
      hls_nested on;
      hls_fragment 2s;
      hls_playlist_length 12s;
      record all;
      record_path {r}/rec;
      record_suffix -%Y%m%dT%H%M%S.flv;
      record_interval {self.record_interval}s;
    }}
  }}
}}
http {{
  access_log off;
  client_body_temp_path {r}/tmp/body;
  proxy_temp_path {r}/tmp/proxy;
  fastcgi_temp_path {r}/tmp/fastcgi;
  uwsgi_temp_path {r}/tmp/uwsgi;
  scgi_temp_path {r}/tmp/scgi;
  types {{
    application/vnd.apple.mpegurl m3u8;
    video/mp2t ts;
    video/x-flv flv;
    text/xml xml;
  }}
  server {{
    listen 127.0.0.1:{self.http_port};
    location /hls/ {{ alias {r}/hls/; add_header Cache-Control no-cache; }}
    location /rec/ {{ alias {r}/rec/; }}
    location /stat {{ rtmp_stat all; }}
  }}
}}
"""
        path = r / "nginx.conf"
        path.write_text(conf)
        return path

    def nginx_argv(self) -> list[str]:
        return [nginx_binary(), "-c", str(self.write_config()), "-p", str(self.root), "-e",
                str(self.root / "logs" / "error.log")]

    def camera_argv(self, camera: SimulatedCamera) -> list[str]:
        captions = self.root / "captions"
        captions.mkdir(parents=True, exist_ok=True)
        name_file = captions / f"{camera.stream}.txt"
        name_file.write_text(camera.caption)
        clock_file = captions / "clock.txt"
        clock_file.write_text("%{localtime:%Y-%m-%d %H\\:%M\\:%S}")
        text = f"fontfile={FONT}:fontcolor=white:fontsize=14:box=1:boxcolor=black@0.6:boxborderw=3"
        vf = (f"drawtext={text}:textfile={name_file}:x=6:y=6,"
              f"drawtext={text}:textfile={clock_file}:x=6:y=h-th-8")
        return ["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-re", "-f", "lavfi", "-i",
                f"{camera.pattern}=size={camera.size}:rate={camera.fps}", "-vf", vf, "-c:v", "libx264",
                "-preset", "veryfast", "-tune", "zerolatency", "-g", str(camera.fps * 2), "-pix_fmt", "yuv420p",
                "-f", "flv", f"{self.rtmp_base}/{camera.stream}"]

    def camera_loop_argv(self, camera: SimulatedCamera) -> list[str]:
        """The camera under a shell loop that restarts ffmpeg 2 s after it stops (nginx not listening
        yet, or restarted): a camera reconnects, as a real one does. Stopping its process group stops both."""
        return ["sh", "-c", 'while :; do "$@"; sleep 2; done', "camera", *self.camera_argv(camera)]

    @staticmethod
    def environment() -> dict[str, str]:
        """Recording names and burned-in clocks in China Standard Time, whatever the machine's zone."""
        return {**os.environ, "TZ": "Asia/Shanghai"}

    # ---- starting and stopping without a supervisor (tests, benchmarks) -------------------------------

    def start(self, timeout: float = 10.0) -> None:
        self._spawn(self.nginx_argv())
        self.wait_http(timeout)
        for camera in self.cameras:
            self._spawn(self.camera_loop_argv(camera))

    def _spawn(self, argv: list[str]) -> None:
        log = open(self.root / "logs" / f"{Path(argv[0]).name}-{len(self._processes)}.log", "ab")  # noqa: SIM115
        self._processes.append(subprocess.Popen(argv, stdout=log, stderr=log, env=self.environment(),
                                                start_new_session=True, cwd=self.root))

    def wait_http(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{self.http_base}/stat", timeout=1):
                    return
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def wait_playlist(self, stream: str, timeout: float = 20.0) -> Path:
        path = self.hls_dir / stream / "index.m3u8"
        deadline = time.monotonic() + timeout
        while not path.exists():
            if time.monotonic() > deadline:
                raise TimeoutError(f"no HLS playlist for {stream} after {timeout} s")
            time.sleep(0.2)
        return path

    def stop(self) -> None:
        for process in reversed(self._processes):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in self._processes:
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self._processes.clear()
