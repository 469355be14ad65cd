"""Writes of the dialogue app: news broadcasts to the subscribers of a category."""

import logging
import time
from collections.abc import Callable
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from otklik.dialogue.models import Broadcast, Conversation
from otklik.kb.models import Category
from otklik.lib.telegram import TelegramSendError, telegram_send_message
from otklik.orgs.models import Region

log = logging.getLogger("otklik.dialogue")

BROADCAST_RATE = 25  # messages per second; Telegram allows about 30 to different chats
MAX_BROADCAST = 4096
MAX_RETRIES = 3
REPEAT_WINDOW = timedelta(minutes=10)  # the same text to the same section again this soon is a repeat


@transaction.atomic
def broadcast_send(*, region: Region, category_id: int, text: str, sent_by) -> Broadcast:
    """Record a broadcast and queue its delivery to every Telegram subscriber of the category."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "Напишите текст рассылки."})
    if len(text) > MAX_BROADCAST:
        raise ValidationError({"text": f"Текст длиннее {MAX_BROADCAST} символов — это предел Telegram."})
    category = Category.objects.filter(pk=category_id, region=region).first()
    if category is None:
        raise ValidationError({"category": "Выберите раздел этого региона."})
    just_sent = (
        Broadcast.objects.filter(
            region=region, category=category, text=text, created_at__gte=timezone.now() - REPEAT_WINDOW
        )
        .order_by("-created_at")
        .first()
    )
    if just_sent is not None:  # a double click would send every subscriber the news twice
        at = timezone.localtime(just_sent.created_at, ZoneInfo(region.timezone))
        raise ValidationError(
            f"Эта рассылка уже поставлена в очередь в {at:%H:%M}: подписчики получат её один раз."
        )
    broadcast = Broadcast.objects.create(
        region=region,
        category=category,
        text=text,
        sent_by=sent_by,
        recipients=_subscribers(category).count(),
    )
    from otklik.dialogue import tasks

    transaction.on_commit(lambda: tasks.broadcast_deliver.enqueue(broadcast.pk))
    return broadcast


def _subscribers(category: Category):
    return Conversation.objects.filter(channel="telegram", subscriptions=category).order_by("pk")


def broadcast_run(
    *,
    broadcast_id: int,
    send: Callable[[str, str], None] | None = None,
    sleep: Callable[[float], None] | None = None,
    clock: Callable[[], float] | None = None,
) -> Broadcast:
    """Deliver a broadcast at most BROADCAST_RATE messages a second. On 429 wait as long as Telegram
    asks and try the same person again; a person who blocked the bot (403) is unsubscribed."""
    send, sleep, clock = send or telegram_send_message, sleep or time.sleep, clock or time.monotonic
    broadcast = Broadcast.objects.select_related("category").get(pk=broadcast_id)
    if broadcast.finished_at:
        return broadcast
    gap = 1.0 / BROADCAST_RATE
    next_at = clock()
    for conv in _subscribers(broadcast.category).filter(pk__gt=broadcast.last_conversation_id).iterator():
        outcome = "failed"
        for _ in range(MAX_RETRIES):
            wait = next_at - clock()
            if wait > 0:
                sleep(wait)
            next_at = max(next_at, clock()) + gap
            try:
                send(conv.channel_user, broadcast.text)
            except TelegramSendError as exc:
                if exc.status == 429:
                    sleep(float(exc.retry_after or 1))
                    continue
                if exc.status == 403:
                    conv.subscriptions.clear()
                    outcome = "unsubscribed"
                log.warning("broadcast message failed", extra={"broadcast": broadcast.pk, "error": str(exc)})
                break
            outcome = "delivered"
            break
        Broadcast.objects.filter(pk=broadcast.pk).update(
            **{outcome: F(outcome) + 1}, last_conversation_id=conv.pk
        )
    Broadcast.objects.filter(pk=broadcast.pk).update(finished_at=timezone.now())
    broadcast.refresh_from_db()
    return broadcast
