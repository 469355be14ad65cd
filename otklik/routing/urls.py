from django.urls import path

from otklik.routing import views

app_name = "routing"
urlpatterns = [
    path("", views.topic_list, name="topics"),
    path("export.<str:fmt>", views.topic_export, name="topics_export"),
    path("import/", views.topic_import, name="topics_import"),
    path("<int:pk>/reply/", views.topic_reply, name="topic_reply"),
]
