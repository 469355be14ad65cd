"""Every write to the knowledge base: articles, paraphrases, the query log, the editors' queue."""

import hashlib
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.text import slugify

from otklik.kb.engine import registry
from otklik.kb.models import (
    FAQ_CHANNEL,
    Article,
    ArticleRevision,
    Category,
    KnowledgeBaseVersion,
    Paraphrase,
    Query,
    QueryCluster,
    Suggestion,
)
from otklik.kb.selectors import faq_articles
from otklik.nlp.cluster import cluster_representative, cluster_texts
from otklik.nlp.pii import mask_personal_data
from otklik.orgs.models import Region

MAX_QUESTION = 500
DRAFT_ANSWER = "Черновик: впишите ответ."
MAX_QUERY = 1000
MAX_SUGGESTION = 2000
EDITABLE_FIELDS = (
    "category",
    "question",
    "answer",
    "legal_basis",
    "scope_organization",
    "valid_from",
    "valid_to",
    "review_at",
    "slug",
)


def _bump_version(region: Region) -> None:
    version, _ = KnowledgeBaseVersion.objects.get_or_create(region=region)
    KnowledgeBaseVersion.objects.filter(pk=version.pk).update(
        version=F("version") + 1, changed_at=timezone.now()
    )
    from otklik.kb.tasks import warm_soon

    warm_soon(region.pk)


def _snapshot(article: Article) -> dict:
    return {
        "slug": article.slug,
        "category": article.category.slug,
        "question": article.question,
        "answer": article.answer,
        "legal_basis": article.legal_basis,
        "status": article.status,
        "scope_organization": article.scope_organization.code if article.scope_organization else None,
        "valid_from": article.valid_from.isoformat() if article.valid_from else None,
        "valid_to": article.valid_to.isoformat() if article.valid_to else None,
        "review_at": article.review_at.isoformat() if article.review_at else None,
        "paraphrases": sorted(article.paraphrases.values_list("text", flat=True)),
    }


def _revision(article: Article, editor, note: str) -> None:
    """Record the article as it now is, and mark it changed so every engine index picks it up."""
    ArticleRevision.objects.create(
        article=article, editor=editor, note=note[:200], snapshot=_snapshot(article)
    )
    Article.objects.filter(pk=article.pk).update(updated_at=timezone.now())


def _unique_slug(region: Region, base: str) -> str:
    base = (slugify(base, allow_unicode=False) or "article")[:100]
    slug, n = base, 1
    while Article.objects.filter(region=region, slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _clean_text(value: str, *, field: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: "Заполните это поле."})
    if len(value) > limit:
        raise ValidationError({field: f"Не длиннее {limit} символов (сейчас {len(value)})."})
    return value


@transaction.atomic
def article_create(
    *,
    region: Region,
    category: Category,
    question: str,
    answer: str,
    author=None,
    legal_basis: str = "",
    slug: str = "",
    status: str = Article.Status.DRAFT,
    paraphrases: list[str] | None = None,
    paraphrase_source: str = Paraphrase.Source.EDITOR,
    **extra,
) -> Article:
    """Create an article (a draft unless `status` says otherwise) with its paraphrases."""
    question = _clean_text(question, field="question", limit=MAX_QUESTION)
    answer = _clean_text(answer, field="answer", limit=20000)
    if category.region_id != region.pk:
        raise ValidationError({"category": "Категория из другого региона."})
    article = Article(
        region=region,
        category=category,
        question=question,
        answer=answer,
        legal_basis=legal_basis.strip(),
        slug=slug or _unique_slug(region, question),
        status=status,
        author=author,
        published_at=timezone.now() if status == Article.Status.PUBLISHED else None,
        **extra,
    )
    article.full_clean()
    article.save()
    for text in paraphrases or []:
        _paraphrase_insert(article=article, text=text, source=paraphrase_source, user=author)
    _revision(article, author, "создана")
    if status == Article.Status.PUBLISHED:
        _bump_version(region)
    return article


