from django.urls import path

from otklik.accounts import staff_views as views

app_name = "people"
urlpatterns = [
    path("", views.person_list, name="list"),
    path("new/", views.person_new, name="new"),
    path("import/", views.person_import, name="import"),
    path("export.<str:fmt>", views.person_export, name="export"),
    path("<int:pk>/", views.person_detail, name="detail"),
    path("<int:pk>/edit/", views.person_edit, name="edit"),
    path("<int:pk>/roles/", views.person_role_add, name="role_add"),
    path("<int:pk>/roles/<int:membership>/remove/", views.person_role_remove, name="role_remove"),
    path("<int:pk>/<str:action>/", views.person_action, name="action"),
]
