import logging
import math
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from otklik.accounts.roles import Role
from otklik.accounts.selectors import user_memberships
from otklik.kb.models import Article, Category, Query, QueryCluster

log = logging.getLogger("otklik.kb")
STAFF_ANSWERS = 3


def kb_editor_scope_q(*, user) -> Q | None:
    """Articles an editor may change: region-wide ones for editors at the top of the tree (or
    superusers), and articles scoped to an organization inside the editor's subtree. None = all."""
    if user.is_superuser:
        return None
    q = Q(pk__in=[])
    for m in user_memberships(user=user):
        if m.role not in {Role.EDITOR, Role.ADMIN}:
            continue
        if m.organization.parent_id is None:
            q |= Q(region_id=m.organization.region_id)
        else:
            q |= Q(scope_organization__path__startswith=m.organization.path)
    return q


def articles_for_editor(*, user, region, search: str = "", status: str = "", category: str = "") -> QuerySet:
    qs = Article.objects.filter(region=region).select_related("category", "scope_organization")
    scope = kb_editor_scope_q(user=user)
    if scope is not None:
        qs = qs.filter(scope)
    if search:
        qs = qs.filter(
            Q(question__icontains=search)
            | Q(answer__icontains=search)
            | Q(slug__icontains=search)
            | Q(paraphrases__text__icontains=search)
        ).distinct()
    if status in Article.Status.values:
        qs = qs.filter(status=status)
    if category:
        qs = qs.filter(Q(category__slug=category) | Q(category__parent__slug=category))
    return qs.annotate(n_paraphrases=Count("paraphrases", distinct=True)).order_by(
        "category__position", "question"
    )


def articles_due_for_review(*, region) -> QuerySet:
    return Article.objects.filter(
        region=region, status=Article.Status.PUBLISHED, review_at__lte=timezone.localdate()
    ).order_by("review_at")


def category_tree(*, region, only_active: bool = True) -> list[tuple[Category, list[Category]]]:
    qs = Category.objects.filter(region=region)
    if only_active:
        qs = qs.filter(is_active=True)
    cats = list(qs.order_by("position", "title"))
    children: dict[int, list[Category]] = {}
    for c in cats:
        if c.parent_id:
            children.setdefault(c.parent_id, []).append(c)
    return [(c, children.get(c.pk, [])) for c in cats if c.parent_id is None]


def queue_clusters(*, region, status: str = QueryCluster.Status.OPEN) -> QuerySet:
    return QueryCluster.objects.filter(region=region, status=status).order_by("-size", "-last_seen_at")


def cluster_examples(*, cluster: QueryCluster, limit: int = 8) -> list[str]:
    texts = list(cluster.queries.order_by("-created_at").values_list("text", flat=True)[:limit])
    texts += list(cluster.suggestion_rows.values_list("text", flat=True)[: max(0, limit - len(texts))])
    return texts


def query_log(
    *, region, decision: str = "", feedback: str = "", channel: str = "", search: str = ""
) -> QuerySet:
    qs = Query.objects.filter(region=region).select_related("article")
    if decision in Query.Decision.values:
        qs = qs.filter(decision=decision)
    if feedback in Query.Feedback.values:
        qs = qs.filter(feedback=feedback)
    if channel:
        qs = qs.filter(channel=channel)
    if search:
        qs = qs.filter(text__icontains=search)
    return qs.order_by("-created_at")


def bot_figures(*, region, since=None) -> dict:
    """«Бот в цифрах»: questions, answers given, share answered, not helped, turned into appeals."""
    qs = Query.objects.filter(region=region)
    if since is not None:
        qs = qs.filter(created_at__gte=since)
    agg = qs.aggregate(
        total=Count("pk"),
        answered=Count("pk", filter=Q(decision=Query.Decision.ANSWERED)),
        choices=Count("pk", filter=Q(decision=Query.Decision.CHOICES)),
        abstained=Count("pk", filter=Q(decision=Query.Decision.ABSTAINED)),
        helped=Count("pk", filter=Q(feedback=Query.Feedback.HELPED)),
        not_helped=Count("pk", filter=Q(feedback=Query.Feedback.NOT_HELPED)),
        appeals=Count("pk", filter=Q(became_appeal=True)),
    )
    total = agg["total"] or 1
    agg["answered_share"] = round(agg["answered"] / total, 3)
    agg["appeal_share"] = round(agg["appeals"] / total, 3)
    rated = (agg["helped"] + agg["not_helped"]) or 1
    agg["not_helped_share"] = round(agg["not_helped"] / rated, 3)
    agg["ready_answers"] = Article.objects.filter(region=region, status=Article.Status.PUBLISHED).count()
    return agg