@transaction.atomic
def article_update(*, article: Article, editor, note: str = "изменена", **fields) -> Article:
    """Change an article's content; every change leaves a revision."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    if "question" in fields:
        fields["question"] = _clean_text(fields["question"], field="question", limit=MAX_QUESTION)
    if "answer" in fields:
        fields["answer"] = _clean_text(fields["answer"], field="answer", limit=20000)
    for key, value in fields.items():
        setattr(article, key, value)
    if article.valid_from and article.valid_to and article.valid_from > article.valid_to:
        raise ValidationError({"valid_to": "Дата окончания раньше даты начала."})
    article.full_clean()
    article.save()
    _revision(article, editor, note)
    _bump_version(article.region)
    return article


@transaction.atomic
def article_set_status(*, article: Article, status: str, editor) -> Article:
    """Publish, archive or return an article to drafts."""
    if status not in Article.Status.values:
        raise ValidationError("Неизвестный статус.")
    if article.status == status:
        return article
    if status == Article.Status.PUBLISHED and article.answer.strip() == DRAFT_ANSWER:
        raise ValidationError("В черновике ещё нет ответа: впишите его, прежде чем публиковать.")
    article.status = status
    if status == Article.Status.PUBLISHED:
        article.published_at = timezone.now()
    article.save(update_fields=["status", "published_at", "updated_at"])
    _revision(
        article,
        editor,
        {"published": "опубликована", "archived": "перенесена в архив", "draft": "возвращена в черновики"}[
            status
        ],
    )
    _bump_version(article.region)
    return article


def _paraphrase_insert(*, article: Article, text: str, source: str, user) -> Paraphrase | None:
    text = " ".join((text or "").split())
    if not text:
        return None
    text = text[:MAX_QUESTION]
    if text.lower() == article.question.lower():
        return None
    # Compared in Python: SQLite's case folding does not know Cyrillic.
    folded = text.lower()
    existing = next((p for p in article.paraphrases.all() if p.text.lower() == folded), None)
    if existing:
        return existing
    try:
        with transaction.atomic():
            return Paraphrase.objects.create(article=article, text=text, source=source, created_by=user)
    except IntegrityError:
        return article.paraphrases.get(text=text)


@transaction.atomic
def paraphrase_add(
    *, article: Article, text: str, user, source: str = Paraphrase.Source.EDITOR
) -> Paraphrase:
    """Add another way to ask the article's question; duplicates are returned, not repeated."""
    text = _clean_text(text, field="text", limit=MAX_QUESTION)
    paraphrase = _paraphrase_insert(article=article, text=text, source=source, user=user)
    if paraphrase is None:
        raise ValidationError({"text": "Эта формулировка совпадает с самим вопросом статьи."})
    _revision(article, user, f"добавлена формулировка «{paraphrase.text[:80]}»")
    _bump_version(article.region)
    return paraphrase


@transaction.atomic
def paraphrase_delete(*, paraphrase: Paraphrase, user) -> None:
    article = paraphrase.article
    paraphrase.delete()
    _revision(article, user, f"удалена формулировка «{paraphrase.text[:80]}»")
    _bump_version(article.region)


@transaction.atomic
def paraphrase_add_from_query(*, query: Query, article: Article, user) -> Paraphrase:
    """One click in the query log: the citizen's words become a paraphrase of the right article."""
    paraphrase = paraphrase_add(
        article=article, text=query.text, user=user, source=Paraphrase.Source.QUERY_LOG
    )
    query.gold_article = article
    query.save(update_fields=["gold_article"])
    return paraphrase


