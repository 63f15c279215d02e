from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmergencyConfig(AppConfig):
    name = "parcelguard.emergency"
    label = "emergency"
    verbose_name = _("Emergency management")

    def ready(self) -> None:
        from parcelguard.emergency import plug

        plug.register_all()
