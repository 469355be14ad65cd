"""The full ПОС KPI set of the dashboard, checked against values computed by hand on a small fixture.

Organizations: ministry, body A, body B (active staff), school A (none), school B (an inactive user).
March 2026 appeals (9): web, telegram, 4 × widget (school A twice, body B once, one without the
organization), api, import, e-mail; one widget appeal of school B falls in April.
"""

import io
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook

from otklik.accounts.roles import Role
from otklik.analytics import selectors as s
from otklik.analytics.kpis import kpi_rows, pos_reach
from otklik.analytics.tests.test_dashboard import _appeal
from otklik.surveys.models import Response, Survey
from otklik.testing import make_region, make_staff

MARCH = s.Filters(date(2026, 3, 1), date(2026, 3, 31))


def _at(month, day):
    return datetime(2026, month, day, 10, 0, tzinfo=UTC)


def _survey(data, title, kind, status, org, opens_at=None, closes_at=None):
    return Survey.objects.create(
        region=data.region,
        organization=org,
        title=title,
        kind=kind,
        status=status,
        opens_at=opens_at,
        closes_at=closes_at,
    )


@pytest.fixture
def data(region):
    gone = make_staff(region.school_b, Role.EXECUTOR, "gone")
    gone.is_active = False
    gone.save()
    a, b, m = region.body_a, region.body_b, region.ministry
    appeals = [
        ("web", a, None, _at(3, 2), 5),
        ("telegram", m, None, _at(3, 3), 4),
        ("widget", a, region.school_a, _at(3, 4), 1),
        ("widget", region.school_a, region.school_a, _at(3, 5), None),
        ("widget", b, b, _at(3, 6), None),
        ("widget", a, None, _at(3, 7), None),
        ("api", b, None, _at(3, 8), None),
        ("import", b, None, _at(3, 9), None),
        ("email", m, None, _at(3, 10), None),
        ("widget", region.school_b, region.school_b, _at(4, 5), None),
    ]
    made = []
    for n, (channel, org, widget_org, at, rating) in enumerate(appeals, 1):
        appeal = _appeal(
            region,
            n,
            channel=channel,
            organization=org,
            widget_organization=widget_org,
            registered_at=at,
            rating=rating,
        )
        made.append(appeal)
    # Voice: the Telegram appeal came with a voice message (counted); an image from the citizen and
    # a recording staff attached to an answer are not voice appeals.
    for appeal, content_type, from_citizen in [
        (made[1], "audio/ogg", True),
        (made[1], "image/png", True),
        (made[0], "image/jpeg", True),
        (made[6], "audio/mpeg", False),
    ]:
        appeal.attachments.create(
            file="x", name="x", content_type=content_type, size=1, from_citizen=from_citizen
        )
    poll = _survey(region, "Опрос", Survey.Kind.POLL, Survey.Status.OPEN, m, opens_at=_at(2, 1))
    vote = _survey(
        region, "Голосование", Survey.Kind.VOTE, Survey.Status.CLOSED, a, _at(3, 10), closes_at=_at(3, 20)
    )
    _survey(region, "Позже", Survey.Kind.SATISFACTION, Survey.Status.OPEN, m, opens_at=_at(4, 1))
    _survey(region, "Черновик", Survey.Kind.POLL, Survey.Status.DRAFT, m)
    _survey(region, "Раньше", Survey.Kind.POLL, Survey.Status.CLOSED, m, _at(1, 1), closes_at=_at(2, 15))
    early = _survey(region, "Закрыт в феврале", Survey.Kind.POLL, Survey.Status.CLOSED, m, _at(2, 1))
    Survey.objects.filter(pk=early.pk).update(updated_at=_at(2, 20))
    for n, (survey, at, territory) in enumerate(
        [
            (poll, _at(3, 11), region.territory_a),
            (poll, _at(3, 12), region.territory_b),
            (poll, _at(4, 2), region.territory_a),
            (vote, _at(3, 15), region.territory_a),
        ]
    ):
        Response.objects.create(survey=survey, respondent_hash=f"h{n}", submitted_at=at, territory=territory)
    return region


