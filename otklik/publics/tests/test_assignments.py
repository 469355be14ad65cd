"""Distribution tasks: targets from a chosen list or a subtree, one-click publication through the
same path as posts, marking done with a link, progress, the reminder a day before the term."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django_tasks_db.models import DBTaskResult

from otklik.appeals.models import Notification
from otklik.publics import selectors, services
from otklik.publics.models import Assignment, AssignmentTarget, PictureTemplate, Post
from otklik.publics.services import PublicsError
from otklik.testing import run_due_tasks

NOW = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)
DUE = NOW + timedelta(days=3)


def _create(p, captured=None, *, orgs=None, subtree=False, **changes):
    kwargs = {
        "author": p.coordinator,
        "organization": p.ministry,
        "title": "День открытых дверей",
        "text": "{организация} приглашает на день открытых дверей!",
        "link": "https://vk.com/wall-101_5",
        "due_at": DUE,
        "organization_ids": [o.pk for o in (orgs or [p.body_a, p.body_b])],
        "subtree": subtree,
    }
    kwargs.update(changes)
    if captured is None:
        return services.assignment_create(**kwargs)
    with captured(execute=True):
        return services.assignment_create(**kwargs)


def _progress(assignment) -> dict[str, str]:
    rows, _ = selectors.assignment_progress(assignment=assignment)
    return {r.target.organization.name: r.status for r in rows}


@time_machine.travel(NOW, tick=False)
def test_a_subtree_task_reaches_every_organization_below_the_chosen(publics):
    assignment = _create(publics, orgs=[publics.body_a], subtree=True)
    assert set(assignment.targets.values_list("organization__name", flat=True)) == {
        "Управление образования А",
        "Школа № 1 (А)",
    }
    assert list(assignment.events.values_list("kind", "text")) == [("created", "организаций: 2")]


@time_machine.travel(NOW, tick=False)
def test_one_click_publishes_in_the_organizations_community_and_does_the_task(
    publics, vk_api, django_capture_on_commit_callbacks
):
    vk_api.answers = [{"response": {"post_id": 9}}]
    assignment = _create(publics)
    target = assignment.targets.get(organization=publics.body_a)
    with django_capture_on_commit_callbacks(execute=True):
        services.assignment_target_publish(target=target, actor=publics.executor_a)
    with pytest.raises(PublicsError, match="Публикация уже идёт"):
        services.assignment_target_publish(target=target, actor=publics.executor_a)
    with django_capture_on_commit_callbacks(execute=True):
        run_due_tasks()
    params = vk_api.received[0][1]
    assert (params["owner_id"], params["message"], params["attachments"]) == (
        "-202",
        "Управление образования А приглашает на день открытых дверей!",
        "https://vk.com/wall-101_5",
    )
    target.refresh_from_db()
    assert (target.done_at, target.done_url) == (NOW, "https://vk.com/wall-202_9")
    assert _progress(assignment) == {
        "Управление образования А": "done",
        "Управление образования Б": "pending",
    }


@time_machine.travel(NOW, tick=False)
def test_without_a_community_the_organization_marks_the_task_done_with_its_link(publics):
    assignment = _create(publics)
    target = assignment.targets.get(organization=publics.body_b)
    with pytest.raises(PublicsError, match="нет подключённого сообщества"):
        services.assignment_target_publish(target=target, actor=publics.executor_b)
    with pytest.raises(PublicsError, match="Вставьте ссылку"):
        services.assignment_target_done(target=target, actor=publics.executor_b, url=" ")
    services.assignment_target_done(target=target, actor=publics.executor_b, url="https://vk.com/wall-7_1")
    with pytest.raises(PublicsError, match="Задача уже выполнена"):
        services.assignment_target_done(
            target=target, actor=publics.executor_b, url="https://vk.com/wall-7_2"
        )
    target.refresh_from_db()
    assert (target.done_url, target.done_by) == ("https://vk.com/wall-7_1", publics.executor_b)
    with time_machine.travel(DUE + timedelta(minutes=1), tick=False):
        assert _progress(assignment) == {
            "Управление образования А": "overdue",
            "Управление образования Б": "done",
        }
        _, counts = selectors.assignment_progress(assignment=assignment)
        assert counts == {"done": 1, "overdue": 1, "pending": 0}


@time_machine.travel(NOW, tick=False)
def test_a_day_before_the_term_the_organizations_that_have_not_done_it_are_reminded(
    publics, django_capture_on_commit_callbacks
):
    publics.executor_a.email, publics.executor_b.email = "a@example.ru", "b@example.ru"
    publics.executor_a.save()
    publics.executor_b.save()
    assignment = _create(publics, django_capture_on_commit_callbacks)
    reminder = DBTaskResult.objects.get(task_path__endswith="assignment_remind")
    assert reminder.run_after == DUE - timedelta(days=1)
    services.assignment_target_done(
        target=assignment.targets.get(organization=publics.body_b),
        actor=publics.executor_b,
        url="https://vk.com/wall-7_1",
    )
    with (
        time_machine.travel(DUE - timedelta(days=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        run_due_tasks()
    mail = Notification.objects.get(recipient="a@example.ru")
    assert mail.subject == "Задача на распространение: «День открытых дверей» — срок 05.11.2026 11:00"
    assert not Notification.objects.filter(recipient="b@example.ru").exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": ""}, "Назовите информационный повод."),
        ({"text": "", "link": ""}, "Укажите текст для публикации или ссылку для репоста."),
        ({"text": "{кому}"}, "Неизвестная подстановка: {кому}."),
        ({"due_at": NOW - timedelta(hours=1)}, "Срок уже прошёл: укажите будущее время."),
        ({"organization_ids": []}, "Выберите хотя бы одну организацию."),
    ],
)
@time_machine.travel(NOW, tick=False)
def test_bad_tasks_are_refused_in_russian(publics, changes, message):
    with pytest.raises(PublicsError) as refused:
        _create(publics, **changes)
    assert message in str(refused.value)
    assert not Assignment.objects.exists() and not AssignmentTarget.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_a_body_cannot_give_a_task_to_an_organization_outside_its_subtree(publics):
    for org in (publics.school_b, publics.body_a):  # another body's school; itself
        with pytest.raises(
            PublicsError, match=f"Организация № {org.pk} не подведомственна «Управление образования А»"
        ):
            _create(publics, organization=publics.body_a, orgs=[org])
    assert not Assignment.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_a_tasks_picture_is_drawn_for_the_organization_that_publishes_it(
    publics, vk_api, django_capture_on_commit_callbacks
):
    template = services.picture_template_save(
        organization=publics.ministry, name="Дни открытых дверей", headline="{организация} ждёт вас"
    )
    assignment = _create(publics, picture=template)
    target = assignment.targets.get(organization=publics.body_a)
    with django_capture_on_commit_callbacks(execute=True):
        post = services.assignment_target_publish(target=target, actor=publics.executor_a)
    assert post.picture == template
    with django_capture_on_commit_callbacks(execute=True):
        run_due_tasks()
    [(_, kind, data)] = vk_api.uploads
    assert kind == "image/png"
    assert data == services.picture_draw(
        template=template, organization=publics.body_a, at=NOW, link="https://vk.com/wall-101_5"
    )
    wall = [params for path, params in vk_api.received if path == "/method/wall.post"]
    assert wall[0]["attachments"] == "photo-202_501,https://vk.com/wall-101_5"
    target.refresh_from_db()
    assert target.done_url == "https://vk.com/wall-202_77"


@time_machine.travel(NOW, tick=False)
def test_a_task_takes_only_a_picture_of_its_giver_or_above(publics):
    below = services.picture_template_save(organization=publics.body_a, name="Своя", headline="Новости")
    with pytest.raises(PublicsError, match=f"Шаблон картинки № {below.pk} не найден"):
        _create(publics, picture=below)
    assert not Assignment.objects.exists()
    above = services.picture_template_save(organization=publics.ministry, name="Общая", headline="Новости")
    task = _create(publics, organization=publics.body_a, orgs=[publics.school_a], picture=above)
    assert task.picture == above
    with pytest.raises(PublicsError, match="выбран в задачах на распространение «День открытых дверей»"):
        services.picture_template_delete(template=above)
    assert PictureTemplate.objects.filter(pk=above.pk).exists()


@time_machine.travel(NOW, tick=False)
def test_one_click_needs_the_communitys_key_and_says_so_before_anything_is_scheduled(publics, client):
    assignment = _create(publics, orgs=[publics.school_a])
    target = assignment.targets.get()
    with pytest.raises(PublicsError, match="У сообщества «Паблик 303» нет ключа доступа"):
        services.assignment_target_publish(target=target, actor=publics.coordinator)
    target.refresh_from_db()
    assert target.post is None and not Post.objects.exists()
    client.force_login(publics.coordinator)
    page = client.get(f"/staff/publics/tasks/{target.pk}/").content.decode()
    assert "нет ключа доступа" in page and 'value="publish"' not in page
