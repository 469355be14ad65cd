"""Background work of appeals: deadline reminders and checks, deliveries to citizens and staff."""

import logging
import urllib.error
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.tasks import task
from django.utils import timezone

from otklik.appeals import events, services
from otklik.appeals.models import Notification
from otklik.lib import chains
from otklik.lib.telegram import telegram_send_message

log = logging.getLogger("otklik.appeals.tasks")
MAX_ATTEMPTS = 5


@task()
def appeal_deadline_reminder(appeal_id: int, due_at: str) -> bool:
    return services.appeal_deadline_remind(appeal_id=appeal_id, due_at=due_at)


@task()
def appeal_deadline_check(appeal_id: int, due_at: str) -> bool:
    return services.appeal_deadline_missed(appeal_id=appeal_id, due_at=due_at)


@task()
def appeal_moderation_check(appeal_id: int, due_at: str) -> bool:
    return services.appeal_moderation_missed(appeal_id=appeal_id, due_at=due_at)


def _send_telegram(chat_id: str, text: str) -> None:
    telegram_send_message(chat_id, text)


@task()
def notification_deliver(notification_id: int) -> str:
    """Send one queued message; failures are recorded and retried a few times, never lost silently."""
    notification = Notification.objects.select_related("appeal").filter(pk=notification_id).first()
    if notification is None or notification.state == Notification.State.SENT:
        return "nothing"
    notification.attempts += 1
    try:
        if notification.channel == "telegram":
            _send_telegram(notification.recipient, notification.text)
        elif notification.channel == "email":
            EmailMessage(
                notification.subject or "Отклик",
                notification.text,
                settings.DEFAULT_FROM_EMAIL,
                [notification.recipient],
                # RFC 3834: an auto-responder must not answer it (no loop with the mailbox of appeals).
                headers={"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppression": "All"},
            ).send()
        else:
            notification.state = Notification.State.SKIPPED
            notification.error = f"канал {notification.channel} не поддерживает отправку"
            notification.save()
            return "skipped"
    except (OSError, RuntimeError, urllib.error.URLError) as exc:
        notification.error = str(exc)[:500]
        if notification.attempts >= MAX_ATTEMPTS:
            notification.state = Notification.State.FAILED
            if notification.appeal_id:
                events.delivery_failed(
                    notification.appeal, channel=notification.channel, error=notification.error
                )
        notification.save()
        if notification.state != Notification.State.FAILED:
            retry_at = timezone.now() + timedelta(minutes=2**notification.attempts)
            notification_deliver.using(run_after=retry_at).enqueue(notification.pk)
        log.warning("delivery failed", extra={"notification": notification.pk, "error": notification.error})
        return "failed"
    notification.state = Notification.State.SENT
    notification.sent_at = timezone.now()
    notification.error = ""
    notification.save()
    if notification.appeal_id and notification.subject.startswith("Ответ на обращение"):
        events.delivered(notification.appeal, channel=notification.channel)
    return "sent"


# --- appeals by e-mail ----------------------------------------------------------------------------

MAIL_POLL_PATH = "otklik.appeals.tasks.mail_intake_poll"


@task()
def mail_intake_poll() -> str:
    """Read the appeals mailbox once (`mail_intake.poll`) and queue the next reading: a chain of
    one task, armed when the worker starts (`mail_intake_ensure`)."""
    from otklik.appeals import mail_intake
    from otklik.core.selectors import MAIL_INTAKE_BEAT
    from otklik.core.services import heartbeat_beat

    if not settings.MAIL_INTAKE:
        return "off"  # switched off since it was queued: the chain ends here
    try:
        try:
            outcome = mail_intake.poll().summary()
        except mail_intake.MailIntakeError as exc:
            log.error("mail intake failed: %s", exc)
            outcome = f"failed: {exc}"
        heartbeat_beat(name=MAIL_INTAKE_BEAT, detail=outcome)  # what /health reports
        return outcome
    finally:
        later = timezone.now() + timedelta(seconds=max(30, settings.MAIL_INTAKE_INTERVAL_S))
        chains.arm(mail_intake_poll, run_after=later)


def mail_intake_ensure() -> bool:
    """Arm the mailbox's reading when it is configured and none is waiting (the worker's start)."""
    return bool(settings.MAIL_INTAKE) and chains.arm(mail_intake_poll)
