from django.apps import AppConfig


class AppealsConfig(AppConfig):
    name = "otklik.appeals"
    label = "appeals"
    verbose_name = "Обращения"

    def ready(self):
        from otklik.appeals import panels  # noqa: F401 - registers the appeals panel of the home pages
