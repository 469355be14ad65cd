from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy

from otklik.accounts.forms import PasswordForgotForm, PasswordSetForm, StaffLoginForm
from otklik.accounts.models import User


class StaffLoginView(auth_views.LoginView):
    form_class = StaffLoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class StaffLogoutView(auth_views.LogoutView):
    pass


class PasswordForgotView(auth_views.PasswordResetView):
    form_class = PasswordForgotForm
    template_name = "accounts/password_forgot.html"
    success_url = reverse_lazy("accounts:password_forgot_sent")


class PasswordForgotSentView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_forgot_sent.html"


class PasswordSetView(auth_views.PasswordResetConfirmView):
    """The one-time link of an invitation or a reset letter: set a password and be logged in."""

    form_class = PasswordSetForm
    template_name = "accounts/password_set.html"
    post_reset_login = True
    success_url = reverse_lazy("core:home")

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        # A person switched off after the letter was sent: the link is dead like an expired one.
        return user if isinstance(user, User) and user.is_active else None
