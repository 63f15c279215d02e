from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "parcelguard.core"
    label = "core"

    def ready(self) -> None:
        from parcelguard.core import checks  # noqa: F401  (registers system checks)
