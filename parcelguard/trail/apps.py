from django.apps import AppConfig


class TrailConfig(AppConfig):
    name = "parcelguard.trail"
    label = "trail"
