from django.urls import path

from otklik.kb import views

app_name = "kb"
urlpatterns = [
    path("", views.article_list, name="articles"),
    path("articles/new/", views.article_create, name="article_new"),
    path("articles/preview/", views.preview, name="preview"),
    path("articles/<int:pk>/", views.article_edit, name="article"),
    path("articles/<int:pk>/status/", views.article_status, name="article_status"),
    path("articles/<int:pk>/paraphrases/", views.paraphrase_add, name="paraphrase_add"),
    path("paraphrases/<int:pk>/delete/", views.paraphrase_delete, name="paraphrase_delete"),
    path("queue/", views.queue, name="queue"),
    path("queue/rebuild/", views.queue_rebuild, name="queue_rebuild"),
    path("queue/<int:pk>/", views.cluster_action, name="cluster_action"),
    path("queue/<int:pk>/pick/", views.cluster_pick, name="cluster_pick"),
    path("log/", views.query_log, name="log"),
    path("log/<int:pk>/pick/", views.query_pick, name="query_pick"),
    path("log/<int:pk>/paraphrase/", views.query_to_paraphrase, name="query_to_paraphrase"),
    path("try/", views.try_engine, name="try"),
    path("similar/", views.rivals, name="rivals"),
    path("answers/", views.staff_answers, name="staff_answers"),
    path("transfer/", views.transfer, name="transfer"),
    path("export.<str:fmt>", views.export, name="export"),
]
