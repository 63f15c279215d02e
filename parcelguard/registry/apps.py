from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "parcelguard.registry"
    label = "registry"
