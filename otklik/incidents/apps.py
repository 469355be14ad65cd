from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "otklik.incidents"
    label = "incidents"
    verbose_name = "Инциденты в соцсетях"
