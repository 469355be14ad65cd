from django.urls import path

from otklik.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.StaffLoginView.as_view(), name="login"),
    path("logout/", views.StaffLogoutView.as_view(), name="logout"),
    path("password/forgot/", views.PasswordForgotView.as_view(), name="password_forgot"),
    path("password/forgot/sent/", views.PasswordForgotSentView.as_view(), name="password_forgot_sent"),
    path("password/set/<uidb64>/<token>/", views.PasswordSetView.as_view(), name="password_set"),
]
