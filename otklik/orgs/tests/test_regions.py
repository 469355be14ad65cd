"""Two regions on one installation: each region's staff see their own, citizens are served in the
region they pick (or whose widget or site address they came by), the bot asks a new citizen."""

from dataclasses import dataclass

import pytest
from asgiref.sync import async_to_sync
from django.test import Client

from otklik.accounts.roles import Role
from otklik.appeals.models import Appeal
from otklik.appeals.services import appeal_submit
from otklik.appeals.tests.test_views import _form
from otklik.dialogue.models import Conversation
from otklik.incidents.services import incident_register
from otklik.kb.engine import registry
from otklik.kb.tests.test_kb_core import KB_YAML, _load
from otklik.orgs.models import Organization, Region
from otklik.routing.models import RoutingRule, Topic
from otklik.surveys.tests.base import make_poll
from otklik.testing import PASSWORD, Personas, make_org, make_region, make_staff, make_territory

# Region B answers the same question its own way.
KB_B = KB_YAML.replace(
    "С 1 апреля для детей с закреплённой территории, с 6 июля — для остальных.",
    "В Заречной области приём заявлений в первый класс идёт с 15 марта.",
).replace("Как узнать место ребёнка в очереди в детский сад?", "Где в Заречной области очередь в сад?")


@dataclass
class Two:
    a: Personas
    b: Region
    b_territory: object
    b_ministry: Organization
    b_school: Organization
    b_coordinator: object
    b_analyst: object
    b_editor: object


@pytest.fixture
def two(region) -> Two:
    b = make_region(code="zar", name="Заречная область", appeal_prefix="ZR", timezone="Europe/Moscow")
    territory = make_territory(b, name="Заречный район")
    ministry = make_org(b, Organization.Kind.MINISTRY, name="Министерство Заречной области")
    body = make_org(b, Organization.Kind.MUNICIPAL_BODY, ministry, territory=territory, name="УО Заречья")
    school = make_org(b, Organization.Kind.SCHOOL, body, territory=territory, name="Заречная школа")
    parent = Topic.objects.create(region=b, code="12", name="Условия обучения в Заречье")
    Topic.objects.create(region=b, code="12.01", parent=parent, name="Отопление в Заречье")
    RoutingRule.objects.create(region=b, level="ministry", priority=201)
    _load(region.region)
    _load(b, text=KB_B)
    registry.reset()
    return Two(
        a=region,
        b=b,
        b_territory=territory,
        b_ministry=ministry,
        b_school=school,
        b_coordinator=make_staff(ministry, Role.COORDINATOR, "b_coordinator"),
        b_analyst=make_staff(ministry, Role.ANALYST, "b_analyst"),
        b_editor=make_staff(ministry, Role.EDITOR, "b_editor"),
    )


