"""Pictures on posts: an uploaded image or a picture drawn per community from a template, published
through VK's three photo steps on the fake VK API; failures explained in Russian, retried without a
second post; bad files refused with nothing saved."""

import io
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django_tasks_db.models import DBTaskResult
from PIL import Image

from otklik.lib import fonts
from otklik.publics import services
from otklik.publics.models import PictureTemplate, Post, PostTarget
from otklik.publics.services import PublicsError
from otklik.publics.tests.conftest import TOKEN, community, stored_files
from otklik.publics.tests.test_images import picture, upload
from otklik.testing import run_due_tasks

NOW = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)  # 11:00 in Yekaterinburg
AT = NOW + timedelta(hours=3)
LINK = "https://minobr.example.ru/news/1"
pytestmark = pytest.mark.usefixtures("_frozen")


@pytest.fixture
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _template(p, headline="{организация}: итоги недели", **kw) -> PictureTemplate:
    return services.picture_template_save(organization=p.ministry, name="Итоги", headline=headline, **kw)


def _schedule(p, captured, *, orgs=None, **kw) -> Post:
    with captured(execute=True):
        return services.post_schedule(
            author=p.coordinator,
            organization=p.ministry,
            text="{организация}: новость",
            link=LINK,
            publish_at=AT,
            community_ids=[community(o).pk for o in (orgs or [p.ministry])],
            **kw,
        )


def _publish(captured, at=AT) -> None:
    with time_machine.travel(at, tick=False), captured(execute=True):
        run_due_tasks()


def _wall_posts(vk_api) -> list[dict]:
    return [params for path, params in vk_api.received if path == "/method/wall.post"]


def test_an_uploaded_image_is_published_with_the_link(publics, vk_api, django_capture_on_commit_callbacks):
    data = picture(fmt="JPEG")
    post = _schedule(publics, django_capture_on_commit_callbacks, image=upload("афиша.jpeg", data))
    assert post.image_type == "image/jpeg" and post.image.name.endswith("-афиша.jpg")
    assert stored_files() == [post.image.name]
    _publish(django_capture_on_commit_callbacks)
    assert [path for path, _ in vk_api.received] == [
        "/method/photos.getWallUploadServer",
        "/upload/",
        "/method/photos.saveWallPhoto",
        "/method/wall.post",
    ]
    assert vk_api.uploads == [("picture.jpg", "image/jpeg", data)]
    target = post.targets.get()
    assert _wall_posts(vk_api) == [
        {
            "owner_id": "-101",
            "from_group": "1",
            "message": "Министерство образования: новость",
            "attachments": f"photo-101_501,{LINK}",
            "guid": f"otklik-post-{target.pk}",
            "v": "5.199",
            "access_token": TOKEN,
        }
    ]
    assert (target.state, target.url) == ("published", "https://vk.com/wall-101_77")


def test_a_picture_from_a_template_is_drawn_for_each_community(
    publics, vk_api, django_capture_on_commit_callbacks
):
    template = _template(publics)
    post = _schedule(
        publics, django_capture_on_commit_callbacks, orgs=[publics.ministry, publics.body_a], picture=template
    )
    assert stored_files() == []  # drawn at publication, nothing stored
    _publish(django_capture_on_commit_callbacks)
    (_, kind_a, first), (_, kind_b, second) = vk_api.uploads
    assert kind_a == kind_b == "image/png"
    for data in (first, second):
        with Image.open(io.BytesIO(data)) as drawn:
            assert (drawn.format, drawn.size) == ("PNG", (1200, 630))
    assert first != second
    assert first == services.picture_draw(template=template, organization=publics.ministry, at=AT, link=LINK)
    assert second == services.picture_draw(template=template, organization=publics.body_a, at=AT, link=LINK)
    assert [p["attachments"] for p in _wall_posts(vk_api)] == [
        f"photo-101_501,{LINK}",
        f"photo-202_502,{LINK}",
    ]
    assert set(post.targets.values_list("state", flat=True)) == {"published"}


def test_the_same_headline_draws_the_same_picture_for_every_community(
    publics, vk_api, django_capture_on_commit_callbacks
):
    template = _template(publics, headline="Итоги недели {дата}")
    _schedule(
        publics, django_capture_on_commit_callbacks, orgs=[publics.ministry, publics.body_a], picture=template
    )
    _publish(django_capture_on_commit_callbacks)
    first, second = (data for _, _, data in vk_api.uploads)
    assert first == second


