from django.db import models


class TimeStampedModel(models.Model):
    """Base for every domain model: when the row was created and last changed."""

    created_at = models.DateTimeField("создано", auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField("изменено", auto_now=True)

    class Meta:
        abstract = True


class Heartbeat(models.Model):
    """Last sign of life of a long-running process (the task worker, the bot)."""

    name = models.CharField("процесс", max_length=50, primary_key=True)
    beat_at = models.DateTimeField("последний сигнал")
    detail = models.CharField("подробности", max_length=200, blank=True)

    class Meta:
        verbose_name = "сигнал процесса"
        verbose_name_plural = "сигналы процессов"

    def __str__(self) -> str:
        return f"{self.name} @ {self.beat_at:%Y-%m-%d %H:%M:%S}"
