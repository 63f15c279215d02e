"""Background work of the remote video library: the health check of every camera, the retention of
recordings."""

from __future__ import annotations

from django.tasks import task


@task()
def health_check_task() -> dict[str, int]:
    from parcelguard.video.services import health_check

    return health_check()


@task()
def purge_recordings_task() -> dict[str, int]:
    from parcelguard.video.services import recordings_purge

    return recordings_purge()