def test_an_upload_server_error_is_retried_and_publishes_one_post(
    publics, vk_api, django_capture_on_commit_callbacks
):
    vk_api.photo_faults = {"upload": [(500, {"error": "Internal"})]}
    post = _schedule(publics, django_capture_on_commit_callbacks, image=upload("a.png", picture()))
    _publish(django_capture_on_commit_callbacks)
    target = post.targets.get()
    assert (target.state, target.attempts, target.error) == (
        "scheduled",
        1,
        "сервер загрузки фотографий ВКонтакте ответил HTTP 500",
    )
    assert _wall_posts(vk_api) == []
    retry = DBTaskResult.objects.filter(task_path__endswith="post_target_deliver").get()
    assert retry.run_after == AT + timedelta(seconds=30)
    _publish(django_capture_on_commit_callbacks, AT + timedelta(seconds=30))
    target.refresh_from_db()
    assert (target.state, target.attempts, target.error) == ("published", 2, "")
    assert [p["guid"] for p in _wall_posts(vk_api)] == [f"otklik-post-{target.pk}"]


def test_a_refused_photo_fails_in_russian_and_publishing_again_keeps_the_guid(
    publics, vk_api, django_capture_on_commit_callbacks
):
    vk_api.photo_faults = {
        "photos.saveWallPhoto": [{"error": {"error_code": 129, "error_msg": "Invalid photo"}}]
    }
    post = _schedule(publics, django_capture_on_commit_callbacks, image=upload("a.png", picture()))
    _publish(django_capture_on_commit_callbacks)
    target = post.targets.get()
    assert (target.state, target.error_code, target.error) == (
        "failed",
        129,
        "ВКонтакте не принял фотографию: неверный формат изображения (код 129: Invalid photo)",
    )
    assert _wall_posts(vk_api) == []
    assert not DBTaskResult.objects.filter(task_path__endswith="post_target_deliver", status="READY").exists()
    with time_machine.travel(AT, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            services.post_target_retry(target=target, actor=publics.coordinator)
        with django_capture_on_commit_callbacks(execute=True):
            run_due_tasks()
    target.refresh_from_db()
    assert (target.state, target.url) == ("published", "https://vk.com/wall-101_77")
    assert [p["guid"] for p in _wall_posts(vk_api)] == [f"otklik-post-{target.pk}"]
    assert list(post.events.values_list("kind", flat=True)) == ["scheduled", "failed", "retried", "published"]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("отчёт.png", b"%PDF-1.7\n", "Файл «отчёт.png»: принимаются только изображения JPEG и PNG."),
        ("пусто.png", b"", "Файл «пусто.png» пуст."),
        (
            "огромный.png",
            b"\x89PNG\r\n\x1a\n" + b"0" * (10 * 1024 * 1024),
            "Файл «огромный.png» больше 10 МБ.",
        ),
        ("полоска.png", picture(1, 100000), "Изображение «полоска.png» 1×100000 пикселей"),
    ],
)
def test_a_bad_image_is_refused_and_nothing_is_saved(
    publics, vk_api, django_capture_on_commit_callbacks, name, data, message
):
    with pytest.raises(PublicsError) as refused:
        _schedule(publics, django_capture_on_commit_callbacks, image=upload(name, data))
    assert str(refused.value).startswith(message)
    assert Post.objects.count() == 0 and PostTarget.objects.count() == 0 and DBTaskResult.objects.count() == 0
    assert stored_files() == []


def test_an_image_and_a_template_together_are_refused(publics, django_capture_on_commit_callbacks):
    with pytest.raises(PublicsError, match="Выберите что-то одно: загрузите изображение или выберите шаблон"):
        _schedule(
            publics,
            django_capture_on_commit_callbacks,
            image=upload("a.png", picture()),
            picture=_template(publics),
        )
    assert Post.objects.count() == 0 and stored_files() == []


