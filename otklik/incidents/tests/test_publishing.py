"""Publishing the public reply in VK: the worker comments under the post through the fake VK API on
127.0.0.1, retries rate limits, explains refusals; the manual path stays as it was."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django_tasks_db.models import DBTaskResult

from otklik.appeals.models import Notification
from otklik.incidents import publishing, services
from otklik.incidents.models import ReplyPublication
from otklik.incidents.services import IncidentError
from otklik.incidents.tests.conftest import VK_TOKEN
from otklik.routing.models import Topic
from otklik.testing import run_due_tasks

POST = "https://vk.com/wall-1234_56"
REPLY = "Здравствуйте! Ремонт крыши школы № 1 запланирован на ноябрь, подрядчик выбран."
TOKEN = VK_TOKEN
NOW = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)
State = ReplyPublication.State


def _incident(region, url=POST):
    incident, _ = services.incident_register(
        region=region.region,
        url=url,
        text="В школе № 1 Северного района течёт крыша, ремонт не делали три года.",
        topic=Topic.objects.get(code="12.02"),
        territory=region.territory_a,
    )
    return incident


def _reply(region, incident, captured, reply_url=""):
    executor = region.executor_a
    executor.email = "executor@example.ru"
    executor.save()
    with captured(execute=True):
        return services.incident_reply(incident=incident, actor=executor, text=REPLY, reply_url=reply_url)


def _deliveries() -> int:
    return DBTaskResult.objects.filter(task_path__endswith="incident_reply_deliver").count()


def _kinds(incident) -> list[str]:
    return list(incident.events.order_by("at", "pk").values_list("kind", flat=True))


def test_the_reply_is_commented_under_the_post_and_its_link_kept(
    incidents_region, vk_community, vk_api, django_capture_on_commit_callbacks
):
    incident = _incident(incidents_region)
    _reply(incidents_region, incident, django_capture_on_commit_callbacks)
    assert publishing.latest(incident).state == State.PENDING and incident.reply_url == ""
    with django_capture_on_commit_callbacks(execute=True):
        run_due_tasks()
    assert vk_api.received == [
        (
            "/method/wall.createComment",
            {
                "owner_id": "-1234",
                "post_id": "56",
                "message": REPLY,
                "from_group": "1234",
                "guid": f"otklik-reply-{publishing.latest(incident).pk}",
                "v": "5.199",
                "access_token": TOKEN,
            },
        )
    ]
    incident.refresh_from_db()
    publication = publishing.latest(incident)
    assert (publication.state, publication.comment_id, publication.attempts) == (State.PUBLISHED, 789, 1)
    assert incident.reply_url == "https://vk.com/wall-1234_56?reply=789"
    assert _kinds(incident)[-2:] == ["answered", "published"]
    event = incident.events.get(kind="published")
    assert (event.get_label(), event.text) == ("Ответ опубликован во ВКонтакте", incident.reply_url)
    assert "Будет опубликован во ВКонтакте" in incident.events.get(kind="answered").text


def test_a_link_to_a_comment_answers_in_its_thread(
    incidents_region, vk_community, vk_api, django_capture_on_commit_callbacks
):
    incident = _incident(incidents_region, url="https://m.vk.com/minobr?w=wall-1234_56&reply=77")
    _reply(incidents_region, incident, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        run_due_tasks()
    assert vk_api.received[0][1]["reply_to_comment"] == "77"
    incident.refresh_from_db()
    assert incident.reply_url == "https://vk.com/wall-1234_56?reply=789"


@pytest.mark.parametrize(
    "code, words",
    [(15, "доступ запрещён"), (213, "комментарии к записи закрыты"), (5, "ключ доступа сообщества неверен")],
)
def test_a_permanent_refusal_is_explained_once_without_retry(
    incidents_region, vk_community, vk_api, django_capture_on_commit_callbacks, code, words
):
    vk_api.answers = [{"error": {"error_code": code, "error_msg": "Access denied"}}]
    incident = _incident(incidents_region)
    _reply(incidents_region, incident, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        run_due_tasks()
    assert len(vk_api.received) == 1 and _deliveries() == 1
    publication = publishing.latest(incident)
    assert (publication.state, publication.error_code, publication.attempts) == (State.FAILED, code, 1)
    assert words in publication.error and f"код {code}" in publication.error
    incident.refresh_from_db()
    assert incident.reply_url == "" and incident.status == "answered"
    failed = incident.events.get(kind="publish_failed")
    assert failed.get_label() == "Ответ не опубликован во ВКонтакте"
    assert words in failed.text.lower() and "вставьте ссылку" in failed.text
    assert TOKEN not in failed.text
    mail = Notification.objects.get(recipient="executor@example.ru")
    assert "не опубликован во ВКонтакте" in mail.subject and words in mail.text


def test_a_rate_limit_is_retried_with_backoff(
    incidents_region, vk_community, vk_api, django_capture_on_commit_callbacks
):
    vk_api.answers = [
        {"error": {"error_code": 6, "error_msg": "Too many requests per second"}},
        {"error": {"error_code": 29, "error_msg": "Rate limit reached"}},
        {"response": {"comment_id": 790}},
    ]
    with time_machine.travel(NOW, tick=False) as clock:
        incident = _incident(incidents_region)
        _reply(incidents_region, incident, django_capture_on_commit_callbacks)
        with django_capture_on_commit_callbacks(execute=True):
            run_due_tasks()
        publication = publishing.latest(incident)
        assert (publication.state, publication.attempts, publication.error_code) == (State.PENDING, 1, 6)
        retry = DBTaskResult.objects.ready().filter(task_path__endswith="incident_reply_deliver")
        assert not retry.exists()
        assert DBTaskResult.objects.filter(
            task_path__endswith="incident_reply_deliver", run_after=NOW + timedelta(seconds=30)
        ).exists()
        for wait in (30, 60):
            clock.shift(timedelta(seconds=wait))
            with django_capture_on_commit_callbacks(execute=True):
                run_due_tasks()
    assert len(vk_api.received) == 3
    assert {params["guid"] for _, params in vk_api.received} == {f"otklik-reply-{publication.pk}"}
    publication.refresh_from_db()
    assert (publication.state, publication.attempts, publication.comment_id) == (State.PUBLISHED, 3, 790)
    assert _kinds(incident)[-1] == "published" and "publish_failed" not in _kinds(incident)


def test_an_unreachable_vk_fails_after_five_attempts(
    incidents_region, vk_community, django_capture_on_commit_callbacks
):
    # no fake server: the configured API is a closed port
    with time_machine.travel(NOW, tick=False) as clock:
        incident = _incident(incidents_region)
        _reply(incidents_region, incident, django_capture_on_commit_callbacks)
        for _ in range(6):
            with django_capture_on_commit_callbacks(execute=True):
                run_due_tasks()
            clock.shift(timedelta(minutes=10))
    publication = publishing.latest(incident)
    assert (publication.state, publication.attempts) == (State.FAILED, 5)
    assert "недоступен" in publication.error
    assert _kinds(incident).count("publish_failed") == 1


def test_without_a_configured_community_nothing_is_sent_and_the_manual_link_is_kept(
    incidents_region, vk_api, django_capture_on_commit_callbacks
):
    incident = _incident(incidents_region)
    _reply(incidents_region, incident, django_capture_on_commit_callbacks)
    assert _deliveries() == 0 and not incident.publications.exists()
    assert "Будет опубликован" not in incident.events.get(kind="answered").text
    services.incident_reply_link(
        incident=incident, actor=incidents_region.executor_a, reply_url="https://vk.com/wall-1234_56?reply=5"
    )
    incident.refresh_from_db()
    assert incident.reply_url == "https://vk.com/wall-1234_56?reply=5"
    assert _kinds(incident)[-1] == "reply_link"
    run_due_tasks()
    assert vk_api.received == []


@pytest.mark.parametrize("active, url", [(False, POST), (True, "https://t.me/minobr/15")])
def test_an_inactive_community_or_another_network_sends_nothing(
    incidents_region, vk_community, vk_api, django_capture_on_commit_callbacks, active, url
):
    vk_community.is_active = active
    vk_community.save()
    incident = _incident(incidents_region, url=url)
    _reply(incidents_region, incident, django_capture_on_commit_callbacks)
    run_due_tasks()
    assert vk_api.received == [] and not incident.publications.exists()
    with pytest.raises(IncidentError, match="Публикация во ВКонтакте недоступна"):
        publishing.incident_reply_publish(incident=incident, actor=incidents_region.executor_a)


def test_a_reply_published_by_hand_is_not_published_again(
    incidents_region, vk_community, vk_api, django_capture_on_commit_callbacks
):
    incident = _incident(incidents_region)
    _reply(incidents_region, incident, django_capture_on_commit_callbacks, reply_url=f"{POST}?reply=5")
    run_due_tasks()
    assert vk_api.received == [] and not incident.publications.exists()
    assert incident.events.get(kind="answered").text.startswith(f"{POST}?reply=5")


def test_after_a_refusal_the_executor_publishes_again(
    incidents_region, vk_community, vk_api, django_capture_on_commit_callbacks
):
    vk_api.answers = [
        {"error": {"error_code": 15, "error_msg": "Access denied"}},
        {"response": {"comment_id": 791}},
    ]
    incident = _incident(incidents_region)
    _reply(incidents_region, incident, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        run_due_tasks()
    with django_capture_on_commit_callbacks(execute=True):
        publishing.incident_reply_publish(incident=incident, actor=incidents_region.executor_a)
    with pytest.raises(IncidentError, match="уже ожидает"):
        publishing.incident_reply_publish(incident=incident, actor=incidents_region.executor_a)
    with django_capture_on_commit_callbacks(execute=True):
        run_due_tasks()
    incident.refresh_from_db()
    assert incident.reply_url == "https://vk.com/wall-1234_56?reply=791"
    assert list(incident.publications.values_list("state", flat=True)) == [State.PUBLISHED, State.FAILED]
    assert _kinds(incident)[-3:] == ["publish_failed", "publish_requested", "published"]
    with pytest.raises(IncidentError, match="уже опубликован"):
        publishing.incident_reply_publish(incident=incident, actor=incidents_region.executor_a)


def test_a_link_pasted_while_waiting_cancels_the_publication(
    incidents_region, vk_community, vk_api, django_capture_on_commit_callbacks
):
    incident = _incident(incidents_region)
    _reply(incidents_region, incident, django_capture_on_commit_callbacks)
    services.incident_reply_link(
        incident=incident, actor=incidents_region.executor_a, reply_url=f"{POST}?reply=9"
    )
    assert run_due_tasks() == 1
    assert vk_api.received == []
    assert publishing.latest(incident).state == State.CANCELLED
    with pytest.raises(IncidentError, match="уже сохранена"):
        services.incident_reply_link(
            incident=incident, actor=incidents_region.executor_a, reply_url=f"{POST}?reply=10"
        )


@pytest.mark.parametrize("url, field", [("", "reply_url"), ("не ссылка", "reply_url")])
def test_a_bad_manual_link_is_refused(incidents_region, django_capture_on_commit_callbacks, url, field):
    incident = _incident(incidents_region)
    _reply(incidents_region, incident, django_capture_on_commit_callbacks)
    with pytest.raises(IncidentError) as refused:
        services.incident_reply_link(incident=incident, actor=incidents_region.executor_a, reply_url=url)
    assert field in refused.value.message_dict
    incident.refresh_from_db()
    assert incident.reply_url == ""
