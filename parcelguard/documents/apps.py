from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "parcelguard.documents"
    label = "documents"
