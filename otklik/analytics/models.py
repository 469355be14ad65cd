from django.conf import settings
from django.db import models

from otklik.core.models import TimeStampedModel


class PainPoint(TimeStampedModel):
    """A problem of «карта болей»: one need many citizens raise, ranked, with the measure taken."""

    class Status(models.TextChoices):
        NEW = "new", "выявлена"
        IN_PROGRESS = "in_progress", "принимаются меры"
        DONE = "done", "меры приняты"
        DISMISSED = "dismissed", "не подтвердилась"

    region = models.ForeignKey(
        "orgs.Region", on_delete=models.CASCADE, related_name="+", verbose_name="регион"
    )
    key = models.CharField("ключ группы", max_length=120, db_index=True)
    title = models.CharField("проблема", max_length=300)
    topic = models.ForeignKey(
        "routing.Topic",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="тематика",
    )
    volume = models.PositiveIntegerField("обращений и вопросов за период", default=0)
    previous_volume = models.PositiveIntegerField("за предыдущий период", default=0)
    dissatisfied_share = models.FloatField("доля недовольных ответом", default=0.0)
    priority = models.FloatField("приоритет", default=0.0, db_index=True)
    examples = models.JSONField("примеры (обезличенные)", default=list, blank=True)
    status = models.CharField("статус", max_length=20, choices=Status.choices, default=Status.NEW)
    measures = models.TextField("меры", blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="ответственный",
    )
    deadline = models.DateField("срок", null=True, blank=True)
    measure_started_at = models.DateTimeField("меры начаты", null=True, blank=True)

    class Meta:
        verbose_name = "проблема («карта болей»)"
        verbose_name_plural = "карта болей"
        ordering = ["-priority"]
        constraints = [models.UniqueConstraint(fields=["region", "key"], name="painpoint_key_unique")]

    def __str__(self) -> str:
        return self.title

    @property
    def growth(self) -> float:
        return (self.volume - self.previous_volume) / self.previous_volume if self.previous_volume else 0.0
