"""Surveys and votes: anonymous by design. A response holds no personal data, only a salted hash of
a random browser token (one answer per respondent) and the optional socio-demographic block."""

import secrets
from zoneinfo import ZoneInfo

from django.db import models
from django.utils import timezone

from otklik.core.models import TimeStampedModel


def _public_key() -> str:
    return secrets.token_urlsafe(9)


def _salt() -> str:
    return secrets.token_hex(16)


class Survey(TimeStampedModel):
    """A survey or a vote run by an organization; its staff (and the staff above it) see the results."""

    class Kind(models.TextChoices):
        SATISFACTION = "satisfaction", "опрос удовлетворённости"
        POLL = "poll", "опрос мнения"
        VOTE = "vote", "голосование по проектам"

    class Status(models.TextChoices):
        DRAFT = "draft", "черновик"
        OPEN = "open", "открыт"
        CLOSED = "closed", "завершён"

    region = models.ForeignKey(
        "orgs.Region", on_delete=models.PROTECT, related_name="surveys", verbose_name="регион"
    )
    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="surveys", verbose_name="организация"
    )
    key = models.CharField("ключ ссылки", max_length=20, unique=True, default=_public_key, editable=False)
    salt = models.CharField("соль", max_length=32, default=_salt, editable=False)
    title = models.CharField("название", max_length=300)
    description = models.TextField("описание", blank=True)
    kind = models.CharField("вид", max_length=20, choices=Kind.choices, default=Kind.POLL)
    status = models.CharField("статус", max_length=10, choices=Status.choices, default=Status.DRAFT)
    opens_at = models.DateTimeField("начало", null=True, blank=True)
    closes_at = models.DateTimeField("окончание", null=True, blank=True)
    asks_profile = models.BooleanField(
        "спрашивать о респонденте",
        default=True,
        help_text="Возраст, пол, роль и территория — по желанию респондента, для разбивки результатов.",
    )
    results_public = models.BooleanField(
        "публиковать итоги после завершения",
        default=True,
        help_text="На странице завершённого опроса — доли ответов по вопросам с выбором и средние "
        "оценки; без свободных ответов и разбивок по группам.",
    )
    is_synthetic = models.BooleanField("демонстрационный", default=False)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, verbose_name="создал"
    )

    class Meta:
        verbose_name = "опрос или голосование"
        verbose_name_plural = "опросы и голосования"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organization", "kind", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(opens_at__isnull=True)
                | models.Q(closes_at__isnull=True)
                | models.Q(opens_at__lt=models.F("closes_at")),
                name="survey_opens_before_closes",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def zone(self) -> ZoneInfo:
        """The time zone of the survey's region: its dates are entered, shown and grouped in it."""
        return ZoneInfo(self.region.timezone)

    def state(self, now=None) -> str:
        """What a respondent meets: "draft", "not_yet", "open" or "closed"."""
        now = now or timezone.now()
        if self.status == self.Status.DRAFT:
            return "draft"
        if self.status == self.Status.CLOSED or (self.closes_at and now >= self.closes_at):
            return "closed"
        if self.opens_at and now < self.opens_at:
            return "not_yet"
        return "open"


class Question(TimeStampedModel):
    class Kind(models.TextChoices):
        SINGLE = "single", "один вариант"
        MULTIPLE = "multiple", "несколько вариантов"
        SCALE = "scale", "шкала 1–5"
        TEXT = "text", "свободный ответ"

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="questions", verbose_name="опрос"
    )
    position = models.PositiveSmallIntegerField("порядок", default=0)
    text = models.CharField("вопрос", max_length=500)
    kind = models.CharField("вид", max_length=10, choices=Kind.choices, default=Kind.SINGLE)
    required = models.BooleanField("обязательный", default=True)

    class Meta:
        verbose_name = "вопрос"
        verbose_name_plural = "вопросы"
        ordering = ["survey", "position", "pk"]

    def __str__(self) -> str:
        return self.text

    @property
    def has_options(self) -> bool:
        return self.kind in (self.Kind.SINGLE, self.Kind.MULTIPLE)


class Option(TimeStampedModel):
    """A choice of a question; in a vote, a project (with its description)."""

    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="options", verbose_name="вопрос"
    )
    position = models.PositiveSmallIntegerField("порядок", default=0)
    text = models.CharField("вариант", max_length=300)
    description = models.TextField("описание проекта", blank=True)

    class Meta:
        verbose_name = "вариант ответа"
        verbose_name_plural = "варианты ответа"
        ordering = ["question", "position", "pk"]

    def __str__(self) -> str:
        return self.text


class AgeGroup(models.TextChoices):
    UNDER_18 = "u18", "до 18 лет"
    A18_29 = "18_29", "18–29 лет"
    A30_44 = "30_44", "30–44 года"
    A45_59 = "45_59", "45–59 лет"
    A60 = "60", "60 лет и старше"


class Sex(models.TextChoices):
    FEMALE = "f", "женский"
    MALE = "m", "мужской"


class RespondentRole(models.TextChoices):
    PARENT = "parent", "родитель"
    STUDENT = "student", "обучающийся"
    TEACHER = "teacher", "педагог"
    OTHER = "other", "другое"


class Response(models.Model):
    """One respondent's submission. `respondent_hash` is an HMAC of a random browser token with the
    survey's salt: it repeats for the same browser and survey and cannot be traced to a person."""

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="responses", verbose_name="опрос"
    )
    respondent_hash = models.CharField("отпечаток респондента", max_length=64, editable=False)
    submitted_at = models.DateTimeField("получен", default=timezone.now, db_index=True)
    age_group = models.CharField("возраст", max_length=10, choices=AgeGroup.choices, blank=True)
    sex = models.CharField("пол", max_length=1, choices=Sex.choices, blank=True)
    role = models.CharField("кто отвечает", max_length=10, choices=RespondentRole.choices, blank=True)
    territory = models.ForeignKey(
        "orgs.Territory", on_delete=models.SET_NULL, null=True, blank=True, verbose_name="территория"
    )
    is_synthetic = models.BooleanField("демонстрационный", default=False)

    class Meta:
        verbose_name = "ответ респондента"
        verbose_name_plural = "ответы респондентов"
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "respondent_hash"], name="survey_one_response_per_respondent"
            )
        ]

    def __str__(self) -> str:
        return f"Ответ №{self.pk}"


class Answer(models.Model):
    """The answer to one question: an option (one row per chosen option), a scale value or a text."""

    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="answers", verbose_name="ответ"
    )
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="answers", verbose_name="вопрос"
    )
    option = models.ForeignKey(
        Option,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="answers",
        verbose_name="вариант",
    )
    scale = models.PositiveSmallIntegerField("оценка", null=True, blank=True)
    text = models.TextField("текст", blank=True)

    class Meta:
        verbose_name = "ответ на вопрос"
        verbose_name_plural = "ответы на вопросы"
        indexes = [models.Index(fields=["question", "option"])]

    def __str__(self) -> str:
        return str(self.option or self.scale or self.text[:50])
