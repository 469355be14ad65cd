from django.urls import path

from otklik.analytics import views

app_name = "analytics"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("planning/", views.planning, name="planning"),
    path("pains/", views.pains, name="pains"),
]
