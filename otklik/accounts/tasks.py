"""Background work of accounts: the e-mails that let a person set their password."""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.tasks import task
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from otklik.accounts.models import User

INVITE, RESET = "invite", "reset"

SUBJECTS = {
    INVITE: "Приглашение в «Отклик»: задайте пароль",
    RESET: "«Отклик»: восстановление пароля",
}
INTROS = {
    INVITE: "для вас создана учётная запись сотрудника в системе «Отклик». Чтобы войти, задайте пароль "
    "по ссылке:",
    RESET: "кто-то (возможно, вы) запросил восстановление пароля к вашей учётной записи в системе "
    "«Отклик». Чтобы задать новый пароль, откройте ссылку:",
}


def password_link(user: User) -> str:
    """The one-time link to the set-password page: the token is tied to the current password hash,
    so it stops working once the password is set, and expires after PASSWORD_RESET_TIMEOUT."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    path = reverse("accounts:password_set", args=[uid, default_token_generator.make_token(user)])
    return f"{settings.SITE_URL}{path}"


def _hours(seconds: int) -> str:
    hours = max(1, round(seconds / 3600))
    return f"{hours // 24} сут." if hours % 24 == 0 else f"{hours} ч."


def password_mail_text(user: User, kind: str) -> str:
    name = " ".join(p for p in (user.first_name, user.patronymic) if p) or str(user)
    lines = [
        f"Здравствуйте, {name}!",
        "",
        INTROS[kind],
        password_link(user),
        "",
        f"Ссылка действует {_hours(settings.PASSWORD_RESET_TIMEOUT)} и только один раз. Ваш логин: "
        f"{user.username}.",
    ]
    if kind == RESET:
        lines += [
            "",
            "Если вы не запрашивали восстановление, просто удалите это письмо: пароль не изменится.",
        ]
    return "\n".join(lines)


@task()
def staff_password_mail(user_id: int, kind: str) -> str:
    """Send an invitation or a password-reset letter. The link is made here, at sending time, so a
    letter queued before a password change carries a link that still works."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email:
        return "nothing"
    send_mail(SUBJECTS[kind], password_mail_text(user, kind), settings.DEFAULT_FROM_EMAIL, [user.email])
    return "sent"
