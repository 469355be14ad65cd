from django.conf import settings
from django.db import models

from otklik.core.models import TimeStampedModel
from otklik.incidents.statuses import Status
from otklik.routing.models import PlacedAndTopical


class Network(models.TextChoices):
    VK = "vk", "ВКонтакте"
    TELEGRAM = "telegram", "Telegram-канал"
    OK = "ok", "Одноклассники"
    OTHER = "other", "другая сеть"


class Source(models.TextChoices):
    FORM = "form", "зарегистрирован оператором"
    IMPORT = "import", "импорт выгрузки мониторинга"
    API = "api", "интеграция (API)"
    MONITORING = "monitoring", "мониторинг"


class Incident(PlacedAndTopical, TimeStampedModel):
    """A public post or comment in a social network that needs a reaction of an education body.

    Only what was published is kept: the author's public nickname, never other personal data.
    """

    region = models.ForeignKey(
        "orgs.Region", on_delete=models.PROTECT, related_name="incidents", verbose_name="регион"
    )
    network = models.CharField("социальная сеть", max_length=20, choices=Network.choices, db_index=True)
    url = models.URLField("ссылка на публикацию", max_length=500, unique=True)
    author_nickname = models.CharField("автор (публичный ник)", max_length=200, blank=True)
    text = models.TextField("текст публикации")
    published_at = models.DateTimeField("опубликовано", null=True, blank=True)
    found_at = models.DateTimeField("найдено мониторингом", db_index=True)
    source = models.CharField("как поступил", max_length=10, choices=Source.choices, default=Source.FORM)
    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents",
        verbose_name="ответственная организация",
    )
    executor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="incidents_executing",
        verbose_name="сотрудник",
    )
    status = models.CharField("статус", max_length=20, choices=Status.choices, db_index=True)
    urgent = models.BooleanField("срочный", default=False)
    policy = models.ForeignKey(
        "routing.DeadlinePolicy", on_delete=models.PROTECT, related_name="+", verbose_name="срок реакции"
    )
    due_at = models.DateTimeField("срок реакции до", null=True, blank=True, db_index=True)
    overdue = models.BooleanField("срок нарушен", default=False, db_index=True)
    answered_at = models.DateTimeField("ответ опубликован", null=True, blank=True)
    closed_at = models.DateTimeField("закрыт", null=True, blank=True)
    reply_text = models.TextField("текст публичного ответа", blank=True)
    reply_url = models.URLField("ссылка на ответ", max_length=500, blank=True)
    no_reaction_reason = models.TextField("почему не требует реакции", blank=True)
    mentions = models.PositiveIntegerField(
        "сколько раз найден", default=1, help_text="Повторная регистрация той же ссылки увеличивает счётчик."
    )
    appeal = models.ForeignKey(
        "appeals.Appeal",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="incidents",
        verbose_name="оформлено как обращение",
    )
    is_synthetic = models.BooleanField("синтетический (демо)", default=False)
    depersonalised_at = models.DateTimeField(
        "персональные данные обезличены",
        null=True,
        blank=True,
        help_text="Когда ник и ссылка на публикацию удалены, а тексты обезличены по истечении срока хранения.",
    )
    vk_source = models.ForeignKey(
        "incidents.VkSource",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="incidents",
        verbose_name="найден в источнике мониторинга",
    )

    class Meta:
        verbose_name = "инцидент в соцсетях"
        verbose_name_plural = "инциденты в соцсетях"
        ordering = ["-found_at"]
        indexes = [
            models.Index(fields=["status", "due_at"], name="incident_status_due"),
            models.Index(fields=["organization", "status"], name="incident_org_status"),
        ]

    def __str__(self) -> str:
        return f"Инцидент №{self.pk} ({self.get_network_display()})"


