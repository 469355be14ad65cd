"""The госпаблики screens: scheduling in the region's time, refusals in Russian, the post's card,
templates, distribution tasks with their progress and export; outsiders see nothing and change nothing."""

import io
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from otklik.accounts.roles import Role
from otklik.publics import services
from otklik.publics.models import Assignment, AssignmentTarget, Post, PostTarget, PostTemplate
from otklik.publics.tests.conftest import community
from otklik.testing import make_staff, run_due_tasks

NOW = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)  # 11:00 in Yekaterinburg
pytestmark = pytest.mark.usefixtures("_frozen")


@pytest.fixture
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _post(p, orgs=None, at=NOW + timedelta(hours=3)):
    return services.post_schedule(
        author=p.coordinator,
        organization=p.ministry,
        text="Новость",
        publish_at=at,
        community_ids=[community(o).pk for o in (orgs or [p.ministry, p.school_a])],
    )


def _page(response) -> str:
    return response.content.decode()


def test_a_coordinator_schedules_a_post_in_the_regions_time(publics, client):
    client.force_login(publics.coordinator)
    page = _page(client.get("/staff/publics/posts/new/"))
    assert "Паблик 101" in page and "Паблик 303" in page and "нет ключа доступа" in page
    response = client.post(
        "/staff/publics/posts/new/",
        {
            "organization": publics.ministry.pk,
            "text": "Итоги олимпиады: {ссылка}",
            "link": "https://minobr.example.ru/olymp",
            "publish_at": "2026-11-02T15:30",
            "communities": [community(publics.ministry).pk, community(publics.body_a).pk],
        },
    )
    post = Post.objects.get()
    assert response.status_code == 302 and response.url == f"/staff/publics/posts/{post.pk}/"
    assert post.publish_at == datetime(2026, 11, 2, 10, 30, tzinfo=UTC)
    assert post.targets.count() == 2
    card = _page(client.get(response.url))
    assert "02.11.2026 15:30" in card and "запланирован" in card and "Перенести" in card
    assert "02.11.2026 11:00 — пост запланирован, p_coordinator: 02.11.2026 15:30" in card


def test_a_post_typed_in_the_regions_time_is_published_at_that_time(
    publics, client, vk_api, django_capture_on_commit_callbacks
):
    client.force_login(publics.coordinator)
    form = {
        "text": "Новость",
        "publish_at": "2026-11-02T15:30",
        "communities": [community(publics.ministry).pk],
    }
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/staff/publics/posts/new/", form)
    with time_machine.travel(datetime(2026, 11, 2, 10, 29, tzinfo=UTC), tick=False):
        assert run_due_tasks() == 0
    with time_machine.travel(datetime(2026, 11, 2, 10, 30, tzinfo=UTC), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert run_due_tasks() == 1
    assert list(PostTarget.objects.values_list("state", "url")) == [
        ("published", "https://vk.com/wall-101_77")
    ]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"publish_at": "2026-11-02T10:00"}, "Время публикации уже прошло: укажите будущее время."),
        ({"publish_at": "завтра"}, "Дата и время в виде ДД.ММ.ГГГГ ЧЧ:ММ."),
        ({"text": ""}, "Текст поста: напишите текст."),
        ({"communities": []}, "Выберите хотя бы одно сообщество."),
        ({"communities": ["abc"]}, "Сообщество № 0 не найдено"),
        ({"link": "javascript:alert(1)"}, "Ссылка должна начинаться с http:// или https://."),
    ],
)
def test_bad_input_is_refused_in_russian(publics, client, changes, message):
    client.force_login(publics.coordinator)
    form = {
        "text": "Новость",
        "publish_at": "2026-11-02T15:30",
        "communities": [community(publics.ministry).pk],
    }
    form.update(changes)
    response = client.post("/staff/publics/posts/new/", form)
    assert response.status_code in {200, 400} and message in _page(response)
    assert not Post.objects.exists()


def test_a_body_coordinator_cannot_post_to_the_ministrys_community(publics, client):
    body_coordinator = make_staff(publics.body_a, Role.COORDINATOR, "p_coord_a")
    client.force_login(body_coordinator)
    page = _page(client.get("/staff/publics/posts/new/"))
    assert "Паблик 202" in page and "Паблик 101" not in page
    form = {
        "text": "Новость",
        "publish_at": "2026-11-02T15:30",
        "communities": [community(publics.ministry).pk],
    }
    response = client.post("/staff/publics/posts/new/", form)
    assert response.status_code == 400 and "не найдено среди госпабликов «Управление образования А»" in _page(
        response
    )
    # nor on behalf of the ministry
    assert (
        client.post("/staff/publics/posts/new/", {**form, "organization": publics.ministry.pk}).status_code
        == 404
    )
    assert not Post.objects.exists()


