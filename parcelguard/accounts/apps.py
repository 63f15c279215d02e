from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "parcelguard.accounts"
    label = "accounts"
