from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "otklik.analytics"
    label = "analytics"
    verbose_name = "Аналитика"
