"""Polling in the worker: each active source has one task that re-schedules itself with run_after
(the interval, backoff after VK's transient errors, none after a refusal); the worker start arms
them; `otklik vk_collect` does one pass and prints what it did."""

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django_tasks_db.models import DBTaskResult

from otklik.incidents import monitoring
from otklik.incidents.models import Incident, VkSource
from otklik.incidents.services import incident_register
from otklik.incidents.tests.conftest import NOW
from otklik.testing import run_due_tasks

INTERVAL = timedelta(seconds=600)


def _pending() -> list:
    return [
        (r.run_after, r.args_kwargs["args"])
        for r in DBTaskResult.objects.filter(task_path__endswith="vk_source_poll", status="READY")
    ]


def _run(capture) -> int:
    with capture(execute=True):
        return run_due_tasks()


def test_a_new_source_is_polled_at_once_then_every_interval(
    incidents_region, vk_api, settings, django_capture_on_commit_callbacks
):
    from otklik.incidents.tests.conftest import HEATING, TOKEN, post

    settings.VK_SERVICE_TOKEN, settings.VK_MONITOR_INTERVAL_S = TOKEN, 600
    vk_api.walls = {-111: [post(2, HEATING, minutes=1)]}
    with time_machine.travel(NOW, tick=False) as clock:
        with django_capture_on_commit_callbacks(execute=True):
            source = monitoring.vk_source_save(
                region=incidents_region.region, address="https://vk.com/club111", name="Школа № 1"
            )
        assert _pending() == [(NOW, [source.pk, NOW.isoformat()])]
        assert _run(django_capture_on_commit_callbacks) == 1
        assert Incident.objects.get().url == "https://vk.com/wall-111_2"
        assert _pending() == [(NOW + INTERVAL, [source.pk, (NOW + INTERVAL).isoformat()])]
        source.refresh_from_db()
        assert (source.next_poll_at, source.last_polled_at) == (NOW + INTERVAL, NOW)
        # not yet due: nothing runs
        clock.shift(INTERVAL - timedelta(seconds=1))
        assert _run(django_capture_on_commit_callbacks) == 0
        clock.shift(timedelta(seconds=1))
        assert _run(django_capture_on_commit_callbacks) == 1
        assert _pending() == [(NOW + 2 * INTERVAL, [source.pk, (NOW + 2 * INTERVAL).isoformat()])]
    assert Incident.objects.count() == 1


def test_transient_errors_back_off_and_a_refusal_stops_the_chain(
    watched, vk_api, settings, django_capture_on_commit_callbacks
):
    _, north, _ = watched
    settings.VK_MONITOR_INTERVAL_S = 600
    with time_machine.travel(NOW, tick=False) as clock:
        with django_capture_on_commit_callbacks(execute=True):
            monitoring.poll_schedule(north, NOW)
        vk_api.faults = [
            {"error": {"error_code": 6, "error_msg": "Too many requests per second"}},
            {"error": {"error_code": 9, "error_msg": "Flood control"}},
        ]
        _run(django_capture_on_commit_callbacks)
        assert [at for at, _ in _pending()] == [NOW + timedelta(minutes=1)]
        clock.shift(timedelta(minutes=1))
        _run(django_capture_on_commit_callbacks)
        assert [at for at, _ in _pending()] == [NOW + timedelta(minutes=3)]
        north.refresh_from_db()
        assert north.failures == 2 and "код 9" in north.last_error
        clock.shift(timedelta(minutes=2))
        _run(django_capture_on_commit_callbacks)
        assert [at for at, _ in _pending()] == [NOW + timedelta(minutes=13)]
        north.refresh_from_db()
        assert (north.failures, Incident.objects.count()) == (0, 1)
        vk_api.faults = [{"error": {"error_code": 18, "error_msg": "User was deleted or banned"}}]
        clock.shift(timedelta(minutes=10))
        _run(django_capture_on_commit_callbacks)
    assert _pending() == []
    north.refresh_from_db()
    assert (north.blocked_code, north.next_poll_at) == (18, None)
    assert north.blocked_reason == "страница удалена или заблокирована (код 18: User was deleted or banned)"
    assert (
        DBTaskResult.objects.filter(task_path__endswith="vk_source_poll")
        .order_by("-finished_at")[0]
        .return_value
        == "stopped"
    )