def test_the_card_moves_cancels_and_publishes_again(
    publics, client, vk_api, django_capture_on_commit_callbacks
):
    client.force_login(publics.coordinator)
    post = _post(publics)
    url = f"/staff/publics/posts/{post.pk}/action/"
    client.post(url, {"action": "reschedule", "publish_at": "2026-11-03T09:00"})
    post.refresh_from_db()
    assert post.publish_at == datetime(2026, 11, 3, 4, 0, tzinfo=UTC)
    refused = client.post(url, {"action": "reschedule", "publish_at": "2026-11-01T09:00"}, follow=True)
    assert "Время публикации уже прошло" in _page(refused)
    client.post(url, {"action": "cancel"})
    assert set(post.targets.values_list("state", flat=True)) == {"cancelled"}

    with django_capture_on_commit_callbacks(execute=True):
        failing = _post(publics, orgs=[publics.ministry])
    vk_api.answers = [
        {"error": {"error_code": 214, "error_msg": "Access to adding post denied"}},
        {"response": {"post_id": 5}},
    ]
    with time_machine.travel(NOW + timedelta(hours=3), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            run_due_tasks()
        card = _page(client.get(f"/staff/publics/posts/{failing.pk}/"))
        assert "Публикация запрещена: стена сообщества закрыта для записей от этого ключа" in card
        assert "Опубликовать снова" in card
        target = failing.targets.get()
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                f"/staff/publics/posts/{failing.pk}/action/", {"action": "retry", "target": target.pk}
            )
        with django_capture_on_commit_callbacks(execute=True):
            run_due_tasks()
        card = _page(client.get(f"/staff/publics/posts/{failing.pk}/"))
    assert "https://vk.com/wall-101_5" in card and "Опубликовать снова" not in card


def test_outsiders_get_403_or_404_and_nothing_changes(publics, client):
    post = _post(publics)
    client.force_login(publics.executor_a)  # no posting role
    for path in ("/staff/publics/", "/staff/publics/posts/new/", f"/staff/publics/posts/{post.pk}/"):
        assert client.get(path).status_code == 403
    assert client.post(f"/staff/publics/posts/{post.pk}/action/", {"action": "cancel"}).status_code == 403
    client.force_login(make_staff(publics.body_b, Role.COORDINATOR, "p_coord_b"))
    assert client.get(f"/staff/publics/posts/{post.pk}/").status_code == 404
    assert client.post(f"/staff/publics/posts/{post.pk}/action/", {"action": "cancel"}).status_code == 404
    template = services.template_save(organization=publics.ministry, name="Анонс", text="{организация}")
    assert client.post(f"/staff/publics/templates/{template.pk}/", {"action": "delete"}).status_code == 404
    post.refresh_from_db()
    assert post.cancelled_at is None and set(post.targets.values_list("state", flat=True)) == {"scheduled"}
    assert PostTemplate.objects.count() == 1


def test_a_template_with_an_unknown_placeholder_is_refused_on_the_screen(publics, client):
    client.force_login(publics.coordinator)
    response = client.post("/staff/publics/templates/", {"name": "Анонс", "text": "Здравствуйте, {имя}!"})
    assert response.status_code == 400 and "Неизвестная подстановка: {имя}" in _page(response)
    assert not PostTemplate.objects.exists()
    client.post("/staff/publics/templates/", {"name": "Анонс", "text": "{организация}: {ссылка}"})
    template = PostTemplate.objects.get()
    assert "{организация}: {ссылка}" in _page(client.get(f"/staff/publics/posts/new/?template={template.pk}"))


