from django.urls import path

from otklik.dialogue import views

app_name = "dialogue"
urlpatterns = [
    path("", views.chat, name="chat"),
    path("widget/", views.chat_widget, name="widget"),
    path("send/", views.chat_send, name="send"),
]
