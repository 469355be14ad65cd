"""News to a category's Telegram subscribers: the staff form, the queue, the paced delivery."""

import pytest
from django.core.exceptions import ValidationError

from otklik.dialogue import services
from otklik.dialogue.models import Broadcast, Conversation
from otklik.kb.models import Category
from otklik.kb.tests.test_kb_core import _load
from otklik.lib.telegram import TelegramSendError
from otklik.testing import run_due_tasks


@pytest.fixture
def news(region):
    _load(region.region)
    school = Category.objects.get(slug="school")
    preschool = Category.objects.get(slug="preschool")
    for n in range(60):
        conv = Conversation.objects.create(
            region=region.region, channel="telegram", channel_user=str(1000 + n)
        )
        conv.subscriptions.add(school)
    other = Conversation.objects.create(region=region.region, channel="telegram", channel_user="9")
    other.subscriptions.add(preschool)
    web = Conversation.objects.create(region=region.region, channel="web", channel_user="abc")
    web.subscriptions.add(school)
    return school


class FakeTelegram:
    """A Bot API with a clock that moves only when the sender sleeps."""

    def __init__(self, refuse=None):
        self.now = 0.0
        self.sent: list[tuple[float, str]] = []
        self.refuse = refuse or {}

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds

    def send(self, chat_id, text):
        error = self.refuse.get(chat_id)
        if error:
            if error.status == 429:
                self.refuse.pop(chat_id)  # flood control passes after the wait
            raise error
        self.sent.append((self.now, chat_id))


def test_delivery_is_paced_to_at_most_25_messages_a_second(news, personas):
    broadcast = services.broadcast_send(
        region=personas.region,
        category_id=news.pk,
        text="Запись в 1 класс с 1 апреля",
        sent_by=personas.editor,
    )
    fake = FakeTelegram()
    result = services.broadcast_run(
        broadcast_id=broadcast.pk, send=fake.send, sleep=fake.sleep, clock=fake.clock
    )
    assert (result.recipients, result.delivered, result.failed) == (60, 60, 0)
    assert result.finished_at is not None
    assert sorted(chat for _, chat in fake.sent) == [str(1000 + n) for n in range(60)]
    times = [t for t, _ in fake.sent]
    assert max(sum(1 for t in times if start <= t < start + 1) for start in times) <= 25


def test_a_stopped_delivery_resumes_without_sending_twice(news, personas):
    broadcast = services.broadcast_send(
        region=personas.region, category_id=news.pk, text="Новости", sent_by=personas.editor
    )
    fake = FakeTelegram()

    class WorkerKilled(Exception):
        pass

    def dies_after_20(chat_id, text):
        if len(fake.sent) == 20:
            raise WorkerKilled
        fake.send(chat_id, text)

    with pytest.raises(WorkerKilled):
        services.broadcast_run(
            broadcast_id=broadcast.pk, send=dies_after_20, sleep=fake.sleep, clock=fake.clock
        )
    assert Broadcast.objects.get(pk=broadcast.pk).delivered == 20
    result = services.broadcast_run(
        broadcast_id=broadcast.pk, send=fake.send, sleep=fake.sleep, clock=fake.clock
    )
    chats = [chat for _, chat in fake.sent]
    assert sorted(chats) == [str(1000 + n) for n in range(60)]  # everyone once, nobody twice
    assert (result.delivered, result.finished_at is not None) == (60, True)


def test_flood_control_waits_and_retries_and_a_blocked_bot_unsubscribes(news, personas):
    broadcast = services.broadcast_send(
        region=personas.region, category_id=news.pk, text="Новости", sent_by=personas.coordinator
    )
    fake = FakeTelegram(
        refuse={
            "1003": TelegramSendError("Too Many Requests", status=429, retry_after=7),
            "1004": TelegramSendError("Forbidden: bot was blocked by the user", status=403),
            "1005": TelegramSendError("Bad Request: chat not found", status=400),
        }
    )
    result = services.broadcast_run(
        broadcast_id=broadcast.pk, send=fake.send, sleep=fake.sleep, clock=fake.clock
    )
    assert (result.delivered, result.failed, result.unsubscribed) == (58, 1, 1)
    retried = next(t for t, chat in fake.sent if chat == "1003")
    assert retried >= 7
    assert not Conversation.objects.get(channel_user="1004").subscriptions.exists()
    assert Conversation.objects.get(channel_user="1005").subscriptions.filter(pk=news.pk).exists()


def test_the_worker_task_delivers_after_the_commit(
    news, personas, monkeypatch, django_capture_on_commit_callbacks
):
    calls = []
    monkeypatch.setattr(services, "telegram_send_message", lambda chat, text: calls.append((chat, text)))
    monkeypatch.setattr(services.time, "sleep", lambda s: None)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        broadcast = services.broadcast_send(
            region=personas.region, category_id=news.pk, text="Новости", sent_by=personas.admin
        )
    assert run_due_tasks() == 0  # nothing is queued before the commit
    for callback in callbacks:
        callback()
    assert run_due_tasks() == 1
    assert len(calls) == 60 and {text for _, text in calls} == {"Новости"}
    assert "9" not in {chat for chat, _ in calls} and "abc" not in {chat for chat, _ in calls}
    broadcast.refresh_from_db()
    assert broadcast.delivered == 60


def test_refuses_an_empty_text_and_a_foreign_category(news, personas):
    from otklik.testing import make_region

    other = Category.objects.create(region=make_region(), title="Чужой раздел", slug="x")
    with pytest.raises(ValidationError):
        services.broadcast_send(
            region=personas.region, category_id=news.pk, text="  ", sent_by=personas.editor
        )
    with pytest.raises(ValidationError):
        services.broadcast_send(
            region=personas.region, category_id=other.pk, text="Новость", sent_by=personas.editor
        )
    assert not Broadcast.objects.exists()


def test_the_same_news_sent_twice_in_a_row_reaches_subscribers_once(news, personas, login):
    """A double click on «Отправить» must not send every subscriber the news twice."""
    client = login(personas.editor)
    data = {"category": news.pk, "text": "Приём в 1 класс с 1 апреля"}
    assert client.post("/staff/broadcast/", data).status_code == 302
    again = client.post("/staff/broadcast/", data)
    assert again.status_code == 200 and "уже поставлена в очередь" in again.content.decode()
    assert Broadcast.objects.count() == 1
    other_text = client.post("/staff/broadcast/", {**data, "text": "Приём в 1 класс продлён"})
    assert other_text.status_code == 302 and Broadcast.objects.count() == 2


@pytest.mark.parametrize("who", ["coordinator", "editor", "admin"])
def test_staff_with_the_right_role_queue_a_broadcast(
    news, personas, login, who, django_capture_on_commit_callbacks
):
    client = login(getattr(personas, who))
    assert client.get("/staff/broadcast/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/staff/broadcast/", {"category": news.pk, "text": "Приём в 1 класс с 1 апреля"}
        )
    assert response.status_code == 302
    broadcast = Broadcast.objects.get()
    assert (broadcast.recipients, broadcast.sent_by) == (60, getattr(personas, who))
    from django_tasks_db.models import DBTaskResult

    assert DBTaskResult.objects.filter(args_kwargs__args=[broadcast.pk]).count() == 1


@pytest.mark.parametrize("who", ["executor_a", "analyst"])
def test_outsiders_get_403_and_nothing_is_queued(news, personas, login, who):
    client = login(getattr(personas, who))
    assert client.get("/staff/broadcast/").status_code == 403
    assert client.post("/staff/broadcast/", {"category": news.pk, "text": "Спам"}).status_code == 403
    assert not Broadcast.objects.exists()