def test_a_task_is_given_seen_by_the_target_done_and_exported(publics, client):
    client.force_login(publics.coordinator)
    response = client.post(
        "/staff/publics/assignments/new/",
        {
            "title": '=HYPERLINK("http://evil")',
            "text": "Приглашаем на форум",
            "due_at": "2026-11-05T18:00",
            "organizations": [publics.body_a.pk, publics.body_b.pk],
        },
    )
    assignment = Assignment.objects.get()
    assert response.status_code == 302 and assignment.targets.count() == 2

    client.force_login(publics.executor_a)
    home = _page(client.get("/staff/"))
    assert "Задачи на распространение" in home and "=HYPERLINK" in home
    target = assignment.targets.get(organization=publics.body_a)
    page = _page(client.get(f"/staff/publics/tasks/{target.pk}/"))
    assert "Опубликовать в сообществе Паблик 202" in page
    refused = client.post(
        f"/staff/publics/tasks/{target.pk}/", {"action": "done", "url": "не ссылка"}, follow=True
    )
    assert "Ссылка должна начинаться с http:// или https://." in _page(refused)
    client.post(f"/staff/publics/tasks/{target.pk}/", {"action": "done", "url": "https://vk.com/wall-202_3"})
    target.refresh_from_db()
    assert target.done_url == "https://vk.com/wall-202_3"

    client.force_login(publics.coordinator)
    page = _page(client.get(f"/staff/publics/assignments/{assignment.pk}/"))
    assert (
        "Выполнено: <strong>1</strong> · Просрочено: <strong>0</strong> · Ожидает: <strong>1</strong>" in page
    )
    csv = client.get(f"/staff/publics/assignments/{assignment.pk}/?format=csv").content.decode("utf-8-sig")
    lines = csv.splitlines()
    assert lines[0] == '"\'=HYPERLINK(""http://evil"")"'
    assert "Управление образования А,выполнено,02.11.2026 11:00,https://vk.com/wall-202_3" in lines
    assert "Управление образования Б,ожидает,," in lines
    from openpyxl import load_workbook

    book = load_workbook(
        io.BytesIO(client.get(f"/staff/publics/assignments/{assignment.pk}/?format=xlsx").content)
    )
    sheet = book.worksheets[0]
    assert sheet["A1"].value == '=HYPERLINK("http://evil")' and sheet["A1"].data_type == "s"


def test_outsiders_of_a_task_get_404_and_nothing_changes(publics, client):
    assignment = _task(publics, due=NOW + timedelta(days=2))
    target = assignment.targets.get()
    client.force_login(publics.executor_b)
    assert "Форум" not in _page(client.get("/staff/")) + _page(client.get("/staff/publics/assignments/"))
    assert client.get(f"/staff/publics/tasks/{target.pk}/").status_code == 404
    assert client.post(f"/staff/publics/tasks/{target.pk}/", {"action": "publish"}).status_code == 404
    assert client.get(f"/staff/publics/assignments/{assignment.pk}/").status_code == 403
    client.force_login(publics.analyst)
    assert client.get("/staff/publics/assignments/").status_code == 403
    target.refresh_from_db()
    assert target.done_at is None and target.post is None
    assert AssignmentTarget.objects.count() == 1 and PostTarget.objects.count() == 0


def _task(p, due=NOW + timedelta(days=3)):
    return services.assignment_create(
        author=p.coordinator,
        organization=p.ministry,
        title="Форум",
        text="Приглашаем",
        due_at=due,
        organization_ids=[p.body_a.pk],
    )


def test_the_term_of_a_task_is_moved_and_the_reminder_follows(
    publics, client, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=True):
        assignment = _task(publics)
    client.force_login(publics.coordinator)
    page = _page(client.get(f"/staff/publics/assignments/{assignment.pk}/"))
    assert 'value="2026-11-05T11:00"' in page  # the term in the region's time
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/staff/publics/assignments/{assignment.pk}/", {"due_at": "2026-11-10T15:30"})
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.due_at == datetime(2026, 11, 10, 10, 30, tzinfo=UTC)
    assert list(assignment.events.values_list("kind", "text")) == [
        ("created", "организаций: 1"),
        ("term_changed", "05.11.2026 11:00 → 10.11.2026 15:30"),
    ]
    page = _page(client.get(f"/staff/publics/assignments/{assignment.pk}/"))
    assert "Срок изменён" in page and "срок изменён" in page and "10.11.2026 15:30" in page
    reminders = sorted(
        DBTaskResult.objects.filter(task_path__endswith="assignment_remind").values_list(
            "run_after", flat=True
        )
    )
    assert reminders == [datetime(2026, 11, 4, 6, 0, tzinfo=UTC), datetime(2026, 11, 9, 10, 30, tzinfo=UTC)]
    # The old term's reminder finds another term and writes to no one.
    assert services.assignment_remind(assignment_id=assignment.pk, due_at=NOW.isoformat()) == 0


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2026-11-01T10:00", "Срок уже прошёл: укажите будущее время."),
        ("2026-11-05T11:00", "Это тот же срок."),
        ("завтра", "Дата и время в виде ДД.ММ.ГГГГ ЧЧ:ММ."),
        ("", "Укажите дату и время."),
    ],
)
def test_a_bad_new_term_is_refused_in_russian_and_nothing_changes(publics, client, value, message):
    assignment = _task(publics)
    client.force_login(publics.coordinator)
    response = client.post(f"/staff/publics/assignments/{assignment.pk}/", {"due_at": value}, follow=True)
    assert message in _page(response)
    assignment.refresh_from_db()
    assert assignment.due_at == NOW + timedelta(days=3)
    assert list(assignment.events.values_list("kind", flat=True)) == ["created"]


