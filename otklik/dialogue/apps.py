from django.apps import AppConfig


class DialogueConfig(AppConfig):
    name = "otklik.dialogue"
    label = "dialogue"
    verbose_name = "Диалоги с гражданами"
