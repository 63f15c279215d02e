from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "parcelguard.partners"
    label = "partners"
    verbose_name = _("Inter-department coordination")

    def ready(self) -> None:
        from parcelguard.partners import plug

        plug.register_all()
