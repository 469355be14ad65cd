"""«Рейтинг исполнителей» checked against values computed by hand on a small fixture.

March 2026, time frozen on 15 April (every deadline of 1 April has passed):
- body A: answers after 10 h (rated 5, escalated), 20 h (4), 30 h (1), 40 h, all in time; one
  unanswered, overdue now. In time 4/4, median 25 h, ratings 4–5 2/3, 1–2 1/3.
- body B: 10 h (rated 2) and 20 h in time, two answers after 48 h past their deadline; one redirected
  «не по компетенции». In time 2/4, median 34 h, 4–5 0/1, 1–2 1/1.
- ministry: 5 h, 5 h in time, two late 48 h answers, one overdue now. In time 2/4 (a tie with body
  B, whom it follows: one overdue against none), median 26.5 h, no ratings.
- school A: two in-time answers (2 h, 4 h): too few appeals to rank.
- school B: five appeals in work, none answered, all overdue: no share, no place.
- one appeal without an organization (left out) and one of body A in February (outside the period).
"""

import csv
import io
import itertools
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from openpyxl import load_workbook

from otklik.analytics import ranking
from otklik.analytics import selectors as s
from otklik.analytics.reports import _weekly_tables, weekly_report
from otklik.analytics.tests.test_dashboard import _appeal
from otklik.appeals.statuses import Status

AT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
DUE = AT + timedelta(days=30)
NOW = datetime(2026, 4, 15, 12, 0, tzinfo=UTC)
MARCH = s.Filters(date(2026, 3, 1), date(2026, 3, 31))
URL = "/staff/analytics/executors/"
_numbers = itertools.count(1)


def _make(region, org, *, hours=None, late=False, **kw):
    """An appeal of `org` registered at AT, answered `hours` later (an hour past its deadline when
    `late`), else waiting with the deadline of 1 April."""
    fields = {"organization": org, "registered_at": AT, "due_at": DUE}
    if hours is not None:
        fields |= {"answered_at": AT + timedelta(hours=hours), "status": Status.ANSWERED}
        if late:
            fields["due_at"] = AT + timedelta(hours=hours - 1)
    return _appeal(region, f"R{next(_numbers)}", **{**fields, **kw})


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def data(region):
    a, b, m = region.body_a, region.body_b, region.ministry
    _make(region, a, hours=10, rating=5, escalation_level=1)
    _make(region, a, hours=20, rating=4)
    _make(region, a, hours=30, rating=1)
    _make(region, a, hours=40)
    _make(region, a)
    _make(region, b, hours=10, rating=2)
    _make(region, b, hours=20)
    _make(region, b, hours=48, late=True)
    _make(region, b, hours=48, late=True)
    _make(region, b, status=Status.REDIRECTED)
    for hours, late in [(5, False), (5, False), (48, True), (48, True), (None, False)]:
        _make(region, m, hours=hours, late=late)
    _make(region, region.school_a, hours=2)
    _make(region, region.school_a, hours=4)
    for _ in range(5):
        _make(region, region.school_b, status=Status.IN_WORK)
    _make(region, None)
    _make(region, a, hours=100, late=True, registered_at=AT - timedelta(days=20))
    return region


def _name(org):
    return org.short_name or org.name


FIELDS = [
    "place",
    "received",
    "answered",
    "in_time_share",
    "overdue_now",
    "median_h",
    "satisfied_share",
    "dissatisfied_share",
    "escalations",
    "redirected",
    "too_few",
]


def _rank(data, user=None, filters=MARCH, **kw):
    user = user or data.analyst
    return ranking.organization_ranking(s.appeals(user=user, region=data.region, filters=filters), **kw)


def test_figures_and_default_order_match_hand_computed_values(data):
    rows = _rank(data)
    assert [r["organization_id"] for r in rows] == [
        data.body_a.pk,
        data.body_b.pk,
        data.ministry.pk,
        data.school_b.pk,
        data.school_a.pk,
    ]
    assert [tuple(r[f] for f in FIELDS) for r in rows] == [
        (1, 5, 4, 1.0, 1, 25.0, 0.667, 0.333, 1, 0, False),
        (2, 5, 4, 0.5, 0, 34.0, 0.0, 1.0, 0, 1, False),
        (2, 5, 4, 0.5, 1, 26.5, None, None, 0, 0, False),
        (None, 5, 0, None, 5, None, None, None, 0, 0, False),
        (None, 2, 2, 1.0, 0, 3.0, None, None, 0, 0, True),
    ]


def test_the_place_column_says_why_an_organization_has_none(data):
    cells = [ranking.table_cells(r) for r in _rank(data)]
    assert [c[0] for c in cells] == [1, 2, 2, "—", ranking.TOO_FEW]
    assert cells[3] == ["—", _name(data.school_b), 5, 0, "—", 5, "—", "—", "—", 0, 0]


def test_sorting_by_a_column_keeps_the_default_order_among_equals_and_empty_values_last(data):
    def order(sort, descending=False):
        return [r["organization_id"] for r in _rank(data, sort=sort, descending=descending)]

    a, b, m, sa, sb = (data.body_a.pk, data.body_b.pk, data.ministry.pk, data.school_a.pk, data.school_b.pk)
    assert order("median_h") == [sa, a, m, b, sb]
    assert order("median_h", descending=True) == [b, m, a, sa, sb]
    assert order("received", descending=True) == [a, b, m, sb, sa]
    assert order("satisfied_share") == [b, a, m, sb, sa]
    assert order("place", descending=True) == [b, m, a, sb, sa]
    assert order("overdue_now") == [b, sa, a, m, sb]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ("place", False, True)),
        ("", ("place", False, True)),
        ("median_h", ("median_h", False, True)),
        ("-in_time_share", ("in_time_share", True, True)),
        ("secret", ("place", False, False)),
        ("--name", ("place", False, False)),
        ("organization__name", ("place", False, False)),
    ],
)
def test_sort_parameter_is_validated(value, expected):
    assert ranking.parse_sort(value) == expected


