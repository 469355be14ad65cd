from django.apps import AppConfig


class KbConfig(AppConfig):
    name = "otklik.kb"
    label = "kb"
    verbose_name = "База знаний"

    def ready(self):
        from otklik.kb import panels  # noqa: F401 - registers the editors' home panels
