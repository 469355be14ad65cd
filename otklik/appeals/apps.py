from django.apps import AppConfig


class AppealsConfig(AppConfig):
    name = "otklik.appeals"
    label = "appeals"
    verbose_name = "Обращения"
