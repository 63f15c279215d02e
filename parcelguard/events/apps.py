from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "parcelguard.events"
    label = "events"
    verbose_name = _("Hazard events")

    def ready(self) -> None:
        from parcelguard.events import plug

        plug.register_all()
