"""The VK collector against the fake VK API on 127.0.0.1: which posts and comments become incidents,
what a second pass does, and how VK's errors and malformed answers are lived through."""

from datetime import timedelta

import pytest
import time_machine

from otklik.incidents import collector, monitoring
from otklik.incidents.models import Incident, Network, Source, VkSource
from otklik.incidents.tests.conftest import BIKE, HEATING, NOW, ROOF, TOKEN, post
from otklik.lib import vk
from otklik.routing.models import Topic


def _pass(source) -> collector.PassReport:
    source.refresh_from_db()
    with time_machine.travel(NOW, tick=False):
        return collector.source_collect(source=source)


def _counts(report) -> tuple:
    return (report.read, report.relevant, report.created, report.duplicates, report.errors)


def test_a_pass_over_two_sources_registers_exactly_the_relevant_posts(watched, vk_api):
    personas, north, news = watched
    assert _counts(_pass(north)) == (2, 1, 1, 0, 0)
    assert _counts(_pass(news)) == (2, 1, 1, 0, 0)
    heating, roof = Incident.objects.order_by("pk")
    assert (heating.url, heating.text, heating.territory, heating.topic_suggested.code) == (
        "https://vk.com/wall-111_12",
        HEATING,
        personas.territory_a,
        "12.01",
    )
    assert (roof.url, roof.text, roof.territory, roof.topic_suggested.code) == (
        "https://vk.com/wall-222_7",
        ROOF,
        personas.territory_b,
        "12.02",
    )
    assert (heating.network, heating.source, heating.vk_source, roof.vk_source) == (
        Network.VK,
        Source.MONITORING,
        north,
        news,
    )
    assert heating.author_nickname == "Анна Петрова (vk.com/id501)"
    assert roof.author_nickname == "Новости области (vk.com/club222)"
    # The term runs from the moment the collector found the post; VK's date is kept as published.
    assert (heating.found_at, heating.published_at) == (NOW, NOW - timedelta(minutes=5))
    assert heating.organization == personas.body_a and not heating.urgent
    detected = heating.events.get(kind="detected")
    assert detected.text == (
        "Источник: Подслушано Северный (https://vk.com/podslushano_sever); ключевые слова: школа; "
        "похоже на жалобу: безобразие."
    )
    assert [e.kind for e in heating.events.order_by("pk")] == [
        "registered",
        "topic_suggested",
        "routed",
        "detected",
    ]
    north.refresh_from_db()
    assert (north.owner_id, north.last_post_id, north.last_read, north.total_read) == (-111, 12, 2, 2)
    assert (north.last_polled_at, north.failures, north.last_error) == (NOW, 0, "")
    # the key travels in the body, the short name was resolved once
    assert [path for path, _ in vk_api.received] == [
        "/method/utils.resolveScreenName",
        "/method/wall.get",
        "/method/wall.get",
    ]
    assert {params["access_token"] for _, params in vk_api.received} == {TOKEN}


def test_a_second_pass_creates_nothing_and_new_posts_after_the_last_seen_are_picked_up(watched, vk_api):
    _, north, _ = watched
    _pass(north)
    assert _counts(_pass(north)) == (0, 0, 0, 0, 0)
    assert Incident.objects.count() == 1
    vk_api.walls[-111].insert(1, post(14, "Учитель физики не выходит на уроки уже месяц.", minutes=1))
    vk_api.walls[-111].insert(2, post(13, "Сдаю квартиру посуточно.", minutes=2))
    assert _counts(_pass(north)) == (2, 1, 1, 0, 0)
    assert list(Incident.objects.order_by("pk").values_list("url", flat=True)) == [
        "https://vk.com/wall-111_12",
        "https://vk.com/wall-111_14",
    ]
    north.refresh_from_db()
    assert (north.last_post_id, north.total_read) == (14, 4)


def test_a_post_read_again_is_a_duplicate_and_a_post_registered_by_hand_a_repeat(watched):
    personas, north, _ = watched
    from otklik.incidents.services import incident_register

    by_hand, _ = incident_register(region=personas.region, url="https://vk.com/wall-222_7", text=ROOF)
    _pass(north)
    VkSource.objects.filter(pk=north.pk).update(last_post_id=0)
    assert _counts(_pass(north)) == (2, 1, 0, 1, 0)
    assert Incident.objects.get(url="https://vk.com/wall-111_12").mentions == 1
    _, _, news = watched
    assert _counts(_pass(news)) == (2, 1, 0, 1, 0)
    by_hand.refresh_from_db()
    assert (by_hand.mentions, by_hand.source, Incident.objects.count()) == (2, Source.FORM, 2)


