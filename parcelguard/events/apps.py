from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "parcelguard.events"
    label = "events"
