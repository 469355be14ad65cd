"""Scheduled posts to official communities: published by the task at their time through the fake VK
API on 127.0.0.1, moved, cancelled, refused with a Russian reason and published again."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django_tasks_db.models import DBTaskResult

from otklik.appeals.models import Notification
from otklik.publics import services
from otklik.publics.models import PostTarget
from otklik.publics.services import PublicsError
from otklik.publics.tests.conftest import TOKEN, community
from otklik.testing import run_due_tasks

NOW = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)  # 11:00 in Yekaterinburg
AT = NOW + timedelta(hours=3)
State = PostTarget.State
OK = {"response": {"post_id": 77}}


def _schedule(p, captured, *, text="Новость {организация} от {дата}: {ссылка}", at=AT, orgs=None, link=""):
    ids = [community(o).pk for o in (orgs or [p.ministry, p.body_a])]
    with captured(execute=True):
        return services.post_schedule(
            author=p.coordinator,
            organization=p.ministry,
            text=text,
            link=link or "https://minobr.example.ru/news/1",
            publish_at=at,
            community_ids=ids,
        )


def _run(captured) -> int:
    with captured(execute=True):
        return run_due_tasks()


def _states(post) -> list[tuple[str, str]]:
    return list(post.targets.order_by("pk").values_list("state", "url"))


@time_machine.travel(NOW, tick=False)
def test_a_post_is_published_at_its_time_with_placeholders_filled_per_community(
    publics, vk_api, django_capture_on_commit_callbacks
):
    vk_api.answers = [{"response": {"post_id": 77}}, {"response": {"post_id": 88}}]
    post = _schedule(publics, django_capture_on_commit_callbacks)
    assert _run(django_capture_on_commit_callbacks) == 0  # not yet
    assert vk_api.received == [] and _states(post) == [("scheduled", ""), ("scheduled", "")]
    with time_machine.travel(AT, tick=False):
        assert _run(django_capture_on_commit_callbacks) == 1
    assert [path for path, _ in vk_api.received] == ["/method/wall.post", "/method/wall.post"]
    first, second = (params for _, params in vk_api.received)
    assert first == {
        "owner_id": "-101",
        "from_group": "1",
        "message": "Новость Министерство образования от 02.11.2026: https://minobr.example.ru/news/1",
        "attachments": "https://minobr.example.ru/news/1",
        "guid": f"otklik-post-{post.targets.order_by('pk')[0].pk}",
        "v": "5.199",
        "access_token": TOKEN,
    }
    assert second["owner_id"] == "-202" and second["message"].startswith(
        "Новость Управление образования А от"
    )
    assert _states(post) == [
        ("published", "https://vk.com/wall-101_77"),
        ("published", "https://vk.com/wall-202_88"),
    ]
    assert list(post.events.values_list("kind", flat=True)) == ["scheduled", "published", "published"]


@time_machine.travel(NOW, tick=False)
def test_a_moved_post_is_published_at_the_new_time_only(publics, vk_api, django_capture_on_commit_callbacks):
    post = _schedule(publics, django_capture_on_commit_callbacks, orgs=[publics.ministry])
    later = AT + timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        services.post_reschedule(post=post, actor=publics.coordinator, publish_at=later)
    with time_machine.travel(AT, tick=False):
        assert _run(django_capture_on_commit_callbacks) == 1  # the old time's task does nothing
    assert vk_api.received == [] and _states(post) == [("scheduled", "")]
    with time_machine.travel(later, tick=False):
        _run(django_capture_on_commit_callbacks)
    assert post.targets.get().error == ""
    assert _states(post) == [("published", "https://vk.com/wall-101_77")]
    assert len(vk_api.received) == 1


@time_machine.travel(NOW, tick=False)
def test_a_cancelled_post_is_never_sent_and_cannot_be_moved(
    publics, vk_api, django_capture_on_commit_callbacks
):
    post = _schedule(publics, django_capture_on_commit_callbacks)
    services.post_cancel(post=post, actor=publics.coordinator)
    with time_machine.travel(AT, tick=False):
        _run(django_capture_on_commit_callbacks)
    assert vk_api.received == [] and _states(post) == [("cancelled", ""), ("cancelled", "")]
    with pytest.raises(PublicsError, match="Пост отменён"):
        services.post_reschedule(post=post, actor=publics.coordinator, publish_at=AT)


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (214, "публикация запрещена: стена сообщества закрыта для записей от этого ключа (код 214"),
        (15, "доступ запрещён: ключ не даёт публиковать на стене этого сообщества (код 15"),
    ],
)
@time_machine.travel(NOW, tick=False)
def test_a_refusal_is_explained_in_russian_and_publishing_again_works(
    publics, vk_api, django_capture_on_commit_callbacks, code, words
):
    vk_api.answers = [{"error": {"error_code": code, "error_msg": "Access denied"}}, OK]
    post = _schedule(publics, django_capture_on_commit_callbacks, orgs=[publics.ministry])
    with time_machine.travel(AT, tick=False):
        _run(django_capture_on_commit_callbacks)
        target = post.targets.get()
        assert target.state == State.FAILED and target.error_code == code and target.attempts == 1
        assert target.error.startswith(words)
        mail = Notification.objects.get()
        assert (mail.recipient, mail.subject) == (
            "coordinator@example.ru",
            f"Пост №{post.pk} не опубликован в https://vk.com/club101",
        )
        with django_capture_on_commit_callbacks(execute=True):
            services.post_target_retry(target=target, actor=publics.coordinator)
        _run(django_capture_on_commit_callbacks)
    target.refresh_from_db()
    assert (target.state, target.url, target.error) == ("published", "https://vk.com/wall-101_77", "")
    assert len(vk_api.received) == 2


@pytest.mark.parametrize("code", [6, 9])
@time_machine.travel(NOW, tick=False)
def test_rate_limits_are_retried_with_backoff(publics, vk_api, django_capture_on_commit_callbacks, code):
    vk_api.answers = [{"error": {"error_code": code, "error_msg": "Too many"}}, OK]
    post = _schedule(publics, django_capture_on_commit_callbacks, orgs=[publics.ministry])
    with time_machine.travel(AT, tick=False):
        _run(django_capture_on_commit_callbacks)
        target = post.targets.get()
        assert (target.state, target.attempts) == ("scheduled", 1)
        retry = DBTaskResult.objects.filter(task_path__endswith="post_target_deliver").get()
        assert retry.run_after == AT + timedelta(seconds=30)
    with time_machine.travel(AT + timedelta(seconds=30), tick=False):
        _run(django_capture_on_commit_callbacks)
    target.refresh_from_db()
    assert (target.state, target.attempts, target.url) == ("published", 2, "https://vk.com/wall-101_77")
    assert Notification.objects.count() == 0


@time_machine.travel(NOW, tick=False)
def test_a_community_without_a_key_fails_without_calling_vk(
    publics, vk_api, django_capture_on_commit_callbacks
):
    post = _schedule(publics, django_capture_on_commit_callbacks, orgs=[publics.school_a])
    with time_machine.travel(AT, tick=False):
        _run(django_capture_on_commit_callbacks)
    target = post.targets.get()
    assert (
        target.state == State.FAILED
        and target.error == "нет ключа доступа сообщества — администратору нужно сохранить его"
    )
    assert vk_api.received == []


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"text": "  "}, "Текст поста: напишите текст."),
        ({"text": "я" * 16385}, "Текст поста — не длиннее 16384 символов (сейчас 16385)."),
        (
            {"text": "Привет, {имя}!"},
            "Неизвестная подстановка: {имя}. Можно использовать: {организация}, {дата}, {ссылка}.",
        ),
        ({"publish_at": NOW - timedelta(minutes=1)}, "Время публикации уже прошло: укажите будущее время."),
        ({"publish_at": None}, "Укажите время публикации."),
        ({"community_ids": []}, "Выберите хотя бы одно сообщество."),
        (
            {"organization": "body_a", "community_ids": ["ministry"]},
            "не найдено среди госпабликов «Управление образования А»",
        ),
    ],
)
@time_machine.travel(NOW, tick=False)
def test_bad_posts_are_refused_in_russian_and_nothing_is_scheduled(publics, changes, message):
    kwargs = {
        "author": publics.coordinator,
        "organization": publics.ministry,
        "text": "Новость",
        "publish_at": AT,
        "community_ids": [community(publics.ministry).pk],
    }
    if "organization" in changes:
        changes["organization"] = getattr(publics, changes["organization"])
    if changes.get("community_ids"):
        changes["community_ids"] = [community(getattr(publics, name)).pk for name in changes["community_ids"]]
    kwargs.update(changes)
    with pytest.raises(PublicsError) as refused:
        services.post_schedule(**kwargs)
    assert message in str(refused.value)
    assert PostTarget.objects.count() == 0 and DBTaskResult.objects.count() == 0


@time_machine.travel(NOW, tick=False)
def test_a_published_post_can_no_longer_be_moved_or_cancelled(
    publics, vk_api, django_capture_on_commit_callbacks
):
    post = _schedule(publics, django_capture_on_commit_callbacks, orgs=[publics.ministry])
    with time_machine.travel(AT, tick=False):
        _run(django_capture_on_commit_callbacks)
        for call in (
            lambda: services.post_cancel(post=post, actor=publics.coordinator),
            lambda: services.post_reschedule(
                post=post, actor=publics.coordinator, publish_at=AT + timedelta(days=1)
            ),
        ):
            with pytest.raises(PublicsError, match="Публикация уже началась"):
                call()
