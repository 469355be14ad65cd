from django.conf import settings
from django.db import models

from otklik.core.models import TimeStampedModel


class Category(TimeStampedModel):
    """A knowledge-base category; the tree becomes the bot's buttons."""

    region = models.ForeignKey(
        "orgs.Region", on_delete=models.CASCADE, related_name="kb_categories", verbose_name="регион"
    )
    slug = models.SlugField("код", max_length=80)
    title = models.CharField("название", max_length=120)
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        verbose_name="раздел",
    )
    position = models.PositiveIntegerField("порядок", default=0)
    is_active = models.BooleanField("показывать", default=True)

    class Meta:
        verbose_name = "категория базы знаний"
        verbose_name_plural = "категории базы знаний"
        ordering = ["position", "title"]
        constraints = [models.UniqueConstraint(fields=["region", "slug"], name="kb_category_slug_unique")]

    def __str__(self) -> str:
        return self.title


class Article(TimeStampedModel):
    """A ready answer to one consultative question."""

    class Status(models.TextChoices):
        DRAFT = "draft", "черновик"
        PUBLISHED = "published", "опубликована"
        ARCHIVED = "archived", "в архиве"

    region = models.ForeignKey(
        "orgs.Region", on_delete=models.CASCADE, related_name="kb_articles", verbose_name="регион"
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="articles", verbose_name="категория"
    )
    slug = models.SlugField("код", max_length=120)
    question = models.CharField("вопрос", max_length=500)
    answer = models.TextField("ответ (Markdown)")
    legal_basis = models.TextField("правовое основание", blank=True)
    scope_organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="kb_articles",
        verbose_name="действует для организации",
        help_text="Пусто — для всего региона.",
    )
    valid_from = models.DateField("действует с", null=True, blank=True)
    valid_to = models.DateField("действует по", null=True, blank=True)
    review_at = models.DateField("пересмотреть до", null=True, blank=True, db_index=True)
    status = models.CharField(
        "статус", max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="kb_articles",
        verbose_name="автор",
    )
    published_at = models.DateTimeField("опубликована", null=True, blank=True)
    views = models.PositiveIntegerField("показов", default=0)

    class Meta:
        verbose_name = "статья"
        verbose_name_plural = "статьи"
        ordering = ["category__position", "question"]
        constraints = [models.UniqueConstraint(fields=["region", "slug"], name="kb_article_slug_unique")]

    def __str__(self) -> str:
        return self.question


class ArticleRevision(models.Model):
    """A snapshot of an article after each edit: the history editors read."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="revisions", verbose_name="статья"
    )
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name="редактор"
    )
    created_at = models.DateTimeField("когда", auto_now_add=True)
    note = models.CharField("что сделано", max_length=200)
    snapshot = models.JSONField("содержимое")

    class Meta:
        verbose_name = "версия статьи"
        verbose_name_plural = "версии статей"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.created_at:%d.%m.%Y %H:%M} {self.note}"


class Paraphrase(TimeStampedModel):
    """Another way people ask an article's question («синонимичное выражение»)."""

    class Source(models.TextChoices):
        EDITOR = "editor", "добавлено редактором"
        QUERY_LOG = "query_log", "из журнала вопросов"
        IMPORT = "import", "импорт"

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="paraphrases", verbose_name="статья"
    )
    text = models.CharField("формулировка", max_length=500)
    source = models.CharField("источник", max_length=20, choices=Source.choices, default=Source.EDITOR)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name="кто добавил"
    )

    class Meta:
        verbose_name = "синонимичное выражение"
        verbose_name_plural = "синонимичные выражения"
        constraints = [models.UniqueConstraint(fields=["article", "text"], name="kb_paraphrase_unique")]

    def __str__(self) -> str:
        return self.text


