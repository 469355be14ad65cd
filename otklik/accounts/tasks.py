"""Background work of accounts: the e-mails that let a person set their password."""

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.tasks import task
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from otklik.accounts.models import User

log = logging.getLogger("otklik.accounts")
INVITE, RESET = "invite", "reset"
# A mail server that is down for a while must not lose an invitation: the letter is tried again
# after 2, 4, 8 and 16 minutes, as the appeals' notifications are.
MAX_ATTEMPTS = 5

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
def staff_password_mail(user_id: int, kind: str, attempt: int = 1) -> str:
    """Send an invitation or a password-reset letter. The link is made here, at sending time, so a
    letter queued before a password change carries a link that still works. A failed sending is
    tried again later (`MAX_ATTEMPTS` in all); after the last one the admin resends from the
    person's page."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email:
        return "nothing"
    try:
        send_mail(SUBJECTS[kind], password_mail_text(user, kind), settings.DEFAULT_FROM_EMAIL, [user.email])
    except OSError as exc:  # smtplib's errors and a refused connection are OSErrors
        log.warning("staff mail failed", extra={"user": user_id, "attempt": attempt, "error": str(exc)[:200]})
        if attempt >= MAX_ATTEMPTS:
            return "failed"
        retry_at = timezone.now() + timedelta(minutes=2**attempt)
        staff_password_mail.using(run_after=retry_at).enqueue(user_id, kind, attempt + 1)
        return "retry"
    return "sent"
