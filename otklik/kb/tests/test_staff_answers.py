"""Ready answers from the knowledge base in the appeal and incident cards, and their search."""

import pytest

from otklik.appeals.services import appeal_submit
from otklik.incidents import services as incident_services
from otklik.kb.engine import registry
from otklik.kb.models import Article, Query
from otklik.kb.tests.conftest import load_kb

QUESTION = "Подскажите, когда начинается запись в первый класс? Сыну в сентябре 7 лет."


@pytest.fixture
def kb_appeal(region, settings):
    settings.APPEAL_AUTO_ROUTE_CONFIDENCE = 0.0
    load_kb(region.region)
    registry.reset()
    appeal, _ = appeal_submit(
        region=region.region, text=QUESTION, channel="web", territory=region.territory_a
    )
    return appeal


def test_the_appeal_card_loads_matching_articles_to_insert_as_plain_text(client, region, kb_appeal):
    client.force_login(region.executor_a)
    card = client.get(f"/staff/appeals/{kb_appeal.number}/").content.decode()
    fragment_url = f"/staff/appeals/{kb_appeal.number}/kb/"
    assert f'hx-get="{fragment_url}" hx-trigger="load"' in card
    fragment = client.get(fragment_url).content.decode()
    first_grade = Article.objects.get(slug="first-grade-dates")
    assert fragment.index(first_grade.question) < fragment.index("Вставить в ответ")
    # The answer's Markdown is shown rendered and inserted as plain text into the answer field.
    assert "<strong>1 апреля</strong>" in fragment
    assert 'data-target="answer"' in fragment
    assert 'data-text="С 1 апреля для детей с закреплённой территории' in fragment
    assert "Приказ Минпросвещения" in fragment  # the legal basis
    assert "kindergarten" not in fragment and "Сколько стоит детский сад" not in fragment  # a draft
    assert not Query.objects.exists()  # staff hints stay out of the citizens' query log


def test_nothing_matching_says_so_and_the_search_finds_other_wording(client, region, kb_appeal):
    client.force_login(region.executor_a)
    appeal, _ = appeal_submit(
        region=region.region,
        text="Во дворе дома на улице Ленина третью неделю не вывозят мусор, контейнеры переполнены.",
        channel="web",
        territory=region.territory_a,
    )
    fragment = client.get(f"/staff/appeals/{appeal.number}/kb/").content.decode()
    assert "не нашлось автоматически" in fragment and "Вставить в ответ" not in fragment
    search = {"target": "answer", "q": "где посмотреть очередь в садик"}
    found = client.get("/staff/kb/answers/", search).content.decode()
    assert "Как узнать место ребёнка в очереди в детский сад?" in found
    assert 'value="где посмотреть очередь в садик"' in found


def test_search_input_is_bounded_and_escaped_and_the_target_is_checked(client, region, kb_appeal):
    client.force_login(region.executor_a)
    hostile = client.get(
        "/staff/kb/answers/",
        {
            "q": "<script>alert(1)</script>" + "я" * 5000,
            "target": 'x" onmouseover="1',
        },
    ).content.decode()
    assert "<script>alert(1)</script>" not in hostile
    assert 'data-target="x' not in hostile and 'id="kb-answers-answer"' in hostile
    empty = client.get("/staff/kb/answers/", {"q": "   "})
    assert empty.status_code == 200


def test_only_staff_who_may_see_the_appeal_get_its_answers(client, region, kb_appeal):
    assert client.get(f"/staff/appeals/{kb_appeal.number}/kb/").status_code == 302  # to the login page
    assert client.get("/staff/kb/answers/", {"q": "сад"}).status_code == 302
    client.force_login(region.executor_b)  # another organization's executor
    assert client.get(f"/staff/appeals/{kb_appeal.number}/kb/").status_code == 404
    assert client.post(f"/staff/appeals/{kb_appeal.number}/kb/").status_code == 405


def test_the_incident_card_offers_answers_for_its_public_reply(client, region, kb_appeal, settings):
    incident, _ = incident_services.incident_register(
        region=region.region, url="https://vk.com/wall-1_2", text="Когда начинается запись в первый класс?"
    )
    client.force_login(region.coordinator)
    card = client.get(f"/staff/incidents/{incident.pk}/").content.decode()
    assert f'hx-get="/staff/incidents/{incident.pk}/kb/"' in card
    fragment = client.get(f"/staff/incidents/{incident.pk}/kb/").content.decode()
    assert (
        "Когда начинается приём заявлений в первый класс?" in fragment and 'data-target="reply"' in fragment
    )
