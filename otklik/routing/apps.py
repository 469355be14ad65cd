from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "otklik.routing"
    label = "routing"
    verbose_name = "Тематики и маршрутизация"
