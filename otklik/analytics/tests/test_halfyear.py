"""The half-year analysis of clause 4.5, checked against values computed by hand."""

import io
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from openpyxl import load_workbook

from otklik.analytics.summaries import HalfYear, PeriodError, half_year, half_year_analysis
from otklik.analytics.tests.test_dashboard import _appeal
from otklik.routing.models import Topic

HEATING, REPAIR = "Температурный режим и отопление", "Ремонт зданий"


def _at(y, m, d):
    return datetime(y, m, d, 9, 0, tzinfo=UTC)


@pytest.fixture
def half(region):
    heating, repair = Topic.objects.get(code="12.01"), Topic.objects.get(code="12.02")
    rows = [
        # H1 2026: 4 appeals; answered after 24, 72 and 48 hours: supported, refused, explained
        # (the citizen's rating does not decide the result: the third was rated 4 but only explained).
        # Complaints: the first three (Q1: satisfied, unsatisfied; Q2: explained); the fourth is a proposal.
        (1, "web", heating, region.body_a, _at(2026, 2, 10), 24, 5, "supported", "complaint"),
        (2, "web", heating, region.body_b, _at(2026, 3, 5), 72, 1, "refused", "complaint"),
        (3, "telegram", repair, region.body_a, _at(2026, 4, 10), 48, 4, "explained", "complaint"),
        (4, "telegram", repair, region.school_b, _at(2026, 5, 20), None, None, "", "proposal"),
        # H2 2025: 2 appeals; a statement answered after 10 hours and refused (a refusal, but not of a
        # complaint), and a complaint not answered yet
        (5, "web", heating, region.body_a, _at(2025, 8, 1), 10, 2, "refused", "statement"),
        (6, "email", repair, region.body_a, _at(2025, 11, 1), None, None, "", "complaint"),
        # outside both half-years
        (7, "web", heating, region.body_a, _at(2026, 7, 1), 5, 5, "supported", "complaint"),
        (8, "web", heating, region.body_a, _at(2025, 6, 30), 5, 5, "supported", "complaint"),
    ]
    for n, channel, topic, org, at, hours, rating, outcome, kind in rows:
        _appeal(
            region,
            f"H{n}",
            channel=channel,
            topic=topic,
            organization=org,
            territory=region.territory_a,
            registered_at=at,
            answered_at=at + timedelta(hours=hours) if hours is not None else None,
            due_at=at + timedelta(days=30),
            rating=rating,
            outcome=outcome,
            kind=kind,
        )
    return region


def _tables(user, region, year=2026, half_=1):
    return {t.title: t for t in half_year_analysis(user=user, region=region, period=HalfYear(year, half_))}


def test_clause_4_5_metrics_against_the_previous_half_year(half):
    tables = _tables(half.analyst, half.region)
    assert tables["Сводные показатели (п. 4.5)"].header == [
        "Показатель",
        "1-е полугодие 2026",
        "2-е полугодие 2025",
        "Изменение",
    ]
    assert tables["Сводные показатели (п. 4.5)"].rows == [
        ["Поступило обращений и жалоб, всего", 4, 2, 2],
        ["Дан ответ", 3, 1, 2],
        ["Время ожидания ответа: медиана, ч", 48.0, 10.0, 38.0],
        ["Время ожидания ответа: 90-й перцентиль, ч", 72.0, 10.0, 62.0],
        ["Ещё без ответа", 1, 1, 0],
        ["Поступило жалоб", 3, 1, 2],
        ["Жалоб рассмотрено (дан ответ)", 3, 0, 3],
        ["Удовлетворено жалоб (поддержано)", 1, 0, 1],
        ["Доля удовлетворённых жалоб", 0.333, None, None],
        ["Не удовлетворено жалоб (отказано)", 1, 0, 1],
        ["Доля неудовлетворённых жалоб", 0.333, None, None],
        ["Жалоб с разъяснением", 1, 0, 1],
        ["Жалоб с ответом без отметки результата", 0, 0, 0],
    ]
    assert sorted(tables["Обращения по каналам"].rows) == [
        ["Telegram-бот", 2, 0.5, 0, 2],
        ["веб-форма", 2, 0.5, 1, 1],
        ["электронная почта", 0, 0.0, 1, -1],
    ]
    assert sorted(tables["Основные причины обращений (подтемы классификатора)"].rows) == [
        [REPAIR, 2, 0.5, 1, 1],
        [HEATING, 2, 0.5, 1, 1],
    ]
    assert tables["Обращения по тематикам классификатора"].rows == [
        ["Условия проведения образовательного процесса", 4, 1.0, 2, 2]
    ]
    assert tables["Удовлетворённые и неудовлетворённые жалобы по кварталам"].rows == [
        ["3 квартал 2025", 0, 0, 0, None, 0, None],
        ["4 квартал 2025", 1, 0, 0, None, 0, None],
        ["1 квартал 2026", 2, 2, 1, 0.5, 1, 0.5],
        ["2 квартал 2026", 1, 1, 0, 0.0, 0, 0.0],
    ]


