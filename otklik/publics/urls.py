from django.urls import path

from otklik.publics import views

app_name = "publics"
urlpatterns = [
    path("", views.index, name="index"),
    path("posts/new/", views.post_new, name="post_new"),
    path("posts/<int:pk>/", views.post_detail, name="post"),
    path("posts/<int:pk>/action/", views.post_action, name="post_action"),
    path("posts/<int:pk>/image/", views.post_image, name="post_image"),
    path("pictures/", views.pictures, name="pictures"),
    path("pictures/<int:pk>/", views.picture_edit, name="picture"),
    path("pictures/<int:pk>/preview.png", views.picture_preview, name="picture_preview"),
    path("templates/", views.templates, name="templates"),
    path("templates/<int:pk>/", views.template_edit, name="template"),
    path("assignments/", views.assignments, name="assignments"),
    path("assignments/new/", views.assignment_new, name="assignment_new"),
    path("assignments/<int:pk>/", views.assignment_detail, name="assignment"),
    path("tasks/<int:pk>/", views.target, name="target"),
    path("tasks/<int:pk>/picture.png", views.target_picture, name="target_picture"),
]
