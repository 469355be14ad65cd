from django.urls import path

from otklik.core import views

app_name = "core"
urlpatterns = [
    path("", views.landing, name="landing"),
    path("staff/", views.home, name="home"),
    path("privacy/", views.privacy, name="privacy"),
    path("accessibility/", views.accessibility, name="accessibility"),
]