def test_second_half_compares_with_the_first_of_the_same_year(half):
    summary = _tables(half.analyst, half.region, 2026, 2)["Сводные показатели (п. 4.5)"]
    assert summary.header[1:3] == ["2-е полугодие 2026", "1-е полугодие 2026"]
    assert summary.rows[0] == ["Поступило обращений и жалоб, всего", 1, 4, -3]


def test_executor_sees_only_their_organization_subtree(half):
    summary = _tables(half.executor_b, half.region)["Сводные показатели (п. 4.5)"]
    assert summary.rows[0] == ["Поступило обращений и жалоб, всего", 2, 0, 2]
    assert summary.rows[1] == ["Дан ответ", 1, 0, 1]


@time_machine.travel(datetime(2026, 5, 15, 12, tzinfo=UTC))
@pytest.mark.parametrize(
    ("year", "half_", "message"),
    [
        ("abc", "1", "Год — число от 2000 до 2026"),
        ("²", "1", "Год — число от 2000 до 2026"),
        ("1999", "1", "Год — число от 2000 до 2026"),
        ("2027", "1", "Год — число от 2000 до 2026"),
        ("2026", "3", "Полугодие — 1"),
        ("2026", "", "Полугодие — 1"),
        ("2026", "2", "2-е полугодие 2026 ещё не началось."),
    ],
)
def test_bad_periods_are_refused_with_a_message(year, half_, message):
    with pytest.raises(PeriodError, match=message):
        half_year(year, half_)


@time_machine.travel(datetime(2026, 8, 15, 12, tzinfo=UTC))
def test_current_half_year_by_default():
    assert half_year(None, None) == HalfYear(2026, 2)


def test_page_and_xlsx(client, half):
    client.force_login(half.analyst)
    page = client.get("/staff/analytics/halfyear/", {"year": "2026", "half": "1"})
    text = page.content.decode()
    assert page.status_code == 200
    assert "1-е полугодие 2026" in text and "2-е полугодие 2025" in text and "50,0%" in text
    xlsx = client.get("/staff/analytics/halfyear/", {"year": "2026", "half": "1", "format": "xlsx"})
    assert xlsx["Content-Disposition"] == 'attachment; filename="analiz-2026-1.xlsx"'
    book = load_workbook(io.BytesIO(xlsx.content))
    summary = book.worksheets[0]
    assert summary["A1"].value.startswith("Анализ обращений и жалоб (п. 4.5)")
    assert [c.value for c in summary[3]] == ["Поступило обращений и жалоб, всего", 4, 2, 2]
    assert summary["A11"].value == "Доля удовлетворённых жалоб"
    assert summary["B11"].value == 0.333 and summary["B11"].number_format == "0.0%"
    assert book.sheetnames[1] == "Обращения по каналам"


def test_bad_input_gets_a_russian_message_not_500(client, half):
    client.force_login(half.analyst)
    page = client.get("/staff/analytics/halfyear/", {"year": "двадцать", "half": "1"})
    assert page.status_code == 400 and "Год — число от 2000" in page.content.decode()
    xlsx = client.get("/staff/analytics/halfyear/", {"year": "2026", "half": "7", "format": "xlsx"})
    assert xlsx.status_code == 400 and "Полугодие — 1" in xlsx.content.decode()


def test_executor_is_not_sent_to_the_public_report_closed_to_him(client, half):
    client.force_login(half.executor_a)
    page = client.get("/staff/analytics/halfyear/", {"year": "2026", "half": "1"}).content.decode()
    assert "/staff/analytics/public/" not in page and "обезличенный отчёт" in page
    client.force_login(half.analyst)
    page = client.get("/staff/analytics/halfyear/", {"year": "2026", "half": "1"}).content.decode()
    assert "/staff/analytics/public/" in page


def test_outsiders_are_refused(client, half):
    response = client.get("/staff/analytics/halfyear/", {"year": "2026", "half": "1"})
    assert response.status_code == 302 and "/login" in response["Location"]
    client.force_login(half.editor)
    assert client.get("/staff/analytics/halfyear/", {"year": "2026", "half": "1"}).status_code == 403
    assert client.get("/staff/analytics/halfyear/", {"format": "xlsx"}).status_code == 403


def test_executor_page_shows_only_their_subtree(client, half):
    client.force_login(half.executor_b)
    text = client.get("/staff/analytics/halfyear/", {"year": "2026", "half": "1"}).content.decode()
    assert "только обращения организаций, в которых вы работаете" in text
    assert '<td>Поступило обращений и жалоб, всего</td><td class="num">2</td>' in text
