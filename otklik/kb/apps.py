from django.apps import AppConfig


class KbConfig(AppConfig):
    name = "otklik.kb"
    label = "kb"
    verbose_name = "База знаний"
