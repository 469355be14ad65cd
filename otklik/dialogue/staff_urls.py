from django.urls import path

from otklik.dialogue import views

app_name = "broadcast"
urlpatterns = [path("", views.broadcast, name="send")]