def test_a_template_of_another_branch_is_refused(publics, django_capture_on_commit_callbacks):
    other = services.picture_template_save(organization=publics.body_b, name="Б", headline="Новости Б")
    with pytest.raises(
        PublicsError, match=f"Шаблон картинки № {other.pk} не найден среди шаблонов «Управление"
    ):
        services.post_schedule(
            author=publics.coordinator,
            organization=publics.body_a,
            text="Новость",
            publish_at=AT,
            community_ids=[community(publics.body_a).pk],
            picture=other,
        )
    assert Post.objects.count() == 0


def _no_font(monkeypatch, tmp_path):
    monkeypatch.setattr(fonts, "FONT_PATHS", [tmp_path / "none.ttf"])
    monkeypatch.setattr(fonts, "BOLD_FONT_PATHS", [tmp_path / "none-bold.ttf"])


def test_without_a_font_a_picture_post_is_refused_before_and_explained_after(
    publics, vk_api, django_capture_on_commit_callbacks, monkeypatch, tmp_path
):
    template = _template(publics)
    post = _schedule(publics, django_capture_on_commit_callbacks, picture=template)
    _no_font(monkeypatch, tmp_path)
    with pytest.raises(
        PublicsError, match="Для картинок нужен шрифт с кириллицей: установите пакет fonts-dejavu-core."
    ):
        _schedule(publics, django_capture_on_commit_callbacks, picture=template)
    _publish(django_capture_on_commit_callbacks)
    target = post.targets.get()
    assert (target.state, target.error) == (
        "failed",
        "Для картинок нужен шрифт с кириллицей: установите пакет fonts-dejavu-core.",
    )
    assert vk_api.received == [] and Post.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": " "}, "Назовите шаблон картинки."),
        ({"headline": ""}, "Заголовок картинки: напишите текст."),
        ({"headline": "я" * 301}, "Заголовок картинки — не длиннее 300 символов (сейчас 301)."),
        ({"headline": "Привет, {имя}"}, "Неизвестная подстановка: {имя}."),
        ({"background_color": "red"}, "Цвет фона: укажите цвет в виде #1f4e79."),
        ({"text_color": "#fff"}, "Цвет текста: укажите цвет в виде #1f4e79."),
        ({"background": "pdf"}, "Файл «фон.png»: принимаются только изображения JPEG и PNG."),
    ],
)
def test_bad_picture_templates_are_refused_and_nothing_is_saved(publics, changes, message):
    kwargs = {"organization": publics.ministry, "name": "Итоги", "headline": "{организация}"}
    kwargs.update(changes)
    if kwargs.get("background") == "pdf":
        kwargs["background"] = upload("фон.png", b"%PDF-1.4\n")
    with pytest.raises(PublicsError) as refused:
        services.picture_template_save(**kwargs)
    assert str(refused.value).startswith(message)
    assert PictureTemplate.objects.count() == 0 and stored_files() == []


def test_a_background_is_stored_replaced_and_removed(publics, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        template = _template(publics, background=upload("фон.png", picture(color="#ff0000")))
    first = template.background.name
    assert stored_files() == [first]
    with django_capture_on_commit_callbacks(execute=True):
        services.picture_template_save(
            organization=publics.ministry,
            template=template,
            name="Итоги",
            headline="{организация}",
            background=upload("фон2.jpg", picture(fmt="JPEG")),
        )
    assert stored_files() == [template.background.name] and template.background.name != first
    with django_capture_on_commit_callbacks(execute=True):
        services.picture_template_save(
            organization=publics.ministry,
            template=template,
            name="Итоги",
            headline="{организация}",
            remove_background=True,
        )
    template.refresh_from_db()
    assert template.background.name == "" and stored_files() == []


def test_a_template_used_by_a_post_cannot_be_deleted(publics, django_capture_on_commit_callbacks):
    template = _template(publics)
    post = _schedule(publics, django_capture_on_commit_callbacks, picture=template)
    with pytest.raises(PublicsError) as refused:
        services.picture_template_delete(template=template)
    assert str(refused.value) == (
        f"По шаблону картинки сделаны посты №{post.pk}: удалить его нельзя, их картинки рисуются по нему."
    )
    assert PictureTemplate.objects.count() == 1
    unused = services.picture_template_save(organization=publics.ministry, name="Другой", headline="Текст")
    services.picture_template_delete(template=unused)
    assert list(PictureTemplate.objects.values_list("pk", flat=True)) == [template.pk]