def test_a_task_of_a_paused_source_does_nothing(watched, vk_api, django_capture_on_commit_callbacks):
    personas, north, _ = watched
    with time_machine.travel(NOW, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            monitoring.poll_schedule(north, NOW)
            monitoring.vk_source_save(
                region=north.region, source=north, address=north.screen_name, name=north.name, is_active=False
            )
        assert _run(django_capture_on_commit_callbacks) == 1
    assert vk_api.received == [] and _pending() == []
    assert DBTaskResult.objects.get(task_path__endswith="vk_source_poll").return_value == "stale"


def test_the_worker_start_arms_every_active_source_once_and_resumes_key_refusals(
    watched, vk_api, settings, django_capture_on_commit_callbacks
):
    _, north, news = watched
    VkSource.objects.filter(pk=north.pk).update(blocked_reason="ключ доступа неверен", blocked_code=5)
    VkSource.objects.create(region=north.region, name="Выключенный", screen_name="off", is_active=False)
    VkSource.objects.create(
        region=north.region, name="Удалённый", screen_name="gone", blocked_reason="удалена", blocked_code=18
    )
    with time_machine.travel(NOW, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert monitoring.polling_ensure() == 2
        with django_capture_on_commit_callbacks(execute=True):
            assert monitoring.polling_ensure() == 2
        # the first arming's tasks are stale now: one poll per source runs
        _run(django_capture_on_commit_callbacks)
    wall_reads = [params["owner_id"] for path, params in vk_api.received if path.endswith("wall.get")]
    assert sorted(wall_reads) == ["-111", "-222"]
    north.refresh_from_db()
    assert (north.blocked_reason, north.blocked_code, north.last_post_id) == ("", None, 12)
    settings.VK_SERVICE_TOKEN = ""
    assert monitoring.polling_ensure() == 0


def test_without_a_key_creating_a_source_schedules_nothing(
    incidents_region, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        monitoring.vk_source_save(region=incidents_region.region, address="club5")
    assert _pending() == []


# --- the console command -------------------------------------------------------------------------


def _collect(*args) -> str:
    out = StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("vk_collect", *args, stdout=out)
    return out.getvalue()


def test_the_command_does_one_pass_and_prints_the_counts(watched, vk_api):
    _, north, news = watched
    assert _collect() == (
        f"№{north.pk} Подслушано Северный (vk.com/podslushano_sever): найдено 2, подходящих 1, "
        "новых инцидентов 1, повторов 0, ошибок 0\n"
        f"№{news.pk} Новости области (vk.com/club222): найдено 2, подходящих 1, новых инцидентов 1, "
        "повторов 0, ошибок 0\n"
        "Итого: найдено 4, подходящих 2, новых инцидентов 2, повторов 0, ошибок 0.\n"
    )
    assert Incident.objects.count() == 2
    vk_api.faults = [{"error": {"error_code": 15, "error_msg": "Access denied"}}]
    VkSource.objects.filter(pk=north.pk).update(last_post_id=0)
    assert _collect("--source", str(news.pk)) == (
        f"№{news.pk} Новости области (vk.com/club222): найдено 0, подходящих 0, новых инцидентов 0, "
        "повторов 0, ошибок 1; ошибка ВКонтакте: доступ запрещён: стена или сообщество закрыты "
        "(код 15: Access denied)\n"
        "Итого: найдено 0, подходящих 0, новых инцидентов 0, повторов 0, ошибок 1.\n"
    )
    assert _collect("--source", str(news.pk)).startswith(
        f"№{news.pk} Новости области (vk.com/club222): пропущен — опрос остановлен: доступ запрещён"
    )


def test_a_dry_run_reads_and_judges_but_writes_nothing(watched, vk_api):
    personas, north, news = watched
    by_hand, _ = incident_register(region=personas.region, url="https://vk.com/wall-222_7", text="Крыша")
    events = by_hand.events.count()
    output = _collect("--dry-run")
    assert output.endswith(
        "Итого: найдено 4, подходящих 2, новых инцидентов 1, повторов 1, ошибок 0.\n"
        "Пробный проход: ничего не записано, инциденты не созданы.\n"
    )
    assert list(Incident.objects.all()) == [by_hand] and not DBTaskResult.objects.exists()
    by_hand.refresh_from_db()
    assert (by_hand.mentions, by_hand.events.count()) == (1, events)
    for source in (north, news):
        before = (
            source.owner_id,
            source.last_post_id,
            source.state,
            source.last_polled_at,
            source.total_read,
        )
        source.refresh_from_db()
        assert (
            source.owner_id,
            source.last_post_id,
            source.state,
            source.last_polled_at,
            source.total_read,
        ) == before


@pytest.mark.parametrize(
    "args, key, message",
    [
        ((), "", "Не задан ключ доступа ВКонтакте: переменная окружения VK_SERVICE_TOKEN."),
        (("--source", "999999"), "key", "Источник №999999 не найден."),
    ],
)
def test_the_command_refuses_without_a_key_or_an_unknown_source(
    incidents_region, settings, args, key, message
):
    settings.VK_SERVICE_TOKEN = key
    with pytest.raises(CommandError, match=message):
        call_command("vk_collect", *args, stdout=StringIO())
