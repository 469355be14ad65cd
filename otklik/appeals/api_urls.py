from django.urls import path

from otklik.appeals import api

urlpatterns = [
    path("appeals", api.appeals, name="api-appeals"),
    path("appeals/<str:number>", api.appeal_detail, name="api-appeal"),
    path("openapi.json", api.openapi, name="api-openapi"),
]
