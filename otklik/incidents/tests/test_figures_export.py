"""The incident figures page downloads as CSV and XLSX, scoped like the page."""

import io

import pytest
import time_machine
from openpyxl import load_workbook

from otklik.testing import INCIDENT_WEEK_NOW, make_week_of_incidents


@pytest.fixture
def week(incidents_region):
    with time_machine.travel(INCIDENT_WEEK_NOW, tick=False):
        make_week_of_incidents(incidents_region)
        yield incidents_region


def _rows(sheet) -> dict:
    return {row[0]: row[1] for row in sheet.iter_rows(values_only=True) if row and row[0]}


def test_xlsx_holds_every_block_of_the_page(login, week):
    response = login(week.coordinator).get("/staff/incidents/figures/", {"days": 7, "format": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"] == 'attachment; filename="incidenty-7d.xlsx"'
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Сводка", "По соцсетям", "По статусам", "По тематикам", "По территориям"]
    summary = _rows(book["Сводка"])
    assert summary["Инциденты в соцсетях: показатели за 7 дней по 09.03.2026"] is None
    assert summary["Инцидентов в соцсетях найдено"] == 4
    assert summary["Инцидентов с опубликованным ответом"] == 2
    assert summary["Медиана времени реакции на инцидент, ч"] == 13.0
    assert summary["Реакций на инциденты в срок"] == pytest.approx(1 / 3)
    assert book["Сводка"]["B6"].number_format == "0.0%"
    assert summary["Инцидентов просрочено сейчас"] == 2
    assert summary["Реакций в срок (из оценённых)"] == "1 из 3"
    assert _rows(book["По соцсетям"]) == {"Значение": "Инцидентов", "ВКонтакте": 3, "Telegram-канал": 1}


def test_csv_is_excel_ready_with_russian_shares(login, week):
    response = login(week.coordinator).get("/staff/incidents/figures/", {"days": 7, "format": "csv"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeffИнциденты в соцсетях: показатели за 7 дней по 09.03.2026")
    lines = text.splitlines()
    assert 'Реакций на инциденты в срок,"33,3%"' in lines
    assert '"Медиана времени реакции на инцидент, ч",13' in lines
    assert "Инцидентов просрочено сейчас,2" in lines and "По территориям" in lines
    assert "Северный район,4" in lines


def test_the_export_is_scoped_like_the_page(login, week):
    text = login(week.executor_b).get("/staff/incidents/figures/", {"days": 7, "format": "csv"}).content
    assert "Инцидентов в соцсетях найдено,0" in text.decode("utf-8").splitlines()
    assert "Инцидентов просрочено сейчас,0" in text.decode("utf-8").splitlines()


def test_outsiders_get_403_and_unknown_formats_show_the_page(login, week):
    assert login(week.editor).get("/staff/incidents/figures/", {"format": "xlsx"}).status_code == 403
    page = login(week.coordinator).get("/staff/incidents/figures/", {"days": 7, "format": "doc"})
    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
    assert 'href="?days=7&amp;format=xlsx"' in page.content.decode()
