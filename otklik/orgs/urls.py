from django.urls import path

from otklik.orgs import views

app_name = "orgs"
urlpatterns = [
    path("", views.organization_list, name="list"),
    path("<str:code>/", views.organization_detail, name="detail"),
]
