from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "parcelguard.privacy"
    verbose_name = "Waybill privacy"