def test_an_irrelevant_wall_creates_nothing_and_stores_no_text(watched, vk_api):
    _, north, _ = watched
    vk_api.walls[-111] = [post(3, BIKE), post(2, ""), post(1, "Продам гараж")]
    assert _counts(_pass(north)) == (3, 0, 0, 0, 0)
    assert not Incident.objects.exists()
    north.refresh_from_db()
    assert (north.last_post_id, north.total_read) == (3, 3)


def test_the_first_pass_reads_only_the_lookback_and_pages_overlap_without_double_work(
    watched, vk_api, settings
):
    _, north, _ = watched
    settings.VK_MONITOR_LOOKBACK_H = 24
    # 130 posts, one a minute back from NOW, and 10 older than a day; relevant: 25, 60, 110, 130.
    relevant = {25, 60, 110, 130}
    posts = [
        post(n, "Опять в школе нет питания" if n in relevant else BIKE, minutes=140 - n)
        for n in range(140, 10, -1)
    ]
    posts += [post(n, "Учитель — молодец", minutes=60 * 25 + n) for n in range(10, 0, -1)]
    vk_api.walls[-111] = posts
    report = _pass(north)
    assert _counts(report) == (130, 4, 4, 0, 0)
    offsets = [params["offset"] for path, params in vk_api.received if path.endswith("wall.get")]
    assert offsets == ["0", "95"]
    assert sorted(int(u.rsplit("_", 1)[1]) for u in Incident.objects.values_list("url", flat=True)) == [
        25,
        60,
        110,
        130,
    ]


def test_comments_under_recent_posts_become_incidents_once(watched, vk_api):
    _, north, _ = watched
    VkSource.objects.filter(pk=north.pk).update(read_comments=True)
    vk_api.walls[-111][1] = post(12, "Собрание родителей в школе № 1 в четверг.", minutes=5, comments=3)
    vk_api.comments[(-111, 12)] = [
        {
            "id": 31,
            "from_id": 501,
            "date": int(NOW.timestamp()) - 60,
            "text": "Учитель кричит на детей, никто не реагирует!",
            "thread": {"count": 1, "items": [{"id": 32, "from_id": 777, "text": "В столовой тоже ужас"}]},
        },
        {"id": 30, "from_id": 777, "text": "Придём"},
    ]
    report = _pass(north)
    assert _counts(report) == (5, 3, 3, 0, 0)
    urls = set(Incident.objects.values_list("url", flat=True))
    assert urls == {
        "https://vk.com/wall-111_12",
        "https://vk.com/wall-111_12?reply=31",
        "https://vk.com/wall-111_12?reply=32&thread=31",
    }
    comment = Incident.objects.get(url="https://vk.com/wall-111_12?reply=31")
    assert (comment.text, comment.author_nickname) == (
        "Учитель кричит на детей, никто не реагирует!",
        "Анна Петрова (vk.com/id501)",
    )
    assert "похоже на жалобу: не реагировать" in comment.events.get(kind="detected").text
    north.refresh_from_db()
    assert north.state["posts"]["12"] == {"count": 3, "last": 32}
    # nothing new under the post: its comments are not asked for again
    vk_api.received.clear()
    assert _counts(_pass(north)) == (0, 0, 0, 0, 0)
    assert [path for path, _ in vk_api.received] == ["/method/wall.get"]
    # a new comment: only it is read
    vk_api.walls[-111][1]["comments"]["count"] = 4
    vk_api.comments[(-111, 12)].insert(0, {"id": 35, "from_id": 777, "text": "Подвоз детей опять отменили"})
    assert _counts(_pass(north)) == (1, 1, 1, 0, 0)
    assert Incident.objects.filter(url="https://vk.com/wall-111_12?reply=35").exists()


def test_danger_to_children_makes_the_incident_urgent(watched, vk_api):
    _, north, _ = watched
    vk_api.walls[-111] = [post(5, "В школьной столовой дети отравились, приезжала скорая помощь.")]
    _pass(north)
    incident = Incident.objects.get()
    assert (incident.urgent, incident.policy.code) == (True, "incident_urgent")
    assert "угроза детям — срочно: отравиться, скорая помощь" in incident.events.get(kind="detected").text


