from django.db import models

from otklik.core.models import TimeStampedModel
from otklik.routing.replies import validate_reply_template


class PlacedAndTopical(models.Model):
    """Where a case happened and what it is about: the territory, and the topic both as the
    classifier suggested it (with its confidence) and as staff confirmed it. Shared by appeals and
    incidents, which are routed by topic × territory alike."""

    territory = models.ForeignKey(
        "orgs.Territory",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="%(class)ss",
        verbose_name="территория",
    )
    topic_suggested = models.ForeignKey(
        "routing.Topic",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="тематика (предложена автоматически)",
    )
    topic_confidence = models.FloatField("уверенность в тематике", default=0.0)
    topic = models.ForeignKey(
        "routing.Topic",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="%(class)ss",
        verbose_name="тематика",
    )

    class Meta:
        abstract = True


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
    reply_template = models.TextField(
        "шаблон публичного ответа в соцсетях",
        blank=True,
        validators=[validate_reply_template],
        help_text="Короткий комментарий под публикацией: без номера обращения и персональных данных. "
        "Подстановки: {organization}, {topic}, {link} (где подать официальное обращение). "
        "Пустой — берётся шаблон раздела.",
    )
    position = models.PositiveIntegerField("порядок", default=0)
    is_active = models.BooleanField("действует", default=True)

    class Meta:
        verbose_name = "тематика"
        verbose_name_plural = "тематики"
        ordering = ["region", "position", "code"]
        constraints = [models.UniqueConstraint(fields=["region", "code"], name="topic_code_unique_in_region")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def reply_template_or_parent(self) -> str:
        """The topic's own public-reply template, else its section's."""
        if self.reply_template or self.parent_id is None:
            return self.reply_template
        return self.parent.reply_template

    def fill_template(self, values: dict[str, str]) -> str:
        """The answer template with {key} placeholders filled from `values`; other braces kept as typed."""
        text = self.answer_template
        for key, value in values.items():
            text = text.replace("{" + key + "}", value)
        return text


class ProductionCalendarDay(models.Model):
    """A row of the Russian production calendar: a holiday / day off, or a weekend made working.

    Shipped for the current years by a data migration from `otklik/lib/data/`; editable in the
    admin when the Government moves days off for a new year.
    """

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", "нерабочий день"
        WORKDAY = "workday", "рабочий выходной"

    date = models.DateField("дата", unique=True)
    kind = models.CharField("вид", max_length=10, choices=Kind.choices)
    note = models.CharField("основание", max_length=300, blank=True)

    class Meta:
        verbose_name = "день производственного календаря"
        verbose_name_plural = "производственный календарь"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%d.%m.%Y} — {self.get_kind_display()}"


class DeadlinePolicy(models.Model):
    """How long an appeal of a kind may take: registration, answer, extension, redirect."""

    class Unit(models.TextChoices):
        CALENDAR_DAYS = "calendar_days", "календарные дни"
        WORKING_DAYS = "working_days", "рабочие дни"
        HOURS = "hours", "часы"
        WORKING_HOURS = "working_hours", "рабочие часы (9:00–18:00 рабочих дней)"

    code = models.SlugField("код", max_length=30, unique=True)
    name = models.CharField("название", max_length=200)
    answer_amount = models.PositiveIntegerField("срок ответа")
    answer_unit = models.CharField("единица срока ответа", max_length=20, choices=Unit.choices)
    registration_working_days = models.PositiveIntegerField("срок регистрации, рабочих дней", default=3)
    redirect_days = models.PositiveIntegerField("срок переадресации, дней", default=7)
    extension_days = models.PositiveIntegerField("продление, не более дней", default=0)
    max_extensions = models.PositiveIntegerField("продлений не более", default=0)
    remind_before_hours = models.PositiveIntegerField("напоминать за, часов", default=24)
    description = models.TextField("пояснение", blank=True)

    class Meta:
        verbose_name = "правило сроков"
        verbose_name_plural = "правила сроков"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class RoutingRule(TimeStampedModel):
    """Topic × territory → who answers. Empty topic or territory means "any"; the most specific wins."""

    class Level(models.TextChoices):
        MINISTRY = "ministry", "министерство (верх дерева)"
        MUNICIPAL_BODY = "municipal_body", "орган управления образованием территории"
        ORGANIZATION = "organization", "указанная организация"

    region = models.ForeignKey(
        "orgs.Region", on_delete=models.CASCADE, related_name="routing_rules", verbose_name="регион"
    )
    topic = models.ForeignKey(
        Topic,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="rules",
        verbose_name="тематика",
        help_text="Пусто — любая тематика.",
    )
    territory = models.ForeignKey(
        "orgs.Territory",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="rules",
        verbose_name="территория",
        help_text="Пусто — любая территория.",
    )
    level = models.CharField("кому", max_length=20, choices=Level.choices)
    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="организация",
        help_text="Только для «указанная организация».",
    )
    policy = models.ForeignKey(
        DeadlinePolicy,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name="правило сроков",
        help_text="Пусто — по виду обращения.",
    )
    priority = models.PositiveSmallIntegerField(
        "очерёдность", default=100, help_text="Среди равно точных правил первым проверяется меньшее число."
    )
    is_active = models.BooleanField("действует", default=True)
    changed_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="изменил",
    )

    class Meta:
        verbose_name = "правило маршрутизации"
        verbose_name_plural = "правила маршрутизации"
        ordering = ["region", "priority", "pk"]

    def __str__(self) -> str:
        return f"{self.topic or 'любая тематика'} × {self.territory or 'любая территория'} → {self.get_level_display()}"


class RoutingRuleChange(models.Model):
    """History of routing rules: who changed what, and the rule as it was after the change."""

    rule_id_ref = models.PositiveBigIntegerField("правило")
    region = models.ForeignKey("orgs.Region", on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField("когда", auto_now_add=True)
    user = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField("действие", max_length=20)
    snapshot = models.JSONField("правило")

    class Meta:
        verbose_name = "изменение правила маршрутизации"
        verbose_name_plural = "история правил маршрутизации"
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%d.%m.%Y %H:%M} правило {self.rule_id_ref} {self.action}"


class RuleSuggestionDismissal(TimeStampedModel):
    """A coordinator turned down the suggestion «topic × territory → organization».

    It stays hidden while the hand choices behind it are no more than `appeals`; new evidence
    (more appeals of the pair chosen by hand) shows it again.
    """

    region = models.ForeignKey("orgs.Region", on_delete=models.CASCADE, related_name="+")
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="+", verbose_name="тематика")
    territory = models.ForeignKey(
        "orgs.Territory", on_delete=models.CASCADE, related_name="+", verbose_name="территория"
    )
    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, related_name="+", verbose_name="организация"
    )
    appeals = models.PositiveIntegerField("обращений на момент отклонения")
    dismissed_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "отклонённое предложение правила"
        verbose_name_plural = "отклонённые предложения правил"
        constraints = [
            models.UniqueConstraint(
                fields=["region", "topic", "territory", "organization"],
                name="rule_suggestion_dismissal_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.topic} × {self.territory} → {self.organization} (отклонено при {self.appeals})"
