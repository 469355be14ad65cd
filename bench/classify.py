"""Appeal topic and executor classification on real appeals (../shared/data), printed as JSON.

Kursk (appeals_kursk/train.csv, deduplicated by text): 5-fold cross-validation of the category
(`category_id`, with `topic` as the auxiliary fine label) and of the executor (`ExecutorRouter`,
topic × territory). Saint Petersburg (appeals_spb/appeals.csv, deduplicated, empty labels
skipped): trained on the earlier months, tested on the later ones, for `category` (with `reason`
as the fine label) and `executor_org_any` — the router on text alone, and a variant that is
given the `district` column as the territory. Beside every figure, on the same splits, the
baseline: TF-IDF of words + logistic regression.

    .venv/bin/python bench/classify.py [--data DIR] [--folds 5] [--skip-spb] [--test-months 2]
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OTKLIK_NLP_THREADS", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402

from otklik.nlp.classify_eval import dedup, evaluate, load_csv, macro_f1  # noqa: E402
from otklik.nlp.routing import Territory, executor_territory, gazetteer_from_executors, majority  # noqa: E402
from otklik.nlp.toponyms import ToponymMatcher  # noqa: E402


def baseline(train: list[dict], test: list[dict]) -> dict:
    started = time.perf_counter()
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1, max_features=300_000)
    x = vectorizer.fit_transform([r["text"] for r in train])
    model = LogisticRegression(C=10, max_iter=1000).fit(x, [r["label"] for r in train])
    train_s = time.perf_counter() - started
    pred = model.predict(vectorizer.transform([r["text"] for r in test])).tolist()
    gold = [r["label"] for r in test]
    return {
        "gold": gold,
        "predictions": pred,
        "n": len(test),
        "accuracy": round(float(np.mean([g == p for g, p in zip(gold, pred, strict=True)])), 4),
        "macro_f1": round(macro_f1(gold, pred), 4),
        "train_s": round(train_s, 2),
    }


def public(result: dict) -> dict:
    return {k: v for k, v in result.items() if k not in ("gold", "predictions")}


def folds(rows: list[dict], k: int, seed: int = 0):
    order = np.random.default_rng(seed).permutation(len(rows))
    parts = np.array_split(order, k)
    for i in range(k):
        test = set(parts[i].tolist())
        yield [rows[j] for j in range(len(rows)) if j not in test], [rows[j] for j in sorted(test)]


def pooled(results: list[dict]) -> dict:
    """Per-fold figures averaged; macro-F1 both as the fold mean (what one held-out set of this
    size measures) and over all out-of-fold predictions pooled (rare classes weigh more)."""
    n = sum(r["n"] for r in results)
    gold = [g for r in results for g in r["gold"]]
    pred = [p for r in results for p in r["predictions"]]
    out = {
        "n": n,
        "accuracy": round(sum(r["accuracy"] * r["n"] for r in results) / n, 4),
        "macro_f1": round(float(np.mean([r["macro_f1"] for r in results])), 4),
        "macro_f1_pooled": round(macro_f1(gold, pred), 4),
        "train_s": round(float(np.mean([r["train_s"] for r in results])), 2),
    }
    if any("vectors" in r for r in results):
        out["vectors"] = all(r.get("vectors") for r in results)
    for key in ("p99_ms", "confident_share", "confident_accuracy"):
        values = [r[key] for r in results if r.get(key) is not None]
        if values:
            out[key] = round(float(np.max(values) if key == "p99_ms" else np.mean(values)), 4)
    return out


def kursk(data: Path, k: int) -> dict:
    path = data / "appeals_kursk" / "train.csv"
    out = {
        "source": str(path.relative_to(data)),
        "protocol": f"{k}-fold CV, dedup by text, macro-F1 = mean over folds",
    }
    category_rows = dedup(load_csv(path, "text", "category_id", ["topic", "executor"]))
    executor_rows = dedup(load_csv(path, "text", "executor", ["topic", "category_id", "id"]))
    out["n_rows"] = len(category_rows)
    for name, rows, kwargs in (
        ("category_id", category_rows, {"mode": "topic", "fine_col": "topic"}),
        (
            "executor",
            executor_rows,
            # ids are registration numbers (in order of registration): the router follows the
            # practice of the time (`ExecutorRouter`, «current practice»).
            {"mode": "executor", "fine_col": "topic", "category_col": "category_id", "time_col": "id"},
        ),
    ):
        ours, base = [], []
        for train, test in folds(rows, k):
            ours.append(evaluate(train, test, keep_predictions=True, **kwargs))
            base.append(baseline(train, test))
        out[name] = {"ours": pooled(ours), "baseline_tfidf_logreg": pooled(base)}
        if name == "executor":
            text_only = [
                evaluate(train, test, keep_predictions=True, **(kwargs | {"time_col": None}))
                for train, test in folds(rows, k)
            ]
            out[name]["ours_without_registration_order"] = pooled(text_only)
        print(f"kursk {name}: {out[name]}", file=sys.stderr, flush=True)
    out["executor"]["diagnostics"] = executor_diagnostics(executor_rows, k)
    return out


def executor_diagnostics(rows: list[dict], k: int) -> dict:
    """Where the Kursk executor errors come from: the same router given each appeal's territory as
    its executor's name states it (an upper bound: it also reveals "regional body" vs "city"),
    the majority executor of the gold (topic, territory) pair, and how often the text names a
    place that the gazetteer of executor names knows."""
    for row in rows:
        served = executor_territory(row["label"])
        row["served_territory"] = served.code if isinstance(served, Territory) else served
    given, table = [], []
    named = 0
    for train, test in folds(rows, k):
        given.append(
            evaluate(
                train,
                test,
                mode="executor",
                category_col="category_id",
                fine_col="topic",
                territory_col="served_territory",
            )
        )
        counts: dict = {}
        for r in train:
            counts.setdefault((r["topic"], r["served_territory"]), []).append(r["label"])
        fallback = majority([r["label"] for r in train])
        table += [
            majority(counts.get((r["topic"], r["served_territory"]), [fallback])) == r["label"] for r in test
        ]
        matcher = ToponymMatcher(gazetteer_from_executors([r["label"] for r in train])[0])
        named += sum(matcher.find(r["text"]) is not None for r in test)
    n = len(rows)
    return {
        "router_given_executor_territory_accuracy": round(sum(r["accuracy"] * r["n"] for r in given) / n, 4),
        "gold_topic_x_territory_majority_accuracy": round(float(np.mean(table)), 4),
        "texts_naming_a_known_place": round(named / n, 4),
    }


def spb(data: Path, test_months: int) -> dict:
    path = data / "appeals_spb" / "appeals.csv"
    out = {"source": str(path.relative_to(data))}
    for label, fine in (("category", "reason"), ("executor_org_any", None)):
        extra = ["created_at", "district", "category", "reason"]
        rows = dedup(load_csv(path, "text", label, [c for c in extra if c != label]))
        rows.sort(key=lambda r: r["created_at"])
        months = sorted({r["created_at"][:7] for r in rows})
        cut = months[-test_months]
        train = [r for r in rows if r["created_at"][:7] < cut]
        test = [r for r in rows if r["created_at"][:7] >= cut]
        entry = {
            "protocol": f"time split: train {months[0]}..{months[-test_months - 1]}, test {cut}..{months[-1]}",
            "n_train": len(train),
            "n_test": len(test),
            "baseline_tfidf_logreg": public(baseline(train, test)),
        }
        if label == "category":
            entry["ours"] = evaluate(train, test, mode="topic", fine_col=fine)
        else:
            entry["ours_text_only"] = evaluate(
                train, test, mode="executor", category_col="category", fine_col="reason"
            )
            entry["ours_following_practice"] = evaluate(
                train,
                test,
                mode="executor",
                category_col="category",
                fine_col="reason",
                time_col="created_at",
            )
            entry["ours_with_district_column"] = evaluate(
                train,
                test,
                mode="executor",
                category_col="category",
                fine_col="reason",
                territory_col="district",
            )
        out[label] = entry
        print(f"spb {label}: {entry}", file=sys.stderr, flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--test-months", type=int, default=2)
    parser.add_argument("--skip-spb", action="store_true")
    parser.add_argument("--skip-kursk", action="store_true")
    args = parser.parse_args()
    result = {}
    if not args.skip_kursk:
        result["kursk"] = kursk(args.data, args.folds)
    if not args.skip_spb:
        result["spb"] = spb(args.data, args.test_months)
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
