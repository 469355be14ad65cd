from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "otklik.orgs"
    label = "orgs"
    verbose_name = "Организации"
