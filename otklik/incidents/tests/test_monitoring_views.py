"""The «Мониторинг ВКонтакте» screen: the region's operators and admins see how each watched page
is polled, add and fix sources and edit the keywords; nobody else sees or changes anything."""

from datetime import timedelta

import pytest
import time_machine
from django_tasks_db.models import DBTaskResult

from otklik.accounts.roles import Role
from otklik.incidents.models import Incident, MonitoringKeywords, VkSource
from otklik.incidents.services import incident_register
from otklik.incidents.tests.conftest import NOW, TOKEN
from otklik.nlp.relevance import DEFAULT_KEYWORDS
from otklik.orgs.models import Organization
from otklik.testing import make_org, make_region, make_staff

PAGE = "/staff/incidents/monitoring/"


@pytest.fixture
def monitor(incidents_region):
    return make_staff(incidents_region.body_a, Role.MONITOR, "p_monitor")


@pytest.fixture
def outsider_monitor(db):
    """A monitoring operator of another region."""
    other = make_region()
    return make_staff(
        make_org(other, Organization.Kind.MINISTRY, name="Минобр другой"), Role.MONITOR, "p_other"
    )


def _state():
    return (
        list(
            VkSource.objects.order_by("pk").values_list("screen_name", "name", "is_active", "blocked_reason")
        ),
        list(MonitoringKeywords.objects.values_list("phrases", flat=True)),
        DBTaskResult.objects.count(),
    )


def test_the_operator_sees_each_source_with_its_polling(login, watched, monitor):
    personas, north, news = watched
    with time_machine.travel(NOW, tick=False):
        VkSource.objects.filter(pk=north.pk).update(
            last_polled_at=NOW,
            last_read=7,
            total_read=120,
            last_error="ВКонтакте просит повторить позже",
            last_error_at=NOW,
            failures=1,
        )
        VkSource.objects.filter(pk=news.pk).update(blocked_reason="страница удалена или заблокирована")
        for n in (1, 2):
            incident_register(
                region=personas.region,
                url=f"https://vk.com/wall-111_{n}",
                text="В школе холодно",
                vk_source=north,
            )
        old, _ = incident_register(
            region=personas.region, url="https://vk.com/wall-111_3", text="Школа", vk_source=north
        )
        Incident.objects.filter(pk=old.pk).update(created_at=NOW - timedelta(days=8))
        page = login(monitor).get(PAGE)
    assert page.status_code == 200
    rows = {s.pk: s for s in page.context["sources"]}
    assert (rows[north.pk].found_week, rows[news.pk].found_week) == (2, 0)
    html = page.content.decode()
    assert "Подслушано Северный" in html and "vk.com/podslushano_sever" in html
    assert "02.11.2026" in html and "всего 120" in html
    assert "повтор после ошибки" in html and "ВКонтакте просит повторить позже" in html
    assert "опрос остановлен" in html and "страница удалена или заблокирована" in html
    assert TOKEN not in html and "Нет ключа доступа" not in html


def test_without_a_key_every_source_says_so(login, watched, monitor, settings):
    settings.VK_SERVICE_TOKEN = ""
    html = login(monitor).get(PAGE).content.decode()
    assert html.count("нет ключа доступа") == 2 and "VK_SERVICE_TOKEN" in html


