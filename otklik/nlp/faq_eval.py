"""Measuring the answer engine on a knowledge base and real questions (CSV files)."""

import time
from collections import OrderedDict

import numpy as np

from otklik.nlp import vectors
from otklik.nlp.csvfile import CsvFileError, read_csv
from otklik.nlp.faq import Engine, FaqArticle


class FaqEvalError(Exception):
    """A file cannot be used; the message says which and why, in Russian."""


def _read(path, required: list[list[str]]) -> tuple[list[dict], list[str]]:
    try:
        columns, rows = read_csv(path)
    except CsvFileError as exc:
        raise FaqEvalError(str(exc)) from exc
    chosen = []
    for options in required:
        found = next((c for c in options if c in columns), None)
        if found is None:
            raise FaqEvalError(
                f"В файле {path} нет столбца {' или '.join(options)} (есть: {', '.join(columns)})."
            )
        chosen.append(found)
    if not rows:
        raise FaqEvalError(f"В файле {path} нет строк с данными.")
    return rows, chosen


def load_kb_csv(path) -> list[FaqArticle]:
    """Articles from columns qid, question, answer (and an optional topic: the section heading, as
    an article's category in the product); rows sharing a qid are one article."""
    rows, (qid_col, q_col, a_col) = _read(path, [["qid"], ["question"], ["answer"]])
    articles: OrderedDict[str, FaqArticle] = OrderedDict()
    for n, row in enumerate(rows, 2):
        qid = (row.get(qid_col) or "").strip()
        question = (row.get(q_col) or "").strip()
        if not qid or not question:
            raise FaqEvalError(f"Файл {path}, строка {n}: пустой qid или question.")
        article = articles.get(qid)
        if article is None:
            articles[qid] = FaqArticle(
                id=qid,
                question=question,
                answer=(row.get(a_col) or "").strip(),
                topic=(row.get("topic") or "").strip(),
            )
        elif question != article.question and question not in article.paraphrases:
            article.paraphrases.append(question)
    return list(articles.values())


def load_questions_csv(path) -> list[tuple[str, str]]:
    rows, (text_col, gold_col) = _read(path, [["user_question", "question"], ["gold_qid"]])
    return [((r.get(text_col) or "").strip(), (r.get(gold_col) or "").strip()) for r in rows]


def load_paraphrases_csv(path) -> list[tuple[str, str]]:
    rows, (text_col, gold_col) = _read(path, [["question", "user_question"], ["gold_qid"]])
    return [((r.get(text_col) or "").strip(), (r.get(gold_col) or "").strip()) for r in rows]


def load_log_csv(path) -> list[str]:
    """Unlabelled questions (a query log): column question, user_question or text."""
    rows, (text_col,) = _read(path, [["question", "user_question", "text"]])
    return [t for t in ((r.get(text_col) or "").strip() for r in rows) if t]


def add_paraphrases(articles: list[FaqArticle], pairs: list[tuple[str, str]]) -> int:
    by_id = {str(a.id): a for a in articles}
    added = 0
    for text, gold in pairs:
        if text and gold in by_id:
            by_id[gold].paraphrases.append(text)
            added += 1
    return added


def evaluate(engine: Engine, questions: list[tuple[str, str]], build_s: float = 0.0) -> dict:
    """Top-1/top-3/MRR, how often the engine answers alone and how often it is then right, latency.

    Question vectors remembered from earlier calls (a warm-up) are forgotten first, so the latency
    is the model's; a question repeated within `questions` is answered from memory, as in service."""
    vectors.clear_query_cache()
    hits1 = hits3 = 0
    rr = 0.0
    answered = answered_right = 0
    latencies = []
    for text, gold in questions:
        started = time.perf_counter()
        decision = engine.ask(text)
        latencies.append((time.perf_counter() - started) * 1000)
        ids = [str(c.article_id) for c in decision.candidates]
        if ids[:1] == [gold]:
            hits1 += 1
        if gold in ids[:3]:
            hits3 += 1
        if gold in ids:
            rr += 1 / (ids.index(gold) + 1)
        if decision.action == "answer":
            answered += 1
            answered_right += ids[:1] == [gold]
    n = len(questions) or 1
    return {
        "n": len(questions),
        "top1": round(hits1 / n, 4),
        "top3": round(hits3 / n, 4),
        "mrr": round(rr / n, 4),
        "answered_share": round(answered / n, 4),
        "answered_precision": round(answered_right / answered, 4) if answered else None,
        "p50_ms": round(float(np.percentile(latencies, 50)), 2) if latencies else None,
        "p99_ms": round(float(np.percentile(latencies, 99)), 2) if latencies else None,
        "build_s": round(build_s, 2),
    }


# --- fitting the fusion weights and the confidence calibration -------------------------------------


