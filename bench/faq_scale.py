"""Answer engine at knowledge-base scale: 10,000 articles, printed as JSON.

The 286 real articles of ../shared/data/faq_rutube are mixed with N-286 distractor articles made of
real citizens' texts from another domain (../shared/data/appeals_spb: an appeal's text as the
question, the next appeal's text as the answer), so every part of the index is real-sized Russian
text. Reports: the first build (every text embedded) and a rebuild from the on-disk vector cache
(what a restart costs), resident memory, the incremental update of one article, latency of the 401
real questions, and their accuracy among the distractors beside the accuracy without them.

    .venv/bin/python bench/faq_scale.py [--articles 10000] [--data DIR] [--no-vectors] [--cache FILE]

With --cache pointing at a file that a previous run filled, "first_build_s" is a cached build.
"""

import argparse
import csv
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OTKLIK_NLP_THREADS", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from otklik.nlp import vectors  # noqa: E402
from otklik.nlp.faq import Engine, FaqArticle  # noqa: E402
from otklik.nlp.faq_eval import evaluate, load_kb_csv, load_questions_csv  # noqa: E402


def rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def distractors(path: Path, n: int) -> list[FaqArticle]:
    seen, texts = set(), []
    with path.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            text = " ".join((row.get("text") or "").split())
            if len(text) >= 20 and text not in seen:
                seen.add(text)
                texts.append((text, row.get("category", "")))
            if len(texts) > n:
                break
    return [
        FaqArticle(id=f"spb-{i}", question=q[:300], answer=texts[i + 1][0], topic=topic)
        for i, (q, topic) in enumerate(texts[:n])
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--no-vectors", action="store_true")
    parser.add_argument("--cache", help="keep the vector cache in this file (default: a temporary one)")
    args = parser.parse_args()
    data = Path(args.data)
    real = load_kb_csv(data / "faq_rutube" / "kb.csv")
    questions = load_questions_csv(data / "faq_rutube" / "questions_dev.csv")
    extra = distractors(data / "appeals_spb" / "appeals.csv", max(0, args.articles - len(real)))
    use_vectors = not args.no_vectors and vectors.available()
    report = {"articles": len(real) + len(extra), "vectors": use_vectors, "rss_mb_start": rss_mb()}
    with tempfile.TemporaryDirectory() as tmp:
        vectors.set_cache(args.cache or Path(tmp) / "vectors.sqlite3")
        started = time.perf_counter()
        engine = Engine.build(real + extra, vectors=use_vectors)
        report["first_build_s"] = round(time.perf_counter() - started, 1)
        for text, _ in questions[:20]:
            engine.ask(text)
        report["rss_mb_after_build"] = rss_mb()
        report["with_distractors"] = evaluate(engine, questions)
        article = real[0]
        started = time.perf_counter()
        engine.upsert(
            FaqArticle(
                article.id, article.question, article.answer, [*article.paraphrases, "новая формулировка"]
            )
        )
        engine.ask("проверка")
        report["upsert_one_s"] = round(time.perf_counter() - started, 3)
        del engine
        started = time.perf_counter()
        Engine.build(real + extra, vectors=use_vectors)
        report["rebuild_from_cache_s"] = round(time.perf_counter() - started, 1)
        vectors.set_cache(None)
    report["kb_only_286"] = evaluate(Engine.build(real, vectors=use_vectors), questions)
    report["rss_mb_end"] = rss_mb()
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
