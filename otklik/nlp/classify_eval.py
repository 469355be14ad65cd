"""Measuring the topic classifier and the executor router on labelled appeals (CSV files).

`load_csv` reads rows with a text and a label column (errors in Russian, as `ClassifyEvalError`);
`evaluate` trains on one set of rows, predicts the other and reports accuracy, macro-F1, training
time and the 99th percentile of single-appeal prediction time.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Sequence

import numpy as np

from otklik.nlp.classify import TopicClassifier
from otklik.nlp.csvfile import CsvFileError, read_csv
from otklik.nlp.routing import ExecutorRouter, executor_territory, time_keys

__all__ = [
    "ClassifyEvalError",
    "dedup",
    "evaluate",
    "finer_column",
    "load_csv",
    "looks_like_executors",
    "macro_f1",
    "topic_columns",
]

LATENCY_SAMPLE = 200


class ClassifyEvalError(Exception):
    """A file or a column cannot be used; the message says which and why, in Russian."""


def load_csv(path, text_col: str, label_col: str, extra_cols: Sequence[str] = ()) -> list[dict]:
    """Rows {"text", "label", extra columns...} with a non-empty text and label.

    Rows with an empty label are skipped (appeals still under review); a file where none is left
    is an error.
    """
    try:
        columns, raw = read_csv(path)
    except CsvFileError as exc:
        raise ClassifyEvalError(str(exc)) from exc
    for col in (text_col, label_col, *extra_cols):
        if col not in columns:
            raise ClassifyEvalError(
                f"В файле {path} нет столбца «{col}» (есть: {', '.join(columns) or 'ничего'})."
            )
    rows = []
    for record in raw:
        text = (record.get(text_col) or "").strip()
        label = (record.get(label_col) or "").strip()
        if text and label:
            row = {"text": text, "label": label}
            row.update({col: (record.get(col) or "").strip() for col in extra_cols})
            rows.append(row)
    if not rows:
        raise ClassifyEvalError(f"В файле {path} нет строк с непустыми «{text_col}» и «{label_col}».")
    return rows


def _column_stats(path, text_col: str, label_col: str) -> tuple[list[tuple[str, int, float]], Counter]:
    """The labels' counts, and (column, number of values, purity) for each column of a training file that looks like a label:
    filled in at least 90 % of the labelled rows, with at most a value per three rows (ids and texts
    are not labels). Purity: the share of rows whose label is the most common one of their value in
    that column (1.0: each value belongs to one label). Nothing when the file cannot be read: `load_csv`
    explains what is wrong with it."""
    try:
        _, records = read_csv(path)
    except (OSError, CsvFileError):
        return [], Counter()
    labelled = [r for r in records if (r.get(text_col) or "").strip() and (r.get(label_col) or "").strip()]
    if not labelled:
        return [], Counter()
    n = len(labelled)
    stats = []
    for col in labelled[0]:
        if col in (text_col, label_col) or col is None:
            continue
        values: dict[str, dict[str, int]] = {}
        for record in labelled:
            value = (record.get(col) or "").strip()
            if value:
                counts = values.setdefault(value, {})
                label = record[label_col].strip()
                counts[label] = counts.get(label, 0) + 1
        filled = sum(sum(c.values()) for c in values.values())
        if filled < 0.9 * n or not 2 <= len(values) <= n / 3:
            continue
        stats.append((col, len(values), sum(max(c.values()) for c in values.values()) / filled))
    return stats, Counter(r[label_col].strip() for r in labelled)


def finer_column(path, text_col: str, label_col: str, min_purity: float = 0.95) -> str | None:
    """A column of a training file that refines its label — each of its values belongs to one label,
    and there are more of them (sub-topics of categories) — or None.

    The classifier learns such a finer label beside the label itself (`TopicClassifier(fine_labels)`),
    which on the Kursk set lifts category macro-F1 from 0.49 to 0.57. Only the training file needs
    it. Of several, the purest, then the coarsest is taken.
    """
    stats, labels = _column_stats(path, text_col, label_col)
    fits = [
        (purity, -n_values, col)
        for col, n_values, purity in stats
        if purity >= min_purity and n_values > len(labels)
    ]
    return max(fits)[2] if fits else None


_TOPIC_HEADER = re.compile(r"topic|categor|reason|subject|тем|категор|рубрик|причин|вопрос", re.IGNORECASE)


# Columns that say when an appeal was registered, most explicit first: a registration number («id»)
# grows with time in appeal systems as a date does.
TIME_COLUMNS = (
    "created_at",
    "registered_at",
    "created",
    "date",
    "дата",
    "дата регистрации",
    "id",
    "appeal_id",
)


def time_column(train_path, test_path) -> str | None:
    """A column of both files telling when each appeal was registered (`TIME_COLUMNS`, every value of
    the training file a date or a number), or None. The router uses it only when its history shows
    a practice that changes over time (`routing._drifts`), so a column that is not time costs nothing."""
    try:
        train_cols, train_rows = read_csv(train_path)
        test_cols, _ = read_csv(test_path)
    except CsvFileError as exc:
        raise ClassifyEvalError(str(exc)) from exc
    lower = {c.lower(): c for c in train_cols if c in test_cols}
    for name in TIME_COLUMNS:
        col = lower.get(name)
        if col is not None and time_keys([r.get(col) for r in train_rows]) is not None:
            return col
    return None


def topic_columns(
    path, text_col: str, label_col: str, max_purity: float = 0.9
) -> tuple[str | None, str | None]:
    """The topic columns of a training file for routing executors: (finer, coarser), either None.

    An executor depends on the topic and the territory, so the router learns the history's topics
    (`ExecutorRouter(topics=, categories=)`); on the Kursk set that lifts executor accuracy from 0.458
    to 0.469 (5-fold). A topic column is named as one (topic, category, тема, рубрика …), looks like
    a label, tells something about the executor (its values predict the executor at least 5 points
    better than the most common executor alone: not a counter such as «n_reason_changes») and is not
    a copy of the executor (purity below `max_purity`). Only the training file needs them.
    """
    stats, labels = _column_stats(path, text_col, label_col)
    if not labels:
        return None, None
    majority = labels.most_common(1)[0][1] / labels.total()
    fits = sorted(
        (n_values, col)
        for col, n_values, purity in stats
        if majority + 0.05 <= purity < max_purity and _TOPIC_HEADER.search(col)
    )
    if not fits:
        return None, None
    fine, coarse = fits[-1][1], fits[0][1]
    return fine, (coarse if fits[0][0] < fits[-1][0] else None)


def dedup(rows: Sequence[dict]) -> list[dict]:
    """Rows with a text seen before are dropped (the first one stays)."""
    seen, out = set(), []
    for row in rows:
        key = " ".join(row["text"].lower().split())
        if key not in seen:
            seen.add(key)
            out.append(row)
    return out


def looks_like_executors(labels: Sequence[str]) -> bool:
    """Labels that name organisations serving territories («Администрация … района»)."""
    distinct = set(labels)
    placed = sum(1 for name in distinct if not isinstance(executor_territory(name), str))
    return placed >= 2 and placed >= 0.1 * len(distinct)


def macro_f1(gold: Sequence, pred: Sequence) -> float:
    """Macro-averaged F1 over the labels present in gold or predictions."""
    labels = sorted(set(gold) | set(pred), key=str)
    scores = []
    for label in labels:
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == label and p == label)
        fp = sum(1 for g, p in zip(gold, pred, strict=True) if g != label and p == label)
        fn = sum(1 for g, p in zip(gold, pred, strict=True) if g == label and p != label)
        scores.append(0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn))
    return float(np.mean(scores)) if scores else 0.0


def evaluate(
    train_rows: Sequence[dict],
    test_rows: Sequence[dict],
    *,
    mode: str = "auto",
    fine_col: str | None = None,
    category_col: str | None = None,
    territory_col: str | None = None,
    time_col: str | None = None,
    model=None,
    keep_predictions: bool = False,
    vectors: bool = True,
) -> dict:
    """Train on `train_rows`, predict `test_rows` ({"text", "label", ...}); figures as a dict.

    mode "topic" uses `TopicClassifier` (with `fine_col` as the auxiliary finer label), "executor"
    the `ExecutorRouter` (with `category_col`/`fine_col` as its topics and `territory_col` as a
    known territory and `time_col` as the registration time), "auto" the router when the labels
    look like organisations serving places.
    `model` (a fitted-like object with fit/predict_many) overrides the choice; `keep_predictions`
    adds the gold and predicted labels to the result; `vectors=False` keeps the topic classifier
    lexical (no sentence vectors).
    """
    if not train_rows or not test_rows:
        raise ClassifyEvalError("Нужны непустые обучающая и проверочная выборки.")
    if mode not in ("auto", "topic", "executor"):
        raise ClassifyEvalError(f"Неизвестный режим «{mode}»: допустимы auto, topic, executor.")
    texts = [r["text"] for r in train_rows]
    labels = [r["label"] for r in train_rows]
    if mode == "auto":
        mode = "executor" if looks_like_executors(labels) else "topic"

    started = time.perf_counter()
    if model is not None:
        model.fit(texts, labels)
    elif mode == "executor":
        model = ExecutorRouter().fit(
            texts,
            labels,
            categories=[r[category_col] for r in train_rows] if category_col else None,
            topics=[r[fine_col] for r in train_rows] if fine_col else None,
            territories=[r[territory_col] for r in train_rows] if territory_col else None,
            times=[r[time_col] for r in train_rows] if time_col else None,
        )
    else:
        model = TopicClassifier(vectors=vectors).fit(
            texts, labels, fine_labels=[r[fine_col] for r in train_rows] if fine_col else None
        )
    train_s = time.perf_counter() - started

    test_texts = [r["text"] for r in test_rows]
    gold = [r["label"] for r in test_rows]
    router = isinstance(model, ExecutorRouter)
    territories = [r[territory_col] for r in test_rows] if router and territory_col else None
    times = [r[time_col] for r in test_rows] if router and time_col else None
    if router:
        predictions = model.predict_many(test_texts, territories, times)
    else:
        predictions = model.predict_many(test_texts)
    pred = [str(p.label) if p.label is not None else "" for p in predictions]
    correct = np.array([g == p for g, p in zip(gold, pred, strict=True)])
    confidence = np.array([p.confidence for p in predictions])

    timings = []
    for row in test_rows[:LATENCY_SAMPLE]:
        t0 = time.perf_counter()
        if router:
            model.predict(
                row["text"],
                row[territory_col] if territory_col else None,
                row[time_col] if time_col else None,
            )
        else:
            model.predict(row["text"])
        timings.append((time.perf_counter() - t0) * 1000)

    confident = confidence >= 0.6
    extra = {"gold": gold, "predictions": pred} if keep_predictions else {}
    return extra | {
        "mode": mode,
        "vectors": bool(getattr(model, "uses_vectors", False)),
        "follows_practice": bool(getattr(model, "follows_practice", False)),
        "n_train": len(train_rows),
        "n": len(test_rows),
        "accuracy": round(float(correct.mean()), 4),
        "macro_f1": round(macro_f1(gold, pred), 4),
        "confident_share": round(float(confident.mean()), 4),
        "confident_accuracy": round(float(correct[confident].mean()), 4) if confident.any() else None,
        "train_s": round(train_s, 2),
        "p99_ms": round(float(np.percentile(timings, 99)), 2),
    }