def feature_tensor(
    engine: Engine, questions: list[tuple[str, str]]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per question: standardised view scores (questions × articles × views), the raw similarity used
    by the calibration (questions × articles) and the gold article index (-1: not in the KB)."""
    ids = [str(i) for i in engine.article_ids()]
    rows, raws, gold = [], [], []
    for text, g in questions:
        raw, _ = engine.feature_matrix(text)
        if raw is None:
            raw = np.zeros((len(ids), len(engine.features)))
        rows.append(engine.standardize(raw))
        raws.append(engine.raw_match(raw))
        gold.append(ids.index(g) if g in ids else -1)
    return np.stack(rows), np.stack(raws), np.asarray(gold)


# The paraphrase view (e5_sym) cannot be fitted on a knowledge base without paraphrases: there it
# only repeats e5_question and would get a weight of zero, switching the learning loop off. It is held
# at this weight (the cross-validated accuracy is the same for 0–0.4) and the other views are fitted.
FIXED_WEIGHTS = {"e5_sym": 0.4}


def fit_weights(
    z: np.ndarray, gold: np.ndarray, l2: float = 0.1, fixed: dict[int, float] | None = None
) -> np.ndarray:
    """Conditional-logit weights (≥ 0): maximise the softmax likelihood of the gold article over all
    articles; `fixed` holds some weights (by view index) at given values."""
    from scipy.optimize import minimize

    keep = gold >= 0
    z, gold = z[keep], gold[keep]
    at = np.arange(len(gold))

    def loss(w):
        s = z @ w
        s = s - s.max(axis=1, keepdims=True)
        lse = np.log(np.exp(s).sum(axis=1))
        p = np.exp(s - lse[:, None])
        grad = (z[at, gold] - np.einsum("qa,qaf->qf", p, z)).sum(axis=0)
        return -(s[at, gold] - lse).sum() + l2 * w @ w, -grad + 2 * l2 * w

    bounds = [(0.0, None)] * z.shape[2]
    for index, value in (fixed or {}).items():
        bounds[index] = (value, value)
    start = np.array([lo if lo == hi else 0.3 for lo, hi in bounds])
    return minimize(loss, start, jac=True, method="L-BFGS-B", bounds=bounds).x


def calibration_features(scores: np.ndarray, raw_best: np.ndarray) -> np.ndarray:
    """(top, margin, raw) per question from fused scores (questions × articles)."""
    order = np.argsort(-scores, axis=1)
    at = np.arange(len(scores))
    top = scores[at, order[:, 0]]
    second = scores[at, order[:, 1]] if scores.shape[1] > 1 else top
    return np.column_stack([top, top - second, raw_best])


def cross_validate(
    engine: Engine, questions: list[tuple[str, str]], folds: int = 5, seed: int = 0, negatives: list[str] = ()
) -> dict:
    """Out-of-fold quality of the fitted fusion and calibration, plus the values fitted on all data.

    Weights and calibration are fitted on k-1 folds and measured on the held-out fold, so the figures
    are what an engine fitted this way does on questions it has not seen. `negatives` are real texts
    the knowledge base has no answer for (another domain): the calibration learns from them that an
    off-topic question must not be answered, and `negatives_answered` says how many still were.
    """
    from sklearn.linear_model import LogisticRegression

    z, raw, gold = feature_tensor(engine, [*questions, *((t, "") for t in negatives)])
    inkb = gold >= 0
    fixed = {engine.features.index(k): v for k, v in FIXED_WEIGHTS.items() if k in engine.features}
    parts = np.array_split(np.random.default_rng(seed).permutation(len(gold)), folds)
    scores = np.zeros(z.shape[:2])
    for k in range(folds):
        test = parts[k]
        train = np.setdiff1d(np.arange(len(gold)), test)
        scores[test] = z[test] @ fit_weights(z[train], gold[train], fixed=fixed)
    best = scores.argmax(axis=1)
    right = best == gold
    feats = calibration_features(scores, raw[np.arange(len(gold)), best])
    conf = np.zeros(len(gold))
    for k in range(folds):
        test = parts[k]
        train = np.setdiff1d(np.arange(len(gold)), test)
        conf[test] = LogisticRegression(C=10).fit(feats[train], right[train]).predict_proba(feats[test])[:, 1]
    order = np.argsort(-scores, axis=1)
    rank = np.where(gold >= 0, (order == gold[:, None]).argmax(axis=1), 10**6)
    thresholds = {}
    for th in (0.7, 0.75, 0.8, 0.85, 0.9):
        alone = conf >= th
        thresholds[str(th)] = {
            "answered_share": round(float(alone[inkb].mean()), 4),
            "answered_precision": round(float(right[alone].mean()), 4) if alone.any() else None,
            "negatives_answered": round(float(alone[~inkb].mean()), 4) if (~inkb).any() else None,
        }
    weights = fit_weights(z, gold, fixed=fixed)
    full = z @ weights
    best_all = full.argmax(axis=1)
    feats_all = calibration_features(full, raw[np.arange(len(gold)), best_all])
    calibration = LogisticRegression(C=10).fit(feats_all, best_all == gold)
    return {
        "folds": folds,
        "n": int(inkb.sum()),
        "negatives": int((~inkb).sum()),
        "top1": round(float((rank[inkb] == 0).mean()), 4),
        "top3": round(float((rank[inkb] < 3).mean()), 4),
        "mrr": round(float((1 / (rank[inkb] + 1)).mean()), 4),
        "by_answer_threshold": thresholds,
        "fitted_on_all": {
            "weights": dict(zip(engine.features, np.round(weights, 3).tolist(), strict=True)),
            "conf": [*np.round(calibration.coef_[0], 3).tolist(), round(float(calibration.intercept_[0]), 3)],
        },
    }
