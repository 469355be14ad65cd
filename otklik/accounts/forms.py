from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm

from otklik.accounts import throttle
from otklik.accounts.models import User
from otklik.accounts.roles import Role
from otklik.accounts.services import email_taken, person_password_reset_request, person_password_set
from otklik.accounts.staff_io import EXTENSIONS, MAX_BYTES
from otklik.lib import ratelimit
from otklik.orgs.models import Organization


class StaffLoginForm(AuthenticationForm):
    """Django's login form plus throttling by login and by address."""

    error_messages = {
        "invalid_login": "Неверный логин или пароль. Проверьте раскладку клавиатуры и Caps Lock.",
        "inactive": "Учётная запись отключена. Обратитесь к администратору.",
    }

    username = forms.CharField(
        label="Логин", max_length=150, widget=forms.TextInput(attrs={"autofocus": True})
    )
    password = forms.CharField(label="Пароль", max_length=256, strip=False, widget=forms.PasswordInput)

    def _address(self) -> str:
        # The same client address as the citizens' rate limits: an IPv6 client counts by its /64.
        return ratelimit.client_address(self.request) if self.request else ""

    def clean(self):
        username = (self.data.get("username") or "").strip()[:150]
        if throttle.login_blocked(username=username, address=self._address()):
            wait = ratelimit.wait_text(settings.LOGIN_THROTTLE_WINDOW_S)
            raise forms.ValidationError(
                f"Слишком много неудачных попыток входа. Попробуйте снова {wait}.", code="throttled"
            )
        login = self.cleaned_data.get("username", "")
        if "@" in login and not User.objects.filter(username=login).exists():
            # People added on «Сотрудники» log in with their e-mail, stored in lower case; a phone's
            # keyboard capitalises the first letter.
            self.cleaned_data["username"] = login.lower()
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            throttle.login_failed(username=username, address=self._address())
            raise
        throttle.login_succeeded(username=username)
        return cleaned


class OrganizationChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj} ({obj.code})"


ROLE_CHOICES = [("", "— выберите роль —"), *Role.choices]
REQUIRED = {"required": "Заполните это поле."}


class MembershipForm(forms.Form):
    """A role in one of the administrator's organizations (`organizations`)."""

    organization = OrganizationChoice(
        label="Организация",
        queryset=Organization.objects.none(),
        empty_label="— выберите организацию —",
        error_messages={**REQUIRED, "invalid_choice": "Выберите организацию из списка."},
    )
    role = forms.ChoiceField(
        label="Роль",
        choices=ROLE_CHOICES,
        error_messages={**REQUIRED, "invalid_choice": "Выберите роль из списка."},
    )

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations.order_by("path")


class PersonDataForm(forms.Form):
    """A person's own data; `person` is the one being edited (None: a new one)."""

    last_name = forms.CharField(label="Фамилия", max_length=150, error_messages=REQUIRED)
    first_name = forms.CharField(label="Имя", max_length=150, error_messages=REQUIRED)
    patronymic = forms.CharField(label="Отчество", max_length=150, required=False)
    email = forms.EmailField(
        label="E-mail (он же логин)",
        max_length=254,
        error_messages={**REQUIRED, "invalid": "Введите правильный адрес электронной почты."},
    )
    phone = forms.CharField(label="Телефон", max_length=40, required=False)
    position = forms.CharField(label="Должность", max_length=200, required=False)

    def __init__(self, *args, person: User | None = None, **kwargs):
        self.person = person
        super().__init__(*args, **kwargs)

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if email_taken(email, exclude=self.person):
            raise forms.ValidationError(
                "Сотрудник с таким e-mail уже есть: найдите его в списке и добавьте роль."
            )
        return email


class PersonForm(PersonDataForm, MembershipForm):
    pass


class StaffImportForm(forms.Form):
    file = forms.FileField(
        label="Файл со списком сотрудников (.csv, .xlsx)",
        error_messages={"required": "Выберите файл.", "empty": "Файл пуст.", "invalid": "Это не файл."},
    )
    dry_run = forms.BooleanField(label="Только проверить, ничего не записывать", required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError("Файл больше 5 МБ: разделите его на части.")
        if not upload.name.lower().endswith(EXTENSIONS):
            raise forms.ValidationError("Поддерживаются файлы .csv и .xlsx.")
        return upload


class PasswordForgotForm(PasswordResetForm):
    """«Забыли пароль?»: the letter goes through the worker like an invitation, and the page says the
    same whether or not the address is known."""

    email = forms.EmailField(
        label="E-mail",
        max_length=254,
        error_messages={**REQUIRED, "invalid": "Введите правильный адрес электронной почты."},
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )

    def get_users(self, email):
        # Unlike Django's, also people who never set a password (an invitation they lost).
        return User.objects.filter(email__iexact=email.strip(), is_active=True)

    def save(self, *args, **kwargs):
        for user in self.get_users(self.cleaned_data["email"]):
            if throttle.reset_mail_allowed(email=user.email):
                person_password_reset_request(user=user)


class PasswordSetForm(SetPasswordForm):
    """Django's validators (AUTH_PASSWORD_VALIDATORS) check the new password; their messages come in
    Russian from Django's catalog."""

    error_messages = {"password_mismatch": "Пароли не совпадают."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        first, second = self.fields["new_password1"], self.fields["new_password2"]
        first.label, second.label = "Новый пароль", "Пароль ещё раз"
        first.max_length = second.max_length = 256
        for f in (first, second):
            f.error_messages["required"] = "Заполните это поле."

    def save(self, commit=True):
        person_password_set(user=self.user, password=self.cleaned_data["new_password1"])
        return self.user