def engine_decision(*, region_id: int, text: str):
    """The engine's decision on `text`, or None when the engine cannot load: staff screens that use
    it for a hint stay usable. Not written to the query log, which is the citizens'."""
    from otklik.kb.engine import registry

    try:
        return registry.ask(region_id, text)
    except Exception:  # noqa: BLE001 - a hint, never a reason for a 500
        log.exception("the answer engine failed on a staff screen")
        return None


RIVAL_LOG_DAYS = 90


@dataclass
class RivalPair:
    article: Article
    other: Article
    confidence: float
    duplicate: bool  # without one, the bot would answer its question with the other, alone
    hesitated: int  # logged questions of the last RIVAL_LOG_DAYS where the two came first and second
    editable: frozenset  # ids of the two that the editor may open

    @property
    def percent(self) -> int:
        """The confidence in whole percent, rounded down: 0.876 is not shown as the 88 % of «очень похожи»."""
        return math.floor(self.confidence * 100)


@dataclass
class RivalReport:
    pairs: list[RivalPair]
    pending: bool = False  # a large KB's report is being computed by the worker
    failed: bool = False  # the engine cannot load


# «Статьи, которые притягивают чужие вопросы»: articles whose pull (`Engine.hubness`, fused-score
# units above the median article) is at least this are named to the editors (≈ the top 10 % on
# faq_rutube, where the quartiles are ±0.8), at most HUBS_SHOWN of them.
HUB_SHOWN_PULL = 1.5
HUB_STRONG_PULL = 2.5
HUBS_SHOWN = 20


@dataclass
class HubArticle:
    article: Article
    pull: float

    @property
    def strong(self) -> bool:
        return self.pull >= HUB_STRONG_PULL


@dataclass
class HubReport:
    articles: list[HubArticle]
    learned_at: datetime | None = None  # when the worker last read the query log
    questions: int = 0  # how many logged questions it read


def article_hubs(*, region, visible: QuerySet) -> HubReport:
    """Live articles that draw many of the citizens' questions about other things (usually worded
    too generally), as the worker last learned from the query log (`engine.hubs_compute`); the bot
    ranks them lower. Only articles in `visible` (what the editor may change)."""
    from otklik.kb.engine import hubs_stored

    stored = hubs_stored(region.pk)
    if not stored:
        return HubReport([])
    learned_at = datetime.fromisoformat(stored["stamp"])
    pulls = {pk: pull for pk, pull in stored["hubs"].items() if pull >= HUB_SHOWN_PULL}
    published = visible.filter(region=region, pk__in=pulls, status=Article.Status.PUBLISHED).in_bulk()
    shown = sorted(published, key=lambda pk: -pulls[pk])[:HUBS_SHOWN]
    return HubReport([HubArticle(published[pk], pulls[pk]) for pk in shown], learned_at, stored["questions"])


def article_rivals(*, region, visible: QuerySet) -> RivalReport:
    """«Похожие статьи»: pairs of live articles that answer one question (`Engine.rivals`), most
    alike first, with how often the query log saw the bot torn between them; pairs with at least
    one article in `visible` (what the editor may change). Computed once per version of the
    knowledge base: here when the KB is small, else by the worker (`tasks.kb_rivals`)."""
    from otklik.kb.engine import RIVALS_INLINE_ARTICLES, registry, rivals_compute, rivals_stored
    from otklik.kb.tasks import rivals_soon

    try:
        engine = registry.engine(region.pk)
        found = rivals_stored(region.pk)
        if found is None:
            if len(engine) > RIVALS_INLINE_ARTICLES:
                rivals_soon(region.pk)
                return RivalReport([], pending=True)
            found = rivals_compute(region.pk)
        threshold = engine.config.answer_threshold
    except Exception:  # noqa: BLE001 - an editors' report, never a reason for a 500
        log.exception("the answer engine failed on the similar-articles report")
        return RivalReport([], failed=True)
    if not found:
        return RivalReport([])
    ids = {pk for a, b, _ in found for pk in (a, b)}
    articles = Article.objects.filter(region=region).in_bulk(ids)
    editable = set(visible.filter(pk__in=ids).values_list("pk", flat=True))
    since = timezone.now() - timedelta(days=RIVAL_LOG_DAYS)
    torn: Counter = Counter()
    for candidates in Query.objects.filter(region=region, created_at__gte=since).values_list(
        "candidates", flat=True
    ):
        if isinstance(candidates, list) and len(candidates) > 1:
            first, second = candidates[0], candidates[1]
            if isinstance(first, dict) and isinstance(second, dict):
                torn[frozenset((first.get("article"), second.get("article")))] += 1
    return RivalReport(
        [
            RivalPair(
                articles[a],
                articles[b],
                c,
                c >= threshold,
                torn[frozenset((a, b))],
                frozenset(editable & {a, b}),
            )
            for a, b, c in found
            if a in articles and b in articles and (a in editable or b in editable)
        ]
    )


