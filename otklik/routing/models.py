from django.db import models

from otklik.core.models import TimeStampedModel


class Topic(TimeStampedModel):
    """A node of the region's topic classifier (a ПОС-style «классификатор тематик»)."""

    region = models.ForeignKey(
        "orgs.Region", on_delete=models.CASCADE, related_name="topics", verbose_name="регион"
    )
    code = models.CharField("код", max_length=40)
    name = models.CharField("название", max_length=300)
    description = models.TextField("описание", blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        verbose_name="раздел",
    )
    urgent = models.BooleanField("срочная (фаст-трек 24 часа)", default=False)
    consultative = models.BooleanField("консультативная (отвечает база знаний)", default=False)
    keywords = models.JSONField("ключевые слова", default=list, blank=True)
    answer_template = models.TextField("шаблон ответа", blank=True)
    position = models.PositiveIntegerField("порядок", default=0)
    is_active = models.BooleanField("действует", default=True)

    class Meta:
        verbose_name = "тематика"
        verbose_name_plural = "тематики"
        ordering = ["region", "position", "code"]
        constraints = [models.UniqueConstraint(fields=["region", "code"], name="topic_code_unique_in_region")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