def query_record(
    *,
    region: Region,
    channel: str,
    text: str,
    decision,
    channel_user: str = "",
    at=None,
) -> Query:
    """Log one question and the engine's decision (an `otklik.nlp.faq.Decision`)."""
    action_to_decision = {
        "answer": Query.Decision.ANSWERED,
        "choices": Query.Decision.CHOICES,
        "abstain": Query.Decision.ABSTAINED,
    }
    candidates = [
        {"article": c.article_id, "score": round(float(c.score), 4)} for c in decision.candidates[:5]
    ]
    article_id = candidates[0]["article"] if decision.action == "answer" and candidates else None
    return Query.objects.create(
        region=region,
        created_at=at or timezone.now(),
        channel=channel[:20],
        channel_user=str(channel_user)[:100],
        text=mask_personal_data(" ".join(text.split()))[:MAX_QUERY],
        normalized=(decision.normalized or "")[:MAX_QUERY],
        candidates=candidates,
        decision=action_to_decision[decision.action],
        confidence=float(decision.confidence),
        article_id=article_id if Article.objects.filter(pk=article_id).exists() else None,
    )


def query_feedback(*, query: Query, helped: bool, article: Article | None = None) -> Query:
    """The citizen pressed «Помогло» / «Не помогло» under the answer shown."""
    query.feedback = Query.Feedback.HELPED if helped else Query.Feedback.NOT_HELPED
    fields = ["feedback"]
    if article is not None and query.article_id != article.pk:
        query.article = article
        fields.append("article")
    query.save(update_fields=fields)
    return query


def query_mark_appeal(*, query: Query) -> None:
    Query.objects.filter(pk=query.pk).update(became_appeal=True)


def suggestion_submit(*, region: Region, text: str, channel: str, channel_user: str = "") -> Suggestion:
    """A citizen proposes a question for the knowledge base; it lands in the editors' queue."""
    text = _clean_text(mask_personal_data(text or ""), field="text", limit=MAX_SUGGESTION)
    fingerprint = hashlib.sha256(" ".join(text.lower().replace("ё", "е").split()).encode()).hexdigest()
    duplicate = Suggestion.objects.filter(
        region=region, fingerprint=fingerprint, status=Suggestion.Status.NEW
    ).first()
    if duplicate:
        return duplicate
    return Suggestion.objects.create(
        region=region,
        text=text,
        fingerprint=fingerprint,
        channel=channel[:20],
        channel_user=str(channel_user)[:100],
    )


def _queue_candidates(region: Region, since) -> list[tuple]:
    """Questions the bot could not answer or whose answer did not help, not yet in a closed cluster."""
    unanswered = Q(decision=Query.Decision.ABSTAINED) | Q(feedback=Query.Feedback.NOT_HELPED)
    return list(
        Query.objects.filter(region=region, created_at__gte=since, cluster__isnull=True)
        .filter(unanswered)
        .exclude(feedback=Query.Feedback.HELPED)
        .order_by("created_at")
        .values_list("pk", "text", "created_at")
    )


@transaction.atomic
def queue_rebuild(*, region: Region, days: int = 365, threshold: float = 0.3) -> int:
    """Regroup open unanswered questions and new suggestions into clusters ranked by volume.

    Closed clusters keep their questions; everything still open is re-clustered from scratch so
    that groups merge as they grow. Returns the number of open clusters.
    """
    since = timezone.now() - timedelta(days=days)
    open_clusters = QueryCluster.objects.filter(region=region, status=QueryCluster.Status.OPEN)
    Query.objects.filter(cluster__in=open_clusters).update(cluster=None)
    Suggestion.objects.filter(cluster__in=open_clusters).update(cluster=None)
    open_clusters.delete()
    queries = _queue_candidates(region, since)
    suggestions = list(
        Suggestion.objects.filter(region=region, status=Suggestion.Status.NEW).values_list(
            "pk", "text", "created_at"
        )
    )
    texts = [q[1] for q in queries] + [s[1] for s in suggestions]
    labels = cluster_texts(texts, threshold=threshold)
    members: dict[int, list[int]] = {}
    for index, label in enumerate(labels):
        if label >= 0:
            members.setdefault(label, []).append(index)
    n_queries = len(queries)
    for indexes in members.values():
        query_ids = [queries[i][0] for i in indexes if i < n_queries]
        suggestion_ids = [suggestions[i - n_queries][0] for i in indexes if i >= n_queries]
        when = max((queries[i][2] if i < n_queries else suggestions[i - n_queries][2]) for i in indexes)
        cluster = QueryCluster.objects.create(
            region=region,
            label=cluster_representative([texts[i] for i in indexes])[:500],
            size=len(indexes),
            suggestions=len(suggestion_ids),
            last_seen_at=when,
        )
        Query.objects.filter(pk__in=query_ids).update(cluster=cluster)
        Suggestion.objects.filter(pk__in=suggestion_ids).update(cluster=cluster)
    return len(members)


