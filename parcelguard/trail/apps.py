from django.apps import AppConfig


class TrailConfig(AppConfig):
    name = "parcelguard.trail"
    label = "trail"

    def ready(self) -> None:
        from parcelguard.trail import checks  # noqa: F401  (registers system checks)
