import io

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile

from otklik.routing.models import Topic
from otklik.routing.topics_io import (
    TopicImportError,
    topics_export_csv,
    topics_export_yaml,
    topics_import,
    topics_parse,
)

TREE_YAML = """
topics:
  - code: "01"
    name: Дошкольное образование
    description: Детские сады, очередь
    children:
      - {code: "01.01", name: Очередь в детский сад, consultative: true, keywords: [очередь, садик]}
      - {code: "01.02", name: Безопасность в детском саду, urgent: true, answer_template: "Уважаемый(ая) {name}!"}
  - code: "02"
    name: Общее образование
"""


def _import(region, text, name="t.yaml"):
    return topics_import(region=region, rows=topics_parse(content=text.encode(), filename=name))


def test_yaml_import_builds_tree(personas):
    result = _import(personas.region, TREE_YAML)
    assert (result.created, result.updated) == (4, 0)
    child = Topic.objects.get(region=personas.region, code="01.02")
    assert child.parent.code == "01"
    assert child.urgent is True
    assert child.answer_template == "Уважаемый(ая) {name}!"
    assert Topic.objects.get(code="01.01").keywords == ["очередь", "садик"]


def test_round_trip_yaml_and_csv(personas):
    _import(personas.region, TREE_YAML)
    exported_yaml = topics_export_yaml(region=personas.region)
    exported_csv = topics_export_csv(region=personas.region)
    Topic.objects.all().delete()
    assert _import(personas.region, exported_yaml).created == 4
    assert topics_export_yaml(region=personas.region) == exported_yaml
    Topic.objects.all().delete()
    assert _import(personas.region, exported_csv, "t.csv").created == 4
    assert topics_export_csv(region=personas.region) == exported_csv


def test_formula_like_texts_go_through_csv_as_text(personas):
    _import(personas.region, TREE_YAML)
    Topic.objects.filter(code="01.01").update(name="=HYPERLINK(1)", answer_template="+7 звонить")
    exported = topics_export_csv(region=personas.region)
    assert "'=HYPERLINK(1)" in exported and "'+7 звонить" in exported
    Topic.objects.all().delete()
    _import(personas.region, exported, "t.csv")
    topic = Topic.objects.get(code="01.01")
    assert (topic.name, topic.answer_template) == ("=HYPERLINK(1)", "+7 звонить")


def test_reimport_updates_instead_of_duplicating(personas):
    _import(personas.region, TREE_YAML)
    result = _import(personas.region, TREE_YAML.replace("Общее образование", "Общее образование (школы)"))
    assert (result.created, result.updated) == (0, 4)
    assert Topic.objects.filter(region=personas.region).count() == 4


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "t.csv", "Файл пуст"),
        (b"\xff\xfe\x00garbage", "t.yaml", "UTF-8"),
        (b"topics: [", "t.yaml", "не является корректным YAML (строка 1, позиция 10)."),
        (b"topics:\n  - {code: '1', name: A, opened: 2026-13-45}\n", "t.yaml", "проверьте даты"),
        (b"code,name\n1," + b"A" * 200_000 + b"\n", "t.csv", "Файл CSV не читается (строка 2)"),
        (b"- just a list", "t.yaml", "нет списка"),
        (b"name\nX\n", "t.csv", "нет обязательных столбцов: code"),
        (b"code,name,parent_code\n1,,\n", "t.csv", "не указано название"),
        (b"code,name,parent_code\n1,A,\n1,B,\n", "t.csv", "повторяется"),
        (b"code,name,parent_code\n2,A,99\n", "t.csv", "раздел 99 не найден"),
        (b"code,name\n1,A\n", "t.docx", "Поддерживаются файлы"),
    ],
)
def test_bad_files_are_refused_with_russian_reason(personas, content, name, message):
    with pytest.raises(TopicImportError) as err:
        topics_import(region=personas.region, rows=topics_parse(content=content, filename=name))
    assert message in str(err.value)
    assert Topic.objects.count() == 0


def test_a_cp1251_csv_from_excel_imports(personas):
    table = "code,name,keywords\n03,Дополнительное образование,кружки;секции\n".encode("cp1251")
    result = topics_import(region=personas.region, rows=topics_parse(content=table, filename="t.csv"))
    assert (result.created, result.updated) == (1, 0)
    topic = Topic.objects.get(region=personas.region, code="03")
    assert (topic.name, topic.keywords) == ("Дополнительное образование", ["кружки", "секции"])


@pytest.mark.parametrize(
    ("content", "name"), [(b"code,name,parent_code\n", "t.csv"), (b"topics: []\n", "t.yaml")]
)
def test_a_file_without_rows_says_so_and_imports_nothing(client, personas, content, name):
    client.force_login(personas.admin)
    before = Topic.objects.count()
    response = client.post("/staff/topics/import/", {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 400
    assert "В файле нет ни одной строки с данными (только заголовок): ничего не импортировано." in (
        response.content.decode()
    )
    assert Topic.objects.count() == before


def test_admin_imports_through_the_web(client, personas):
    client.force_login(personas.admin)
    upload = SimpleUploadedFile("tree.yaml", TREE_YAML.encode(), content_type="application/yaml")
    response = client.post("/staff/topics/import/", {"file": upload})
    assert response.status_code == 302
    assert Topic.objects.count() == 4
    page = client.get("/staff/topics/").content.decode()
    assert "Очередь в детский сад" in page


def test_bad_upload_gets_400_with_reason_and_nothing_changes(client, personas):
    client.force_login(personas.admin)
    for data in (
        {},
        {"file": SimpleUploadedFile("x.csv", b"code,name\n,\n")},
        {"file": SimpleUploadedFile("x.exe", b"MZ")},
    ):
        response = client.post("/staff/topics/import/", data)
        assert response.status_code == 400
        assert 'class="errors"' in response.content.decode()
    assert Topic.objects.count() == 0


def test_non_admin_cannot_import(client, personas):
    client.force_login(personas.executor_a)
    upload = SimpleUploadedFile("tree.yaml", TREE_YAML.encode())
    assert client.post("/staff/topics/import/", {"file": upload}).status_code == 403
    assert Topic.objects.count() == 0


def test_export_download(client, personas):
    _import(personas.region, TREE_YAML)
    client.force_login(personas.analyst)
    response = client.get("/staff/topics/export.yaml")
    assert response.status_code == 200
    assert yaml.safe_load(io.StringIO(response.content.decode()))["topics"][0]["code"] == "01"
    assert client.get("/staff/topics/export.xml").status_code == 404
