from django.apps import AppConfig


class PublicsConfig(AppConfig):
    name = "otklik.publics"
    label = "publics"
    verbose_name = "Госпаблики"

    def ready(self):
        from otklik.publics import panels  # noqa: F401 - registers the distribution tasks' home panel
