from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OversightConfig(AppConfig):
    name = "parcelguard.oversight"
    label = "oversight"
    verbose_name = _("Procuratorial oversight")

    def ready(self) -> None:
        from parcelguard.oversight import plug

        plug.register_all()