def _kpis(data, user, filters=MARCH):
    qs = s.appeals(user=user, region=data.region, filters=filters)
    return {**s.pos_kpis(qs, data.region), **pos_reach(user=user, region=data.region, filters=filters)}


def rows_of(kpi):
    return {r["key"]: r for r in kpi_rows(kpi)}


def test_the_chat_widget_on_a_site_counts_as_that_organizations_widget(data):
    # March: school B's site shows the chat; a chat appeal from the portal's own page has no site.
    _appeal(
        data,
        20,
        channel="webchat",
        organization=data.body_b,
        widget_organization=data.school_b,
        registered_at=_at(3, 12),
    )
    _appeal(data, 21, channel="webchat", organization=data.body_b, registered_at=_at(3, 13))
    kpi = _kpis(data, data.analyst)
    assert (kpi["widgets"], kpi["widgets_share"], kpi["widget_unattributed"]) == (3, 0.6, 1)


def test_every_new_kpi_matches_hand_computed_values(data):
    kpi = _kpis(data, data.analyst)
    assert (kpi["organizations"], kpi["connected"], kpi["connected_share"]) == (5, 3, 0.6)
    assert (kpi["widgets"], kpi["widgets_share"], kpi["widget_unattributed"]) == (2, 0.4, 1)
    assert (kpi["own_channels_share"], kpi["regional_systems_share"]) == (0.667, 0.222)
    assert (kpi["survey_responses"], kpi["vote_responses"]) == (3, 1)
    # Two territories of 10,000 people: 3 answers are 0.15 per 1000 residents.
    assert kpi["responses_per_1000"] == 0.15
    assert rows_of(kpi)["survey_responses"]["detail"] == "из них голосов — 1; на 1000 жителей — 0,15"
    assert (kpi["surveys_held"], kpi["polls_held"], kpi["votes_held"]) == (2, 1, 1)
    assert (kpi["satisfied_share"], kpi["dissatisfied_share"]) == (0.667, 0.333)
    rows = {r["key"]: r for r in kpi_rows(kpi)}
    assert rows["connected_share"]["shown"] == "60,0%" and rows["connected_share"]["detail"] == "3 из 5"
    assert rows["voice_share"]["shown"] == "11,1%" and rows["voice_share"]["detail"] == "обращений — 1"
    assert rows["surveys_held"]["shown"] == "2"
    assert rows["surveys_held"]["detail"] == "опросов — 1, голосований — 1"


def test_the_dashboard_scan_gives_the_same_channel_shares(data):
    qs = s.appeals(user=data.analyst, region=data.region, filters=MARCH)
    assert s.dashboard_figures(qs, data.region)["kpi"] == s.pos_kpis(qs, data.region)


def test_organization_filter_takes_its_subtree(data):
    def kpi(org):
        return _kpis(data, data.analyst, s.Filters(MARCH.start, MARCH.end, organization_id=org.pk))

    body_a, body_b = kpi(data.body_a), kpi(data.body_b)
    # Body A and school A: body A is staffed; school A's widget was used; one widget appeal of body A
    # has no widget organization. Appeals of the subtree: web and three widget ones.
    assert (body_a["connected"], body_a["organizations"], body_a["widgets"]) == (1, 2, 1)
    assert (body_a["widget_unattributed"], body_a["own_channels_share"]) == (1, 1.0)
    assert (body_a["surveys_held"], body_a["votes_held"], body_a["survey_responses"]) == (1, 1, 1)
    # School B's widget appeal came in April: outside the period.
    assert (body_b["connected_share"], body_b["widgets"], body_b["regional_systems_share"]) == (0.5, 1, 0.667)
    assert (body_b["surveys_held"], body_b["survey_responses"]) == (0, 0)


