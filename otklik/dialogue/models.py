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
