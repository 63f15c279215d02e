"""Background work of the remote video library: the health check of every camera."""

from __future__ import annotations

from django.tasks import task


@task()
def health_check_task() -> dict[str, int]:
    from parcelguard.video.services import health_check

    return health_check()