def test_filters_and_a_smaller_threshold(data):
    by_body_a = s.Filters(MARCH.start, MARCH.end, organization_id=data.body_a.pk)
    assert [(r["organization_id"], r["place"]) for r in _rank(data, filters=by_body_a, min_appeals=2)] == [
        (data.school_a.pk, 1),  # both answered all in time; school A has nothing overdue
        (data.body_a.pk, 1),
    ]
    february = s.Filters(date(2026, 2, 1), date(2026, 2, 28))
    [row] = _rank(data, filters=february, min_appeals=1)
    assert (row["organization_id"], row["in_time_share"], row["median_h"], row["place"]) == (
        data.body_a.pk,
        0.0,
        580.0,  # registered 20 days (480 h) before AT, answered 100 h after it
        1,
    )


def test_executor_sees_only_their_organization(data):
    assert [r["organization_id"] for r in _rank(data, user=data.executor_b)] == [
        data.body_b.pk,
        data.school_b.pk,
    ]


def _csv(response):
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_page_sorting_links_and_exports(client, data):
    client.force_login(data.analyst)
    period = {"from": "2026-03-01", "to": "2026-03-31"}
    page = client.get(URL, period).content.decode()
    assert "Рейтинг исполнителей" in page and ranking.TOO_FEW in page
    assert "sort=-place" in page and "sort=median_h" in page
    assert client.get("/staff/analytics/", period).content.decode().count(URL) == 1
    lines = _csv(client.get(URL, {**period, "export": "ranking"}))
    assert lines[0] == list(ranking.COLUMNS.values())
    assert lines[1] == ["1", _name(data.body_a), "5", "4", "1.0", "1", "25.0", "0.667", "0.333", "1", "0"]
    assert lines[5] == [
        ranking.TOO_FEW,
        _name(data.school_a),
        "2",
        "2",
        "1.0",
        "0",
        "3.0",
        "—",
        "—",
        "0",
        "0",
    ]
    by_median = _csv(client.get(URL, {**period, "sort": "-median_h", "export": "ranking"}))
    assert [line[1] for line in by_median[1:]] == [
        _name(data.body_b),
        _name(data.ministry),
        _name(data.body_a),
        _name(data.school_a),
        _name(data.school_b),
    ]
    xlsx = client.get(URL, {**period, "export": "ranking", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert (sheet["A1"].value, sheet["B2"].value, sheet["E3"].value, sheet.max_row) == (
        "Место",
        _name(data.body_a),
        0.5,
        6,
    )


def test_unknown_sort_and_bad_filters_are_explained_not_500(client, data):
    client.force_login(data.analyst)
    for params in ({"sort": "secret"}, {"sort": "-"}, {"from": "вчера", "organization": "x"}, {"sort": "²"}):
        assert client.get(URL, params).status_code == 200
    page = client.get(URL, {"from": "2026-03-01", "to": "2026-03-31", "sort": "secret"}).content.decode()
    assert "Такого столбца для сортировки нет" in page
    lines = _csv(client.get(URL, {"from": "2026-03-01", "to": "2026-03-31", "sort": "x", "export": "1"}))
    assert [line[0] for line in lines[1:]] == ["1", "2", "2", "—", ranking.TOO_FEW]


def test_executor_page_shows_their_organizations_only_and_outsiders_get_403(client, data):
    from otklik.accounts.models import User

    client.force_login(data.executor_a)
    lines = _csv(client.get(URL, {"from": "2026-03-01", "to": "2026-03-31", "export": "ranking"}))
    assert [line[1] for line in lines[1:]] == [_name(data.body_a), _name(data.school_a)]
    client.force_login(User.objects.create_user("z", password="q" * 12))
    assert client.get(URL).status_code == 403


def test_organization_names_are_exported_as_text_not_formulas(client, data):
    data.school_a.short_name = '=HYPERLINK("http://x")'
    data.school_a.save()
    client.force_login(data.analyst)
    lines = _csv(client.get(URL, {"from": "2026-03-01", "to": "2026-03-31", "export": "ranking"}))
    assert lines[5][1] == '\'=HYPERLINK("http://x")'
    xlsx = client.get(URL, {"from": "2026-03-01", "to": "2026-03-31", "export": "ranking", "format": "xlsx"})
    assert load_workbook(io.BytesIO(xlsx.content)).active["B6"].data_type == "s"


def test_weekly_report_has_the_ranking(data):
    report = weekly_report(user=None, region=data.region, week_end=date(2026, 3, 8))
    table = next(t for t in _weekly_tables(report) if t.title == "Рейтинг исполнителей")
    assert table.header[:2] == ["Организация", "Место"]
    assert table.rows[0] == [_name(data.body_a), 1, 5, 1.0, 1, 25.0]
    assert [row[1] for row in table.rows] == [1, 2, 2, "—", ranking.TOO_FEW]
