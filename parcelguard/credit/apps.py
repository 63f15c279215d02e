from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CreditConfig(AppConfig):
    name = "parcelguard.credit"
    label = "credit"
    verbose_name = _("Enterprise credit")

    def ready(self) -> None:
        from parcelguard.credit import plug

        plug.register_all()
