from django.urls import path

from otklik.incidents import views

app_name = "incidents"
urlpatterns = [
    path("", views.workspace, name="workspace"),
    path("new/", views.register, name="register"),
    path("import/", views.import_file, name="import"),
    path("figures/", views.figures, name="figures"),
    path("monitoring/", views.monitoring_sources, name="monitoring"),
    path("monitoring/new/", views.monitoring_source, name="monitoring_new"),
    path("monitoring/<int:pk>/", views.monitoring_source, name="monitoring_source"),
    path("monitoring/keywords/", views.monitoring_keywords, name="monitoring_keywords"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/action/", views.action, name="action"),
    path("<int:pk>/kb/", views.kb_answers, name="kb_answers"),
]