class IncidentExternalId(models.Model):
    """An id a monitoring system gave to one sighting of a post. Re-sending the same id is a retry of
    that sighting (the same incident, not a new mention); another id for the same post is a new one."""

    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="external_ids", verbose_name="инцидент"
    )
    source = models.CharField("внешняя система", max_length=40)
    external_id = models.CharField("номер во внешней системе", max_length=100)
    at = models.DateTimeField("получен", auto_now_add=True)

    class Meta:
        verbose_name = "номер инцидента во внешней системе"
        verbose_name_plural = "номера инцидентов во внешних системах"
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="incident_external_id_unique")
        ]

    def __str__(self) -> str:
        return f"{self.source}: {self.external_id}"


class IncidentEvent(models.Model):
    """One step in an incident's history: the timeline, the deadline evidence, analytics."""

    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="events", verbose_name="инцидент"
    )
    kind = models.CharField("событие", max_length=40, db_index=True)
    at = models.DateTimeField("когда", db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="кто",
    )
    actor_label = models.CharField("кто (подпись)", max_length=200, blank=True)
    text = models.TextField("текст", blank=True)
    data = models.JSONField("данные", default=dict, blank=True)

    class Meta:
        verbose_name = "событие инцидента"
        verbose_name_plural = "история инцидентов"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.at:%d.%m.%Y %H:%M} {self.kind}"

    def get_label(self) -> str:
        from otklik.incidents.events import LABELS

        return LABELS.get(self.kind, self.kind)


