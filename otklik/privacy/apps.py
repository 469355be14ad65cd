from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "otklik.privacy"
    label = "privacy"
    verbose_name = "Персональные данные"
