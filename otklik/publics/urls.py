from django.urls import path

from otklik.publics import views

app_name = "publics"
urlpatterns = [
    path("", views.index, name="index"),
    path("posts/new/", views.post_new, name="post_new"),
    path("posts/<int:pk>/", views.post_detail, name="post"),
    path("posts/<int:pk>/action/", views.post_action, name="post_action"),
    path("templates/", views.templates, name="templates"),
    path("templates/<int:pk>/", views.template_edit, name="template"),
    path("assignments/", views.assignments, name="assignments"),
    path("assignments/new/", views.assignment_new, name="assignment_new"),
    path("assignments/<int:pk>/", views.assignment_detail, name="assignment"),
    path("tasks/<int:pk>/", views.target, name="target"),
]
