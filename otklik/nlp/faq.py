"""The answer engine: which ready answer fits a citizen's free-text question, and how sure we are.

Every article is indexed as several documents: its question, each paraphrase, and (weighted lower)
the head of its answer. A question is scored against every document on three views —
TF-IDF over lemmas, TF-IDF over character n-grams (typos, word forms) and e5 sentence vectors
(meaning) — and an article takes its best document. The article's paraphrase centroid in vector
space adds what many phrasings have in common (the learning loop: each paraphrase an editor adds
moves the centroid towards how people really ask). The fused score and its margin over the
runner-up become a calibrated confidence; thresholds on it decide: answer, offer choices, abstain.

Plain API: `Engine.build(articles)`, `engine.ask(text) -> Decision`, `engine.upsert(article)`,
`engine.remove(article_id)`.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from otklik.nlp import vectors
from otklik.nlp.normalize import lemmas, normalize, split_questions

MAX_QUERY_CHARS = 2000


@dataclass
class FaqArticle:
    id: Hashable
    question: str
    answer: str = ""
    paraphrases: list[str] = field(default_factory=list)


@dataclass
class Candidate:
    article_id: Hashable
    score: float


@dataclass
class Decision:
    candidates: list[Candidate]
    scores: dict
    action: str  # "answer" | "choices" | "abstain"
    confidence: float
    normalized: str

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None


@dataclass
class EngineConfig:
    """Weights and thresholds. Defaults were chosen on real user questions (see bench/faq.py).

    `w_*` weigh the views of a question document (lemma TF-IDF, char n-gram TF-IDF, e5) and of the
    answer text; `w_centroid` weighs the article's vector centroid. The confidence is
    sigmoid(a * top + b * margin + c); `answer_threshold` is the confidence above which the engine
    answers alone, `choices_threshold` the one above which it offers the top choices.
    """

    w_lemma: float = 0.30
    w_char: float = 0.60
    w_e5: float = 1.00
    w_answer: float = 0.80
    w_centroid: float = 0.50
    # Fitted by logistic regression of "top-1 is right" on (top, margin) over 401 real questions
    # of the faq_rutube set; at 0.85 the engine answered 20% of them alone, 88% of those right.
    conf_a: float = 1.39
    conf_b: float = 4.37
    conf_c: float = -2.78
    answer_threshold: float = 0.85
    choices_threshold: float = 0.35
    top_k: int = 5
    answer_chars: int = 600


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, x))))


def _lemma_text(text: str) -> str:
    return " ".join(lemmas(text))


class Engine:
    def __init__(self, config: EngineConfig | None = None, use_vectors: bool = True):
        self.config = config or EngineConfig()
        self.use_vectors = use_vectors and vectors.available()
        self._articles: dict[Hashable, FaqArticle] = {}
        self._vec_cache: dict[str, np.ndarray] = {}

    # --- building -----------------------------------------------------------------------------
    @classmethod
    def build(
        cls, articles: Iterable[FaqArticle], config: EngineConfig | None = None, vectors: bool = True
    ) -> Engine:
        engine = cls(config, use_vectors=vectors)
        for article in articles:
            engine._articles[article.id] = article
        engine._reindex()
        return engine

    def __len__(self) -> int:
        return len(self._articles)

    def upsert(self, article: FaqArticle) -> None:
        """Add or replace one article; only its own vectors are computed."""
        self._articles[article.id] = article
        self._reindex()

    def remove(self, article_id: Hashable) -> None:
        if self._articles.pop(article_id, None) is not None:
            self._reindex()

    def _passage_vectors(self, texts: list[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self._vec_cache]
        if missing:
            for text, vec in zip(missing, vectors.passages(missing), strict=True):
                self._vec_cache[text] = vec
        if not texts:
            return np.zeros((0, vectors.DIM), dtype=np.float32)
        return np.vstack([self._vec_cache[t] for t in texts])

    def _reindex(self) -> None:
        """Lexical parts are refitted (cheap); sentence vectors come from the per-text cache."""
        self._ids = list(self._articles)
        doc_texts, doc_article = [], []
        answer_texts = []
        for index, article_id in enumerate(self._ids):
            article = self._articles[article_id]
            for text in [article.question, *article.paraphrases]:
                text = " ".join((text or "").split())
                if text:
                    doc_texts.append(text)
                    doc_article.append(index)
            answer_texts.append(" ".join((article.answer or "").split())[: self.config.answer_chars])
        self._doc_article = np.asarray(doc_article, dtype=np.int64)
        self._n = len(self._ids)
        if not doc_texts:
            self._lem_vec = self._chr_vec = None
            return
        norm_docs = [normalize(t) for t in doc_texts]
        lem_docs = [_lemma_text(t) for t in doc_texts]
        lem_answers = [_lemma_text(t) for t in answer_texts]
        self._lem_vec = TfidfVectorizer(token_pattern=r"\S+", sublinear_tf=True, ngram_range=(1, 2), min_df=1)  # noqa: S106
        self._lem_vec.fit(lem_docs + lem_answers)
        self._L = self._lem_vec.transform(lem_docs).tocsr()
        self._LA = self._lem_vec.transform(lem_answers).tocsr()
        self._chr_vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=1)
        self._C = self._chr_vec.fit_transform(norm_docs).tocsr()
        if self.use_vectors:
            self._E = self._passage_vectors(doc_texts)
            self._EA = self._passage_vectors([t or " " for t in answer_texts])
            centroids = np.zeros((self._n, vectors.DIM), dtype=np.float32)
            np.add.at(centroids, self._doc_article, self._E)
            norms = np.linalg.norm(centroids, axis=1, keepdims=True)
            self._centroids = centroids / np.maximum(norms, 1e-9)

    # --- answering ----------------------------------------------------------------------------
    def _per_article_max(self, doc_scores: np.ndarray) -> np.ndarray:
        out = np.full(self._n, -1.0, dtype=np.float64)
        np.maximum.at(out, self._doc_article, doc_scores)
        return out

    def _lexical(self, text: str) -> tuple[np.ndarray, dict]:
        cfg = self.config
        q_lem = self._lem_vec.transform([_lemma_text(text)])
        q_chr = self._chr_vec.transform([normalize(text)])
        lem_doc = np.asarray((self._L @ q_lem.T).todense()).ravel()
        chr_doc = np.asarray((self._C @ q_chr.T).todense()).ravel()
        lem_ans = np.asarray((self._LA @ q_lem.T).todense()).ravel()
        parts = {
            "lemma": self._per_article_max(lem_doc),
            "char": self._per_article_max(chr_doc),
            "answer": lem_ans,
        }
        total = cfg.w_lemma * parts["lemma"] + cfg.w_char * parts["char"]
        if not self.use_vectors:
            total = total + cfg.w_answer * 0.5 * lem_ans
        return total, parts

    def _semantic(self, text: str) -> tuple[np.ndarray, dict]:
        cfg = self.config
        q = vectors.query(text)
        parts = {
            "e5": self._per_article_max(self._E @ q),
            "centroid": self._centroids @ q,
            "e5_answer": self._EA @ q,
        }
        # e5 cosines of unrelated Russian texts sit near 0.75: centre and stretch them so that they
        # are on the scale of the TF-IDF cosines they are added to.
        total = 4 * (
            cfg.w_e5 * (parts["e5"] - 0.75)
            + cfg.w_centroid * (parts["centroid"] - 0.75)
            + cfg.w_answer * (parts["e5_answer"] - 0.75)
        )
        return total, parts

    def ask(self, text: str) -> Decision:
        """Decide what to show for a question: an answer, a few choices, or nothing."""
        text = (text or "")[:MAX_QUERY_CHARS]
        norm = normalize(text)
        if (
            not self._n
            or self._lem_vec is None
            or len(norm.replace(" ", "")) < 2
            or not any(ch.isalpha() for ch in norm)
        ):
            return Decision([], {}, "abstain", 0.0, norm)
        lexical, parts = self._lexical(text)
        semantic = 0.0
        if self.use_vectors:
            semantic, semantic_parts = self._semantic(text)
            parts.update(semantic_parts)
        scores = lexical + semantic
        # Two questions in one message: each part may find its own article on the lexical views
        # (the sentence vector of the whole message already covers both parts); this keeps long
        # messages about as fast as short ones.
        pieces = split_questions(text) if len(text) > 60 else [text]
        if len(pieces) > 1:
            for piece in pieces[:3]:
                scores = np.maximum(scores, self._lexical(piece)[0] + semantic)
        order = np.argsort(-scores)[: self.config.top_k]
        candidates = [Candidate(self._ids[i], float(scores[i])) for i in order]
        top = candidates[0].score
        second = candidates[1].score if len(candidates) > 1 else 0.0
        cfg = self.config
        confidence = _sigmoid(cfg.conf_a * top + cfg.conf_b * (top - second) + cfg.conf_c)
        if confidence >= cfg.answer_threshold:
            action = "answer"
        elif confidence >= cfg.choices_threshold:
            action = "choices"
        else:
            action = "abstain"
        best = order[0]
        detail = {name: round(float(values[best]), 4) for name, values in parts.items()}
        return Decision(candidates, {"top": top, "margin": top - second, **detail}, action, confidence, norm)
