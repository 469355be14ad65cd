from django.urls import path

from otklik.incidents import api

urlpatterns = [
    path("incidents", api.incidents, name="api-incidents"),
    path("incidents/<int:pk>", api.incident_detail, name="api-incident"),
]