def test_outsiders_cannot_move_the_term(publics, client):
    assignment = _task(publics)
    client.force_login(publics.executor_a)  # a target's executor: no posting role
    assert (
        client.post(
            f"/staff/publics/assignments/{assignment.pk}/", {"due_at": "2026-11-10T15:30"}
        ).status_code
        == 403
    )
    other = make_staff(publics.body_b, Role.COORDINATOR, "p_coord_b_term")
    client.force_login(other)
    assert (
        client.post(
            f"/staff/publics/assignments/{assignment.pk}/", {"due_at": "2026-11-10T15:30"}
        ).status_code
        == 404
    )
    assignment.refresh_from_db()
    assert assignment.due_at == NOW + timedelta(days=3)


def test_a_post_template_is_changed_refused_in_russian_and_deleted_on_its_page(publics, client):
    template = services.template_save(
        organization=publics.ministry, name="Новости", text="{организация}: новости"
    )
    client.force_login(publics.coordinator)
    url = f"/staff/publics/templates/{template.pk}/"
    assert "{организация}: новости" in _page(client.get(url))
    refused = client.post(url, {"name": "Новости", "text": "{кому}"})
    assert refused.status_code == 400 and "Неизвестная подстановка: {кому}." in _page(refused)
    assert client.post(url, {"name": "Анонс", "text": "Скоро: {ссылка}"}).status_code == 302
    template.refresh_from_db()
    assert (template.name, template.text) == ("Анонс", "Скоро: {ссылка}")
    assert client.post(url, {"action": "delete"}).status_code == 302
    assert not PostTemplate.objects.filter(pk=template.pk).exists()


def test_a_task_with_a_picture_shows_each_organization_its_own_and_hides_it_from_others(publics, client):
    from PIL import Image

    template = services.picture_template_save(
        organization=publics.ministry, name="Форум", headline="{организация} на форуме"
    )
    client.force_login(publics.coordinator)
    form = {
        "title": "Форум",
        "text": "{организация} приглашает на форум",
        "due_at": "2026-11-05T18:00",
        "organizations": [publics.body_a.pk, publics.body_b.pk],
    }
    assert "Картинка к записи" in _page(client.get("/staff/publics/assignments/new/"))
    missing = client.post("/staff/publics/assignments/new/", {**form, "picture": template.pk + 99})
    assert missing.status_code == 404 and not Assignment.objects.exists()
    client.post("/staff/publics/assignments/new/", {**form, "picture": template.pk})
    assignment = Assignment.objects.get()
    assert assignment.picture == template
    detail = _page(client.get(f"/staff/publics/assignments/{assignment.pk}/"))
    assert f"/staff/publics/pictures/{template.pk}/preview.png?org={publics.ministry.pk}" in detail

    target = assignment.targets.get(organization=publics.body_a)
    client.force_login(publics.executor_a)
    page = _page(client.get(f"/staff/publics/tasks/{target.pk}/"))
    assert "Скачать картинку" in page and "{организация}" not in page
    assert "Управление образования А приглашает на форум" in page  # the text to copy, filled in
    drawn = client.get(f"/staff/publics/tasks/{target.pk}/picture.png")
    assert drawn.status_code == 200 and drawn["Content-Type"] == "image/png"
    assert drawn.content == services.picture_draw(template=template, organization=publics.body_a, at=NOW)
    with Image.open(io.BytesIO(drawn.content)) as image:
        assert image.size == (1200, 630)
    other = assignment.targets.get(organization=publics.body_b)
    assert client.get(f"/staff/publics/tasks/{other.pk}/picture.png").status_code == 404

    plain = _task(publics)
    assert client.get(f"/staff/publics/tasks/{plain.targets.get().pk}/picture.png").status_code == 404