class QueryCluster(TimeStampedModel):
    """Unanswered or unhelpful questions that express one need, for the editors' queue."""

    class Status(models.TextChoices):
        OPEN = "open", "ожидает"
        RESOLVED = "resolved", "закрыт"
        DISMISSED = "dismissed", "отклонён"

    region = models.ForeignKey(
        "orgs.Region", on_delete=models.CASCADE, related_name="kb_clusters", verbose_name="регион"
    )
    label = models.CharField("типичный вопрос", max_length=500)
    size = models.PositiveIntegerField("вопросов", default=0, db_index=True)
    suggestions = models.PositiveIntegerField("предложений граждан", default=0)
    status = models.CharField(
        "статус", max_length=20, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    resolved_article = models.ForeignKey(
        Article,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="закрыт статьёй",
    )
    last_seen_at = models.DateTimeField("последний вопрос", null=True, blank=True)

    class Meta:
        verbose_name = "группа вопросов"
        verbose_name_plural = "очередь редактора"
        ordering = ["-size"]

    def __str__(self) -> str:
        return self.label


# The channel of questions typed on the public «Вопросы и ответы» pages (`kb/faq_views.py`).
FAQ_CHANNEL = "faq_web"


class Query(models.Model):
    """One question from any channel and what the engine did with it.

    Personal data stays out: `text` is stored with e-mails, phone numbers and similar masked, and
    the asker is only the channel's id.
    """

    class Decision(models.TextChoices):
        ANSWERED = "answered", "ответ дан"
        CHOICES = "choices", "предложены варианты"
        ABSTAINED = "abstained", "ответа нет"

    class Feedback(models.TextChoices):
        HELPED = "helped", "помогло"
        NOT_HELPED = "not_helped", "не помогло"

    region = models.ForeignKey(
        "orgs.Region", on_delete=models.CASCADE, related_name="kb_queries", verbose_name="регион"
    )
    created_at = models.DateTimeField("когда", db_index=True)
    channel = models.CharField("канал", max_length=20, db_index=True)
    channel_user = models.CharField("идентификатор в канале", max_length=100, blank=True)
    text = models.CharField("вопрос", max_length=1000)
    normalized = models.CharField("нормализованный текст", max_length=1000, blank=True)
    candidates = models.JSONField("кандидаты и оценки", default=list)
    decision = models.CharField("решение", max_length=20, choices=Decision.choices, db_index=True)
    confidence = models.FloatField("уверенность", default=0.0)
    article = models.ForeignKey(
        Article,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="queries",
        verbose_name="показанная статья",
    )
    feedback = models.CharField(
        "оценка гражданина", max_length=20, choices=Feedback.choices, blank=True, db_index=True
    )
    became_appeal = models.BooleanField("стал обращением", default=False, db_index=True)
    cluster = models.ForeignKey(
        QueryCluster,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="queries",
        verbose_name="группа",
    )
    gold_article = models.ForeignKey(
        Article,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="верная статья (разметка)",
    )
    is_synthetic = models.BooleanField("синтетический (демо)", default=False)

    class Meta:
        verbose_name = "вопрос"
        verbose_name_plural = "журнал вопросов"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["region", "created_at"], name="kb_query_region_time")]

    def __str__(self) -> str:
        return self.text[:80]


class Suggestion(TimeStampedModel):
    """A citizen's proposal of a question for the knowledge base («предложить вопрос»)."""

    class Status(models.TextChoices):
        NEW = "new", "новое"
        ACCEPTED = "accepted", "учтено"
        REJECTED = "rejected", "отклонено"

    region = models.ForeignKey(
        "orgs.Region", on_delete=models.CASCADE, related_name="kb_suggestions", verbose_name="регион"
    )
    text = models.CharField("предложение", max_length=2000)
    fingerprint = models.CharField("отпечаток текста", max_length=64, db_index=True, editable=False)
    channel = models.CharField("канал", max_length=20)
    channel_user = models.CharField("идентификатор в канале", max_length=100, blank=True)
    status = models.CharField(
        "статус", max_length=20, choices=Status.choices, default=Status.NEW, db_index=True
    )
    cluster = models.ForeignKey(
        QueryCluster,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="suggestion_rows",
        verbose_name="группа",
    )

    class Meta:
        verbose_name = "предложение вопроса"
        verbose_name_plural = "предложения вопросов"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.text[:80]


class KnowledgeBaseVersion(models.Model):
    """Bumped on every change of published content, so every process refreshes its index."""

    region = models.OneToOneField("orgs.Region", on_delete=models.CASCADE, primary_key=True, related_name="+")
    version = models.PositiveBigIntegerField(default=0)
    changed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"версия {self.version}"
