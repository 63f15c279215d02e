from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "parcelguard.evidence"
    label = "evidence"