def test_the_operator_adds_a_source_and_its_first_poll_is_scheduled(
    login, incidents_region, monitor, settings, django_capture_on_commit_callbacks
):
    settings.VK_SERVICE_TOKEN = TOKEN
    form = {
        "address": "https://m.vk.com/Podslushano_Sever",
        "name": "Подслушано Северный",
        "territory": incidents_region.territory_a.pk,
        "read_comments": "on",
        "is_active": "on",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = login(monitor).post(f"{PAGE}new/", form)
    assert response.status_code == 302 and response["Location"] == PAGE
    source = VkSource.objects.get()
    assert (source.screen_name, source.territory, source.read_comments, source.is_active) == (
        "podslushano_sever",
        incidents_region.territory_a,
        True,
        True,
    )
    assert DBTaskResult.objects.get().args_kwargs["args"] == [source.pk, source.next_poll_at.isoformat()]
    again = login(monitor).post(f"{PAGE}new/", {**form, "address": "vk.com/podslushano_sever"})
    assert again.status_code == 400
    assert "Источник vk.com/podslushano_sever уже добавлен." in again.content.decode()
    assert VkSource.objects.count() == 1


@pytest.mark.parametrize(
    "address, message",
    [
        ("", "Укажите адрес страницы ВКонтакте"),
        ("https://t.me/podslushano", "Это не адрес ВКонтакте"),
        ("https://vk.com/wall-1_2", "Это ссылка на запись, а нужна ссылка на страницу"),
        ("https://vk.com/podslushano/photos", "Ссылка должна вести на страницу или сообщество"),
        ("подслушано север", "Короткое имя — латинские буквы"),
        ("a" * 201, "Адрес длиннее 200 символов."),
        ("club1\x00", "символ NUL (код 0)"),
    ],
)
def test_a_bad_address_is_explained_and_nothing_is_saved(login, incidents_region, monitor, address, message):
    response = login(monitor).post(f"{PAGE}new/", {"address": address, "is_active": "on"})
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert not VkSource.objects.exists()


def test_saving_a_stopped_source_resumes_it(
    login, watched, monitor, settings, django_capture_on_commit_callbacks
):
    _, north, _ = watched
    VkSource.objects.filter(pk=north.pk).update(
        blocked_reason="доступ запрещён", blocked_code=15, last_post_id=12
    )
    form = {"address": "club333", "name": "Подслушано Северный (новый адрес)", "is_active": "on"}
    with django_capture_on_commit_callbacks(execute=True):
        response = login(monitor).post(f"{PAGE}{north.pk}/", form)
    assert response.status_code == 302
    north.refresh_from_db()
    assert (
        north.screen_name,
        north.blocked_reason,
        north.blocked_code,
        north.last_post_id,
        north.owner_id,
    ) == (
        "club333",
        "",
        None,
        0,
        None,
    )
    assert north.territory is None and DBTaskResult.objects.count() == 1
    assert "Подслушано Северный (новый адрес)" in login(monitor).get(f"{PAGE}{north.pk}/").content.decode()


def test_the_operator_edits_the_keywords(login, incidents_region, monitor):
    client = login(monitor)
    page = client.get(PAGE).content.decode()
    assert "Пока действует стандартный список." in page and "\n".join(DEFAULT_KEYWORDS[:3]) in page
    response = client.post(
        f"{PAGE}keywords/",
        {"phrases": "Школа\nдетский сад, ЕГЭ\n\nшкола\nподвоз детей", "rule": "either", "threshold": "0,7"},
    )
    assert response.status_code == 302
    row = MonitoringKeywords.objects.get()
    assert (row.phrases, row.rule, row.threshold, row.updated_by) == (
        ["Школа", "детский сад", "ЕГЭ", "подвоз детей"],
        "either",
        0.7,
        monitor,
    )


@pytest.mark.parametrize(
    "form, message",
    [
        ({"phrases": "", "rule": "keywords", "threshold": "0,5"}, "Укажите хотя бы одно слово или фразу."),
        (
            {"phrases": "школа\n!!!", "rule": "keywords", "threshold": "0,5"},
            "В «!!!» нет ни одного значимого слова",
        ),
        ({"phrases": "школа", "rule": "always", "threshold": "0,5"}, "Выберите правило из списка."),
        ({"phrases": "школа", "rule": "both", "threshold": "много"}, "Уверенность — число от 0,05 до 1"),
        ({"phrases": "школа", "rule": "both", "threshold": "7"}, "Уверенность — число от 0,05 до 1."),
        ({"phrases": "ш" * 101, "rule": "keywords", "threshold": "0,5"}, "Фраза длиннее 100 символов"),
        (
            {"phrases": "\n".join(f"слово{n}" for n in range(301)), "rule": "keywords", "threshold": "0,5"},
            "Не больше 300",
        ),
    ],
)
def test_bad_keywords_are_explained_and_nothing_is_saved(login, incidents_region, monitor, form, message):
    response = login(monitor).post(f"{PAGE}keywords/", form)
    assert response.status_code == 400 and message in response.content.decode()
    assert not MonitoringKeywords.objects.exists()


@pytest.mark.parametrize("who", ["executor_a", "coordinator", "analyst", "editor"])
def test_other_staff_get_403_and_change_nothing(login, watched, who):
    personas, north, _ = watched
    client = login(getattr(personas, who))
    before = _state()
    assert client.get(PAGE).status_code == 403
    assert client.post(f"{PAGE}new/", {"address": "club5", "is_active": "on"}).status_code == 403
    assert client.post(f"{PAGE}{north.pk}/", {"address": "club5", "is_active": ""}).status_code == 403
    assert (
        client.post(
            f"{PAGE}keywords/", {"phrases": "кот", "rule": "keywords", "threshold": "0,5"}
        ).status_code
        == 403
    )
    assert _state() == before
    assert "Мониторинг ВКонтакте" not in client.get("/staff/incidents/").content.decode()


def test_an_operator_of_another_region_gets_404_for_a_source_and_changes_nothing(
    login, watched, outsider_monitor
):
    _, north, _ = watched
    client = login(outsider_monitor)
    before = _state()
    assert client.get(f"{PAGE}{north.pk}/").status_code == 404
    assert client.post(f"{PAGE}{north.pk}/", {"address": "club5", "is_active": ""}).status_code == 404
    page = client.get(PAGE).content.decode()
    assert "Подслушано Северный" not in page and "Источников пока нет" in page
    assert _state() == before


def test_the_incidents_list_filters_by_how_they_came_in(login, incidents_region, monitor):
    region = incidents_region.region
    found, _ = incident_register(
        region=region, url="https://vk.com/wall-1_1", text="Школа", source="monitoring"
    )
    by_hand, _ = incident_register(region=region, url="https://vk.com/wall-1_2", text="Школа")
    page = login(monitor).get("/staff/incidents/?queue=all&source=monitoring")
    assert [i.pk for i in page.context["page"]] == [found.pk]
    assert 'value="monitoring" selected' in page.content.decode()
    assert {i.pk for i in login(monitor).get("/staff/incidents/?queue=all&source=bogus").context["page"]} == {
        found.pk,
        by_hand.pk,
    }
    assert "Мониторинг ВКонтакте" in page.content.decode()
