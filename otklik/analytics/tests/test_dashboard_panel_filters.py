"""The incidents and satisfaction-survey panels of the dashboard honour its filters and the user's scope."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from otklik.accounts.roles import Role
from otklik.incidents.models import Incident
from otklik.incidents.services import incident_register
from otklik.incidents.statuses import Status
from otklik.routing.models import Topic
from otklik.surveys.models import Survey
from otklik.surveys.tests.base import answer, make_poll
from otklik.testing import make_staff

MARCH = {"from": "2026-03-01", "to": "2026-03-31"}
APRIL = {"from": "2026-04-01", "to": "2026-04-30"}
TIME_ZONE = "Asia/Yekaterinburg"  # the personas' region
NOT_BY_TOPIC = "Фильтр по тематике к опросам не применяется."


def _at(month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    """A moment in the region's time zone: the dashboard's periods start and end at its midnights."""
    return datetime(2026, month, day, hour, minute, tzinfo=ZoneInfo(TIME_ZONE))


@pytest.fixture
def data(region):
    """Incidents (found in the dashboard's zone), all open and overdue now:
    1  A  12.01  body A    01.03 00:00 (first moment of March)
    2  A  12.02  school A  15.03
    3  B  13.01  body B    31.03 23:30
    4  B  12.02  school B  01.04 00:00 (first moment of April)
    5  A  12.01  body A    28.02 23:59
    6  B  — (suggested 12.01), unrouted, 10.03
    Satisfaction answers (scale; respondent's territory):
    body A: 5 (A) 10.03, 3 (B) 12.03, 4 (none) 31.03 23:30, 1 (A) 01.04 00:00; school A: 4 (A) 15.03;
    body B: 2 (B) 05.03; plus an opinion poll of body A answered 5 (A) in March, never counted."""
    group = Topic.objects.get(code="12")
    other = Topic.objects.create(region=region.region, code="13", name="Питание")
    t13_01 = Topic.objects.create(region=region.region, code="13.01", parent=other, name="Качество питания")
    heating, repairs = Topic.objects.get(code="12.01"), Topic.objects.get(code="12.02")
    ta, tb = region.territory_a, region.territory_b
    rows = [
        (ta, heating, None, region.body_a, _at(3, 1, 0, 0)),
        (ta, repairs, None, region.school_a, _at(3, 15)),
        (tb, t13_01, None, region.body_b, _at(3, 31, 23, 30)),
        (tb, repairs, None, region.school_b, _at(4, 1, 0, 0)),
        (ta, heating, None, region.body_a, _at(2, 28, 23, 59)),
        (tb, None, heating, None, _at(3, 10)),
    ]
    for n, (territory, topic, suggested, organization, found) in enumerate(rows, 1):
        incident, _ = incident_register(region=region.region, url=f"https://vk.com/wall-1_{n}", text="Пост")
        Incident.objects.filter(pk=incident.pk).update(
            territory=territory,
            topic=topic,
            topic_suggested=suggested,
            organization=organization,
            found_at=found,
            status=Status.NEW,
            answered_at=None,
            due_at=found + timedelta(hours=1),
        )

    def satisfaction(org, title, answers):
        survey = make_poll(org, kind=Survey.Kind.SATISFACTION, title=title)
        for scale, territory, at in answers:
            answer(survey, "Да", ["Сайт"], scale, now=at, territory=territory)

    satisfaction(
        region.body_a,
        "Удовлетворённость А",
        [(5, ta, _at(3, 10)), (3, tb, _at(3, 12)), (4, None, _at(3, 31, 23, 30)), (1, ta, _at(4, 1, 0, 0))],
    )
    satisfaction(region.school_a, "Удовлетворённость школы 1", [(4, ta, _at(3, 15))])
    satisfaction(region.body_b, "Удовлетворённость Б", [(2, tb, _at(3, 5))])
    answer(make_poll(region.body_a, title="Опрос о питании"), "Да", ["Сайт"], 5, now=_at(3, 10), territory=ta)
    assert region.region.timezone == TIME_ZONE
    region.group, region.other = group, other
    region.municipal_analyst = make_staff(region.body_a, Role.ANALYST, "p_analyst_a")
    return region


def _panels(client, user, **params) -> tuple[str, str]:
    client.force_login(user)
    page = client.get("/staff/analytics/", {**MARCH, **params}).content.decode()
    incidents = page[
        page.index("<h2>Инциденты в соцсетях</h2>") : page.index("<h2>Опросы удовлетворённости</h2>")
    ]
    surveys = page[page.index("<h2>Опросы удовлетворённости</h2>") : page.index("<h2>Показатели ПОС</h2>")]
    return incidents, surveys


def _incidents(panel: str) -> tuple[str, str]:
    """(found in the period, overdue now whenever found) as printed."""
    found = panel.split("Найдено за период: <strong>")[1].split("</strong>")[0]
    overdue = panel.split("просрочено сейчас: ")[1].split(" ")[0].split("<")[0]
    return found, overdue


def _responses(panel: str) -> str:
    return panel.split("Ответов за период: <strong>")[1].split("</strong>")[0]


def test_without_filters_panels_count_the_whole_period_and_say_nothing_about_filters(client, data):
    incidents, surveys = _panels(client, data.coordinator)
    assert _incidents(incidents) == ("4", "6")
    assert _responses(surveys) == "5" and "средняя оценка: <strong>3,6</strong> из 5" in surveys
    assert "Опрос о питании" not in surveys
    assert "без учёта фильтров" not in (incidents + surveys).lower()
    assert NOT_BY_TOPIC not in surveys


def test_period_boundaries_are_the_dashboards_midnights(client, data):
    incidents, surveys = _panels(client, data.coordinator, **APRIL)
    assert _incidents(incidents)[0] == "1"
    assert _responses(surveys) == "1" and "средняя оценка: <strong>1</strong> из 5" in surveys
    incidents, _ = _panels(client, data.coordinator, **{"from": "2026-02-01", "to": "2026-02-28"})
    assert _incidents(incidents)[0] == "1"


@pytest.mark.parametrize(
    ("territory", "incidents_found", "overdue", "responses", "average"),
    [("a", "2", "3", "2", "4,5"), ("b", "2", "3", "2", "2,5")],
)
def test_territory_filter(client, data, territory, incidents_found, overdue, responses, average):
    chosen = data.territory_a if territory == "a" else data.territory_b
    incidents, surveys = _panels(client, data.coordinator, territory=chosen.pk)
    assert _incidents(incidents) == (incidents_found, overdue)
    assert _responses(surveys) == responses
    assert f"средняя оценка: <strong>{average}</strong> из 5" in surveys


def test_topic_group_matches_its_sub_topics_and_does_not_narrow_surveys(client, data):
    incidents, surveys = _panels(client, data.coordinator, topic=data.group.pk)
    # 1 (12.01), 2 (12.02), 6 (suggested 12.01, unconfirmed); April's 4 and February's 5 are only overdue
    assert _incidents(incidents) == ("3", "5")
    assert _responses(surveys) == "5"
    assert NOT_BY_TOPIC in surveys
    incidents, _ = _panels(client, data.coordinator, topic=data.other.pk)
    assert _incidents(incidents) == ("1", "1")


@pytest.mark.parametrize(
    ("organization", "incidents_found", "responses", "titles"),
    [
        ("body_a", "2", "4", ["Удовлетворённость А", "Удовлетворённость школы 1"]),
        ("school_a", "1", "1", ["Удовлетворённость школы 1"]),
        ("body_b", "1", "1", ["Удовлетворённость Б"]),
    ],
)
def test_organization_filter_takes_its_subtree(
    client, data, organization, incidents_found, responses, titles
):
    incidents, surveys = _panels(client, data.coordinator, organization=getattr(data, organization).pk)
    assert _incidents(incidents)[0] == incidents_found
    assert _responses(surveys) == responses
    listed = [
        t for t in ["Удовлетворённость А", "Удовлетворённость школы 1", "Удовлетворённость Б"] if t in surveys
    ]
    assert listed == titles


def test_filters_combine(client, data):
    incidents, surveys = _panels(client, data.coordinator, territory=data.territory_b.pk, topic=data.group.pk)
    assert _incidents(incidents) == ("1", "2")  # found: 6; overdue: 4 and 6
    incidents, surveys = _panels(
        client, data.coordinator, territory=data.territory_a.pk, organization=data.body_a.pk
    )
    assert _incidents(incidents)[0] == "2"
    assert _responses(surveys) == "2" and "средняя оценка: <strong>4,5</strong> из 5" in surveys


def test_municipal_analyst_sees_only_the_subtree_of_their_body(client, data):
    incidents, surveys = _panels(client, data.municipal_analyst)
    assert _incidents(incidents) == ("2", "3")  # 1, 2 in March; 5 overdue too; not B's, not unrouted
    assert _responses(surveys) == "4" and "Удовлетворённость Б" not in surveys
    incidents, surveys = _panels(client, data.municipal_analyst, organization=data.body_b.pk)
    assert _incidents(incidents) == ("0", "0")
    assert _responses(surveys) == "0"
    incidents, surveys = _panels(client, data.municipal_analyst, territory=data.territory_b.pk)
    assert _incidents(incidents) == ("0", "0")
    assert _responses(surveys) == "1"  # body A's survey answered by a respondent from territory B


def test_executor_sees_incidents_of_their_subtree_and_no_surveys(client, data):
    incidents, surveys = _panels(client, data.executor_b)
    assert _incidents(incidents) == ("1", "2")
    assert _responses(surveys) == "0"


def test_unknown_organization_shows_nothing_rather_than_everything(client, data):
    incidents, surveys = _panels(client, data.coordinator, organization=999999)
    assert _incidents(incidents) == ("0", "0")
    assert _responses(surveys) == "0"
