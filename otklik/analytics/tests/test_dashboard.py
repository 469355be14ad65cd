"""Figures checked against values computed by hand on a small fixture."""

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from openpyxl import load_workbook

from otklik.analytics import selectors as s
from otklik.appeals.models import Appeal
from otklik.appeals.statuses import Status
from otklik.routing.models import DeadlinePolicy, Topic


def _appeal(region, n, **kw):
    defaults = {
        "region": region.region,
        "number": f"T-{n}",
        "channel": "web",
        "text": "текст обращения",
        "policy": DeadlinePolicy.objects.get(code="fz59"),
        "status": Status.ASSIGNED,
    }
    return Appeal.objects.create(**{**defaults, **kw})


@pytest.fixture
def data(region):
    t12_01, t12_02 = Topic.objects.get(code="12.01"), Topic.objects.get(code="12.02")
    at = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    _appeal(
        region,
        1,
        territory=region.territory_a,
        topic=t12_02,
        organization=region.body_a,
        registered_at=at,
        answered_at=at + timedelta(hours=24),
        due_at=at + timedelta(days=30),
        rating=5,
        routed_automatically=True,
        status=Status.CLOSED,
    )
    at2 = at + timedelta(days=1)
    _appeal(
        region,
        2,
        channel="telegram",
        territory=region.territory_a,
        topic=t12_01,
        organization=region.ministry,
        registered_at=at2,
        answered_at=at2 + timedelta(hours=72),
        due_at=at2 + timedelta(hours=24),
        rating=1,
        escalation_level=1,
        policy=DeadlinePolicy.objects.get(code="fast_track"),
        status=Status.ANSWERED,
    )
    at3 = at + timedelta(days=2)
    _appeal(
        region,
        3,
        territory=region.territory_b,
        topic=t12_02,
        organization=region.body_b,
        registered_at=at3,
        due_at=datetime(2026, 3, 10, tzinfo=UTC),
    )
    _appeal(
        region,
        4,
        territory=region.territory_a,
        topic=t12_02,
        organization=region.body_a,
        registered_at=datetime(2025, 3, 2, 10, 0, tzinfo=UTC),
    )
    return region


MARCH = s.Filters(date(2026, 3, 1), date(2026, 3, 31))


def test_figures_match_hand_computed_values(data):
    qs = s.appeals(user=data.analyst, region=data.region, filters=MARCH)
    assert qs.count() == 3
    assert s.appeals(user=data.analyst, region=data.region, filters=MARCH.shifted_year()).count() == 1
    assert [(r["key"], r["n"], r["share"]) for r in s.by_channel(qs)] == [
        ("web", 2, 0.667),
        ("telegram", 1, 0.333),
    ]
    assert [(r["label"], r["n"]) for r in s.by_topic(qs)] == [
        ("Условия проведения образовательного процесса", 3)
    ]
    assert s.response_times(qs) == {
        "answered": 2,
        "median_h": 48.0,
        "p90_h": 72.0,
        "within_deadline_share": 0.5,
        "overdue_now": 1,
    }
    sat = s.satisfaction(qs)
    assert (sat["rated"], sat["satisfied_share"], sat["dissatisfied_share"], sat["escalations"]) == (
        2,
        0.5,
        0.5,
        1,
    )
    kpi = s.pos_kpis(qs, data.region)
    assert (kpi["auto_routed_share"], kpi["fast_track_share"]) == (0.333, 0.333)
    per = {r["territory"].pk: r["per_1000"] for r in s.territory_map(qs, data.region)}
    assert (per[data.territory_a.pk], per[data.territory_b.pk]) == (1.67, 0.83)


def test_filters_by_territory_and_topic(data):
    by_territory = s.Filters(MARCH.start, MARCH.end, territory_id=data.territory_b.pk)
    assert s.appeals(user=data.analyst, region=data.region, filters=by_territory).count() == 1
    top = Topic.objects.get(code="12")
    by_topic = s.Filters(MARCH.start, MARCH.end, topic_id=top.pk)
    assert s.appeals(user=data.analyst, region=data.region, filters=by_topic).count() == 3


def test_organization_filter_takes_the_subtree(data):
    # The ministry stands for itself and the bodies below it, as on the dashboard's other panels.
    def count(org):
        filters = s.Filters(MARCH.start, MARCH.end, organization_id=org.pk)
        return s.appeals(user=data.analyst, region=data.region, filters=filters).count()

    assert (count(data.ministry), count(data.body_a), count(data.body_b)) == (3, 1, 1)
    missing = s.Filters(MARCH.start, MARCH.end, organization_id=999999)
    assert not s.appeals(user=data.analyst, region=data.region, filters=missing).exists()


def test_quarter_comparison_table(data):
    rows = s.quarter_comparison(user=data.analyst, region=data.region, year=2026, quarter=1)
    assert rows == [
        {
            "label": "Условия проведения образовательного процесса",
            "before": 1,
            "after": 3,
            "change": 2,
            "change_pct": 200.0,
        }
    ]


