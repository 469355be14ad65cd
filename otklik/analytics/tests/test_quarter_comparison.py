"""«Результаты по снижению обращений»: the total row, the consultative-topics option and the headline,
checked against values computed by hand.

Topics: 12 (12.01 consultative, 12.02) and 20 «Питание» (20.01 consultative).
Q1 2025: 12.01 × 3, 12.02 × 2, 20.01 × 1, one without a topic: 7.
Q1 2026: 12.01 × 1, 12.02 × 2, 20.01 × 2: 5.
"""

import csv
import io
import itertools
from datetime import UTC, datetime

import pytest

from otklik.analytics import selectors as s
from otklik.analytics.tests.test_dashboard import _appeal
from otklik.routing.models import Topic

_numbers = itertools.count(1)


@pytest.fixture
def data(region):
    Topic.objects.filter(code="12.01").update(consultative=True)
    food = Topic.objects.create(region=region.region, code="20", name="Питание")
    Topic.objects.create(region=region.region, code="20.01", name="Меню", parent=food, consultative=True)
    for year, counts in [
        (2025, {"12.01": 3, "12.02": 2, "20.01": 1, None: 1}),
        (2026, {"12.01": 1, "12.02": 2, "20.01": 2}),
    ]:
        for code, n in counts.items():
            topic = Topic.objects.get(code=code) if code else None
            for _ in range(n):
                _appeal(
                    region,
                    f"Q{next(_numbers)}",
                    topic=topic,
                    organization=region.body_a,
                    registered_at=datetime(year, 2, 10, 10, 0, tzinfo=UTC),
                )
    return region


def _compare(data, user=None, **kw):
    return s.quarter_comparison(user=user or data.analyst, region=data.region, year=2026, quarter=1, **kw)


def _figures(rows):
    return [(r["label"], r["before"], r["after"], r["change"], r["change_pct"]) for r in rows]


def test_rows_total_and_headline(data):
    rows = _compare(data)
    assert _figures(rows) == [
        ("Условия проведения образовательного процесса", 5, 3, -2, -40.0),
        ("Питание", 1, 2, 1, 100.0),
        ("не указано", 1, 0, -1, -100.0),
    ]
    total = s.quarter_total(rows)
    assert _figures([total]) == [("Итого", 7, 5, -2, -28.6)]
    assert s.quarter_headline(total) == "Количество обращений снизилось на 28,6 % (с 7 до 5, на 2)."


def test_consultative_topics_only(data):
    rows = _compare(data, consultative=True)
    assert _figures(rows) == [
        ("Условия проведения образовательного процесса", 3, 1, -2, -66.7),
        ("Питание", 1, 2, 1, 100.0),
    ]
    total = s.quarter_total(rows)
    assert _figures([total]) == [("Итого", 4, 3, -1, -25.0)]
    assert s.quarter_headline(total, consultative=True) == (
        "Количество обращений по консультативным тематикам снизилось на 25 % (с 4 до 3, на 1)."
    )


@pytest.mark.parametrize(
    ("before", "after", "headline"),
    [
        (476, 357, "Количество обращений снизилось на 25 % (с 476 до 357, на 119)."),
        (8, 9, "Количество обращений выросло на 12,5 % (с 8 до 9, на 1)."),
        (4, 4, "Количество обращений не изменилось (4)."),
        (0, 3, "Количество обращений выросло с 0 до 3."),
        (0, 0, "Количество обращений: обращений не было ни в одном из двух кварталов."),
    ],
)
def test_headline_like_the_sverdlovsk_table(before, after, headline):
    total = s.quarter_total([{"before": before, "after": after}])
    assert s.quarter_headline(total) == headline


def test_total_of_no_rows(data):
    assert _figures([s.quarter_total([])]) == [("Итого", 0, 0, 0, None)]


def test_executor_sees_their_organizations_only(data):
    assert _compare(data, user=data.executor_b) == []


def test_dashboard_shows_and_exports_the_total_and_the_option(client, data):
    client.force_login(data.analyst)
    page = client.get("/staff/analytics/", {"qa": "2026-1", "qb": "2025-1"}).content.decode()
    assert "Итого" in page and "Количество обращений снизилось на 28,6 % (с 7 до 5, на 2)." in page
    page = client.get("/staff/analytics/", {"qa": "2026-1", "qb": "2025-1", "qc": "1"}).content.decode()
    assert "по консультативным тематикам снизилось на 25 %" in page and "qc=1&export=quarters" in page

    def export(**extra):
        response = client.get(
            "/staff/analytics/", {"qa": "2026-1", "qb": "2025-1", "export": "quarters", **extra}
        )
        return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))

    assert export()[-1] == ["Итого", "7", "5", "-2", "-28.6"]
    assert export(qc="1")[1:] == [
        ["Условия проведения образовательного процесса", "3", "1", "-2", "-66.7"],
        ["Питание", "1", "2", "1", "100.0"],
        ["Итого", "4", "3", "-1", "-25.0"],
    ]
    assert client.get("/staff/analytics/", {"qa": "2026-1", "qc": "yes"}).status_code == 200
