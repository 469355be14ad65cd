import hmac
import secrets

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower

from otklik.appeals.statuses import Status
from otklik.core.models import TimeStampedModel
from otklik.lib import geo
from otklik.routing.models import PlacedAndTopical


def new_secret() -> str:
    return secrets.token_urlsafe(18)


class Channel(models.TextChoices):
    WEB = "web", "веб-форма"
    WIDGET = "widget", "виджет на сайте"
    TELEGRAM = "telegram", "Telegram-бот"
    WEBCHAT = "webchat", "веб-чат"
    API = "api", "интеграция (API)"
    HOTLINE = "hotline", "горячая линия"
    EMAIL = "email", "электронная почта"
    POST = "post", "письмо (почта)"
    VISIT = "visit", "личный приём"
    POS = "pos", "ПОС «Госуслуги. Решаем вместе»"
    INCIDENT = "incident", "Инцидент-менеджмент (соцсети)"
    IMPORT = "import", "импорт"


# Channels staff register an appeal from (the staff registration form): what reached the authority
# outside the platform — a call, a letter, a visit, an e-mail to the office's address.
STAFF_CHANNELS = (Channel.HOTLINE, Channel.POST, Channel.VISIT, Channel.EMAIL)
# Channels that can come through a widget on an organization's site (`Appeal.widget_organization`):
# the appeal form's widget and the chat's.
WIDGET_CHANNELS = (Channel.WIDGET, Channel.WEBCHAT)


class Kind(models.TextChoices):
    """The kind of an appeal under 59-ФЗ art. 4."""

    PROPOSAL = "proposal", "предложение"
    STATEMENT = "statement", "заявление"
    COMPLAINT = "complaint", "жалоба"


class AppealSequence(models.Model):
    """The next number of an appeal per region and year (locked while numbering)."""

    region = models.ForeignKey("orgs.Region", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["region", "year"], name="appeal_sequence_unique")]

    def __str__(self) -> str:
        return f"{self.region_id}/{self.year}: {self.last}"


