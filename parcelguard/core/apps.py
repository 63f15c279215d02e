from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

# Django's empty choice of a required select; Django's own Chinese catalogue lacks it, ours translates it
# (named here so that makemessages keeps the entry).
BLANK_CHOICE_LABEL = gettext_noop("- Select an option -")


class CoreConfig(AppConfig):
    name = "parcelguard.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from parcelguard.core import checks  # noqa: F401  (registers system checks)
