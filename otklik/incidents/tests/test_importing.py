"""Import of a monitoring export: every row registered or explained in Russian, repeats not duplicated."""

import io
import re

import pytest
from openpyxl import Workbook

from otklik.appeals.importing import ImportFileError
from otklik.incidents.importing import incidents_import
from otklik.incidents.models import Incident

HEADER = "network;url;author;text;published_at;territory\n"
GOOD = "В школе холодно, дети сидят в куртках. Когда включат отопление?"


def _csv(rows: list[str]) -> bytes:
    return (HEADER + "\n".join(rows) + "\n").encode("utf-8")


def test_csv_rows_are_registered_or_explained(incidents_region):
    content = _csv(
        [
            f"vk;https://vk.com/wall-000000_1;demo_mom;{GOOD};01.10.2026 10:00;",
            f"ВКонтакте;https://vk.com/wall-000000_1/;demo_mom;{GOOD};01.10.2026 10:00;",
            f"telegram;https://t.me/demo_channel/77;;{GOOD};;{incidents_region.territory_b.name}",
            f"myspace;https://example.org/p/1;;{GOOD};;",
            f"vk;vk.com/wall-1;;{GOOD};;",
            "vk;https://vk.com/wall-000000_2;;;;",
            f"vk;https://vk.com/wall-000000_3;;{GOOD};вчера;",
            f"vk;https://vk.com/wall-000000_4;;{GOOD};01.01.2099 10:00;",
            f"ok;https://ok.ru/group/1/topic/2;;{GOOD};;Марс",
            f";;;{GOOD};;",
        ]
    )
    report = incidents_import(
        region=incidents_region.region,
        content=content,
        filename="export.csv",
        actor=incidents_region.coordinator,
    )
    outcomes = [(r.row, r.outcome) for r in report.rows]
    assert outcomes == [
        (2, "accepted"),
        (3, "repeat"),
        (4, "accepted"),
        (5, "rejected"),
        (6, "rejected"),
        (7, "rejected"),
        (8, "rejected"),
        (9, "rejected"),
        (10, "rejected"),
        (11, "rejected"),
    ]
    details = {r.row: r.detail for r in report.rows}
    assert "уже зарегистрирован" in details[3]
    assert "социальная сеть «myspace» неизвестна" in details[5]
    assert "https://" in details[6]
    assert "текст" in details[7]
    assert "не распознана" in details[8]
    assert "в будущем" in details[9]
    assert "территория «Марс» не найдена" in details[10]
    assert "нет ссылки" in details[11]
    assert (report.accepted, report.repeats, report.rejected) == (2, 1, 7)
    telegram = Incident.objects.get(network="telegram")
    assert telegram.territory == incidents_region.territory_b and telegram.source == "import"
    assert Incident.objects.count() == 2


def test_xlsx_export_is_read(incidents_region):
    book = Workbook()
    sheet = book.active
    sheet.append(["Соцсеть", "Ссылка", "Автор", "Текст", "Срочно"])
    sheet.append(["Одноклассники", "https://ok.ru/group/5/topic/6", "demo_grandpa", GOOD, "да"])
    buffer = io.BytesIO()
    book.save(buffer)
    report = incidents_import(
        region=incidents_region.region, content=buffer.getvalue(), filename="export.xlsx"
    )
    assert [r.outcome for r in report.rows] == ["accepted"]
    incident = Incident.objects.get()
    assert (incident.network, incident.author_nickname, incident.urgent) == ("ok", "demo_grandpa", True)


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b"", "x.csv", "пуст"),
        (b"network;author\nvk;x\n", "x.csv", "Нет обязательных столбцов: ссылка (url), текст (text)"),
        (b"url,text\n", "x.csv", "нет строк"),
        (b"not a workbook", "x.xlsx", "не открывается"),
        (b"url,text\nhttps://vk.com/wall-1_1,hi\n", "x.pdf", ".csv и .xlsx"),
    ],
)
def test_unreadable_files_are_refused_in_russian(incidents_region, content, filename, message):
    with pytest.raises(ImportFileError, match=re.escape(message)):
        incidents_import(region=incidents_region.region, content=content, filename=filename)
    assert Incident.objects.count() == 0
