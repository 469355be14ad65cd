"""Госпаблики: scheduled posts to the official VK communities of organizations, post templates and
distribution tasks («распространение информационного повода») for subordinate organizations."""

import secrets

from django.conf import settings
from django.db import models

from otklik.core.models import TimeStampedModel


class PostTemplate(TimeStampedModel):
    """A reusable post text with placeholders filled per community at publication."""

    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.CASCADE,
        related_name="post_templates",
        verbose_name="организация",
    )
    name = models.CharField("название", max_length=200)
    text = models.TextField("текст")

    class Meta:
        verbose_name = "шаблон поста"
        verbose_name_plural = "шаблоны постов"
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


def picture_path(instance, filename: str) -> str:
    """Files of госпаблики under MEDIA_ROOT with an unguessable name, served only through staff views."""
    return f"publics/{secrets.token_hex(8)}-{filename}"


class PictureTemplate(TimeStampedModel):
    """«Создание картинок»: a background (a colour or an uploaded image) and a headline with the post
    placeholders, drawn into a 1200×630 PNG per community at publication."""

    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.CASCADE,
        related_name="picture_templates",
        verbose_name="организация",
    )
    name = models.CharField("название", max_length=200)
    headline = models.TextField("заголовок")
    background_color = models.CharField("цвет фона", max_length=7, default="#1f4e79")
    text_color = models.CharField("цвет текста", max_length=7, default="#ffffff")
    background = models.FileField("фоновое изображение", upload_to=picture_path, max_length=300, blank=True)

    class Meta:
        verbose_name = "шаблон картинки"
        verbose_name_plural = "шаблоны картинок"
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class Post(TimeStampedModel):
    """A post to one or more official communities at `publish_at`; each community is a `PostTarget`."""

    region = models.ForeignKey(
        "orgs.Region", on_delete=models.CASCADE, related_name="+", verbose_name="регион"
    )
    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="posts", verbose_name="организация"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="автор"
    )
    text = models.TextField("текст")
    link = models.URLField("ссылка", max_length=500, blank=True)
    publish_at = models.DateTimeField("время публикации", db_index=True)
    cancelled_at = models.DateTimeField("отменён", null=True, blank=True)
    # The picture: an uploaded image, or one drawn per community from a picture template (never both).
    image = models.FileField("изображение", upload_to=picture_path, max_length=300, blank=True)
    image_type = models.CharField("тип изображения", max_length=20, blank=True)
    picture = models.ForeignKey(
        PictureTemplate,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="posts",
        verbose_name="шаблон картинки",
    )

    class Meta:
        verbose_name = "пост в госпаблики"
        verbose_name_plural = "посты в госпаблики"
        ordering = ["-publish_at", "-pk"]

    def __str__(self) -> str:
        return f"Пост №{self.pk}"


class PostTarget(TimeStampedModel):
    """One community a post goes to: scheduled until the worker publishes it (or VK refuses)."""

    class State(models.TextChoices):
        SCHEDULED = "scheduled", "запланирован"
        PUBLISHED = "published", "опубликован"
        FAILED = "failed", "ошибка"
        CANCELLED = "cancelled", "отменён"

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="targets", verbose_name="пост")
    community = models.ForeignKey(
        "incidents.VkCommunity",
        on_delete=models.PROTECT,
        related_name="post_targets",
        verbose_name="сообщество",
    )
    state = models.CharField("состояние", max_length=10, choices=State.choices, default=State.SCHEDULED)
    attempts = models.PositiveSmallIntegerField("попыток", default=0)
    url = models.URLField("ссылка на запись", max_length=500, blank=True)
    error_code = models.IntegerField("код ошибки", null=True, blank=True)
    error = models.TextField("ошибка", blank=True)
    published_at = models.DateTimeField("опубликован", null=True, blank=True)

    class Meta:
        verbose_name = "публикация поста"
        verbose_name_plural = "публикации постов"
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["post", "community"], name="post_target_unique")]

    def __str__(self) -> str:
        return f"{self.post} → {self.community}: {self.get_state_display()}"


class Assignment(TimeStampedModel):
    """A task for subordinate organizations to spread a piece of news in their communities."""

    region = models.ForeignKey(
        "orgs.Region", on_delete=models.CASCADE, related_name="+", verbose_name="регион"
    )
    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="assignments_given",
        verbose_name="поставила",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="автор"
    )
    title = models.CharField("повод", max_length=200)
    text = models.TextField("текст для публикации", blank=True)
    link = models.URLField("ссылка для репоста", max_length=500, blank=True)
    due_at = models.DateTimeField("срок", db_index=True)
    # Drawn for each organization's own community when it publishes through Otklik.
    picture = models.ForeignKey(
        PictureTemplate,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assignments",
        verbose_name="шаблон картинки",
    )

    class Meta:
        verbose_name = "задача на распространение"
        verbose_name_plural = "задачи на распространение"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class AssignmentTarget(TimeStampedModel):
    """One organization asked to spread the news: done with the URL of the post that did it."""

    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="targets", verbose_name="задача"
    )
    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, related_name="assignments", verbose_name="организация"
    )
    done_at = models.DateTimeField("выполнено", null=True, blank=True)
    done_url = models.URLField("ссылка на публикацию", max_length=500, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    post = models.ForeignKey(
        Post, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="пост Отклика"
    )

    class Meta:
        verbose_name = "исполнитель задачи на распространение"
        verbose_name_plural = "исполнители задач на распространение"
        ordering = ["organization__path"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "organization"], name="assignment_target_unique")
        ]

    def __str__(self) -> str:
        return f"{self.assignment} → {self.organization}"


EVENT_LABELS = {
    "scheduled": "пост запланирован",
    "rescheduled": "время публикации изменено",
    "cancelled": "публикация отменена",
    "retried": "опубликовать снова",
    "published": "опубликован во ВКонтакте",
    "failed": "ВКонтакте не принял пост",
    "created": "задача поставлена",
    "term_changed": "срок изменён",
    "publish_requested": "публикация через Отклик",
    "done": "выполнено",
}


class PublicsEvent(models.Model):
    """One step in the history of a post or a distribution task (who scheduled, moved, cancelled,
    published, marked done)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, null=True, blank=True, related_name="events")
    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    kind = models.CharField("событие", max_length=40, db_index=True)
    at = models.DateTimeField("когда", auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    text = models.TextField("текст", blank=True)

    class Meta:
        verbose_name = "событие госпабликов"
        verbose_name_plural = "история госпабликов"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.at:%d.%m.%Y %H:%M} {self.kind}"

    @property
    def label(self) -> str:
        return EVENT_LABELS.get(self.kind, self.kind)
