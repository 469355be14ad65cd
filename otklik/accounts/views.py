from django.contrib.auth import views as auth_views

from otklik.accounts.forms import StaffLoginForm


class StaffLoginView(auth_views.LoginView):
    form_class = StaffLoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class StaffLogoutView(auth_views.LogoutView):
    pass