class VkCommunity(TimeStampedModel):
    """A VK community Otklik publishes through, with its access token.

    The region's row without an organization answers incidents (public replies in VK); a row with an
    organization is that organization's official community («госпаблик», `otklik/publics/`), which
    scheduled posts and distribution tasks publish to. The access token is a secret: entered in the
    admin or the staff screen, never shown back (only its last characters); a community without one
    is listed with «нет ключа доступа» and nothing is sent to it."""

    region = models.ForeignKey(
        "orgs.Region", on_delete=models.CASCADE, related_name="vk_communities", verbose_name="регион"
    )
    organization = models.OneToOneField(
        "orgs.Organization",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="vk_community",
        verbose_name="организация (госпаблик)",
        help_text="Пусто: сообщество региона, которое отвечает на инциденты.",
    )
    name = models.CharField("название сообщества", max_length=200, blank=True)
    group_id = models.PositiveBigIntegerField(
        "номер сообщества", help_text="Число из адреса vk.com/club<номер>, без минуса."
    )
    access_token = models.CharField("ключ доступа сообщества", max_length=512, blank=True)
    is_active = models.BooleanField("публиковать", default=True)

    class Meta:
        verbose_name = "сообщество ВКонтакте"
        verbose_name_plural = "сообщества ВКонтакте"
        constraints = [
            models.UniqueConstraint(
                fields=["region"],
                condition=models.Q(organization__isnull=True),
                name="vk_community_one_replying_per_region",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name or f'vk.com/club{self.group_id}'} ({self.organization or self.region})"

    @property
    def url(self) -> str:
        return f"https://vk.com/club{self.group_id}"

    @property
    def token_hint(self) -> str:
        """What may be shown of the token: its last four characters."""
        if not self.access_token:
            return "нет ключа доступа"
        return f"…{self.access_token[-4:]}" if len(self.access_token) >= 12 else "задан"


class ReplyPublication(TimeStampedModel):
    """One request to publish an incident's public reply through a network's API, delivered and
    retried by the worker. The card shows the latest; a retry after a refusal is a new row."""

    class State(models.TextChoices):
        PENDING = "pending", "ожидает публикации"
        PUBLISHED = "published", "опубликован"
        FAILED = "failed", "ошибка"
        CANCELLED = "cancelled", "отменена: ссылка указана вручную"

    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="publications", verbose_name="инцидент"
    )
    network = models.CharField("социальная сеть", max_length=20, choices=Network.choices, default=Network.VK)
    state = models.CharField("состояние", max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField("попыток", default=0)
    comment_id = models.PositiveBigIntegerField("номер комментария", null=True, blank=True)
    error_code = models.IntegerField("код ошибки", null=True, blank=True)
    error = models.TextField("ошибка", blank=True)
    published_at = models.DateTimeField("опубликован", null=True, blank=True)

    class Meta:
        verbose_name = "публикация ответа"
        verbose_name_plural = "публикации ответов"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Ответ на инцидент №{self.incident_id}: {self.get_state_display()}"

    @property
    def comment_url(self) -> str:
        from otklik.lib.vk import parse_wall_url

        post = parse_wall_url(self.incident.url)
        return post.comment_url(self.comment_id) if post and self.comment_id else ""


class VkSource(TimeStampedModel):
    """A VK community or page whose wall the collector reads for posts (and, if asked, comments)
    about the region's education. Staff give its address; the rest is the collector's state."""

    region = models.ForeignKey(
        "orgs.Region", on_delete=models.CASCADE, related_name="vk_sources", verbose_name="регион"
    )
    name = models.CharField("название", max_length=200)
    screen_name = models.CharField(
        "адрес", max_length=100, help_text="Короткое имя из адреса vk.com/<имя>, club<номер> или id<номер>."
    )
    territory = models.ForeignKey(
        "orgs.Territory",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="территория",
        help_text="О какой территории пишет источник; пусто — определять по тексту.",
    )
    is_active = models.BooleanField("опрашивать", default=True)
    read_comments = models.BooleanField("читать комментарии", default=False)
    # --- the collector's state
    owner_id = models.BigIntegerField("номер стены", null=True, blank=True)
    last_post_id = models.PositiveBigIntegerField("последняя прочитанная запись", default=0)
    state = models.JSONField("состояние сборщика", default=dict, blank=True)
    next_poll_at = models.DateTimeField("следующий опрос", null=True, blank=True)
    last_polled_at = models.DateTimeField("последний опрос", null=True, blank=True)
    last_read = models.PositiveIntegerField("прочитано за последний опрос", default=0)
    total_read = models.PositiveBigIntegerField("прочитано всего", default=0)
    failures = models.PositiveSmallIntegerField("ошибок подряд", default=0)
    last_error = models.TextField("последняя ошибка", blank=True)
    last_error_at = models.DateTimeField("когда", null=True, blank=True)
    blocked_reason = models.TextField(
        "опрос остановлен", blank=True, help_text="Постоянная ошибка ВКонтакте: источник не опрашивается."
    )
    blocked_code = models.IntegerField("код ошибки", null=True, blank=True)

    class Meta:
        verbose_name = "источник мониторинга ВКонтакте"
        verbose_name_plural = "источники мониторинга ВКонтакте"
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["region", "screen_name"], name="vk_source_unique_per_region")
        ]

    def __str__(self) -> str:
        return f"{self.name} (vk.com/{self.screen_name})"

    @property
    def url(self) -> str:
        return f"https://vk.com/{self.screen_name}"


class MonitoringKeywords(TimeStampedModel):
    """The region's words and phrases that make a post relevant, and how the topic classifier joins
    them. A region without a row uses `otklik.nlp.relevance.DEFAULT_KEYWORDS` and keywords only."""

    class Rule(models.TextChoices):
        KEYWORDS = "keywords", "есть ключевое слово"
        EITHER = "either", "есть ключевое слово или классификатор уверен в тематике"
        BOTH = "both", "есть ключевое слово и классификатор уверен в тематике"

    region = models.OneToOneField(
        "orgs.Region", on_delete=models.CASCADE, related_name="monitoring_keywords", verbose_name="регион"
    )
    phrases = models.JSONField("слова и фразы", default=list)
    rule = models.CharField(
        "публикация подходит, если", max_length=10, choices=Rule.choices, default=Rule.KEYWORDS
    )
    threshold = models.FloatField("уверенность классификатора не ниже", default=0.5)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="изменил",
    )

    class Meta:
        verbose_name = "ключевые слова мониторинга"
        verbose_name_plural = "ключевые слова мониторинга"

    def __str__(self) -> str:
        return f"Ключевые слова мониторинга ({self.region})"
