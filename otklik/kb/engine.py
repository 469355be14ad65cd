"""The answer engine of this process, kept in step with the database.

The index is built from published, currently valid articles on first use. Every change of
published content bumps `KnowledgeBaseVersion`; before answering, a process compares the version
it indexed with the database (one primary-key read, at most every `CHECK_EVERY_S`) and applies the
changed articles incrementally (`Engine.upsert` / `Engine.remove`), so the web server, the bot and
the worker all answer from the same knowledge base without restarts.

What the query log teaches without labels — which articles draw too many of the questions citizens
really ask (`Engine.hubness`) — is computed by the worker once a day (`tasks.kb_hubs`) and shared
through the database cache; each process applies the newest figures within `HUB_CHECK_S`.
"""

import logging
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from otklik.kb.models import Article, KnowledgeBaseVersion, Query
from otklik.lib import sentence_vectors
from otklik.nlp.faq import Decision, Engine, FaqArticle, Rival

log = logging.getLogger("otklik.kb.engine")
CHECK_EVERY_S = 2.0
# How often a process looks for newer hub figures (one cache read).
HUB_CHECK_S = 60.0


def _live_articles(region_id: int, since=None):
    today = timezone.localdate()
    qs = Article.objects.filter(region_id=region_id)
    if since is not None:
        qs = qs.filter(updated_at__gte=since)  # services touch the article on every paraphrase change
    return qs.select_related("category").prefetch_related("paraphrases"), today


def _is_live(article: Article, today) -> bool:
    return (
        article.status == Article.Status.PUBLISHED
        and (article.valid_from is None or article.valid_from <= today)
        and (article.valid_to is None or article.valid_to >= today)
    )


def _to_faq(article: Article) -> FaqArticle:
    return FaqArticle(
        id=article.pk,
        question=article.question,
        answer=article.answer,
        paraphrases=[p.text for p in article.paraphrases.all()],
        topic=article.category.title if article.category_id else "",
    )


class _RegionIndex:
    def __init__(self, region_id: int):
        self.region_id = region_id
        self.engine: Engine | None = None
        self.version = -1
        self.synced_at = None
        self.checked = 0.0
        self.day = None
        self.live_ids: set[int] = set()
        self.hubs_checked = 0.0
        self.hubs_stamp: str | None = None

    def _db_version(self) -> int:
        return (
            KnowledgeBaseVersion.objects.filter(region_id=self.region_id)
            .values_list("version", flat=True)
            .first()
            or 0
        )

    def _full_build(self, version: int) -> None:
        started = time.monotonic()
        articles, today = _live_articles(self.region_id)
        live = [a for a in articles if _is_live(a, today)]
        self.engine = Engine.build([_to_faq(a) for a in live], vectors=settings.NLP_VECTORS)
        self.live_ids = {a.pk for a in live}
        self.hubs_checked, self.hubs_stamp = 0.0, None
        self.version, self.day, self.synced_at = version, today, timezone.now()
        log.info(
            "kb index built",
            extra={
                "region": self.region_id,
                "articles": len(live),
                "s": round(time.monotonic() - started, 2),
            },
        )

    def _incremental(self, version: int) -> None:
        since = self.synced_at
        now = timezone.now()
        articles, today = _live_articles(self.region_id, since=since)
        changed = 0
        for article in articles:
            if _is_live(article, today):
                self.engine.upsert(_to_faq(article))
                self.live_ids.add(article.pk)
            elif article.pk in self.live_ids:
                self.engine.remove(article.pk)
                self.live_ids.discard(article.pk)
            changed += 1
        # Articles deleted outright leave no row to find: drop ids that no longer exist.
        gone = self.live_ids - set(Article.objects.filter(pk__in=self.live_ids).values_list("pk", flat=True))
        for pk in gone:
            self.engine.remove(pk)
        self.live_ids -= gone
        self.version, self.synced_at = version, now
        log.info(
            "kb index updated", extra={"region": self.region_id, "changed": changed, "removed": len(gone)}
        )

    def current(self) -> Engine:
        now = time.monotonic()
        if self.engine is not None and now - self.checked < CHECK_EVERY_S:
            return self.engine
        self.checked = now
        version = self._db_version()
        if self.engine is None or self.day != timezone.localdate():
            self._full_build(version)  # validity dates move at midnight
        elif version != self.version:
            self._incremental(version)
        if now - self.hubs_checked >= HUB_CHECK_S:
            self.hubs_checked = now
            self._apply_hubs(hubs_stored(self.region_id))
        return self.engine

    def _apply_hubs(self, stored: dict | None) -> None:
        stamp = stored["stamp"] if stored else None
        if stamp != self.hubs_stamp:
            self.engine.set_hubs(stored["hubs"] if stored else {})
            self.hubs_stamp = stamp


