from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParcelsConfig(AppConfig):
    name = "parcelguard.parcels"
    label = "parcels"
    verbose_name = _("Parcel records and early warnings")

    def ready(self) -> None:
        from parcelguard.parcels import plug

        plug.register_all()
