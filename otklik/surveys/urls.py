from django.urls import path

from otklik.surveys import views

app_name = "surveys"
urlpatterns = [
    path("staff/surveys/", views.survey_list, name="list"),
    path("staff/surveys/new/", views.survey_new, name="new"),
    path("staff/surveys/<int:pk>/", views.survey_detail, name="detail"),
    path("staff/surveys/<int:pk>/results/", views.survey_results, name="results"),
    path("surveys/", views.survey_list_public, name="public_list"),
    path("surveys/<str:key>/", views.survey_answer, name="answer"),
]
