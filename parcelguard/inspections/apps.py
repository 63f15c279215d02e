from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "parcelguard.inspections"
    label = "inspections"
    verbose_name = _("Inspections")

    def ready(self) -> None:
        from parcelguard.inspections import plug

        plug.register_all()
