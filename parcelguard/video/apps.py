from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VideoConfig(AppConfig):
    name = "parcelguard.video"
    label = "video"
    verbose_name = _("Remote video library")

    def ready(self) -> None:
        from parcelguard.video import plug

        plug.register_all()
