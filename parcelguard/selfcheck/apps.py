from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SelfcheckConfig(AppConfig):
    name = "parcelguard.selfcheck"
    label = "selfcheck"
    verbose_name = _("Enterprise self-inspection")

    def ready(self) -> None:
        from parcelguard.selfcheck import plug

        plug.register_all()
