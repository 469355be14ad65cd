from django.urls import path

from otklik.routing import views

app_name = "routing"
urlpatterns = [
    path("", views.topic_list, name="topics"),
    path("export.<str:fmt>", views.topic_export, name="topics_export"),
    path("import/", views.topic_import, name="topics_import"),
    path("<int:pk>/reply/", views.topic_reply, name="topic_reply"),
    path("rules/suggestions/", views.rule_suggestion_list, name="rule_suggestions"),
    path("rules/suggestions/<str:decision>/", views.rule_suggestion_decide, name="rule_suggestion_decide"),
]
