"""Background work of the registry: the purge of import uploads left unconfirmed."""

from __future__ import annotations

from django.tasks import task


@task()
def purge_import_spool_task() -> dict[str, int]:
    from parcelguard.registry.import_views import purge_import_spool

    return {"removed": purge_import_spool()}