@pytest.mark.parametrize("code", [6, 9])
def test_a_transient_error_is_recorded_and_changes_nothing(watched, vk_api, code):
    _, north, _ = watched
    vk_api.faults = [{"error": {"error_code": code, "error_msg": "Flood control"}}]
    report = _pass(north)
    assert (report.error, report.transient, report.errors) == (
        f"ВКонтакте просит повторить позже (ограничение частоты запросов или сбой на его стороне) (код {code}: "
        "Flood control)",
        True,
        1,
    )
    north.refresh_from_db()
    assert (north.failures, north.blocked_reason, north.last_post_id, north.owner_id) == (1, "", 0, None)
    assert north.last_error == report.error and north.last_error_at == NOW
    assert not Incident.objects.exists()
    assert _counts(_pass(north)) == (2, 1, 1, 0, 0)
    north.refresh_from_db()
    assert north.failures == 0


@pytest.mark.parametrize(
    "code, reason",
    [
        (15, "доступ запрещён: стена или сообщество закрыты (код 15: Access denied)"),
        (18, "страница удалена или заблокирована (код 18: Access denied)"),
    ],
)
def test_a_permanent_error_stops_the_source_with_the_reason(watched, vk_api, code, reason):
    _, north, _ = watched
    VkSource.objects.filter(pk=north.pk).update(owner_id=-111)
    vk_api.faults = [{"error": {"error_code": code, "error_msg": "Access denied"}}]
    report = _pass(north)
    assert (report.error, report.transient) == (reason, False)
    north.refresh_from_db()
    assert (north.blocked_reason, north.blocked_code, north.failures) == (reason, code, 0)
    assert not monitoring.pollable(north)
    vk_api.received.clear()
    assert _pass(north).skipped == f"опрос остановлен: {reason}"
    assert vk_api.received == []


def test_an_unknown_short_name_stops_the_source(watched, vk_api):
    _, north, _ = watched
    vk_api.names = {}
    report = _pass(north)
    north.refresh_from_db()
    assert north.blocked_reason == report.error == "ВКонтакте не знает такой страницы — проверьте адрес"


@pytest.mark.parametrize(
    "fault, error",
    [
        ((500, {"error": "boom"}), "API ВКонтакте ответил HTTP 500"),
        (b"<html>not json", "API ВКонтакте недоступен: JSONDecodeError"),
        ({"response": {"items": "many"}}, "API ВКонтакте вернул непонятный ответ"),
        ({"response": []}, "API ВКонтакте вернул непонятный ответ"),
        ({"something": "else"}, "API ВКонтакте вернул непонятный ответ"),
        ([1, 2, 3], "API ВКонтакте вернул непонятный ответ"),
    ],
)
def test_malformed_answers_are_retried_later(watched, vk_api, fault, error):
    _, north, _ = watched
    VkSource.objects.filter(pk=north.pk).update(owner_id=-111)
    vk_api.faults = [fault]
    report = _pass(north)
    assert report.error.startswith(error) and report.transient
    north.refresh_from_db()
    assert (north.failures, north.blocked_reason, north.last_post_id) == (1, "", 0)


def test_an_unreachable_vk_is_a_transient_error(watched, settings):
    _, north, _ = watched
    settings.VK_API_BASE = "http://127.0.0.1:9/method"
    report = _pass(north)
    assert report.error.startswith("API ВКонтакте недоступен") and report.transient


def test_hostile_items_are_counted_and_do_not_stop_the_others(watched, vk_api):
    _, north, _ = watched
    huge = "Школа " + "ж" * 40000
    vk_api.walls[-111] = [
        "not a post",
        {"text": "без номера, про школу"},
        {"id": "9", "text": "номер строкой, про школу"},
        post(8, "В школе\x00 нет\x07 учителя 😡\ud800 математики"),
        post(7, huge, author="кто-то"),
        {"id": 6, "date": "вчера", "text": "Питание в саду плохое", "from_id": 501},
        post(5, "Школа", is_deleted=True),
        {"id": 4, "date": int((NOW + timedelta(days=3)).timestamp()), "text": "ЕГЭ перенесли"},
        post(3, None),
    ]
    report = _pass(north)
    assert _counts(report) == (6, 4, 4, 0, 3)
    texts = dict(Incident.objects.values_list("url", "text"))
    assert texts["https://vk.com/wall-111_8"] == "В школе нет учителя 😡 математики"
    assert len(texts["https://vk.com/wall-111_7"]) == 20000 and texts["https://vk.com/wall-111_7"].endswith(
        "…"
    )
    assert Incident.objects.get(url="https://vk.com/wall-111_7").author_nickname == ""
    # no date or a date in the future: the moment of reading
    assert Incident.objects.get(url="https://vk.com/wall-111_6").published_at == NOW
    assert Incident.objects.get(url="https://vk.com/wall-111_4").published_at == NOW
    north.refresh_from_db()
    assert north.last_post_id == 8


