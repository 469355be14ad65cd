from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "otklik.core"
    label = "core"
    verbose_name = "Система"

    def ready(self):
        from django.db.backends.signals import connection_created

        from otklik.core.sqlite import install

        connection_created.connect(install, dispatch_uid="otklik-sqlite-like")
