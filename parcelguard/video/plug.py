"""How the remote video library plugs into the platform's seams: its figure, the online rate."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from parcelguard.core import registry
from parcelguard.video import selectors


def register_all() -> None:
    registry.register_figure(registry.Figure(
        key="video.online_rate", label=gettext_lazy("Video online rate"), unit="%", section="video",
        compute=lambda user, start, end, now=None, **f: selectors.online_rate(user, start, end, **f),
        help=gettext_lazy("Share of the media server's health checks in the period (one per camera per minute) "
                          "that found the camera's picture being received.")))
