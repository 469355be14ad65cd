"""The answer engine: which ready answer fits a citizen's free-text question, and how sure we are.

Each article is seen through several views, each giving one score per article:

- ``char``: TF-IDF cosine over character n-grams (char_wb 2–5) of the question (+ topic) and of each
  paraphrase, best document per article — tolerant to typos and word forms;
- ``bm25``: BM25 over lemmas (typos corrected against the knowledge-base vocabulary) of the same
  documents, best document per article;
- ``answer``: TF-IDF cosine over lemmas of the answer text;
- ``e5_question``, ``e5_qa``, ``e5_chunks``: e5 cosine of the question (greeting stripped) with the
  passage vectors of "topic. question", "question + head of the answer" and "question + answer
  chunk" (best chunk);
- ``e5_sym``: e5 cosine with the question and the paraphrases embedded as queries (best one);
- ``wh``: agreement of the question words (how / why / who / how many / where / can …), which
  separates «Как подтвердить телефон?» from «Зачем подтверждать телефон?».

In a knowledge base of `EngineConfig.common_min_articles` articles or more, the sentence vectors are
first freed of what all its texts share (`_CommonDirections`: the mean and the top principal
directions of the KB's own vectors — its domain, its style), so that the e5 views compare what
tells one article from another; those cosines are put back on the scale of plain cosines.

Each view is put on a common scale by a fixed affine map and the views are summed with
weights learned on real questions (conditional logit, see `faq_eval.fit_weights`). The fused score
of the best article, its margin over the runner-up and the raw similarity of the best article give
a calibrated confidence — the probability that the first candidate is right — and thresholds on it
decide: answer alone, offer choices, or abstain.

The learning loop: every paraphrase an editor adds (typically a real question the engine failed on)
becomes one more document of its article in the char, BM25 and e5_sym views. Unlabelled questions
teach the engine too (`hubness` / `set_hubs`): an article that comes close to many of the questions
citizens really ask — a "hub", usually one worded in general terms — is one the fused score favours
too often, and each article's score is lowered by how strongly it draws the logged questions
(its mean fused score over its nearest share of them, less the median article's: CSLS, Conneau et
al. 2018, with the query log as the other side).

Plain API: `Engine.build(articles)`, `engine.ask(text) -> Decision`, `engine.upsert(article)`,
`engine.remove(article_id)`; for editors, `engine.rivals(min_confidence)`: pairs of articles that
answer one question.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

from otklik.nlp import vectors
from otklik.nlp.normalize import Speller, lemmas, normalize, split_questions, strip_greeting

MAX_QUERY_CHARS = 2000  # a 100 KB message is cut before any work
# A message longer than this may ask several questions: each of its first MAX_PARTS is scored too.
MULTI_QUESTION_CHARS = 60
MAX_PARTS = 3
ACTIONS = ("answer", "choices", "abstain")

VECTOR_FEATURES = ("char", "bm25", "answer", "e5_question", "e5_qa", "e5_chunks", "e5_sym", "wh")
E5_FEATURES = ("e5_question", "e5_qa", "e5_chunks", "e5_sym")
LEXICAL_FEATURES = ("char", "bm25", "answer", "wh")

# Question words grouped by what they ask; the order matters only for readability.
_WH = tuple(
    (name, re.compile(pattern))
    for name, pattern in (
        ("why", r"\b(зачем|почему|для чего|отчего|по какой причине)\b"),
        ("who", r"\b(кто|кем|кому|кого)\b"),
        ("how_many", r"\b(сколько|какое количество|какое число|максимум|лимит)\b"),
        ("when", r"\b(когда|как долго|срок\w*)\b"),
        ("where", r"\b(где|куда|откуда)\b"),
        ("can", r"\b(можно|могу ли|может ли|могут ли|возможно ли|разрешено ли)\b"),
        ("what_is", r"\b(что такое|что это|что значит|что означает|что за)\b"),
        ("how", r"\b(как|каким образом)\b"),
    )
)


# Words that join a further question to the previous one: «И ещё:», «А также», «Кстати,».
_LINK = re.compile(r"^(?:(?:и|а|но|ещё|еще|также|тоже|кстати|вот)\b[\s,:;—–-]*)+", re.IGNORECASE)


@dataclass
class FaqArticle:
    """One ready answer: its canonical question, answer text and other phrasings of the question."""

    id: Hashable
    question: str
    answer: str = ""
    paraphrases: list[str] = field(default_factory=list)
    topic: str = ""


@dataclass
class Candidate:
    article_id: Hashable
    score: float


@dataclass(frozen=True)
class Rival:
    """`other` would answer the question of `article` (`Engine.rivals`), with this confidence."""

    article_id: Hashable
    other_id: Hashable
    confidence: float


@dataclass
class Decision:
    """What to show for one question.

    `candidates`: best first, at most `EngineConfig.top_k`; `scores`: fused score of the best, its
    margin, and the raw score of each view for the best article; `action`: "answer" (show the first
    candidate's answer), "choices" (offer the candidates), "abstain" (hand over to a person);
    `confidence`: calibrated probability that the first candidate is right; `normalized`: the
    normalized question, for the query log.
    """

    candidates: list[Candidate]
    scores: dict
    action: str
    confidence: float
    normalized: str

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None


@dataclass
class EngineConfig:
    """Weights of the views, confidence calibration and decision thresholds.

    Defaults were fitted on the faq_rutube set (286 articles, 401 real user questions, no
    paraphrases, plus 200 off-topic city appeals as negatives): `python bench/faq.py` prints them
    under `cross_validated.fitted_on_all`, beside the out-of-fold figures. They are kept here rather
    than refitted at run time:

    - `weights` / `lexical_weights`: the conditional-logit weights of the standardised views, in the
      order of VECTOR_FEATURES / LEXICAL_FEATURES (with and without sentence vectors);
    - `conf`, `lexical_conf`: logistic calibration sigmoid(a·top + b·margin + c·raw + d), where `top`
      is the fused score of the first candidate, `margin` its lead over the second, and `raw` the
      unstandardised similarity of the first candidate (`Engine.raw_match`). Fitted by logistic
      regression on out-of-fold fused scores (5-fold CV); e5_sym is held at 0.4 (see
      `faq_eval.FIXED_WEIGHTS`);
    - `answer_threshold`: the confidence from which the engine answers alone (0.88 on faq_rutube:
      24 % answered alone at 90.6 % precision; out of fold 21 % at 0.9 with 90.6 %; no off-topic
      text answered);
      `choices_threshold`: from which it offers the candidates.
    """

    weights: tuple[float, ...] = (0.202, 0.199, 0.136, 0.261, 0.685, 0.248, 0.4, 0.16)
    lexical_weights: tuple[float, ...] = (0.536, 0.35, 0.236, 0.185)
    conf: tuple[float, float, float, float] = (0.347, 0.444, -0.347, -3.6)
    lexical_conf: tuple[float, float, float, float] = (0.364, 0.234, 1.08, -4.113)
    # Each view is put on a common scale by a fixed affine map: its typical score of an unrelated
    # article and its typical spread across articles (medians over the faq_rutube questions). Fixed
    # rather than per question, so that scores and confidence mean the same in a knowledge base of
    # 3 articles as of 10,000 (ranking is as good either way: 0.594 vs 0.596 top-1 out of fold).
    view_center: dict = field(
        default_factory=lambda: {
            "char": 0.062,
            "bm25": 0.398,
            "answer": 0.017,
            "e5_question": 0.828,
            "e5_qa": 0.815,
            "e5_chunks": 0.818,
            "e5_sym": 0.824,
            "wh": 0.049,
        }
    )
    view_scale: dict = field(
        default_factory=lambda: {
            "char": 0.056,
            "bm25": 1.051,
            "answer": 0.04,
            "e5_question": 0.019,
            "e5_qa": 0.021,
            "e5_chunks": 0.021,
            "e5_sym": 0.024,
            "wh": 0.208,
        }
    )
    # Common directions of the KB's sentence vectors removed before the e5 views (see the module
    # docstring): how many principal directions, and from how many articles on. In a small KB the
    # top directions are its topics, not what its texts share: on faq_rutube subsets, top-1 gained
    # from 160 articles on (+0.012; +0.024 at 286) and lost below 100 (−0.007 at 80).
    common_directions: int = 3
    common_min_articles: int = 150
    # Those cosines' typical score of an unrelated article and spread (as `view_center`), mapped
    # onto the plain cosines' `view_center` / `view_scale` so that nothing downstream changes scale.
    common_center: dict = field(
        default_factory=lambda: {"e5_question": -0.012, "e5_qa": -0.006, "e5_chunks": 0.004, "e5_sym": -0.012}
    )
    common_scale: dict = field(
        default_factory=lambda: {"e5_question": 0.097, "e5_qa": 0.097, "e5_chunks": 0.097, "e5_sym": 0.114}
    )
    answer_threshold: float = 0.88
    choices_threshold: float = 0.3
    top_k: int = 5
    answer_chars: int = 1500  # of the answer text for the lexical answer view
    qa_chars: int = 300  # of the answer text in the "question + answer" passage
    chunk_chars: int = 300
    max_chunks: int = 6
    refit_share: float = 0.2  # refit the lexical vocabulary when this share of articles changed since
    # Hub correction from unlabelled questions (`Engine.hubness`): the fused score of an article is
    # lowered by `hub_weight` × its pull — the mean fused score over its nearest `hub_share` of the
    # questions (at least `hub_min_k`), less the median article's; `hub_cap` keeps popularity out of
    # it (see `hubness`). Off below `hub_min_questions` questions: on faq_rutube it gains nothing from 50–100 questions, +0.015 top-1 from 200 and
    # +0.02 top-1 / +0.015 top-3 from 320 (out of fold; `bench/faq.py`, `with_query_log`).
    hub_weight: float = 0.5
    hub_share: float = 0.03
    hub_min_k: int = 5
    hub_min_questions: int = 200
    hub_cap: float = 2.0
    # The calibration of `conf` refitted on hub-corrected scores (out-of-fold hubs, 3 fold seeds,
    # off-topic texts included): corrected scores are better separated, so the same threshold
    # answers more questions alone.
    hub_conf: tuple[float, float, float, float] = (0.395, 0.486, -2.006, -2.441)


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, x))))


def wh_kinds(text: str) -> np.ndarray:
    """Which kinds of question words the text uses (a boolean vector over _WH)."""
    low = (text or "").lower().replace("ё", "е")
    return np.array([bool(p.search(low)) for _, p in _WH], dtype=np.float32)


def answer_chunks(answer: str, size: int, limit: int) -> list[str]:
    """The answer cut at sentence ends into pieces of about `size` characters."""
    from razdel import sentenize

    out, current = [], ""
    for sentence in sentenize(answer or ""):
        if current and len(current) + len(sentence.text) > size:
            out.append(current)
            current = sentence.text
        else:
            current = f"{current} {sentence.text}".strip()
        if len(out) >= limit:
            break
    if current and len(out) < limit:
        out.append(current)
    return out


class _Bm25:
    """BM25 document weights over whitespace tokens; query vectors are binary."""

    def __init__(self, k1: float = 1.2, b: float = 0.75):
        self.k1, self.b = k1, b

    def fit(self, docs: list[str]) -> _Bm25:
        self.cv = CountVectorizer(token_pattern=r"\S+", lowercase=False)  # noqa: S106 - a regex, not a secret
        counts = self.cv.fit_transform(docs or [""])
        n = counts.shape[0]
        df = np.bincount(counts.indices, minlength=counts.shape[1])
        self.idf = np.log(1 + (n - df + 0.5) / (df + 0.5)).astype(np.float32)
        self.avgdl = max(float(counts.sum()) / max(n, 1), 1.0)
        return self

    def docs(self, docs: list[str]) -> sp.csr_matrix:
        counts = self.cv.transform(docs).tocsr().astype(np.float32)
        lengths = np.diff(counts.indptr)
        dl = np.repeat(np.asarray(counts.sum(axis=1)).ravel(), lengths)
        tf = counts.data
        counts.data = tf * (self.k1 + 1) / (tf + self.k1 * (1 - self.b + self.b * dl / self.avgdl))
        counts.data *= self.idf[counts.indices]
        return counts


@dataclass
class _Entry:
    """What the index keeps per article between rebuilds of the stacked matrices."""

    article: FaqArticle
    docs_norm: list[str]
    docs_lemma: list[str]
    answer_lemma: str
    wh: np.ndarray
    vec_question: np.ndarray | None = None  # (384,) passage "topic. question"
    vec_qa: np.ndarray | None = None  # (384,) passage "question + answer head"
    vec_chunks: np.ndarray | None = None  # (k, 384) passages "question + chunk"
    vec_sym: np.ndarray | None = None  # (1 + paraphrases, 384) queries
    rows: dict = field(default_factory=dict)  # lexical rows computed with the current vocabulary


class Engine:
    """An in-memory index of FAQ articles answering free-text questions (see the module docstring)."""

    def __init__(self, config: EngineConfig | None = None, use_vectors: bool = True):
        self.config = config or EngineConfig()
        self.use_vectors = bool(use_vectors) and vectors.available()
        self.features = VECTOR_FEATURES if self.use_vectors else LEXICAL_FEATURES
        self._entries: dict[Hashable, _Entry] = {}
        self._changed_since_fit = 0
        self._fitted = False
        self._stacked = False
        self._common: _CommonDirections | None = None
        self._hubs: dict[Hashable, float] = {}

    # --- building -----------------------------------------------------------------------------
    @classmethod
    def build(
        cls, articles: Iterable[FaqArticle], config: EngineConfig | None = None, vectors: bool = True
    ) -> Engine:
        """An engine over `articles`; `vectors=False` keeps it lexical (no sentence model)."""
        engine = cls(config, use_vectors=vectors)
        entries = [engine._prepare(a) for a in articles]
        if engine.use_vectors:
            engine._embed(entries)
        for entry in entries:
            engine._entries[entry.article.id] = entry
        engine._refit()
        return engine

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, article_id: Hashable) -> bool:
        return article_id in self._entries

    def raw_match(self, raw: np.ndarray) -> np.ndarray:
        """Unstandardised similarity per article that enters the confidence: how close the question is
        to the article's wording or to any of its paraphrases (keeps off-topic questions low). Cosines
        freed of the KB's common directions are given on the plain cosines' scale."""
        if self.use_vectors:
            return np.maximum(
                raw[..., self.features.index("e5_question")], raw[..., self.features.index("e5_sym")]
            )
        return raw[..., self.features.index("char")]

    def article_ids(self) -> list[Hashable]:
        """Article ids in the order of the rows of `feature_matrix`."""
        if not self._stacked:
            self._stack()
        return list(self._ids)

    def upsert(self, article: FaqArticle) -> None:
        """Add or replace one article: only its own texts are lemmatised and embedded.

        The lexical vocabulary is kept (new words of this article are unknown to it until the next
        refit, which happens once `refit_share` of the articles changed) and the stacked matrices are
        rebuilt lazily on the next question.
        """
        entry = self._prepare(article)
        old = self._entries.get(article.id)
        if self.use_vectors:
            self._embed([entry], reuse=old)
        self._entries[article.id] = entry
        self._changed_since_fit += 1
        if not self._fitted or self._changed_since_fit > self.config.refit_share * max(len(self._entries), 1):
            self._refit()
        else:
            self._rows(entry)
            self._stacked = False

    def remove(self, article_id: Hashable) -> None:
        """Forget an article; unknown ids are ignored."""
        if self._entries.pop(article_id, None) is not None:
            self._stacked = False

    def _prepare(self, article: FaqArticle) -> _Entry:
        topic = " ".join((article.topic or "").split())
        question = " ".join((article.question or "").split())
        phrasings = [question, *(" ".join((p or "").split()) for p in article.paraphrases)]
        phrasings = [p for p in dict.fromkeys(phrasings) if p]
        docs = [f"{question} {topic}".strip(), *phrasings[1:]] if question else phrasings
        docs = docs or [""]
        answer = " ".join((article.answer or "").split())[: self.config.answer_chars]
        return _Entry(
            article=article,
            docs_norm=[normalize(d) for d in docs],
            docs_lemma=[" ".join(lemmas(d)) for d in docs],
            answer_lemma=" ".join(lemmas(answer)),
            wh=wh_kinds(question),
        )

    def _embed(self, entries: list[_Entry], reuse: _Entry | None = None) -> None:
        """Passage and query vectors for the entries, in a few batched model calls."""
        cfg = self.config
        passages, owners, sym, sym_owners = [], [], [], []
        for n, entry in enumerate(entries):
            a = entry.article
            question = " ".join((a.question or "").split())
            topic = " ".join((a.topic or "").split())
            answer = " ".join((a.answer or "").split())
            if reuse is not None and (reuse.article.question, reuse.article.answer, reuse.article.topic) == (
                a.question,
                a.answer,
                a.topic,
            ):
                # Only paraphrases changed (the usual edit): keep the passage vectors.
                entry.vec_question, entry.vec_qa, entry.vec_chunks = (
                    reuse.vec_question,
                    reuse.vec_qa,
                    reuse.vec_chunks,
                )
                known = dict(zip(_sym_texts(reuse.article), reuse.vec_sym, strict=True))
                texts = _sym_texts(a)
                missing = [t for t in texts if t not in known]
                fresh = dict(zip(missing, vectors.queries(missing), strict=True)) if missing else {}
                entry.vec_sym = np.vstack([known.get(t, fresh.get(t)) for t in texts])
                continue
            chunks = answer_chunks(answer, cfg.chunk_chars, cfg.max_chunks) or [""]
            texts = [
                f"{topic}. {question}" if topic else question,
                f"{question} {answer[: cfg.qa_chars]}",
                *(f"{question} {c}" for c in chunks),
            ]
            passages += texts
            owners += [n] * len(texts)
            for text in _sym_texts(a):
                sym.append(text)
                sym_owners.append(n)
        if passages:
            pv = vectors.passages(passages)
            owners_arr = np.asarray(owners)
            for n in set(owners):
                rows = pv[owners_arr == n]
                entries[n].vec_question, entries[n].vec_qa, entries[n].vec_chunks = rows[0], rows[1], rows[2:]
        if sym:
            sv = vectors.queries(sym)
            sym_arr = np.asarray(sym_owners)
            for n in set(sym_owners):
                entries[n].vec_sym = sv[sym_arr == n]

    def _refit(self) -> None:
        """Fit the lexical vocabularies on every document, then recompute all lexical rows."""
        entries = list(self._entries.values())
        # "_" keeps every vocabulary non-empty (an empty KB, or one of stop words only).
        docs_norm = [d for e in entries for d in e.docs_norm] + ["_"]
        docs_lemma = [d for e in entries for d in e.docs_lemma] + ["_"]
        answers = [e.answer_lemma for e in entries]
        self._char = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, dtype=np.float32
        )
        self._char.fit(docs_norm)
        self._bm25 = _Bm25().fit(docs_lemma)
        self._answer = TfidfVectorizer(token_pattern=r"\S+", sublinear_tf=True, dtype=np.float32)  # noqa: S106
        self._answer.fit([a or "_" for a in answers] + docs_lemma)
        self._q_char = _QueryTerms(self._char)
        self._q_bm25 = _QueryTerms(self._bm25.cv)
        self._q_answer = _QueryTerms(self._answer)
        vocabulary = {w for d in docs_norm for w in d.split()} | {w for a in answers for w in a.split()}
        self._speller = Speller(vocabulary)
        for entry in entries:
            self._rows(entry)
        self._changed_since_fit = 0
        self._fitted = True
        self._stacked = False

    def _rows(self, entry: _Entry) -> None:
        entry.rows = {
            "char": self._char.transform(entry.docs_norm),
            "bm25": self._bm25.docs(entry.docs_lemma),
            "answer": self._answer.transform([entry.answer_lemma or "_"]),
        }

    def _stack(self) -> None:
        """Stack the per-article rows and vectors into the matrices questions are scored against."""
        entries = list(self._entries.values())
        self._ids = [e.article.id for e in entries]
        self._n = len(entries)
        self._doc_owner = _starts([len(e.docs_norm) for e in entries])
        if entries:
            # Kept transposed (term → documents, an inverted index): a question touches only the
            # postings of its own terms, which at 10,000 articles is ~10× faster than a full product.
            self._C = sp.vstack([e.rows["char"] for e in entries]).T.tocsr()
            self._B = sp.vstack([e.rows["bm25"] for e in entries]).T.tocsr()
            self._A = sp.vstack([e.rows["answer"] for e in entries]).T.tocsr()
            self._W = np.vstack([e.wh for e in entries])
        self._hub_row = self._hub_values()
        if self.use_vectors and entries:
            self._EQ = np.vstack([e.vec_question for e in entries])
            self._EQA = np.vstack([e.vec_qa for e in entries])
            self._ECH = np.vstack([e.vec_chunks for e in entries])
            self._ech_owner = _starts([len(e.vec_chunks) for e in entries])
            self._ESYM = np.vstack([e.vec_sym for e in entries])
            self._esym_owner = _starts([len(e.vec_sym) for e in entries])
            self._common = None
            cfg = self.config
            if cfg.common_directions > 0 and len(entries) >= cfg.common_min_articles:
                common = _CommonDirections.fit(
                    [self._EQ, self._EQA, self._ECH], self._ESYM, cfg.common_directions
                )
                self._EQ, self._EQA, self._ECH = (
                    common.passages(m) for m in (self._EQ, self._EQA, self._ECH)
                )
                self._ESYM = common.queries(self._ESYM)
                self._common = common
        self._stacked = True

    # --- answering ----------------------------------------------------------------------------
    def _best_of(self, doc_scores: np.ndarray, starts: np.ndarray) -> np.ndarray:
        """Best document score per article: the documents of each article are consecutive rows."""
        return np.maximum.reduceat(doc_scores.astype(np.float32), starts)

    def feature_matrix(
        self, text: str, query_vector: np.ndarray | None = None
    ) -> tuple[np.ndarray, str] | tuple[None, str]:
        """Raw view scores (articles × features, in `self.features` order) and the normalized text.

        None when the question has nothing to match (empty, punctuation, emoji) or the index is empty.
        `query_vector`: the question's sentence vector already in the index's space (a question of
        the KB itself, `rivals`), instead of embedding `text`.
        """
        if not self._stacked:
            self._stack()
        text = (text or "")[:MAX_QUERY_CHARS]
        norm = normalize(text)
        if not self._n or sum(ch.isalpha() for ch in norm) < 2:
            return None, norm
        columns = self._lexical(norm)
        # Two questions in one message: each part may find its own article on the lexical views, so
        # both articles reach the candidates (the sentence vector of the whole message covers both).
        pieces = split_questions(text) if len(text) > MULTI_QUESTION_CHARS else [text]
        for piece in pieces[:MAX_PARTS] if len(pieces) > 1 else ():
            for name, values in self._lexical(normalize(piece)).items():
                columns[name] = np.maximum(columns[name], values)
        q_wh = wh_kinds(text)
        inter = self._W @ q_wh
        union = self._W.sum(axis=1) + q_wh.sum() - inter
        columns["wh"] = np.where(union > 0, inter / np.maximum(union, 1), 0.0)
        if self.use_vectors:
            q = query_vector
            if q is None:
                q = vectors.query(strip_greeting(text))
                if self._common is not None:
                    q = self._common.queries(q)
            columns["e5_question"] = self._EQ @ q
            columns["e5_qa"] = self._EQA @ q
            columns["e5_chunks"] = self._best_of(self._ECH @ q, self._ech_owner)
            columns["e5_sym"] = self._best_of(self._ESYM @ q, self._esym_owner)
            if self._common is not None:
                cfg = self.config
                for name in E5_FEATURES:
                    columns[name] = cfg.view_center[name] + cfg.view_scale[name] * (
                        (columns[name] - cfg.common_center[name]) / cfg.common_scale[name]
                    )
        return np.column_stack([columns[name] for name in self.features]).astype(np.float64), norm

    def _lexical(self, norm: str) -> dict[str, np.ndarray]:
        fixed = self._speller.fix(norm)
        q_lemmas = " ".join(lemmas(fixed))
        return {
            "char": self._best_of(_postings(self._C, *self._q_char(norm)), self._doc_owner),
            "bm25": self._best_of(_postings(self._B, *self._q_bm25(q_lemmas)), self._doc_owner),
            "answer": _postings(self._A, *self._q_answer(q_lemmas)),
        }

    def standardize(self, raw: np.ndarray) -> np.ndarray:
        """Each view on the common scale (see `EngineConfig.view_center`)."""
        center = np.array([self.config.view_center[f] for f in self.features])
        scale = np.array([self.config.view_scale[f] for f in self.features])
        return (raw - center) / scale

    def _fused(self, raw: np.ndarray, hubs: bool = True) -> np.ndarray:
        cfg = self.config
        weights = np.asarray(cfg.weights if self.use_vectors else cfg.lexical_weights, dtype=np.float64)
        fused = self.standardize(raw) @ weights
        if hubs and self._hubs:
            fused = fused - cfg.hub_weight * self._hub_row
        return fused

    # --- learning from unlabelled questions ----------------------------------------------------
    def hubness(self, texts: Iterable[str]) -> dict[Hashable, float]:
        """How strongly each article draws these questions (real ones, e.g. the query log), for
        `set_hubs`: its mean fused score over its nearest `hub_share` of them, less the median
        article's. Empty when fewer than `hub_min_questions` questions can be scored. A question
        the knowledge base already holds as a question or paraphrase is skipped: it would make its
        own article look like a hub. Costs one sentence vector per question.

        Popularity is not pull: an article asked about far more often than others (the first grade
        in February) has many close questions because they are about it. So each article keeps at
        most `hub_cap` × the mean number of the questions it comes first for (the first ones given:
        pass the newest first), and an article that had more is measured on the other questions
        only. Without this, on faq_rutube with 15 articles asked ten times as often, their own
        questions fell from 0.51 to 0.38 top-1; with it they rise to 0.57 (and all to 0.65)."""
        if not self._stacked:
            self._stack()
        cfg = self.config
        held = {normalize(p) for e in self._entries.values() for p in _sym_texts(e.article)}
        rows = []
        for text in dict.fromkeys(t for t in texts if t):
            raw, norm = self.feature_matrix(text)
            if raw is not None and norm not in held:
                rows.append(self._fused(raw, hubs=False).astype(np.float32))
        if len(rows) < max(cfg.hub_min_questions, 1) or self._n < 2:
            return {}
        scores = np.vstack(rows)
        first = scores.argmax(axis=1)
        asked = np.bincount(first, minlength=self._n)
        cap = max(cfg.hub_min_k, math.ceil(cfg.hub_cap * len(rows) / self._n))
        seen = np.zeros(self._n, dtype=int)
        keep = np.zeros(len(rows), dtype=bool)
        for i, article in enumerate(first):
            keep[i] = seen[article] < cap
            seen[article] += 1
        scores, first = scores[keep], first[keep]
        popular = np.flatnonzero(asked[first] > cap)
        scores[popular, first[popular]] = -np.inf
        k = min(len(scores), max(cfg.hub_min_k, round(cfg.hub_share * len(scores))))
        nearest = -np.partition(-scores, k - 1, axis=0)[:k]
        finite = np.isfinite(nearest)
        pull = np.where(finite, nearest, 0.0).sum(axis=0) / np.maximum(finite.sum(axis=0), 1)
        pull -= np.median(pull)
        return {article_id: round(float(v), 4) for article_id, v in zip(self._ids, pull, strict=True)}

    def set_hubs(self, hubs: dict[Hashable, float]) -> None:
        """Apply `hubness` figures (possibly computed by another process on an older version of the
        knowledge base: an article without one is not corrected)."""
        self._hubs = dict(hubs)
        if self._stacked:
            self._hub_row = self._hub_values()

    def _hub_values(self) -> np.ndarray:
        return np.array([self._hubs.get(i, 0.0) for i in self._ids], dtype=np.float64)

    @property
    def hubs(self) -> dict[Hashable, float]:
        return dict(self._hubs)

    def ask(self, text: str) -> Decision:
        """Decide what to show for a question: an answer, a few choices, or nothing."""
        raw, norm = self.feature_matrix(text)
        if raw is None:
            return Decision([], {}, "abstain", 0.0, norm)
        cfg = self.config
        scores = self._fused(raw)
        k = min(cfg.top_k, self._n)
        order = np.argpartition(-scores, k - 1)[:k] if self._n > k else np.arange(self._n)
        order = order[np.argsort(-scores[order], kind="stable")]
        candidates = [Candidate(self._ids[i], float(scores[i])) for i in order]
        top = candidates[0].score
        margin = top - candidates[1].score if len(candidates) > 1 else top
        best = int(order[0])
        confidence = self.calibrate(top, margin, raw[best])
        if confidence >= cfg.answer_threshold:
            action = "answer"
        elif confidence >= cfg.choices_threshold:
            action = "choices"
        else:
            action = "abstain"
        detail = {name: round(float(raw[best, j]), 4) for j, name in enumerate(self.features)}
        return Decision(
            candidates, {"top": round(top, 4), "margin": round(margin, 4), **detail}, action, confidence, norm
        )

    def ask_each(self, text: str) -> list[tuple[str, Decision]]:
        """The questions of a message that asks several («Когда запись в первый класс? И сколько стоит
        продлёнка?»), each with its own decision; empty when the message asks one.

        `ask` already lets each part find its article among the candidates; this answers each part in
        full, so that a bot can answer both. Each part costs one more sentence vector, which is why
        `ask` (what `faq_eval` times) does not do it."""
        text = (text or "")[:MAX_QUERY_CHARS]
        if len(text) <= MULTI_QUESTION_CHARS:
            return []
        parts = [p for p in split_questions(text) if _asks(p, text)][:MAX_PARTS]
        if len(parts) < 2:
            return []
        # «И ещё: сколько стоит…» is the question «Сколько стоит…»: that is what is logged and quoted.
        parts = [_LINK.sub("", p, count=1) or p for p in parts]
        return [(part[:1].upper() + part[1:], self.ask(part)) for part in parts]

    def rivals(self, min_confidence: float) -> list[Rival]:
        """Pairs of articles that answer one question: each article's own question is asked of the
        other articles (`rival_of`), and where another article would be chosen with at least
        `min_confidence` the two are rivals — a citizen asking either may get the other's answer,
        and real questions split between them. One pair per two articles (the higher confidence of
        the two directions), most confident first. Costs one lexical pass and one vector product per
        article, so it grows as the square of the KB: 0.23 s at 286 articles, 15 s at 2,000, 128 s
        at 10,000 (long synthetic questions)."""
        if not self._stacked:
            self._stack()
        found: dict[frozenset, Rival] = {}
        for i in range(self._n if self._n > 1 else 0):
            rival = self._rival(i)
            if rival is None or rival.confidence < min_confidence:
                continue
            key = frozenset((rival.article_id, rival.other_id))
            if key not in found or found[key].confidence < rival.confidence:
                found[key] = rival
        return sorted(found.values(), key=lambda r: -r.confidence)

    def rival_of(self, article_id: Hashable) -> Rival | None:
        """The article that would answer this article's question if it were not there, and how sure
        the engine would be; None for an unknown article or a KB of one."""
        if not self._stacked:
            self._stack()
        if article_id not in self._entries or self._n < 2:
            return None
        return self._rival(self._ids.index(article_id))

    def _rival(self, i: int) -> Rival | None:
        """Article `i`'s question (with the sentence vector the index holds: nothing is embedded)
        asked of the other articles."""
        vector = self._ESYM[self._esym_owner[i]] if self.use_vectors else None
        raw, _ = self.feature_matrix(self._entries[self._ids[i]].article.question, query_vector=vector)
        if raw is None:
            return None
        scores = self._fused(raw)
        scores[i] = -np.inf
        order = np.argsort(-scores)[:2]
        best = int(order[0])
        margin = scores[best] - scores[order[1]] if self._n > 2 else scores[best]
        confidence = self.calibrate(float(scores[best]), float(margin), raw[best])
        return Rival(self._ids[i], self._ids[best], round(confidence, 4))

    def calibrate(self, top: float, margin: float, best_raw: np.ndarray) -> float:
        """Probability that the first candidate is right, from the fused score, margin and raw match."""
        cfg = self.config
        if not self.use_vectors:
            a, b, c, d = cfg.lexical_conf
        else:
            a, b, c, d = cfg.hub_conf if self._hubs else cfg.conf
        return _sigmoid(a * top + b * margin + c * float(self.raw_match(best_raw)) + d)


@dataclass(frozen=True)
class _CommonDirections:
    """What all sentence vectors of one knowledge base share: the mean of its passages, the mean of
    its queries (e5 embeds the two differently) and the top principal directions of both, centred.
    Removing them and renormalising ("all but the top", Mu & Viswanath 2018) leaves the cosines that
    tell its articles apart."""

    passage_mean: np.ndarray
    query_mean: np.ndarray
    directions: np.ndarray  # (k, dim), orthonormal rows

    SAMPLE = 6000  # rows the directions are fitted on (every n-th row of a larger KB)

    @classmethod
    def fit(cls, passages: list[np.ndarray], queries: np.ndarray, k: int) -> _CommonDirections:
        """From the KB's passage matrices and its query matrix (no copy of them is made)."""
        rows = sum(len(m) for m in passages) + len(queries)
        passage_mean = sum(m.sum(axis=0, dtype=np.float64) for m in passages) / sum(len(m) for m in passages)
        query_mean = queries.mean(axis=0, dtype=np.float64)
        step = max(1, rows // cls.SAMPLE)
        sample = np.vstack([*(m[::step] - passage_mean for m in passages), queries[::step] - query_mean])
        _, vectors_ = np.linalg.eigh(sample.T @ sample)  # ascending: the top directions are last
        dtype = queries.dtype
        return cls(
            passage_mean.astype(dtype), query_mean.astype(dtype), vectors_[:, ::-1][:, :k].T.astype(dtype)
        )

    def _remove(self, x: np.ndarray, mean: np.ndarray) -> np.ndarray:
        x = x - mean
        x = x - (x @ self.directions.T) @ self.directions
        return x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), 1e-9)

    def passages(self, x: np.ndarray) -> np.ndarray:
        return self._remove(x, self.passage_mean)

    def queries(self, x: np.ndarray) -> np.ndarray:
        return self._remove(x, self.query_mean)


