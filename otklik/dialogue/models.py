from django.db import models

from otklik.core.models import TimeStampedModel


class Conversation(TimeStampedModel):
    """Where a citizen is in the conversation on one channel; survives restarts of every process."""

    region = models.ForeignKey(
        "orgs.Region", on_delete=models.CASCADE, related_name="+", verbose_name="регион"
    )
    channel = models.CharField("канал", max_length=20)
    channel_user = models.CharField("идентификатор в канале", max_length=100)
    citizen = models.ForeignKey(
        "accounts.Citizen",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="conversations",
        verbose_name="заявитель",
    )
    state = models.JSONField("состояние", default=dict, blank=True)
    subscriptions = models.ManyToManyField(
        "kb.Category", blank=True, related_name="subscribers", verbose_name="подписки на новости"
    )
    last_seen_at = models.DateTimeField("последнее сообщение", null=True, blank=True)

    class Meta:
        verbose_name = "диалог"
        verbose_name_plural = "диалоги"
        constraints = [
            models.UniqueConstraint(fields=["channel", "channel_user"], name="conversation_unique")
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.channel_user}"


class MenuOpen(models.Model):
    """A citizen opened a section or a ready answer with the buttons (the bot's "popular categories")."""

    region = models.ForeignKey(
        "orgs.Region", on_delete=models.CASCADE, related_name="+", verbose_name="регион"
    )
    at = models.DateTimeField("когда", db_index=True)
    channel = models.CharField("канал", max_length=20)
    category = models.ForeignKey(
        "kb.Category", on_delete=models.CASCADE, related_name="opens", verbose_name="раздел"
    )
    article = models.ForeignKey(
        "kb.Article",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="opens",
        verbose_name="ответ",
    )

    class Meta:
        verbose_name = "открытие раздела"
        verbose_name_plural = "открытия разделов"
        indexes = [models.Index(fields=["region", "at"], name="menuopen_region_at")]

    def __str__(self) -> str:
        return f"{self.at:%d.%m.%Y %H:%M} {self.channel}: {self.article_id or self.category_id}"


class Broadcast(TimeStampedModel):
    """News sent to everyone subscribed to a category in Telegram; the counts fill in as it goes."""

    region = models.ForeignKey(
        "orgs.Region", on_delete=models.CASCADE, related_name="+", verbose_name="регион"
    )
    category = models.ForeignKey(
        "kb.Category", on_delete=models.PROTECT, related_name="broadcasts", verbose_name="раздел"
    )
    text = models.TextField("текст")
    sent_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name="отправил"
    )
    recipients = models.PositiveIntegerField("получателей", default=0)
    delivered = models.PositiveIntegerField("доставлено", default=0)
    failed = models.PositiveIntegerField("не доставлено", default=0)
    unsubscribed = models.PositiveIntegerField("отписано (бот заблокирован)", default=0)
    # Subscribers are served in id order; a delivery that stopped (worker restarted) resumes after
    # the last one done instead of sending everyone the news again.
    last_conversation_id = models.PositiveBigIntegerField("обработано до диалога №", default=0)
    finished_at = models.DateTimeField("завершена", null=True, blank=True)

    class Meta:
        verbose_name = "рассылка"
        verbose_name_plural = "рассылки"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.category}: {self.text[:40]}"