def test_executor_sees_only_their_organization(data):
    assert s.appeals(user=data.executor_b, region=data.region, filters=MARCH).count() == 1


def test_dashboard_page_and_exports(client, data):
    client.force_login(data.analyst)
    page = client.get("/staff/analytics/", {"from": "2026-03-01", "to": "2026-03-31"}).content.decode()
    assert "Аналитика обращений" in page and "Бот в цифрах" in page
    for column in (
        "Канал",
        "Тематика",
        "Территория",
        "Организация",
        "Оценка",
    ):  # each table says what it lists
        assert f'<th scope="col">{column}</th>' in page
    assert "больше обращений на 1000 обучающихся" in page  # the map's colours explained
    csv_response = client.get(
        "/staff/analytics/", {"from": "2026-03-01", "to": "2026-03-31", "export": "channel"}
    )
    assert csv_response.content.decode("utf-8-sig").splitlines()[1:] == [
        "веб-форма,2,0.667",
        "Telegram-бот,1,0.333",
    ]
    xlsx = client.get(
        "/staff/analytics/",
        {"from": "2026-03-01", "to": "2026-03-31", "export": "territory", "format": "xlsx"},
    )
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet["A1"].value == "Значение" and sheet.max_row == 3
    assert client.get("/staff/analytics/", {"export": "secrets"}).status_code == 404


def test_bad_filters_are_explained_not_500(client, data):
    client.force_login(data.analyst)
    for params in (
        {"from": "вчера"},
        {"from": "2026-05-01", "to": "2026-01-01"},
        {"from": "1990-01-01"},
        {"territory": "abc", "topic": "-1"},
        {"from": "2026-13-45"},
        {"to": "2026-02-30"},
        {"territory": "²", "topic": "99999999999999999999", "organization": "99999999999999999999"},
    ):
        response = client.get("/staff/analytics/", params)
        assert response.status_code == 200
        assert client.get("/staff/analytics/public/", params).status_code == 200
    assert "ГГГГ-ММ-ДД" in client.get("/staff/analytics/", {"from": "вчера"}).content.decode()
    assert "ГГГГ-ММ-ДД" in client.get("/staff/analytics/", {"from": "2026-13-45"}).content.decode()


CLOSED_TO_EXECUTORS = [
    "/staff/analytics/planning/",
    "/staff/analytics/pains/",
    "/staff/analytics/public/",
    "/staff/analytics/report/weekly.xlsx",
    "/staff/analytics/report/weekly/subscription/",
]


def test_executor_sees_no_links_to_pages_closed_to_him(client, data):
    client.force_login(data.executor_a)
    page = client.get("/staff/analytics/").content.decode()
    assert "/staff/analytics/halfyear/" in page
    for url in CLOSED_TO_EXECUTORS:
        assert url not in page
        assert client.get(url).status_code in {403, 405}
    client.force_login(data.analyst)
    page = client.get("/staff/analytics/").content.decode()
    assert all(url in page for url in CLOSED_TO_EXECUTORS)


def test_staff_without_role_get_403(client, data):
    from otklik.accounts.models import User

    client.force_login(User.objects.create_user("z", password="q" * 12))
    assert client.get("/staff/analytics/").status_code == 403


def test_bot_figures_and_prevented_estimate(data):
    from otklik.kb.models import Query
    from otklik.kb.tests.test_kb_core import _load

    _load(data.region)
    from otklik.kb.models import Article

    article = Article.objects.get(slug="kindergarten-queue")
    when = datetime(2026, 3, 5, 12, 0, tzinfo=UTC)
    common = {"region": data.region, "created_at": when, "channel": "telegram", "text": "вопрос"}
    Query.objects.create(**common, decision="answered", article=article, feedback="helped")
    Query.objects.create(**common, decision="answered", article=article)
    Query.objects.create(
        **common, decision="answered", article=article, feedback="not_helped", became_appeal=True
    )
    Query.objects.create(**common, decision="abstained", became_appeal=True)
    Query.objects.create(**common, decision="abstained")
    bot = s.bot(data.region, MARCH)
    assert (bot["total"], bot["answered"], bot["resolved"], bot["conversion"]) == (5, 3, 2, 0.5)
    assert bot["prevented_estimate"] == 1
    assert bot["top_categories"] == [("Дошкольное образование", 3)]


def test_planning_page_with_bad_parameters(client, data):
    client.force_login(data.analyst)
    response = client.get("/staff/analytics/planning/", {"aht": "abc", "sl": "200", "cost": "-5"})
    assert response.status_code == 200 and "Прогноз нагрузки" in response.content.decode()
    assert "<h2>Пики образовательного календаря</h2>" in response.content.decode()
    client.force_login(data.executor_a)
    assert client.get("/staff/analytics/planning/").status_code == 403


