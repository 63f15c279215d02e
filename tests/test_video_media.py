"""`parcelguard media` (started by `parcelguard serve`) runs nginx with the RTMP module on its loopback
ports from the installation's own folder, and SIGTERM stops it with nothing left behind."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import urllib.request

import pytest

from parcelguard.testing.processes import ROOT, copy_installation, free_port, platform_env, port_is_free
from parcelguard.video.mediaserver import binaries_present


@pytest.mark.skipif(not binaries_present(), reason="nginx with the RTMP module or ffmpeg is not installed")
def test_the_media_command_serves_on_its_loopback_ports_and_stops_on_sigterm(migrated_installation, tmp_path):
    folder = copy_installation(migrated_installation, tmp_path / "site")
    rtmp, http = free_port(), free_port()
    env = platform_env(folder, PARCELGUARD_VIDEO_RTMP_PORT=str(rtmp), PARCELGUARD_VIDEO_HTTP_PORT=str(http))
    media = subprocess.Popen([sys.executable, "-m", "parcelguard.cli", "media"], cwd=ROOT, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{http}/stat", timeout=1) as answer:
                    assert b"<nginx_rtmp_version>" in answer.read()
                    break
            except OSError:
                assert media.poll() is None, media.stderr.read() if media.stderr else ""
                assert time.monotonic() < deadline, "the media server did not answer in 30 s"
                time.sleep(0.2)
        assert not port_is_free(rtmp)
        assert (folder / "data" / "mediaserver" / "nginx.conf").is_file()
        media.send_signal(signal.SIGTERM)
        assert media.wait(timeout=15) == 0
        time.sleep(0.3)
        assert port_is_free(rtmp) and port_is_free(http)
    finally:
        if media.poll() is None:
            media.kill()
