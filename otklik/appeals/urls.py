from django.urls import path

from otklik.appeals import views

app_name = "appeals"
urlpatterns = [
    path("staff/appeals/", views.workspace, name="workspace"),
    path("staff/appeals/hotline/", views.hotline, name="hotline"),
    path("staff/appeals/register/", views.register, name="register"),
    path("staff/appeals/import/", views.import_file, name="import"),
    path("staff/appeals/import/answers/", views.answers_export, name="answers_export"),
    path("staff/appeals/<str:number>/", views.appeal_detail, name="detail"),
    path("staff/appeals/<str:number>/action/", views.appeal_action, name="action"),
    path("staff/appeals/<str:number>/kb/", views.appeal_kb_answers, name="kb_answers"),
    path("staff/appeals/<str:number>/files/<int:pk>/", views.attachment_download, name="attachment"),
    path("appeal/new/", views.appeal_new, name="new"),
    path("appeal/widget/", views.appeal_widget, name="widget"),
    path("appeal/mine/", views.appeals_mine, name="mine"),
    path("appeal/mine/<str:token>/", views.appeals_mine_list, name="mine_list"),
    path("appeal/<str:number>/", views.appeal_status, name="status"),
    path("appeal/<str:number>/files/<int:pk>/", views.citizen_attachment, name="citizen_attachment"),
]
