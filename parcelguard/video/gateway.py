"""`MediaGateway`: the one seam between the platform and a media server (docs/video.md).

The platform asks a gateway four things about a stream (named `<device code>_<channel code>`, the way
GB/T 28181 gateways name them): where its live HLS playlist is, which recordings cover a time range,
the picture at a moment (a JPEG), and the server's health (which streams are being received). Browsers
never reach the media server: `video.views` serves the playlist, its segments and the recordings through
short-lived signed URLs after scoping, reading them here with `fetch`.

`NginxRtmpGateway` talks to the nginx-RTMP server `parcelguard serve` starts on loopback
(`video.mediaserver`). A bureau that runs ZLMediaKit/wvp-GB28181 or a vendor's platform writes one more
subclass (its HTTP API gives the same four answers) and names it in settings.VIDEO["GATEWAY"].
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import tempfile
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from parcelguard.core.errors import Conflict, NotFound

CST = ZoneInfo("Asia/Shanghai")


class MediaUnavailable(Conflict):
    """The media server does not answer, or the stream is not being received."""

    code = "media_unavailable"
    status = 503


class NoRecording(NotFound):
    code = "no_recording"


@dataclass(frozen=True)
class Recording:
    stream: str
    name: str  # the gateway's own name for the file/segment; passed back to `fetch_recording`
    start: dt.datetime
    end: dt.datetime

    def covers(self, moment: dt.datetime) -> bool:
        return self.start <= moment < self.end


@dataclass(frozen=True)
class StreamState:
    name: str
    publishing: bool
    width: int = 0
    height: int = 0
    fps: float = 0.0
    bytes_in: int = 0


@dataclass(frozen=True)
class Health:
    up: bool
    checked_at: dt.datetime
    streams: dict[str, StreamState] = field(default_factory=dict)
    error: str = ""

    def online(self, stream: str) -> bool:
        state = self.streams.get(stream)
        return bool(self.up and state and state.publishing)


class MediaGateway(ABC):
    """What the platform needs from a media server. Implementations raise `MediaUnavailable` when the
    server cannot be reached, `NoRecording` when nothing covers the moment asked."""

    name = "abstract"

    @abstractmethod
    def stream_url(self, stream: str) -> str:
        """The live HLS playlist of a stream, as the platform (not the browser) reaches it."""

    @abstractmethod
    def fetch(self, stream: str, name: str) -> tuple[bytes, str]:
        """One file of the live stream (`index.m3u8` or a segment it lists): its bytes and content type."""

    @abstractmethod
    def recordings(self, stream: str, start: dt.datetime, end: dt.datetime) -> list[Recording]:
        """The recordings of the stream overlapping [start, end), oldest first."""

    @abstractmethod
    def playback(self, recording: Recording) -> bytes:
        """One recording as an MP4 a browser plays (moov atom first)."""

    @abstractmethod
    def snapshot(self, stream: str, moment: dt.datetime | None = None) -> tuple[bytes, dt.datetime]:
        """The picture (JPEG) now (`moment` None: the newest live frame) or at a past moment from the
        recordings; and the moment it shows."""

    @abstractmethod
    def health(self) -> Health:
        """Whether the server answers and which streams it is receiving now."""

    def purge_recordings(self, before: dt.datetime) -> int:
        """Delete the recordings that ended before `before` (the bureau's retention); the number deleted.
        A platform that keeps its own retention (a vendor NVR) leaves this as is."""
        return 0


# ---- nginx with the RTMP module ----------------------------------------------------------------------

_SEGMENT = re.compile(r"(index\.m3u8|\d{1,9}\.ts)")
_STREAM = re.compile(r"\d{20}_\d{20}")
_RECORDING = re.compile(r"(?P<stream>\d{20}_\d{20})-(?P<at>\d{8}T\d{6})\.flv")


def _ffmpeg(args: list[str], timeout: float = 15.0, want_stdout: bool = True) -> bytes:
    try:
        done = subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", *args],
                              capture_output=True, timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise MediaUnavailable(_("The media server could not produce the picture."),
                               details={"reason": str(exc)[:200]}) from exc
    if done.returncode != 0 or (want_stdout and not done.stdout):
        raise MediaUnavailable(_("The media server could not produce the picture."),
                               details={"reason": done.stderr.decode(errors="replace")[-300:]})
    return done.stdout


def _last_frame(source: str) -> bytes:
    """Decode a (2-second) segment and keep its last frame as a JPEG."""
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "frame.jpg"
        _ffmpeg(["-i", source, "-update", "1", "-q:v", "3", "-y", str(target)], want_stdout=False)
        if not target.is_file() or not target.stat().st_size:
            raise MediaUnavailable(_("The media server could not produce the picture."))
        return target.read_bytes()


class NginxRtmpGateway(MediaGateway):
    """nginx + libnginx-mod-rtmp on loopback: HLS under /hls/<stream>/, FLV recordings of
    `record_interval` seconds named `<stream>-YYYYmmddTHHMMSS.flv` (China Standard Time, the moment the
    file was opened) in the recording folder, health from the RTMP module's /stat XML."""

    name = "nginx-rtmp"

    def __init__(self, *, root: str | Path, http_port: int, timeout: float = 3.0, **_ignored: Any) -> None:
        self.root = Path(root)
        self.base = f"http://127.0.0.1:{http_port}"
        self.timeout = timeout

    @staticmethod
    def _check(stream: str) -> str:
        if not _STREAM.fullmatch(stream):
            raise NotFound(_("Record not found."))
        return stream

    def stream_url(self, stream: str) -> str:
        return f"{self.base}/hls/{self._check(stream)}/index.m3u8"

    def _get(self, url: str) -> tuple[bytes, str]:
        try:
            with urllib.request.urlopen(url, timeout=self.timeout) as response:
                return response.read(), response.headers.get_content_type()
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                raise MediaUnavailable(_("The camera's picture is not being received."),
                                       details={"status": 404}) from exc
            raise MediaUnavailable(_("The media server is not answering."), details={"status": exc.code}) from exc
        except OSError as exc:
            raise MediaUnavailable(_("The media server is not answering."),
                                   details={"reason": str(exc)[:200]}) from exc

    def fetch(self, stream: str, name: str) -> tuple[bytes, str]:
        if not _SEGMENT.fullmatch(name):
            raise NotFound(_("Record not found."))
        return self._get(f"{self.base}/hls/{self._check(stream)}/{name}")

    def _record_dir(self) -> Path:
        return self.root / "rec"

    def recordings(self, stream: str, start: dt.datetime, end: dt.datetime) -> list[Recording]:
        self._check(stream)
        found = []
        for path in self._record_dir().glob(f"{stream}-*.flv"):
            m = _RECORDING.fullmatch(path.name)
            if not m:
                continue
            opened = dt.datetime.strptime(m["at"], "%Y%m%dT%H%M%S").replace(tzinfo=CST)
            try:
                closed = dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC)
            except OSError:
                continue
            if closed <= opened:
                continue
            if opened < end and closed > start:
                found.append(Recording(stream, path.name, opened, closed))
        return sorted(found, key=lambda r: r.start)

    def _recording_path(self, recording: Recording) -> Path:
        m = _RECORDING.fullmatch(recording.name)
        if not m or m["stream"] != recording.stream:
            raise NoRecording(_("No recording covers this moment."))
        path = self._record_dir() / recording.name
        if not path.is_file():
            raise NoRecording(_("No recording covers this moment."))
        return path

    def purge_recordings(self, before: dt.datetime) -> int:
        removed = 0
        for path in self._record_dir().glob("*.flv"):
            if not _RECORDING.fullmatch(path.name):
                continue
            try:
                if dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC) < before:
                    path.unlink()
                    removed += 1
            except OSError:
                continue
        return removed

    def playback(self, recording: Recording) -> bytes:
        source = self._recording_path(recording)
        with tempfile.TemporaryDirectory() as tmp:
            target = Path(tmp) / "clip.mp4"
            _ffmpeg(["-i", str(source), "-c", "copy", "-movflags", "+faststart", "-f", "mp4", "-y", str(target)],
                    want_stdout=False)
            return target.read_bytes()

    def snapshot(self, stream: str, moment: dt.datetime | None = None) -> tuple[bytes, dt.datetime]:
        self._check(stream)
        if moment is None:
            playlist, _type = self.fetch(stream, "index.m3u8")
            segments = [line.strip() for line in playlist.decode(errors="replace").splitlines()
                        if line.strip().endswith(".ts")]
            if not segments:
                raise MediaUnavailable(_("The camera's picture is not being received."))
            taken = dt.datetime.now(tz=dt.UTC)
            jpeg = b""
            for segment in reversed(segments[-2:]):  # the newest complete segment's last frame
                try:
                    jpeg = _last_frame(f"{self.base}/hls/{stream}/{segment}")
                    break
                except MediaUnavailable:
                    continue
            if not jpeg:
                raise MediaUnavailable(_("The media server could not produce the picture."))
            return jpeg, taken
        covering = [r for r in self.recordings(stream, moment - dt.timedelta(hours=2), moment + dt.timedelta(seconds=1))
                    if r.covers(moment)]
        if not covering:
            raise NoRecording(_("No recording covers this moment."))
        recording = covering[-1]
        offset = (moment - recording.start).total_seconds()
        jpeg = _ffmpeg(["-ss", f"{offset:.3f}", "-i", str(self._recording_path(recording)), "-frames:v", "1",
                        "-q:v", "3", "-f", "image2", "-c:v", "mjpeg", "pipe:1"])
        return jpeg, moment

    def health(self) -> Health:
        now = dt.datetime.now(tz=dt.UTC)
        try:
            body, _type = self._get(f"{self.base}/stat")
            root = ET.fromstring(body)
        except (MediaUnavailable, ET.ParseError) as exc:
            return Health(up=False, checked_at=now, error=str(getattr(exc, "message", exc))[:200])
        streams = {}
        for node in root.iter("stream"):
            name = node.findtext("name") or ""
            video = node.find("meta/video")

            def num(tag: str, video: ET.Element | None = video) -> float:
                try:
                    return float((video.findtext(tag) if video is not None else "") or 0)
                except ValueError:
                    return 0.0

            streams[name] = StreamState(name=name, publishing=node.find("publishing") is not None,
                                        width=int(num("width")), height=int(num("height")), fps=num("frame_rate"),
                                        bytes_in=int(node.findtext("bytes_in") or 0))
        return Health(up=True, checked_at=now, streams=streams)


def gateway() -> MediaGateway:
    """The configured gateway (settings.VIDEO["GATEWAY"], a dotted class path, with the other keys as
    its options)."""
    conf = dict(settings.VIDEO)
    cls = import_string(conf.pop("GATEWAY"))
    return cls(**{k.lower(): v for k, v in conf.items()})  # type: ignore[no-any-return]
