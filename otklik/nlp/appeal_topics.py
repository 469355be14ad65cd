"""Topic of an appeal from its text, with a calibrated confidence, and the territory it names.

`TopicClassifier` learns from labelled history (TF-IDF over lemmas and character n-grams, a
class-balanced logistic regression). With little or no history it learns from the topic tree
itself: each topic's name, description and keywords become training texts, so a fresh region
classifies from day one and improves as coordinators confirm topics.

`TerritoryMatcher` finds which territory an appeal names, from each territory's name and aliases
compared on lemmas ("в Лесогорске", "Лесогорского района" → Лесогорский округ).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from otklik.nlp.normalize import lemma, lemmas, normalize, tokens

MAX_CHARS = 4000


@dataclass
class Prediction:
    label: Hashable | None
    confidence: float
    top: list[tuple[Hashable, float]]


class TopicClassifier:
    def __init__(self, c: float = 8.0):
        self.c = c
        self._model: LogisticRegression | None = None
        self._single: Hashable | None = None

    def _features(self, texts: Sequence[str], fit: bool = False):
        lemma_texts = [" ".join(lemmas(t[:MAX_CHARS])) for t in texts]
        norm_texts = [normalize(t[:MAX_CHARS]) for t in texts]
        if fit:
            self._words = TfidfVectorizer(
                token_pattern=r"\S+",
                ngram_range=(1, 2),
                sublinear_tf=True,  # noqa: S106
                min_df=1,
                max_features=200_000,
            )
            self._chars = TfidfVectorizer(
                analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=2, max_features=300_000
            )
            words = self._words.fit_transform(lemma_texts)
            try:
                chars = self._chars.fit_transform(norm_texts)
            except ValueError:  # too few texts for min_df
                self._chars.set_params(min_df=1)
                chars = self._chars.fit_transform(norm_texts)
        else:
            words = self._words.transform(lemma_texts)
            chars = self._chars.transform(norm_texts)
        return sp.hstack([words, chars * 0.6]).tocsr()

    def fit(self, texts: Sequence[str], labels: Sequence[Hashable]) -> TopicClassifier:
        """Learn from texts and their topic labels (any hashable)."""
        if len(texts) != len(labels) or not texts:
            raise ValueError("texts and labels must be non-empty and of the same length")
        counts = Counter(labels)
        if len(counts) == 1:
            self._single = labels[0]
            return self
        features = self._features(texts, fit=True)
        self._model = LogisticRegression(C=self.c, max_iter=2000, class_weight="balanced")
        self._model.fit(features, list(labels))
        return self

    @classmethod
    def from_descriptions(
        cls, descriptions: dict[Hashable, str], history: Sequence[tuple[str, Hashable]] = ()
    ) -> TopicClassifier:
        """Cold start: each topic's own words (name, description, keywords) are its first examples.

        `history` (text, label) pairs, when there are any, are added on top and outweigh them as
        they grow.
        """
        texts, labels = [], []
        for label, text in descriptions.items():
            parts = [p.strip() for p in text.replace(";", ".").split(".") if p.strip()]
            for part in [text, *parts]:
                texts.append(part)
                labels.append(label)
        for text, label in history:
            texts.append(text)
            labels.append(label)
        return cls().fit(texts, labels)

    def predict(self, text: str, k: int = 3) -> Prediction:
        if self._single is not None:
            return Prediction(self._single, 1.0, [(self._single, 1.0)])
        if self._model is None or not normalize(text or ""):
            return Prediction(None, 0.0, [])
        probs = self._model.predict_proba(self._features([text]))[0]
        order = np.argsort(-probs)[:k]
        top = [
            (
                self._model.classes_[i].item()
                if hasattr(self._model.classes_[i], "item")
                else self._model.classes_[i],
                float(probs[i]),
            )
            for i in order
        ]
        return Prediction(top[0][0], top[0][1], top)

    def predict_many(self, texts: Sequence[str]) -> list[Prediction]:
        return [self.predict(t) for t in texts]


class TerritoryMatcher:
    """Finds the territory an appeal names, comparing lemmas of names and aliases with the text."""

    def __init__(self, gazetteer: dict[Hashable, Sequence[str]]):
        self._patterns: list[tuple[tuple[str, ...], Hashable]] = []
        for code, names in gazetteer.items():
            for name in names:
                key = tuple(self._stems(name))
                if key:
                    self._patterns.append((key, code))
        # Longer names first, so "Каменский район" wins over a bare "Каменск".
        self._patterns.sort(key=lambda p: -len(p[0]))

    @staticmethod
    def _stems(text: str) -> list[str]:
        generic = {
            "городской",
            "округ",
            "муниципальный",
            "район",
            "город",
            "г",
            "пос",
            "поселок",
            "с",
            "село",
            "р-н",
            "мо",
            "администрация",
        }
        out = []
        for token in tokens(text):
            lem = lemma(token)
            if lem in generic or token in generic:
                continue
            # Adjective and noun forms of a place share a stem: Лесогорск, лесогорский, Лесогорске.
            out.append(lem[: max(5, len(lem) - 3)])
        return out

    def find(self, text: str) -> tuple[Hashable | None, float]:
        stems = self._stems(text[:MAX_CHARS])
        if not stems:
            return None, 0.0
        hits: Counter = Counter()
        joined = " " + " ".join(stems) + " "
        for key, code in self._patterns:
            if " " + " ".join(key) + " " in joined or all(any(s.startswith(k) for s in stems) for k in key):
                hits[code] += len(key)
        if not hits:
            return None, 0.0
        (best, score), *rest = hits.most_common()
        runner_up = rest[0][1] if rest else 0
        return best, round(score / (score + runner_up), 3)