def test_an_item_failing_unexpectedly_is_retried_in_the_next_pass(watched, vk_api, monkeypatch):
    _, north, _ = watched
    vk_api.walls[-111] = [post(3, "Учитель заболел"), post(2, "Школа закрыта на карантин")]
    real = collector.incident_register

    def flaky(**kw):
        if kw["external_id"] == "wall-111_2":
            raise RuntimeError("database went away")
        return real(**kw)

    monkeypatch.setattr(collector, "incident_register", flaky)
    assert _counts(_pass(north)) == (2, 2, 1, 0, 1)
    north.refresh_from_db()
    assert (north.last_post_id, north.state["failing"]) == (1, {"wall-111_2": 1})
    monkeypatch.setattr(collector, "incident_register", real)
    assert _counts(_pass(north)) == (2, 2, 1, 1, 0)
    north.refresh_from_db()
    assert (north.last_post_id, north.state["failing"]) == (3, {})
    assert Incident.objects.count() == 2


def test_without_a_key_nothing_is_asked(watched, vk_api, settings):
    _, north, _ = watched
    settings.VK_SERVICE_TOKEN = ""
    assert _pass(north).skipped == "нет ключа доступа"
    assert vk_api.received == []


def test_the_region_rule_can_ask_the_topic_classifier(watched, vk_api):
    # Two topics only in this region: any text gets at least 0.5, so the bar is set high.
    personas, north, _ = watched
    monitoring.monitoring_keywords_set(
        region=personas.region, actor=personas.admin, phrases=["крыша"], rule="either", threshold=0.8
    )
    vk_api.walls[-111] = [post(2, "Отопление не включили, холодно"), post(1, BIKE)]
    report = _pass(north)
    assert (report.relevant, report.created) == (1, 1)
    incident = Incident.objects.get()
    assert incident.topic_suggested == Topic.objects.get(code="12.01")
    assert "по тематике (классификатор)" in incident.events.get(kind="detected").text


def test_with_the_both_rule_a_keyword_alone_is_not_enough(watched, vk_api):
    personas, north, _ = watched
    monitoring.monitoring_keywords_set(
        region=personas.region, actor=personas.admin, phrases=["школа"], rule="both", threshold=0.8
    )
    vk_api.walls[-111] = [post(2, "В школе течёт крыша"), post(1, "Продаю школьную форму, б/у, школа рядом")]
    assert _counts(_pass(north)) == (2, 1, 1, 0, 0)
    assert Incident.objects.get().url == "https://vk.com/wall-111_2"


def test_many_comments_are_paged_each_read_once_and_hostile_ones_counted(watched, vk_api):
    _, north, _ = watched
    VkSource.objects.filter(pk=north.pk).update(read_comments=True)
    vk_api.walls[-111] = [post(12, "Концерт в субботу", minutes=5, comments=153)]
    comments = [
        {"id": n, "from_id": 777, "text": "Питание в школе плохое" if n % 50 == 0 else "Согласна"}
        for n in range(150, 0, -1)
    ]
    hostile = [
        {"id": 153, "_thread": "evil", "text": "Про школу"},
        {"id": 152, "text": "Учитель", "thread": {"items": "oops"}},
        {"text": "без номера"},
    ]
    vk_api.comments[(-111, 12)] = hostile + comments
    report = _pass(north)
    assert _counts(report) == (1 + 152, 5, 5, 0, 1)
    offsets = [params["offset"] for path, params in vk_api.received if path.endswith("wall.getComments")]
    assert offsets == ["0", "95"]
    assert sorted(Incident.objects.values_list("url", flat=True)) == [
        "https://vk.com/wall-111_12?reply=100",
        "https://vk.com/wall-111_12?reply=150",
        "https://vk.com/wall-111_12?reply=152",
        "https://vk.com/wall-111_12?reply=153",
        "https://vk.com/wall-111_12?reply=50",
    ]


def test_a_vk_that_never_answers_times_out_and_is_asked_again_later(watched, vk_api, monkeypatch):
    _, north, _ = watched
    monkeypatch.setattr(vk, "TIMEOUT", 0.2)
    VkSource.objects.filter(pk=north.pk).update(owner_id=-111)
    vk_api.faults = ["hang"]
    report = _pass(north)
    assert report.error.startswith("API ВКонтакте недоступен") and "timed out" in report.error
    assert report.transient
    north.refresh_from_db()
    assert (north.failures, north.last_post_id, Incident.objects.count()) == (1, 0, 0)
