from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrailConfig(AppConfig):
    name = "parcelguard.trail"
    label = "trail"
    verbose_name = _("Hash-chained trail")

    def ready(self) -> None:
        from parcelguard.trail import checks  # noqa: F401  (registers system checks)
