from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "parcelguard.analytics"
    label = "analytics"
