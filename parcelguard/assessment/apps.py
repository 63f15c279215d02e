from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "parcelguard.assessment"
    label = "assessment"
    verbose_name = _("Assessment and circulars")

    def ready(self) -> None:
        from parcelguard.assessment import plug

        plug.register_all()
