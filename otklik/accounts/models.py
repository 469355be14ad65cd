from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower

from otklik.accounts.roles import Role
from otklik.core.models import TimeStampedModel


class User(AbstractUser):
    """A member of staff. Citizens are not users: they are `Citizen` rows with channel identities."""

    patronymic = models.CharField("отчество", max_length=150, blank=True)
    phone = models.CharField("телефон", max_length=40, blank=True)
    position = models.CharField("должность", max_length=200, blank=True)
    weekly_report = models.BooleanField(
        "получать еженедельный отчёт",
        default=True,
        help_text="Отчёт приходит по понедельникам аналитикам, координаторам и администраторам, "
        "которые не отписались.",
    )

    class Meta:
        verbose_name = "сотрудник"
        verbose_name_plural = "сотрудники"

    def __str__(self) -> str:
        full = " ".join(p for p in [self.last_name, self.first_name, self.patronymic] if p)
        return full or self.username


class Membership(TimeStampedModel):
    """A staff role held in one organization (and so over its whole subtree)."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name="сотрудник"
    )
    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, related_name="memberships", verbose_name="организация"
    )
    role = models.CharField("роль", max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = "роль сотрудника"
        verbose_name_plural = "роли сотрудников"
        constraints = [
            models.UniqueConstraint(fields=["user", "organization", "role"], name="membership_unique_role"),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_role_display()} — {self.organization}"


class Citizen(TimeStampedModel):
    """A person who asks or appeals, known through one or more channel identities, or anonymous."""

    display_name = models.CharField("как обращаться", max_length=200, blank=True)
    last_name = models.CharField("фамилия", max_length=150, blank=True)
    first_name = models.CharField("имя", max_length=150, blank=True)
    patronymic = models.CharField("отчество", max_length=150, blank=True)
    is_anonymous = models.BooleanField("анонимный", default=False)
    territory = models.ForeignKey(
        "orgs.Territory", on_delete=models.SET_NULL, null=True, blank=True, verbose_name="территория"
    )

    class Meta:
        verbose_name = "заявитель"
        verbose_name_plural = "заявители"

    def __str__(self) -> str:
        if self.is_anonymous:
            return f"Анонимный заявитель №{self.pk}"
        full = " ".join(p for p in [self.last_name, self.first_name, self.patronymic] if p)
        return full or self.display_name or f"Заявитель №{self.pk}"


class CitizenIdentity(TimeStampedModel):
    """How a citizen is reached on a channel: a Telegram id, an e-mail, a phone number."""

    class Channel(models.TextChoices):
        TELEGRAM = "telegram", "Telegram"
        EMAIL = "email", "электронная почта"
        PHONE = "phone", "телефон"
        WEB = "web", "веб-чат"
        MAX = "max", "MAX"
        VK = "vk", "ВКонтакте"

    citizen = models.ForeignKey(
        Citizen, on_delete=models.CASCADE, related_name="identities", verbose_name="заявитель"
    )
    channel = models.CharField("канал", max_length=20, choices=Channel.choices)
    value = models.CharField("идентификатор", max_length=254)
    verified = models.BooleanField("подтверждён", default=False)

    class Meta:
        verbose_name = "контакт заявителя"
        verbose_name_plural = "контакты заявителей"
        constraints = [
            models.UniqueConstraint(fields=["channel", "value"], name="identity_unique_per_channel")
        ]
        indexes = [models.Index(Lower("value"), name="identity_value_lower")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()}: {self.value}"


class StaffEvent(models.Model):
    """One change to a staff member's account or roles: who did it, when and what (the history on
    the person's page on the «Сотрудники» screen)."""

    person = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="staff_events", verbose_name="сотрудник"
    )
    kind = models.CharField("событие", max_length=40, db_index=True)
    at = models.DateTimeField("когда", db_index=True)
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="кто"
    )
    # Kept as written at the time: the actor's account may be renamed or deleted later.
    actor_label = models.CharField("кто (подпись)", max_length=200, blank=True)
    text = models.TextField("что", blank=True)
    data = models.JSONField("данные", default=dict, blank=True)

    class Meta:
        verbose_name = "изменение учётной записи"
        verbose_name_plural = "история учётных записей"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.at:%d.%m.%Y %H:%M} {self.kind}"

    def get_label(self) -> str:
        from otklik.accounts.events import LABELS

        return LABELS.get(self.kind, self.kind)
