from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "parcelguard.training"
    label = "training"
    verbose_name = _("Training and exams")

    def ready(self) -> None:
        from parcelguard.training import plug

        plug.register_all()
