import json

from django.core.management.base import BaseCommand, CommandError

from otklik.nlp.classify_eval import (
    ClassifyEvalError,
    evaluate,
    finer_column,
    load_csv,
    looks_like_executors,
    time_column,
    topic_columns,
)


class Command(BaseCommand):
    help = "Оценка классификатора обращений: обучающий и проверочный CSV → точность, macro-F1, задержка."

    def add_arguments(self, parser):
        parser.add_argument("--train", required=True, help="CSV с обращениями для обучения")
        parser.add_argument("--test", required=True, help="CSV с обращениями для проверки")
        parser.add_argument("--text-col", default="text", help="столбец с текстом обращения")
        parser.add_argument("--label-col", required=True, help="столбец с меткой (тема или исполнитель)")
        parser.add_argument(
            "--fine-col",
            default="auto",
            help="столбец с более дробной темой (дополнительный сигнал); auto — найти в обучающем файле "
            "столбец, уточняющий метку (подтемы категорий), а для исполнителя — столбцы темы и категории; "
            "none — не использовать",
        )
        parser.add_argument("--category-col", help="столбец с категорией (для маршрутизации)")
        parser.add_argument("--territory-col", help="столбец с известной территорией (для маршрутизации)")
        parser.add_argument(
            "--time-col",
            default="auto",
            help="столбец со временем регистрации (дата или растущий номер) — для исполнителя: кто отвечает "
            "сейчас, если практика менялась; auto — найти (created_at, date, id …), none — не использовать",
        )
        parser.add_argument(
            "--mode",
            choices=["auto", "topic", "executor"],
            default="auto",
            help="topic — тема, executor — исполнитель (тема × территория), auto — по меткам",
        )
        parser.add_argument(
            "--no-vectors",
            action="store_true",
            help="без векторной модели (только лексика)",
        )
        parser.add_argument("--json", action="store_true", help="вывести JSON")

    def handle(self, *args, **options):
        text_col, label_col, mode = options["text_col"], options["label_col"], options["mode"]
        try:
            fine_col, category_col = options["fine_col"], options["category_col"]
            if mode == "auto" and "auto" in (fine_col, options["time_col"]):
                labels = [r["label"] for r in load_csv(options["train"], text_col, label_col)]
                mode = "executor" if looks_like_executors(labels) else "topic"
            if fine_col == "none":
                fine_col = None
            elif fine_col == "auto":
                if mode == "executor":
                    # An executor is routed by topic × territory: the router learns the file's topics.
                    fine_col, found_category = topic_columns(options["train"], text_col, label_col)
                    category_col = category_col or found_category
                else:
                    fine_col = finer_column(options["train"], text_col, label_col)
            time_col = options["time_col"]
            if time_col == "none":
                time_col = None
            elif time_col == "auto":
                time_col = time_column(options["train"], options["test"]) if mode == "executor" else None
            # Finer and coarser topics are training signals: only the training file needs them.
            train_extra = list(
                dict.fromkeys(c for c in (fine_col, category_col, options["territory_col"], time_col) if c)
            )
            test_extra = [c for c in (options["territory_col"], time_col) if c]
            train = load_csv(options["train"], text_col, label_col, train_extra)
            test = load_csv(options["test"], text_col, label_col, test_extra)
            result = evaluate(
                train,
                test,
                mode=mode,
                fine_col=fine_col,
                category_col=category_col,
                territory_col=options["territory_col"],
                time_col=time_col,
                vectors=not options["no_vectors"],
            )
        except ClassifyEvalError as exc:
            raise CommandError(str(exc)) from exc
        result["fine_col"] = fine_col
        if category_col:
            result["category_col"] = category_col
        if time_col:
            result["time_col"] = time_col
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
            return
        labels = {
            "mode": "режим",
            "vectors": "векторы предложений",
            "n_train": "обучающих обращений",
            "n": "проверочных обращений",
            "accuracy": "точность",
            "macro_f1": "macro-F1",
            "confident_share": "доля уверенных (≥ 0,6)",
            "confident_accuracy": "точность уверенных",
            "train_s": "обучение, с",
            "p99_ms": "99-й перцентиль, мс",
            "fine_col": "дробная тема из столбца",
            "category_col": "категория из столбца",
            "time_col": "время регистрации из столбца",
            "follows_practice": "учтена смена практики",
        }
        for key, label in labels.items():
            value = result.get(key)
            if isinstance(value, bool):
                value = "да" if value else "нет"
            self.stdout.write(f"{label:<26} {value if value is not None else '—'}")
