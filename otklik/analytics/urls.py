from django.urls import path

from otklik.analytics import views

app_name = "analytics"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("executors/", views.executor_ranking, name="ranking"),
    path("planning/", views.planning, name="planning"),
    path("pains/", views.pains, name="pains"),
    path("halfyear/", views.halfyear, name="halfyear"),
    path("public/", views.public_report, name="public"),
    path("report/weekly.<str:fmt>", views.weekly_report_file, name="weekly"),
    path("report/weekly/subscription/", views.weekly_subscription, name="weekly_subscription"),
]