class _QueryTerms:
    """The query side of a fitted vectorizer, without sklearn's per-call validation and matrix
    building (half the lexical time of a question): the same terms and the same weights —
    sublinear TF × IDF, L2-normalised for a `TfidfVectorizer`, binary for a `CountVectorizer`."""

    def __init__(self, vectorizer: CountVectorizer):
        self.analyze = vectorizer.build_analyzer()
        self.vocabulary = vectorizer.vocabulary_
        self.idf = getattr(vectorizer, "idf_", None)
        self.sublinear = getattr(vectorizer, "sublinear_tf", False)

    def __call__(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        vocabulary = self.vocabulary
        counts = Counter(vocabulary[t] for t in self.analyze(text) if t in vocabulary)
        terms = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        if self.idf is None:
            return terms, np.ones(len(terms), dtype=np.float32)
        tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        weights = (1 + np.log(tf) if self.sublinear else tf) * self.idf[terms]
        norm = math.sqrt(float(weights @ weights))
        return terms, (weights / norm if norm else weights).astype(np.float32)


def _postings(index: sp.csr_matrix, terms: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Dot product of a query (term ids, weights) with every document of a transposed (term ×
    document) index: only the postings of the query's own terms are read."""
    if not len(terms):
        return np.zeros(index.shape[1], dtype=np.float32)
    starts, lengths = index.indptr[terms], index.indptr[terms + 1] - index.indptr[terms]
    total = int(lengths.sum())
    offsets = np.cumsum(lengths) - lengths
    positions = np.arange(total) + np.repeat(starts - offsets, lengths)
    contributions = index.data[positions] * np.repeat(weights, lengths)
    return np.bincount(index.indices[positions], weights=contributions, minlength=index.shape[1]).astype(
        np.float32
    )


def _asks(part: str, message: str) -> bool:
    """Whether a part of a message is a question: it ends with «?» or uses a question word. A
    greeting, a preamble («У меня вопрос») or a circumstance («Мы живём в другом районе») is not."""
    if len(strip_greeting(part).split()) < 3:
        return False
    at = message.find(part)
    if at >= 0 and message[at + len(part) :].lstrip()[:1] == "?":
        return True
    return bool(wh_kinds(part).any()) or re.search(r"\bли\b", part.lower()) is not None


def _starts(counts: list[int]) -> np.ndarray:
    """Offsets of each article's first row (every article has at least one row)."""
    return np.concatenate([[0], np.cumsum(counts[:-1])]).astype(np.int64) if counts else np.zeros(0, np.int64)


def _sym_texts(article: FaqArticle) -> list[str]:
    texts = [" ".join((t or "").split()) for t in [article.question, *article.paraphrases]]
    return [t for t in dict.fromkeys(texts) if t] or [" "]


__all__ = [
    "ACTIONS",
    "Candidate",
    "Decision",
    "Engine",
    "EngineConfig",
    "FaqArticle",
    "Rival",
]