class Appeal(PlacedAndTopical, TimeStampedModel):
    """A citizen's appeal (обращение / сообщение) on its way to an answer."""

    region = models.ForeignKey(
        "orgs.Region", on_delete=models.PROTECT, related_name="appeals", verbose_name="регион"
    )
    number = models.CharField("номер", max_length=40, unique=True)
    channel = models.CharField("канал", max_length=20, choices=Channel.choices, db_index=True)
    kind = models.CharField(
        "вид обращения (59-ФЗ, ст. 4)",
        max_length=20,
        choices=Kind.choices,
        default=Kind.STATEMENT,
        db_index=True,
    )
    policy = models.ForeignKey(
        "routing.DeadlinePolicy", on_delete=models.PROTECT, related_name="+", verbose_name="вид и сроки"
    )
    citizen = models.ForeignKey(
        "accounts.Citizen",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appeals",
        verbose_name="заявитель",
    )
    is_anonymous = models.BooleanField("анонимное", default=False, db_index=True)
    author_name = models.CharField("ФИО заявителя", max_length=300, blank=True)
    contact_email = models.EmailField("e-mail для ответа", blank=True)
    contact_phone = models.CharField("телефон", max_length=40, blank=True)
    postal_address = models.CharField("почтовый адрес", max_length=500, blank=True)
    text = models.TextField("текст обращения")
    # Where the problem is (not where to answer): the words of the citizen and, when a phone or the
    # bot shared it, a point. Either may be empty.
    place = models.CharField("место проблемы", max_length=300, blank=True)
    latitude = models.FloatField("широта", null=True, blank=True)
    longitude = models.FloatField("долгота", null=True, blank=True)
    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appeals",
        verbose_name="организация-исполнитель",
    )
    executor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appeals_executing",
        verbose_name="исполнитель",
    )
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appeals_coordinating",
        verbose_name="координатор",
    )
    status = models.CharField("статус", max_length=20, choices=Status.choices, db_index=True)
    routed_automatically = models.BooleanField("направлено автоматически", default=False)
    registered_at = models.DateTimeField("зарегистрировано", db_index=True)
    received_at = models.DateTimeField(
        "поступило",
        null=True,
        blank=True,
        help_text="Когда обращение поступило (письмо пришло, заявитель пришёл на приём): от этого момента "
        "считаются срок регистрации и срок ответа. Для обращений, поданных через платформу, совпадает "
        "с моментом регистрации.",
    )
    incoming_number = models.CharField("входящий номер письма", max_length=100, blank=True)
    incoming_date = models.DateField("дата письма", null=True, blank=True)
    due_at = models.DateTimeField("срок ответа", null=True, blank=True, db_index=True)
    moderation_due_at = models.DateTimeField(
        "срок регистрации и направления",
        null=True,
        blank=True,
        help_text="До какого момента координатор должен направить обращение исполнителю или переадресовать.",
    )
    extensions = models.PositiveSmallIntegerField("продлений", default=0)
    answered_at = models.DateTimeField("ответ дан", null=True, blank=True)
    closed_at = models.DateTimeField("закрыто", null=True, blank=True)
    answer_text = models.TextField("ответ", blank=True)
    outcome = models.CharField(
        "результат рассмотрения",
        max_length=20,
        blank=True,
        choices=[("supported", "поддержано"), ("explained", "разъяснено"), ("refused", "отказано")],
        help_text="Отмечает исполнитель при ответе (для анализа по п. 4.5: решено положительно / отказано).",
    )
    rating = models.PositiveSmallIntegerField("оценка", null=True, blank=True)
    rating_comment = models.TextField("комментарий к оценке", blank=True)
    escalation_level = models.PositiveSmallIntegerField("эскалаций", default=0)
    overdue = models.BooleanField("срок нарушен", default=False, db_index=True)
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name="повтор обращения",
    )
    widget_organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="виджет какой организации",
        help_text="Для обращений через виджет: организация, на чьём сайте он размещён (параметр org).",
    )
    external_source = models.CharField("внешняя система", max_length=40, blank=True)
    external_id = models.CharField("номер во внешней системе", max_length=100, blank=True)
    secret = models.CharField("код доступа заявителя", max_length=40, default=new_secret, editable=False)
    is_synthetic = models.BooleanField("синтетическое (демо)", default=False)
    depersonalised_at = models.DateTimeField(
        "персональные данные обезличены",
        null=True,
        blank=True,
        help_text="Когда контакты удалены, а тексты обезличены (истёк срок хранения или запрос гражданина).",
    )

    class Meta:
        verbose_name = "обращение"
        verbose_name_plural = "обращения"
        ordering = ["-registered_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "external_source", "external_id"],
                condition=~models.Q(external_id=""),
                name="appeal_external_id_unique",
            ),
        ]
        # On PostgreSQL, migration 0004 adds a covering index for the analytics dashboard
        # (region, registered_at) INCLUDE (…) and grouping statistics: see its docstring.
        indexes = [
            models.Index(fields=["status", "due_at"], name="appeal_status_due"),
            models.Index(fields=["organization", "status"], name="appeal_org_status"),
            models.Index(Lower("contact_email"), name="appeal_contact_email_lower"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def can_get_written_answer(self) -> bool:
        """59-ФЗ art. 11: no written answer without a return address."""
        return bool(self.contact_email or self.postal_address or (self.citizen_id and not self.is_anonymous))

    @property
    def reply_code(self) -> str:
        """A short code in the subject of a request for details: a reply by e-mail that carries it
        is taken as the citizen's details (`mail_intake`); the number alone is public enough to guess."""
        message = f"details:{self.number}:{self.secret}".encode()
        return hmac.new(settings.SECRET_KEY.encode(), message, "sha256").hexdigest()[:6].upper()

    @property
    def point(self) -> str:
        """The shared point as coordinates to paste into any map, or empty."""
        if self.latitude is None or self.longitude is None:
            return ""
        return geo.shown(self.latitude, self.longitude)

    @property
    def point_url(self) -> str:
        if self.latitude is None or self.longitude is None:
            return ""
        return geo.map_url(self.latitude, self.longitude)

    @property
    def start_at(self):
        """The moment the 59-ФЗ terms count from: receipt, or registration when no receipt is recorded."""
        return self.received_at or self.registered_at

    def secret_matches(self, given: str) -> bool:
        """The citizen's access code, compared in constant time; any typed text (even «²», which
        `hmac.compare_digest` refuses as a str) is just a wrong code."""
        return bool(given) and hmac.compare_digest(self.secret.encode(), given.encode())


class AppealEvent(models.Model):
    """One step in an appeal's history: the timeline for people, the deadline evidence, analytics."""

    appeal = models.ForeignKey(
        Appeal, on_delete=models.CASCADE, related_name="events", verbose_name="обращение"
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
    public = models.BooleanField("видно заявителю", default=True)
    text = models.TextField("текст", blank=True)
    data = models.JSONField("данные", default=dict, blank=True)

    class Meta:
        verbose_name = "событие обращения"
        verbose_name_plural = "история обращений"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.at:%d.%m.%Y %H:%M} {self.kind}"

    def get_label(self) -> str:
        from otklik.appeals.events import LABELS

        return LABELS.get(self.kind, self.kind)


def attachment_path(instance, filename: str) -> str:
    return f"appeals/{instance.appeal.registered_at:%Y/%m}/{instance.appeal.number}/{secrets.token_hex(6)}-{filename}"


class Attachment(models.Model):
    appeal = models.ForeignKey(
        Appeal, on_delete=models.CASCADE, related_name="attachments", verbose_name="обращение"
    )
    event = models.ForeignKey(
        AppealEvent, on_delete=models.SET_NULL, null=True, blank=True, related_name="attachments"
    )
    file = models.FileField("файл", upload_to=attachment_path, max_length=300)
    name = models.CharField("имя файла", max_length=200)
    content_type = models.CharField("тип", max_length=100)
    size = models.PositiveIntegerField("размер, байт")
    from_citizen = models.BooleanField("от заявителя", default=True)
    uploaded_at = models.DateTimeField("загружен", auto_now_add=True)

    class Meta:
        verbose_name = "вложение"
        verbose_name_plural = "вложения"

    def __str__(self) -> str:
        return self.name


class Notification(models.Model):
    """A message to a citizen or staff member, delivered by the worker (outbox)."""

    class State(models.TextChoices):
        PENDING = "pending", "ждёт отправки"
        SENT = "sent", "отправлено"
        FAILED = "failed", "не доставлено"
        SKIPPED = "skipped", "некуда отправить"

    appeal = models.ForeignKey(
        Appeal, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    channel = models.CharField("канал", max_length=20)
    recipient = models.CharField("получатель", max_length=254)
    subject = models.CharField("тема", max_length=200, blank=True)
    text = models.TextField("текст")
    state = models.CharField(
        "состояние", max_length=10, choices=State.choices, default=State.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField("попыток", default=0)
    error = models.CharField("ошибка", max_length=500, blank=True)
    created_at = models.DateTimeField("создано", auto_now_add=True)
    sent_at = models.DateTimeField("отправлено", null=True, blank=True)

    class Meta:
        verbose_name = "уведомление"
        verbose_name_plural = "уведомления"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.channel} → {self.recipient}: {self.get_state_display()}"


class ApiToken(TimeStampedModel):
    """A token for integrations (REST API), bound to an organization and its subtree."""

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, related_name="api_tokens", verbose_name="организация"
    )
    name = models.CharField("название", max_length=200)
    key_hash = models.CharField("хеш ключа", max_length=64, unique=True)
    prefix = models.CharField("начало ключа", max_length=8)
    is_active = models.BooleanField("действует", default=True)
    last_used_at = models.DateTimeField("последнее использование", null=True, blank=True)

    class Meta:
        verbose_name = "токен API"
        verbose_name_plural = "токены API"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class MailboxState(models.Model):
    """How far the appeals mailbox has been read (`appeals.mail_intake`): the last IMAP UID handled
    in a folder, valid while the folder's UIDVALIDITY stays the same. Read state (\\Seen) is not
    used: a person may open a letter in the mailbox before the platform reads it."""

    mailbox = models.CharField("ящик и папка", max_length=300, unique=True)
    uidvalidity = models.BigIntegerField("UIDVALIDITY", default=0)
    last_uid = models.BigIntegerField("последний прочитанный UID", default=0)
    since = models.DateField("письма с даты")
    updated_at = models.DateTimeField("обновлено", auto_now=True)

    class Meta:
        verbose_name = "почтовый ящик обращений"
        verbose_name_plural = "почтовые ящики обращений"

    def __str__(self) -> str:
        return f"{self.mailbox}: UID {self.last_uid}"
