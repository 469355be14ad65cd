"""Measuring the answer engine on a knowledge base and real questions (CSV files)."""

import csv
import time
from collections import OrderedDict
from pathlib import Path

import numpy as np

from otklik.nlp.faq import Engine, FaqArticle


class FaqEvalError(Exception):
    """A file cannot be used; the message says which and why, in Russian."""


def _read(path, required: list[list[str]]) -> tuple[list[dict], list[str]]:
    file = Path(path)
    if not file.is_file():
        raise FaqEvalError(f"Файл {path} не найден.")
    try:
        text = file.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FaqEvalError(f"Файл {path} не в кодировке UTF-8.") from exc
    if not text.strip():
        raise FaqEvalError(f"Файл {path} пуст.")
    try:
        reader = csv.DictReader(text.splitlines())
        rows = list(reader)
    except csv.Error as exc:
        raise FaqEvalError(f"Файл {path} не читается как CSV: {exc}.") from exc
    columns = reader.fieldnames or []
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
    """Articles from columns qid, question, answer; rows sharing a qid are one article."""
    rows, (qid_col, q_col, a_col) = _read(path, [["qid"], ["question"], ["answer"]])
    articles: OrderedDict[str, FaqArticle] = OrderedDict()
    for n, row in enumerate(rows, 2):
        qid = (row.get(qid_col) or "").strip()
        question = (row.get(q_col) or "").strip()
        if not qid or not question:
            raise FaqEvalError(f"Файл {path}, строка {n}: пустой qid или question.")
        article = articles.get(qid)
        if article is None:
            articles[qid] = FaqArticle(id=qid, question=question, answer=(row.get(a_col) or "").strip())
        elif question != article.question and question not in article.paraphrases:
            article.paraphrases.append(question)
    return list(articles.values())


def load_questions_csv(path) -> list[tuple[str, str]]:
    rows, (text_col, gold_col) = _read(path, [["user_question", "question"], ["gold_qid"]])
    return [((r.get(text_col) or "").strip(), (r.get(gold_col) or "").strip()) for r in rows]


def load_paraphrases_csv(path) -> list[tuple[str, str]]:
    rows, (text_col, gold_col) = _read(path, [["question", "user_question"], ["gold_qid"]])
    return [((r.get(text_col) or "").strip(), (r.get(gold_col) or "").strip()) for r in rows]


def add_paraphrases(articles: list[FaqArticle], pairs: list[tuple[str, str]]) -> int:
    by_id = {str(a.id): a for a in articles}
    added = 0
    for text, gold in pairs:
        if text and gold in by_id:
            by_id[gold].paraphrases.append(text)
            added += 1
    return added


def evaluate(engine: Engine, questions: list[tuple[str, str]], build_s: float = 0.0) -> dict:
    """Top-1/top-3/MRR, how often the engine answers alone and how often it is then right, latency."""
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