def _cluster_texts(cluster: QueryCluster) -> list[str]:
    texts = list(cluster.queries.values_list("text", flat=True)) + list(
        cluster.suggestion_rows.values_list("text", flat=True)
    )
    counts = Counter(" ".join(t.split()).lower() for t in texts)
    seen, unique = set(), []
    for text in sorted(texts, key=lambda t: -counts[" ".join(t.split()).lower()]):
        key = " ".join(text.split()).lower()
        if key not in seen:
            seen.add(key)
            unique.append(text)
    return unique


@transaction.atomic
def cluster_add_as_paraphrases(*, cluster: QueryCluster, article: Article, user, limit: int = 30) -> int:
    """Close a cluster by teaching an existing article its citizens' phrasings."""
    if cluster.region_id != article.region_id:
        raise ValidationError("Статья из другого региона.")
    added = 0
    for text in _cluster_texts(cluster)[:limit]:
        if len(text) <= MAX_QUESTION and _paraphrase_insert(
            article=article, text=text, source=Paraphrase.Source.QUERY_LOG, user=user
        ):
            added += 1
    cluster.queries.update(gold_article=article)
    cluster.suggestion_rows.update(status=Suggestion.Status.ACCEPTED)
    cluster.status = QueryCluster.Status.RESOLVED
    cluster.resolved_article = article
    cluster.save(update_fields=["status", "resolved_article", "updated_at"])
    _revision(article, user, f"добавлены формулировки из очереди ({added})")
    _bump_version(article.region)
    return added


@transaction.atomic
def cluster_draft_article(*, cluster: QueryCluster, category: Category, user) -> Article:
    """Close a cluster by starting a new article; its questions become the draft's paraphrases."""
    texts = _cluster_texts(cluster)
    article = article_create(
        region=cluster.region,
        category=category,
        question=cluster.label[:MAX_QUESTION],
        answer=DRAFT_ANSWER,
        author=user,
        status=Article.Status.DRAFT,
        paraphrases=[t for t in texts if t != cluster.label][:30],
        paraphrase_source=Paraphrase.Source.QUERY_LOG,
    )
    cluster.suggestion_rows.update(status=Suggestion.Status.ACCEPTED)
    cluster.status = QueryCluster.Status.RESOLVED
    cluster.resolved_article = article
    cluster.save(update_fields=["status", "resolved_article", "updated_at"])
    return article


def cluster_dismiss(*, cluster: QueryCluster, user) -> None:
    cluster.suggestion_rows.update(status=Suggestion.Status.REJECTED)
    cluster.status = QueryCluster.Status.DISMISSED
    cluster.save(update_fields=["status", "updated_at"])


def category_get_or_create(
    *, region: Region, slug: str, title: str, parent: Category | None = None, position: int = 0
) -> Category:
    category, created = Category.objects.get_or_create(
        region=region, slug=slug, defaults={"title": title[:120], "parent": parent, "position": position}
    )
    if not created and (
        category.title != title[:120] or category.parent_id != (parent.pk if parent else None)
    ):
        category.title, category.parent, category.position = title[:120], parent, position
        category.save(update_fields=["title", "parent", "position", "updated_at"])
    return category