def _login(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def _appeal(region, text="В школе холодно, дети сидят в куртках, прошу разобраться."):
    appeal, _ = appeal_submit(region=region, text=text, channel="web", author_name="Петров Пётр")
    return appeal


def test_each_regions_staff_see_only_their_region_in_the_workspace(two):
    mine, theirs = _appeal(two.a.region), _appeal(two.b)
    a_page = _login(two.a.coordinator).get("/staff/appeals/?queue=all").content.decode()
    b_page = _login(two.b_coordinator).get("/staff/appeals/?queue=all").content.decode()
    assert mine.number in a_page and theirs.number not in a_page
    assert theirs.number in b_page and mine.number not in b_page
    assert "Отопление в Заречье" not in a_page and "Условия обучения в Заречье" in b_page
    # no reaching the other region's appeal by its number
    assert _login(two.a.coordinator).get(f"/staff/appeals/{theirs.number}/").status_code == 404
    assert _login(two.b_coordinator).get(f"/staff/appeals/{theirs.number}/").status_code == 200


def test_analytics_kb_editor_incidents_and_surveys_are_per_region(two):
    a_incident, _ = incident_register(
        region=two.a.region, url="https://vk.com/wall-1_1", text="В школе холодно", network="vk"
    )
    b_incident, _ = incident_register(region=two.b, url="https://vk.com/wall-2_2", text="В Заречье холодно")
    make_poll(two.a.ministry, title="Опрос северян")
    make_poll(two.b_ministry, title="Опрос заречан")
    a_analyst, b_analyst = _login(two.a.analyst), _login(two.b_analyst)

    a_dash = a_analyst.get("/staff/analytics/").content.decode()
    b_dash = b_analyst.get("/staff/analytics/").content.decode()
    assert "Северный район" in a_dash and "Заречный район" not in a_dash
    assert "Заречный район" in b_dash and "Северный район" not in b_dash

    a_kb = _login(two.a.editor).get("/staff/kb/").content.decode()
    b_kb = _login(two.b_editor).get("/staff/kb/").content.decode()
    assert "Как узнать место ребёнка в очереди" in a_kb and "Где в Заречной области" not in a_kb
    assert "Где в Заречной области" in b_kb and "Как узнать место ребёнка в очереди" not in b_kb

    a_coord, b_coord = _login(two.a.coordinator), _login(two.b_coordinator)
    a_inc = a_coord.get("/staff/incidents/?queue=all").content.decode()
    assert f"/staff/incidents/{a_incident.pk}/" in a_inc and f"/staff/incidents/{b_incident.pk}/" not in a_inc
    assert a_coord.get(f"/staff/incidents/{b_incident.pk}/").status_code == 404
    assert b_coord.get(f"/staff/incidents/{b_incident.pk}/").status_code == 200

    a_surveys = a_analyst.get("/staff/surveys/").content.decode()
    b_surveys = b_analyst.get("/staff/surveys/").content.decode()
    assert "Опрос северян" in a_surveys and "Опрос заречан" not in a_surveys
    assert "Опрос заречан" in b_surveys and "Опрос северян" not in b_surveys


def test_a_superuser_switches_regions_and_the_choice_is_remembered(two):
    mine, theirs = _appeal(two.a.region), _appeal(two.b)
    admin = _login(two.a.admin)
    first = admin.get("/staff/appeals/?queue=all").content.decode()
    assert mine.number in first and theirs.number not in first
    assert 'name="region"' in first and "Заречная область" in first  # the switcher
    switched = admin.get("/staff/appeals/?queue=all&region=zar").content.decode()
    assert theirs.number in switched and mine.number not in switched
    later = admin.get("/staff/appeals/?queue=all").content.decode()
    assert theirs.number in later
    assert admin.get(f"/staff/appeals/{mine.number}/").status_code == 404


def test_staff_cannot_switch_to_a_region_they_do_not_work_in(two):
    response = _login(two.b_coordinator).get(f"/staff/appeals/?region={two.a.region.code}")
    assert response.status_code == 400
    assert "вам недоступен" in response.content.decode()


def test_a_citizen_choosing_a_region_gets_its_answers_and_registers_there(client, two, settings):
    settings.APPEAL_AUTO_ROUTE_CONFIDENCE = 0.0
    assert "Здравствуйте" in client.get("/chat/?region=zar").content.decode()
    answer = client.post("/chat/send/", {"text": "когда запись в первый класс"}).content.decode()
    assert "с 15 марта" in answer and "С 1 апреля" not in answer
    assert Conversation.objects.get().region == two.b
    # the session remembers the choice: the form needs no parameter
    response = client.post("/appeal/new/", _form(territory=two.b_territory.pk))
    assert response.status_code == 302, response.content.decode()[:2000]
    appeal = Appeal.objects.get()
    assert appeal.region == two.b and appeal.number.startswith("ZR-")
    # the status page opens by its secret whatever region the browser is in
    status = Client().get(response["Location"])
    assert status.status_code == 200 and appeal.number in status.content.decode()


def test_a_region_page_moves_the_web_conversation_there(client, two):
    client.get("/chat/")
    client.post("/chat/send/", {"action": "ask"})
    assert Conversation.objects.get().region == two.a.region
    client.get("/chat/?region=zar")
    conv = Conversation.objects.get()
    assert conv.region == two.b and "flow" not in conv.state
    answer = client.post("/chat/send/", {"text": "когда запись в первый класс"}).content.decode()
    assert "с 15 марта" in answer


def test_widgets_of_an_organization_of_region_b_serve_region_b(two):
    framed = Client(enforce_csrf_checks=True)
    url = f"/appeal/widget/?org={two.b_school.code}"
    assert framed.get(url).status_code == 200
    framed.cookies.clear()
    assert framed.post(url, _form(territory=two.b_territory.pk)).status_code == 200
    appeal = Appeal.objects.get()
    assert (appeal.region, appeal.widget_organization) == (two.b, two.b_school)
    assert appeal.number.startswith("ZR-")
    framed.get(f"/chat/widget/?org={two.b_school.code}")
    assert Conversation.objects.get().region == two.b


def test_a_forged_region_code_gets_a_russian_message_and_the_picker(client, two):
    for path in ("/chat/?region=nope", "/appeal/new/?region=nope", "/?region=%3Cscript%3E"):
        response = client.get(path)
        page = response.content.decode()
        assert response.status_code == 400 and "не найден" in page
        assert "?region=zar" in page and "<script>" not in page
    api = client.get("/api/v1/appeals?region=nope")
    assert api.status_code == 400 and "не найден" in api.json()["error"]


def test_the_home_page_offers_a_picker_until_a_region_is_chosen(client, two, settings):
    page = client.get("/").content.decode()
    assert "Выберите регион" in page and "?region=zar" in page
    assert "Выберите регион" not in client.get("/?region=zar").content.decode()
    assert "Выберите регион" not in client.get("/").content.decode()  # remembered


def test_the_site_address_of_a_region_selects_it(two, settings):
    settings.ALLOWED_HOSTS = ["*"]
    Region.objects.filter(pk=two.b.pk).update(hosts="otklik.zarechye.example, zar.example")
    client = Client(HTTP_HOST="zar.example")
    assert "Выберите регион" not in client.get("/").content.decode()
    client.get("/chat/")
    assert Conversation.objects.get().region == two.b


def test_with_one_region_nothing_is_asked(client, region):
    assert "Выберите регион" not in client.get("/").content.decode()
    assert 'name="region"' not in client.get("/chat/").content.decode()


# --- the Telegram bot ----------------------------------------------------------------------------


@pytest.fixture
def feed(two):
    from aiogram import Bot

    from otklik.channels.telegram.bot import create_dispatcher
    from otklik.channels.telegram.tests.fakes import RecordingSession

    session = RecordingSession()
    bot, dp = Bot(token="123:ABC", session=session), create_dispatcher()

    def _feed(update):
        session.calls.clear()
        async_to_sync(dp.feed_update)(bot, update)
        return session

    return _feed


def test_a_telegram_citizen_picks_region_b_and_gets_its_answers(feed, two):
    from otklik.channels.telegram.tests.fakes import button_update, message_update

    asked = feed(message_update(text="/start"))
    assert "Выберите ваш регион" in asked.texts()[0]
    assert set(asked.actions()) == {f"region:{two.a.region.code}", "region:zar"}
    # anything else waits for the choice
    assert "Выберите ваш регион" in feed(message_update(text="когда запись в первый класс")).texts()[0]
    forged = feed(button_update("region:nope"))
    assert "Такого региона нет" in forged.texts()[0]
    picked = feed(button_update("region:zar"))
    assert picked.texts()[0].startswith("Регион: Заречная область") and "Здравствуйте!" in picked.texts()[1]
    answer = feed(message_update(text="когда запись в первый класс"))
    assert any("с 15 марта" in t for t in answer.texts())
    assert Conversation.objects.get().region == two.b
    # /region changes it back
    assert "region:zar" in feed(message_update(text="/region")).actions()
    feed(button_update(f"region:{two.a.region.code}"))
    answer = feed(message_update(text="когда запись в первый класс"))
    assert any("С 1 апреля" in t for t in answer.texts())


def test_event_texts_written_by_the_worker_use_the_appeals_region_time(two):
    from datetime import UTC, datetime

    from django.utils import timezone

    from otklik.appeals import events

    due = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
    with timezone.override("UTC"):  # the worker runs in no region's zone
        east = events.overdue(_appeal(two.a.region), due_at=due)  # Asia/Yekaterinburg, UTC+5
        west = events.overdue(_appeal(two.b), due_at=due)  # Europe/Moscow, UTC+3
    assert "02.03.2026 12:00" in east.text and "02.03.2026 10:00" in west.text


def test_a_role_opens_only_its_own_regions_pages(two):
    """An editor in A who is an analyst in B: A's knowledge base, B's analytics, not the reverse."""
    from otklik.accounts.models import Membership

    user = two.a.editor
    Membership.objects.create(user=user, organization=two.b_ministry, role=Role.ANALYST)
    client = _login(user)
    home = client.get("/staff/kb/")
    assert home.status_code == 200 and "/staff/analytics/" not in home.content.decode()  # the menu
    assert client.get("/staff/analytics/").status_code == 403
    assert client.get("/staff/analytics/?region=zar").status_code == 200
    assert client.get("/staff/kb/").status_code == 403  # region B is remembered now
    menu = client.get("/staff/analytics/").content.decode()
    assert 'href="/staff/kb/"' not in menu and 'name="region"' in menu  # the switcher back to A


def test_the_public_survey_list_is_the_citizens_region(client, two):
    make_poll(two.a.ministry, title="Опрос северян")
    make_poll(two.b_ministry, title="Опрос заречан")
    a_list = client.get("/surveys/").content.decode()
    b_list = client.get("/surveys/?region=zar").content.decode()
    assert "Опрос северян" in a_list and "Опрос заречан" not in a_list
    assert "Опрос заречан" in b_list and "Опрос северян" not in b_list
