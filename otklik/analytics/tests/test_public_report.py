"""The anonymised public summary: small groups hidden, no personal data in any format."""

import io
import re
import zipfile
from datetime import UTC, date, datetime, timedelta

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from otklik.analytics import selectors as s
from otklik.analytics.summaries import public_summary
from otklik.analytics.tests.test_dashboard import _appeal
from otklik.routing.models import Topic

PII_TEXT = (
    "Меня зовут Иванова Мария Петровна, мой телефон +7 912 345-67-89. В школе № 1 Северного района "
    "не ремонтируют крышу, в классах течёт."
)
SECRETS = ["Иванова", "Мария", "Петровна", "912", "345-67-89"]
MARCH = {"from": "2026-03-01", "to": "2026-03-31"}


@pytest.fixture
def public(region):
    """14 appeals in March 2026: web 6 (Северный, heating, answered in time, 4 rated),
    hotline 5 (Южный, repairs), Telegram 3 (no territory, repairs; the last one names its author)."""
    heating, repair = Topic.objects.get(code="12.01"), Topic.objects.get(code="12.02")
    at = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    groups = [
        ("web", region.territory_a, heating, 6),
        ("hotline", region.territory_b, repair, 5),
        ("telegram", None, repair, 3),
    ]
    n = 0
    for channel, territory, topic, count in groups:
        for _ in range(count):
            n += 1
            answered = channel == "web"
            _appeal(
                region,
                f"PUB-{n}",
                channel=channel,
                territory=territory,
                topic=topic,
                registered_at=at + timedelta(hours=n),
                answered_at=at + timedelta(hours=n + 5) if answered else None,
                due_at=at + timedelta(days=30),
                rating=5 if answered and n <= 4 else None,
                text=PII_TEXT if n == 14 else "В классе холодно, батареи не греют.",
            )
    return region


def _rows(tables, title):
    return next(t for t in tables if t.title == title).rows


def test_cells_under_five_are_hidden_and_one_more_when_only_one_is(public):
    tables = public_summary(region=public.region, filters=s.Filters(date(2026, 3, 1), date(2026, 3, 31)))
    assert _rows(tables, "Основные показатели") == [
        ["Поступило обращений", 14],
        ["Дан ответ", 6],
        ["Ответов в установленный срок", 1.0],
        ["Оценок ответов заявителями", "<5"],
        ["Довольны ответом (4–5)", "<5"],
        ["Недовольны ответом (1–2)", "<5"],
    ]
    # Telegram (3) is hidden; the hotline (5) too, or 14 − 6 would give the Telegram figure away.
    assert _rows(tables, "По каналам") == [
        ["веб-форма", 6, 0.429],
        ["горячая линия", "скрыто", "скрыто"],
        ["Telegram-бот", "<5", "<5"],
    ]
    assert _rows(tables, "По территориям") == [
        ["Северный район", 6, 0.429],
        ["Южный район", "скрыто", "скрыто"],
        ["не указано", "<5", "<5"],
    ]
    assert _rows(tables, "По тематикам") == [["Условия проведения образовательного процесса", 14, 1.0]]
    problems = _rows(tables, "Частые проблемы и примеры обращений (обезличены)")
    assert [row[:2] for row in problems] == [["Ремонт зданий", 8], ["Температурный режим и отопление", 6]]
    assert problems[0][2].startswith("«Меня зовут [ФИО], мой телефон [телефон]. В школе № 1 Северного района")


def test_a_period_of_fewer_than_five_cases_shows_no_figure(public):
    from otklik.appeals.models import Appeal

    Appeal.objects.exclude(channel="telegram").delete()
    tables = public_summary(region=public.region, filters=s.Filters(date(2026, 3, 1), date(2026, 3, 31)))
    assert _rows(tables, "Основные показатели")[:2] == [["Поступило обращений", "<5"], ["Дан ответ", "<5"]]
    assert _rows(tables, "По каналам") == [["Telegram-бот", "<5", "<5"]]
    assert _rows(tables, "Частые проблемы и примеры обращений (обезличены)") == []


def test_name_and_phone_never_reach_the_page_pdf_or_xlsx(client, public):
    client.force_login(public.analyst)
    page = client.get("/staff/analytics/public/", MARCH)
    assert page.status_code == 200
    html = page.content.decode()
    assert "[ФИО]" in html and "Как обезличен отчёт" in html and "&lt;5" in html

    pdf = client.get("/staff/analytics/public/", {**MARCH, "format": "pdf"})
    assert pdf["Content-Type"] == "application/pdf"
    pdf_text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "[ФИО]" in pdf_text and "<5" in pdf_text and "скрыто" in pdf_text

    xlsx = client.get("/staff/analytics/public/", {**MARCH, "format": "xlsx"})
    book = load_workbook(io.BytesIO(xlsx.content))
    cells = [str(c.value) for sheet in book for row in sheet.iter_rows() for c in row if c.value is not None]
    xlsx_text = "\n".join(cells)
    assert "[ФИО]" in xlsx_text and "Отчёт обезличен" in xlsx_text
    assert book["По каналам"]["B4"].value == "<5"

    # Every text the XLSX package holds (the raw bytes of a zip or of a PDF's compressed streams may
    # contain any short digit run by chance, so they prove nothing either way).
    with zipfile.ZipFile(io.BytesIO(xlsx.content)) as package:
        xml = "".join(package.read(name).decode("utf-8", "replace") for name in package.namelist())
    xlsx_strings = "\n".join(re.findall(r"<t[^>]*>(.*?)</t>", xml, flags=re.S))
    assert "[ФИО]" in xlsx_strings
    for secret in SECRETS:
        assert secret not in html and secret not in pdf_text and secret not in xlsx_text, secret
        assert secret not in xlsx_strings, secret


def test_bad_period_gets_a_message_not_500(client, public):
    client.force_login(public.analyst)
    page = client.get("/staff/analytics/public/", {"from": "вчера"})
    assert page.status_code == 200 and "ГГГГ-ММ-ДД" in page.content.decode()
    for params in (
        {"from": "вчера", "format": "pdf"},
        {"from": "2026-05-01", "to": "2026-01-01", "format": "xlsx"},
    ):
        response = client.get("/staff/analytics/public/", params)
        assert response.status_code == 400
    assert (
        "ГГГГ-ММ-ДД"
        in client.get("/staff/analytics/public/", {"from": "вчера", "format": "pdf"}).content.decode()
    )
    response = client.get("/staff/analytics/public/", {**MARCH, "format": "doc"})
    assert response.status_code == 400 and "pdf или xlsx" in response.content.decode()


def test_outsiders_are_refused(client, public):
    response = client.get("/staff/analytics/public/", {**MARCH, "format": "pdf"})
    assert response.status_code == 302 and "/login" in response["Location"]
    for user in (public.executor_a, public.editor):
        client.force_login(user)
        assert client.get("/staff/analytics/public/", {**MARCH, "format": "xlsx"}).status_code == 403
        assert client.get("/staff/analytics/public/").status_code == 403


def test_dashboard_links_both_reports(client, public):
    client.force_login(public.analyst)
    html = client.get("/staff/analytics/").content.decode()
    assert 'href="/staff/analytics/halfyear/"' in html and 'href="/staff/analytics/public/"' in html