# --- the public «Вопросы и ответы» section --------------------------------------------------------


@dataclass(frozen=True)
class FaqResult:
    """What the public FAQ shows for one question: the logged query, the engine's action ("answer",
    "choices", "abstain") and the articles to show. `part` is the question quoted when a message
    asked several (empty when it asked one)."""

    query: Query
    action: str
    articles: list
    part: str = ""


def faq_search(*, region: Region, text: str, visitor: str) -> list[FaqResult]:
    """A question typed on the public FAQ page: asked of the same engine as the bot, logged with the
    FAQ's own channel. A message asking several questions that are not all about one article gets a
    result per question, each logged on its own (as in the chat); an answer already shown for an
    earlier question is not repeated. Candidates the FAQ does not show (an article scoped to one
    organization, which the engine also knows) are dropped, and an answer or choices left with none
    become an abstain."""
    parts = registry.ask_separately(region.pk, text)
    if not parts:
        return [
            _faq_result(region=region, text=text, decision=registry.ask(region.pk, text), visitor=visitor)
        ]
    results, shown = [], set()
    for part, decision in parts:
        result = _faq_result(region=region, text=part, decision=decision, visitor=visitor, part=part)
        if result.action == "answer":
            if result.articles[0].pk in shown:
                continue  # two parts asked the same thing
            shown.add(result.articles[0].pk)
        results.append(result)
    return results


def _faq_result(*, region: Region, text: str, decision, visitor: str, part: str = "") -> FaqResult:
    query = query_record(
        region=region, channel=FAQ_CHANNEL, channel_user=visitor, text=text, decision=decision
    )
    shown = decision.candidates[:1] if decision.action == "answer" else decision.candidates[:3]
    if decision.action == "abstain" or not shown:
        return FaqResult(query, "abstain", [], part)
    found = faq_articles(region=region).in_bulk([c.article_id for c in shown])
    articles = [found[c.article_id] for c in shown if c.article_id in found]
    if not articles:
        # What this citizen got is no answer, whatever the bot would have shown.
        Query.objects.filter(pk=query.pk).update(article=None, decision=Query.Decision.ABSTAINED)
        return FaqResult(query, "abstain", [], part)
    return FaqResult(query, decision.action, articles, part)


def faq_feedback(
    *, region: Region, article: Article, helped: bool, query_id: int | None, visitor: str
) -> Query:
    """«Помог ли ответ?» under an answer on the public FAQ pages; one rating per shown answer.

    Under a search result the rating goes to the logged search (`query_id`), like the chat's. An
    answer opened from the section tree has no logged question: its first rating logs one (the
    article's own question, answered with it) keyed by the page's `visitor` token, so pressing
    again, or the other button, changes that one rating instead of adding another."""
    query = None
    if query_id:
        query = Query.objects.filter(pk=query_id, region=region, channel=FAQ_CHANNEL).first()
    if query is None:
        with transaction.atomic():
            query = (
                Query.objects.select_for_update()
                .filter(region=region, channel=FAQ_CHANNEL, channel_user=visitor[:100], article=article)
                .first()
            )
            if query is None:
                query = Query.objects.create(
                    region=region,
                    created_at=timezone.now(),
                    channel=FAQ_CHANNEL,
                    channel_user=visitor[:100],
                    text=article.question[:MAX_QUERY],
                    candidates=[{"article": article.pk, "score": 1.0}],
                    decision=Query.Decision.ANSWERED,
                    confidence=1.0,
                    article=article,
                )
    return query_feedback(query=query, helped=helped, article=article)


def faq_none_fits(*, region: Region, query_id: int) -> Query | None:
    """«Ничего не подходит» under the FAQ's choices: the search did not help, as in the chat, so it
    joins the editors' queue. Pressing it again changes nothing."""
    query = Query.objects.filter(pk=query_id, region=region, channel=FAQ_CHANNEL).first()
    return query_feedback(query=query, helped=False) if query is not None else None