class EngineRegistry:
    """One index per region in this process, built lazily and refreshed on change."""

    def __init__(self):
        self._lock = threading.Lock()
        self._regions: dict[int, _RegionIndex] = {}

    def engine(self, region_id: int) -> Engine:
        with self._lock:
            index = self._regions.get(region_id)
            if index is None:
                sentence_vectors.configure()
                index = self._regions[region_id] = _RegionIndex(region_id)
            return index.current()

    def ask(self, region_id: int, text: str) -> Decision:
        engine = self.engine(region_id)
        with self._lock:
            return engine.ask(text)

    def ask_separately(self, region_id: int, text: str) -> list[tuple[str, Decision]]:
        """The questions of a message that must be answered one by one (`Engine.ask_each`), with
        their decisions; empty when one answer serves the whole message (one question, or all parts
        about one article, or none of them answerable: then the message is one unanswered question)."""
        engine = self.engine(region_id)
        with self._lock:
            parts = engine.ask_each(text)
        found = [d for _, d in parts if d.action != "abstain"]
        if found and (len(found) < len(parts) or len({d.candidates[0].article_id for d in found}) > 1):
            return parts
        return []

    def rivals(self, region_id: int, min_confidence: float) -> tuple[int, list[Rival]]:
        """Pairs of live articles that answer one question (`Engine.rivals`), with the version of
        the knowledge base this process indexed when it computed them."""
        engine = self.engine(region_id)
        with self._lock:
            return self._regions[region_id].version, engine.rivals(min_confidence)

    def rival_of(self, region_id: int, article_id: int) -> Rival | None:
        """`Engine.rival_of` of a live article (None for one the index does not hold)."""
        engine = self.engine(region_id)
        with self._lock:
            return engine.rival_of(article_id)

    def learn_hubs(self, region_id: int, texts: list[str]) -> dict:
        """`Engine.hubness` of these questions, applied to this process's index and returned."""
        engine = self.engine(region_id)
        with self._lock:
            hubs = engine.hubness(texts)
            engine.set_hubs(hubs)
            return hubs

    def reset(self) -> None:
        with self._lock:
            self._regions.clear()


registry = EngineRegistry()


# --- «Похожие статьи»: the pairs are computed once per version of a region's KB --------------------
# Reported from this confidence that one article answers the other's question (the engine's own
# calibrated scale; at its `answer_threshold` the bot would answer alone).
RIVAL_MIN_CONFIDENCE = 0.7
# Up to this many articles a page computes a missing report itself (≈ 0.25 s at 300 articles; the
# cost grows as the square of the KB); a larger KB's report is computed by the worker (`tasks.kb_rivals`).
RIVALS_INLINE_ARTICLES = 1500
RIVALS_KEEP_S = 30 * 24 * 3600


def _rivals_key(region_id: int, version: int) -> str:
    return f"kb:rivals:{region_id}:{version}"


def rivals_stored(region_id: int) -> list[tuple] | None:
    """(article id, other id, confidence) of the current version of the KB, when computed."""
    version = (
        KnowledgeBaseVersion.objects.filter(region_id=region_id).values_list("version", flat=True).first()
    )
    return cache.get(_rivals_key(region_id, version or 0))


def rivals_compute(region_id: int) -> list[tuple]:
    """Compute the pairs with this process's index and share them (the database cache)."""
    version, pairs = registry.rivals(region_id, RIVAL_MIN_CONFIDENCE)
    found = [(r.article_id, r.other_id, r.confidence) for r in pairs]
    cache.set(_rivals_key(region_id, version), found, timeout=RIVALS_KEEP_S)
    return found


# --- Hubs: which articles draw too many of the logged questions (`Engine.hubness`) ----------------
# The region's latest questions of the last year, as the engine saw them (masked of personal data).
HUB_LOG_QUESTIONS = 3000
HUB_LOG_DAYS = 365
HUB_EVERY = timedelta(days=1)


def _hubs_key(region_id: int) -> str:
    return f"kb:hubs:{region_id}"


def hubs_compute(region_id: int) -> dict:
    """Learn the hubs from the region's query log with this process's index and share them (the
    database cache; every process applies them within `HUB_CHECK_S`). Costs one sentence vector per
    question: ≈ 1 minute for `HUB_LOG_QUESTIONS` on one core, hence the worker."""
    since = timezone.now() - timedelta(days=HUB_LOG_DAYS)
    texts = list(
        Query.objects.filter(region_id=region_id, created_at__gte=since)
        .order_by("-created_at")
        .values_list("text", flat=True)[:HUB_LOG_QUESTIONS]
    )
    hubs = registry.learn_hubs(region_id, texts)
    stored = {"stamp": timezone.now().isoformat(), "questions": len(texts), "hubs": hubs}
    cache.set(_hubs_key(region_id), stored, timeout=None)
    log.info("kb hubs learned", extra={"region": region_id, "questions": len(texts), "articles": len(hubs)})
    return stored


def hubs_stored(region_id: int) -> dict | None:
    """The figures last learned for the region: stamp, number of questions, article id → pull."""
    return cache.get(_hubs_key(region_id))
