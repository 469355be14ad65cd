"""Answers to appeals imported from ПОС go back as a file the ПОС operator loads there."""

import csv
import io
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook

from otklik.appeals.models import Appeal
from otklik.appeals.services import appeal_answer
from otklik.appeals.tests.test_intake import _csv
from otklik.testing import APPEAL_TEXT as TEXT

URL = "/staff/appeals/import/answers/"


@pytest.fixture
def answered(client, region, settings):
    """Three ПОС appeals imported; 101 answered on 5 Oct, 102 on 20 Oct (a formula-like answer), 103 not."""
    settings.APPEAL_AUTO_ROUTE_CONFIDENCE = 0.0
    client.force_login(region.coordinator)
    rows = [f"{n};01.10.2026 10:00;{TEXT};{region.territory_a.name}" for n in (101, 102, 103)]
    client.post("/staff/appeals/import/", {"source": "pos", "file": _csv(rows)})
    by_id = {a.external_id: a for a in Appeal.objects.all()}
    appeal_answer(
        appeal=by_id["101"],
        actor=region.executor_a,
        text="Отопление включено 4 октября.",
        outcome="supported",
    )
    appeal_answer(
        appeal=by_id["102"], actor=region.executor_a, text="=ВЫЗВАТЬ() — не формула, а текст ответа."
    )
    Appeal.objects.filter(pk=by_id["101"].pk).update(answered_at=datetime(2026, 10, 5, 7, 0, tzinfo=UTC))
    Appeal.objects.filter(pk=by_id["102"].pk).update(answered_at=datetime(2026, 10, 20, 7, 0, tzinfo=UTC))
    return by_id


def test_answers_of_the_period_come_back_as_csv(client, region, answered):
    page = client.get("/staff/appeals/import/").content.decode()
    assert "Ответы — обратно во внешнюю систему" in page and 'action="/staff/appeals/import/answers/"' in page
    response = client.get(
        URL, {"source": "pos", "since": "2026-10-01", "until": "2026-10-10", "format": "csv"}
    )
    assert (
        response.status_code == 200
        and "otklik-answers-pos-20261001-20261010.csv" in response["Content-Disposition"]
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["Номер во внешней системе", "Номер в Отклике"]
    assert len(rows) == 2  # only 101 was answered in those days; 103 has no answer
    assert rows[1][0] == "101" and rows[1][1] == answered["101"].number
    assert rows[1][5:] == ["поддержано", region.body_a.name, "Отопление включено 4 октября."]


def test_xlsx_keeps_a_formula_like_answer_as_text(client, region, answered):
    response = client.get(
        URL, {"source": "pos", "since": "2026-10-01", "until": "2026-10-31", "format": "xlsx"}
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert [v[0] for v in values] == ["101", "102"]
    assert values[1][7] == "=ВЫЗВАТЬ() — не формула, а текст ответа." and sheet.cell(3, 8).data_type == "s"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"source": "pos", "since": "2026-10-10", "until": "2026-10-01"}, "Конец периода раньше начала"),
        ({"source": "pos", "since": "2025-01-01", "until": "2026-10-01"}, "не длиннее года"),
        ({"source": "pos", "since": "вчера", "until": "2026-10-01"}, "ГГГГ-ММ-ДД"),
        ({"source": "marsnet", "since": "2026-10-01", "until": "2026-10-02"}, "Выберите систему"),
        ({"source": "pos"}, "Укажите дату"),
    ],
)
def test_bad_parameters_are_explained_on_the_import_page(client, region, answered, params, message):
    response = client.get(URL, params)
    assert response.status_code == 400 and message in response.content.decode()


def test_only_coordinators_export_answers(client, region, answered):
    client.force_login(region.executor_a)
    assert client.get(URL, {"source": "pos", "since": "2026-10-01", "until": "2026-10-31"}).status_code == 403