def article_twin(*, region, article: Article, visible: QuerySet) -> tuple[Article, float, bool] | None:
    """The live article that would answer this article's question (besides itself), its confidence
    and whether the editor may open it; None below `RIVAL_MIN_CONFIDENCE` or when the engine cannot
    load. A live article is asked of the others (`Engine.rival_of`); a draft, archived or expired
    one is asked as a citizen would ask it, so that an editor sees before publishing that the
    question is answered already."""
    from otklik.kb.engine import RIVAL_MIN_CONFIDENCE, registry

    try:
        rival = registry.rival_of(region.pk, article.pk)
    except Exception:  # noqa: BLE001 - a hint on the editor's page, never a reason for a 500
        log.exception("the answer engine failed on an article's twin")
        return None
    if rival is not None:
        other, confidence = rival.other_id, rival.confidence
    else:
        decision = engine_decision(region_id=region.pk, text=article.question)
        if decision is None or decision.best is None:
            return None
        other, confidence = decision.best.article_id, decision.confidence
    if other == article.pk or confidence < RIVAL_MIN_CONFIDENCE:
        return None
    found = Article.objects.filter(region=region, pk=other).first()
    if found is None:
        return None
    return found, confidence, visible.filter(pk=other).exists()


def answers_for(*, region_id: int, text: str, limit: int = STAFF_ANSWERS) -> list[tuple[Article, bool]]:
    """Published articles that may answer `text`, best first, each with whether the engine is sure
    enough to answer a citizen with it alone; empty when the engine would abstain. For staff who
    prepare an answer to an appeal or a public reply to an incident."""
    decision = engine_decision(region_id=region_id, text=text)
    if decision is None or decision.action == "abstain":
        return []
    ids = [c.article_id for c in decision.candidates[:limit]]
    by_id = Article.objects.filter(region_id=region_id, status=Article.Status.PUBLISHED).in_bulk(ids)
    return [(by_id[pk], n == 0 and decision.action == "answer") for n, pk in enumerate(ids) if pk in by_id]


# --- the public «Вопросы и ответы» section --------------------------------------------------------


def faq_live_q(*, today=None, prefix: str = "") -> Q:
    """Articles citizens may read: published, valid today and region-wide (an article scoped to one
    organization answers for that organization only). `prefix` reaches them from another model."""
    today = today or timezone.localdate()
    p = prefix
    return (
        Q(**{f"{p}status": Article.Status.PUBLISHED, f"{p}scope_organization__isnull": True})
        & (Q(**{f"{p}valid_from__isnull": True}) | Q(**{f"{p}valid_from__lte": today}))
        & (Q(**{f"{p}valid_to__isnull": True}) | Q(**{f"{p}valid_to__gte": today}))
    )


def faq_articles(*, region) -> QuerySet:
    """Live region-wide articles in active categories (and active parents), in the tree's order."""
    return (
        Article.objects.filter(faq_live_q(), region=region, category__is_active=True)
        .exclude(category__parent__is_active=False)
        .select_related("category")
        .order_by("category__position", "question")
    )


def faq_tree(*, region) -> list[tuple[Category, int, list[tuple[Category, int]]]]:
    """Top sections with their live article count and their subsections with theirs; sections
    without a live article anywhere below are left out. One query."""
    cats = list(
        Category.objects.filter(region=region, is_active=True)
        .annotate(n=Count("articles", filter=faq_live_q(prefix="articles__")))
        .order_by("position", "title")
    )
    children: dict[int, list[tuple[Category, int]]] = {}
    for c in cats:
        if c.parent_id and c.n:
            children.setdefault(c.parent_id, []).append((c, c.n))
    tree = []
    for c in cats:
        if c.parent_id is None:
            total = c.n + sum(n for _, n in children.get(c.pk, []))
            if total:
                tree.append((c, total, children.get(c.pk, [])))
    return tree


def faq_section(*, region, slug: str) -> tuple[Category, list[tuple[Category, list[Article]]]] | None:
    """A section and its live articles grouped by the section itself and its subsections (in this
    order), or None for an unknown, hidden or empty section. Two queries."""
    cats = list(Category.objects.filter(region=region, is_active=True).order_by("position", "title"))
    section = next((c for c in cats if c.slug == slug), None)
    by_pk = {c.pk: c for c in cats}
    if section is None or (section.parent_id and section.parent_id not in by_pk):
        return None
    section.parent = by_pk.get(section.parent_id)  # for the breadcrumb, without another query
    groups = [section, *(c for c in cats if c.parent_id == section.pk)]
    by_category: dict[int, list[Article]] = {c.pk: [] for c in groups}
    for article in faq_articles(region=region).filter(category__in=groups):
        by_category[article.category_id].append(article)
    shown = [(c, by_category[c.pk]) for c in groups if by_category[c.pk]]
    return (section, shown) if shown else None


def faq_article(*, region, pk: int) -> Article | None:
    return faq_articles(region=region).select_related("category__parent").filter(pk=pk).first()
