from django import forms
from django.contrib.auth.forms import AuthenticationForm

from otklik.accounts import throttle


class StaffLoginForm(AuthenticationForm):
    """Django's login form plus throttling by login and by address."""

    error_messages = {
        "invalid_login": "Неверный логин или пароль. Проверьте раскладку клавиатуры и Caps Lock.",
        "inactive": "Учётная запись отключена. Обратитесь к администратору.",
        "throttled": "Слишком много неудачных попыток входа. Подождите 15 минут и попробуйте снова.",
    }

    username = forms.CharField(
        label="Логин", max_length=150, widget=forms.TextInput(attrs={"autofocus": True})
    )
    password = forms.CharField(label="Пароль", max_length=256, strip=False, widget=forms.PasswordInput)

    def _address(self) -> str:
        return self.request.META.get("REMOTE_ADDR", "") if self.request else ""

    def clean(self):
        username = (self.data.get("username") or "").strip()[:150]
        if throttle.login_blocked(username=username, address=self._address()):
            raise forms.ValidationError(self.error_messages["throttled"], code="throttled")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            throttle.login_failed(username=username, address=self._address())
            raise
        throttle.login_succeeded(username=username)
        return cleaned
