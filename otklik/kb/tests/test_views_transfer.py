import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from otklik.kb.models import Article, Category, Paraphrase
from otklik.kb.tests.conftest import KB_YAML

TRANSFER = "/staff/kb/transfer/"


def _state():
    return (
        list(Article.objects.order_by("pk").values_list("pk", "status", "question", "answer")),
        list(Category.objects.order_by("pk").values_list("pk", "slug", "title")),
        Paraphrase.objects.count(),
    )


def _upload(content, name="kb.yaml"):
    return SimpleUploadedFile(name, content.encode() if isinstance(content, str) else content)


def test_exports_download_in_three_formats(client, kb):
    client.force_login(kb.p.editor)
    yaml = client.get("/staff/kb/export.yaml")
    assert yaml["Content-Type"] == "application/yaml; charset=utf-8"
    assert yaml["Content-Disposition"].startswith(f'attachment; filename="kb-{kb.p.region.code}-')
    assert kb.first_grade.question in yaml.content.decode()
    csv = client.get("/staff/kb/export.csv")
    assert csv["Content-Type"] == "text/csv; charset=utf-8"
    assert csv.content.decode().splitlines()[0].startswith("slug,category,category_title")
    xlsx = client.get("/staff/kb/export.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.max_row == 5  # the header and four articles
    assert client.get("/staff/kb/export.pdf").status_code == 404


def test_import_updates_by_code_and_reports_counts(client, kb):
    client.force_login(kb.p.editor)
    changed = KB_YAML.replace("Госуслугах.", "Госуслугах в разделе «Заявления».").replace(
        "[где посмотреть очередь в садик]", "[где посмотреть очередь в садик, номер в очереди в сад]"
    )
    response = client.post(TRANSFER, {"file": _upload(changed), "status": ""}, follow=True)
    assert (
        "База знаний загружена: категорий 3, новых статей 0, обновлено 3, новых формулировок 1."
        in response.content.decode()
    )
    assert "в разделе «Заявления»" in Article.objects.get(pk=kb.queue.pk).answer
    assert Article.objects.get(pk=kb.fee.pk).status == "draft"
    assert Article.objects.count() == 4


def test_import_as_drafts(client, kb):
    client.force_login(kb.p.editor)
    text = KB_YAML + (
        "  - slug: new-one\n    category: school\n    question: Новый вопрос\n    answer: Новый ответ\n"
        "    status: published\n"
    )
    client.post(TRANSFER, {"file": _upload(text), "status": "draft"})
    assert Article.objects.get(slug="new-one").status == "draft"


def test_csv_exported_by_the_screen_imports_back(client, kb):
    client.force_login(kb.p.editor)
    exported = client.get("/staff/kb/export.csv").content
    before = _state()
    response = client.post(TRANSFER, {"file": _upload(exported, "kb.csv")}, follow=True)
    assert "новых статей 0, обновлено 4, новых формулировок 0." in response.content.decode()
    assert _state()[0] == before[0] and _state()[2] == before[2]


def _many_problems(n: int) -> str:
    rows = "".join(f"  - {{category: nowhere, question: Вопрос {i}, answer: Ответ}}\n" for i in range(n))
    return "articles:\n" + rows


@pytest.mark.parametrize(
    ("data", "messages"),
    [
        ({}, ["Выберите файл."]),
        ({"file": _upload("")}, ["Файл пуст."]),
        ({"file": _upload("articles: [")}, ["Файл не является корректным YAML (строка 1, позиция 12)."]),
        (
            {"file": _upload("category,question,answer\nc,q," + "a" * 200_000 + "\n", "kb.csv")},
            ["не читается"],
        ),
        ({"file": _upload("x", "kb.pdf")}, ["Поддерживаются файлы .yaml, .csv и .xlsx."]),
        ({"file": _upload(b"\xff\xfe\x00", "kb.yaml")}, ["Файл YAML должен быть в кодировке UTF-8."]),
        ({"file": _upload(b"PK\x03\x04broken", "kb.xlsx")}, ["Файл не открывается как таблица Excel"]),
        (
            {"file": _upload("slug,question\n1,q\n", "kb.csv")},
            ["нет обязательных столбцов: category, answer"],
        ),
        ({"file": _upload(KB_YAML), "status": "published"}, ["Выберите один из вариантов статуса."]),
        ({"file": _upload(KB_YAML), "status": "x" * 100_000}, ["статуса"]),
        (
            {"file": _upload(_many_problems(25))},
            ["Статья 1: категория «nowhere» не найдена.", "Статья 20:", "…и ещё 5."],
        ),
        (
            {
                "file": _upload(
                    'articles:\n  - {category: school, question: Q, answer: A, review_at: "2026-02-30"}'
                )
            },
            ["Статья 1: дата review_at не в формате ГГГГ-ММ-ДД."],
        ),
        (
            {
                "file": _upload(
                    "articles:\n  - {category: school, question: Q, answer: A, valid_to: 2026-02-30}"
                )
            },
            ["Файл не является корректным YAML: проверьте даты (ГГГГ-ММ-ДД)."],
        ),
        (
            {
                "file": _upload(
                    "articles:\n  - {slug: плохой код!, category: school, question: Q, answer: A}\n"
                )
            },
            ["Файл не загружен: "],
        ),
    ],
)
def test_bad_files_are_explained_and_nothing_is_written(client, kb, data, messages):
    client.force_login(kb.p.editor)
    before = _state()
    response = client.post(TRANSFER, data)
    html = response.content.decode()
    assert response.status_code == 400 and "Файл не загружен." in html
    for message in messages:
        assert message in html
    assert "Статья 21:" not in html
    assert _state() == before


def test_a_cp1251_csv_from_excel_imports(client, kb):
    client.force_login(kb.p.editor)
    table = "category;question;answer\nschool;Когда каникулы?;Осенние каникулы — с 27 октября.\n"
    response = client.post(TRANSFER, {"file": _upload(table.encode("cp1251"), "kb.csv")}, follow=True)
    assert "новых статей 1, обновлено 0" in response.content.decode()
    article = Article.objects.get(question="Когда каникулы?")
    assert (article.category.slug, article.answer) == ("school", "Осенние каникулы — с 27 октября.")


def test_a_header_only_csv_says_it_has_no_rows_and_imports_nothing(client, kb):
    client.force_login(kb.p.editor)
    before = _state()
    response = client.post(TRANSFER, {"file": _upload("category,question,answer\n", "kb.csv")})
    html = response.content.decode()
    assert response.status_code == 400
    assert "В файле нет ни одной строки с данными (только заголовок): ничего не импортировано." in html
    assert "0 статей" not in html and "новых статей 0" not in html
    assert _state() == before


@pytest.mark.parametrize("persona", ["executor_a", "analyst", "coordinator"])
def test_staff_without_editor_role_get_403_and_nothing_changes(client, kb, persona):
    client.force_login(getattr(kb.p, persona))
    before = _state()
    assert client.get(TRANSFER).status_code == 403
    assert client.get("/staff/kb/export.yaml").status_code == 403
    assert client.post(TRANSFER, {"file": _upload(KB_YAML.replace("Госуслугах", "ЕПГУ"))}).status_code == 403
    assert _state() == before


def test_editor_of_a_municipal_body_cannot_move_the_whole_base(client, kb):
    client.force_login(kb.local_editor)
    before = _state()
    assert client.get(TRANSFER).status_code == 403
    assert client.get("/staff/kb/export.csv").status_code == 403
    assert client.post(TRANSFER, {"file": _upload(KB_YAML.replace("Госуслугах", "ЕПГУ"))}).status_code == 403
    assert _state() == before