def test_period_and_territory_filters_apply(data):
    april = _kpis(data, data.analyst, s.Filters(date(2026, 4, 1), date(2026, 4, 30)))
    assert (april["widgets"], april["own_channels_share"], april["survey_responses"]) == (1, 1.0, 1)
    assert (april["surveys_held"], april["polls_held"], april["votes_held"]) == (2, 2, 0)
    north = _kpis(data, data.analyst, s.Filters(MARCH.start, MARCH.end, territory_id=data.territory_a.pk))
    assert (north["survey_responses"], north["vote_responses"]) == (2, 1)
    assert north["connected_share"] == 0.6  # organizations do not follow the territory filter


def test_executor_sees_the_kpis_of_their_subtree_only(data):
    kpi = _kpis(data, data.executor_a)
    assert (kpi["organizations"], kpi["connected"], kpi["widgets"], kpi["widget_unattributed"]) == (
        2,
        1,
        1,
        1,
    )
    assert (kpi["surveys_held"], kpi["survey_responses"]) == (0, 0)  # surveys are for analysts and up


def test_empty_region_shows_dashes_not_a_division_by_zero(db):
    empty = make_region()
    kpi = {
        **s.pos_kpis(s.appeals(user=None, region=empty, filters=MARCH), empty),
        **pos_reach(user=None, region=empty, filters=MARCH),
    }
    shown = {r["key"]: r["shown"] for r in kpi_rows(kpi)}
    assert shown == {**dict.fromkeys(shown, "—"), "survey_responses": "0", "surveys_held": "0"}


@pytest.mark.parametrize("persona", ["analyst", "coordinator"])
def test_panel_renders_every_kpi_with_its_definition(client, data, persona):
    client.force_login(getattr(data, persona))
    response = client.get("/staff/analytics/", {"from": "2026-03-01", "to": "2026-03-31"})
    assert response.status_code == 200
    page = response.content.decode()
    panel = page[page.index("<h2>Показатели ПОС</h2>") :]
    for group in ("КПЭ внедрения", "КПЭ продвижения", "Функциональные КПЭ", "КПЭ удовлетворённости"):
        assert f"<h3>{group}</h3>" in panel
    assert "Подключённые организации: <strong>60,0%</strong> (3 из 5)" in panel
    assert "Виджеты на сайтах используются: <strong>40,0%</strong>" in panel
    assert "Обращения через собственные каналы: <strong>66,7%</strong>" in panel
    assert "Обращения с голосовыми сообщениями: <strong>11,1%</strong> (обращений — 1)" in panel
    assert "Региональных опросов и голосований: <strong>2</strong>" in panel
    assert "Не удовлетворены ответом: <strong>33,3%</strong>" in panel
    assert "не рассчитывается: ответы анонимны" in panel.lower()


def test_empty_period_page_shows_dashes(client, data):
    client.force_login(data.coordinator)
    response = client.get("/staff/analytics/", {"from": "2020-01-01", "to": "2020-01-31"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Направлено автоматически: <strong>—</strong>" in page
    assert "Обращения из региональных систем: <strong>—</strong>" in page


def test_kpi_panel_downloads_as_csv_and_xlsx(client, data):
    client.force_login(data.analyst)
    period = {"from": "2026-03-01", "to": "2026-03-31", "export": "kpi"}
    lines = client.get("/staff/analytics/", period).content.decode("utf-8-sig").splitlines()
    assert lines[0] == "Группа,Показатель,Значение,Пояснение,Определение"
    assert lines[1].startswith("КПЭ внедрения,Подключённые организации,0.6,3 из 5,")
    assert any(
        line.startswith("КПЭ продвижения,Обращения с голосовыми сообщениями,0.111,обращений — 1,")
        for line in lines
    )
    sheet = load_workbook(
        io.BytesIO(client.get("/staff/analytics/", {**period, "format": "xlsx"}).content)
    ).active
    assert sheet.max_row == 1 + 13
    assert [c.value for c in sheet[2]][:3] == ["КПЭ внедрения", "Подключённые организации", 0.6]