def test_bot_counts_sections_opened_with_buttons_users_subscribers_and_suggestions(data):
    import time_machine

    from otklik.dialogue.core import Incoming, handle
    from otklik.kb import services as kb_services
    from otklik.kb.models import Article, Category
    from otklik.kb.tests.test_kb_core import _load

    _load(data.region)
    article = Article.objects.get(slug="kindergarten-queue")
    school = Category.objects.get(slug="school")

    def press(user, action):
        handle(region=data.region, channel="telegram", channel_user=user, incoming=Incoming("button", action))

    with time_machine.travel(datetime(2026, 3, 5, 12, 0, tzinfo=UTC), tick=False):
        press("1", f"cat:{school.pk}")
        press("1", f"art:{article.pk}")
        press("2", f"art:{article.pk}")
        press("2", "cat:999999")  # a stale button: nothing to count
        press("2", f"sub:{school.pk}")
        kb_services.suggestion_submit(region=data.region, text="Про кружки и секции", channel="telegram")
    with time_machine.travel(datetime(2026, 4, 5, 12, 0, tzinfo=UTC), tick=False):
        press("3", f"cat:{school.pk}")  # outside the period
    bot = s.bot(data.region, MARCH)
    preschool = article.category.parent.title if article.category.parent_id else article.category.title
    assert bot["top_opened"] == [(preschool, 2), (school.title, 1)]
    assert bot["answers_opened"] == 2
    assert (bot["users"], bot["subscribers"], bot["suggestions"]) == (3, 1, 1)
    assert bot["ready_answers"] == Article.objects.filter(status=Article.Status.PUBLISHED).count()
    assert article.__class__.objects.get(pk=article.pk).views == 2


@pytest.mark.parametrize("n_answered", [1, 2, 7, 10, 23])
def test_response_times_in_sql_match_the_python_definition(region, n_answered):
    """On PostgreSQL the percentiles are computed by the database: same figures as the Python path."""
    from django.db import connection
    from django.utils import timezone

    if connection.vendor != "postgresql":
        pytest.skip("the SQL path runs on PostgreSQL only")
    at = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    for i in range(n_answered):
        hours = (i * 37) % 101 + 0.25 * i  # distinct, unsorted
        _appeal(
            region,
            i,
            registered_at=at + timedelta(hours=i),
            answered_at=at + timedelta(hours=i + hours),
            due_at=at + timedelta(hours=i + 50),
            status=Status.ANSWERED,
        )
    _appeal(region, 999, registered_at=at, due_at=at + timedelta(days=1))  # unanswered, overdue now
    qs = s.appeals(user=region.analyst, region=region.region, filters=MARCH)
    now = timezone.now()
    assert s._response_times_sql(qs, now) == s._response_times_python(qs, now)
    assert s.response_times(qs)["answered"] == n_answered


def test_pos_kpis_reuse_given_figures(data):
    qs = s.appeals(user=data.analyst, region=data.region, filters=MARCH)
    times, sat = s.response_times(qs), s.satisfaction(qs)
    assert s.pos_kpis(qs, data.region, times=times, sat=sat) == s.pos_kpis(qs, data.region)


def test_dashboard_figures_in_one_scan_equal_the_separate_selectors(data):
    qs = s.appeals(user=data.analyst, region=data.region, filters=MARCH)
    figures = s.dashboard_figures(qs, data.region)
    assert figures["total"] == qs.count()
    assert figures["channel"] == s.by_channel(qs)
    assert figures["topic"] == s.by_topic(qs)
    assert sorted(figures["territory"], key=str) == sorted(s.by_territory(qs), key=str)
    assert sorted(figures["organization"], key=str) == sorted(s.by_organization(qs), key=str)
    assert figures["times"] == s.response_times(qs)
    assert figures["satisfaction"] == s.satisfaction(qs)
    assert figures["kpi"] == s.pos_kpis(qs, data.region)
    assert figures["map"] == s.territory_map(qs, data.region)


def test_any_two_quarters_are_compared_with_the_change_in_per_cent(client, data):
    rows = s.quarter_comparison(
        user=data.analyst, region=data.region, year=2026, quarter=1, base_year=2025, base_quarter=1
    )
    assert rows[0]["change_pct"] == 200.0  # 1 → 3
    nothing = s.quarter_comparison(
        user=data.analyst, region=data.region, year=2026, quarter=1, base_year=2026, base_quarter=2
    )
    assert all(r["before"] == 0 and r["change_pct"] is None for r in nothing)
    client.force_login(data.analyst)
    page = client.get("/staff/analytics/", {"qa": "2026-1", "qb": "2025-1"}).content.decode()
    assert "1 кв. 2026 к 1 кв. 2025" in page and "+200,0" in page
    export = client.get("/staff/analytics/", {"qa": "2026-1", "qb": "2025-1", "export": "quarters"})
    lines = export.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "Категория,1 кв. 2025,1 кв. 2026,Изменение," + "Изменение, %".join(['"', '"'])
    assert lines[1] == "Условия проведения образовательного процесса,1,3,2,200.0"
    for junk in ("2026-9", "abc", "1999-1", "2026"):
        assert client.get("/staff/analytics/", {"qa": junk, "qb": junk}).status_code == 200
