from django.urls import path

from otklik.kb import faq_views

app_name = "faq"
urlpatterns = [
    path("", faq_views.index, name="index"),
    path("none-fits/", faq_views.none_fits, name="none_fits"),
    path("razdel/<slug:slug>/", faq_views.section, name="section"),
    path("<int:pk>/", faq_views.article, name="article"),
    path("<int:pk>/feedback/", faq_views.feedback, name="feedback"),
]
