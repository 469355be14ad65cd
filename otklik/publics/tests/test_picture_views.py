"""The picture screens: an image uploaded with a post, picture templates with previews, the pictures
of a post per community; refusals in Russian with nothing saved; outsiders see and change nothing."""

import io
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from PIL import Image

from otklik.accounts.roles import Role
from otklik.publics import services
from otklik.publics.models import PictureTemplate, Post
from otklik.publics.tests.conftest import community, stored_files
from otklik.publics.tests.test_images import picture, upload
from otklik.testing import make_staff

NOW = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)
pytestmark = pytest.mark.usefixtures("_frozen")


@pytest.fixture
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _form(p, **changes) -> dict:
    form = {
        "organization": p.ministry.pk,
        "text": "Новость",
        "publish_at": "2026-11-02T15:30",
        "communities": [community(p.ministry).pk, community(p.body_a).pk],
    }
    form.update(changes)
    return form


def _png_size(response) -> tuple[int, int]:
    with Image.open(io.BytesIO(response.content)) as drawn:
        return drawn.size


def test_a_post_with_an_uploaded_image_shows_it_to_staff(publics, client):
    client.force_login(publics.coordinator)
    assert 'enctype="multipart/form-data"' in client.get("/staff/publics/posts/new/").content.decode()
    data = picture()
    response = client.post("/staff/publics/posts/new/", _form(publics, image=upload("афиша.png", data)))
    post = Post.objects.get()
    assert response.status_code == 302 and post.image_type == "image/png"
    card = client.get(f"/staff/publics/posts/{post.pk}/").content.decode()
    assert f'<img src="/staff/publics/posts/{post.pk}/image/" alt="Изображение поста"' in card
    image = client.get(f"/staff/publics/posts/{post.pk}/image/")
    assert (image.status_code, image["Content-Type"], image.content) == (200, "image/png", data)
    assert image["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("отчёт.png", b"%PDF-1.7\n", "Файл «отчёт.png»: принимаются только изображения JPEG и PNG."),
        ("пусто.png", b"", "Файл «пусто.png» пуст."),
        ("полоска.png", picture(1, 100000), "Изображение «полоска.png» 1×100000 пикселей"),
    ],
)
def test_a_bad_image_is_refused_on_the_screen_and_nothing_is_saved(publics, client, name, data, message):
    client.force_login(publics.coordinator)
    response = client.post("/staff/publics/posts/new/", _form(publics, image=upload(name, data)))
    assert response.status_code == 400 and message in response.content.decode()
    assert not Post.objects.exists() and stored_files() == []


def test_a_picture_template_is_made_previewed_and_used_per_community(publics, client):
    client.force_login(publics.coordinator)
    response = client.post(
        "/staff/publics/pictures/",
        {
            "organization": publics.ministry.pk,
            "name": "Итоги",
            "headline": "{организация}: итоги недели",
            "background_color": "#204060",
            "text_color": "#ffffff",
        },
    )
    template = PictureTemplate.objects.get()
    assert response.status_code == 302 and (template.name, template.background_color) == ("Итоги", "#204060")
    page = client.get("/staff/publics/pictures/").content.decode()
    assert f'<img src="/staff/publics/pictures/{template.pk}/preview.png"' in page
    own = client.get(f"/staff/publics/pictures/{template.pk}/preview.png")
    body = client.get(f"/staff/publics/pictures/{template.pk}/preview.png?org={publics.body_a.pk}")
    assert own["Content-Type"] == body["Content-Type"] == "image/png"
    assert _png_size(own) == _png_size(body) == (1200, 630) and own.content != body.content
    assert (
        f"/staff/publics/pictures/{template.pk}/preview.png?org="
        in client.get("/staff/publics/posts/new/").content.decode()
    )

    client.post("/staff/publics/posts/new/", _form(publics, picture=template.pk))
    post = Post.objects.get()
    assert post.picture == template and not post.image
    card = client.get(f"/staff/publics/posts/{post.pk}/").content.decode()
    assert "Картинка по шаблону «Итоги», для каждого сообщества своя" in card
    first = client.get(f"/staff/publics/posts/{post.pk}/image/?community={community(publics.ministry).pk}")
    second = client.get(f"/staff/publics/posts/{post.pk}/image/?community={community(publics.body_a).pk}")
    assert first.content == own.content and second.content == body.content
    # a community the post does not go to
    assert (
        client.get(
            f"/staff/publics/posts/{post.pk}/image/?community={community(publics.school_a).pk}"
        ).status_code
        == 404
    )


def test_a_picture_template_is_edited_and_a_bad_one_refused(publics, client):
    client.force_login(publics.coordinator)
    template = services.picture_template_save(organization=publics.ministry, name="Итоги", headline="Текст")
    url = f"/staff/publics/pictures/{template.pk}/"
    assert "Шаблон картинки «Итоги»" in client.get(url).content.decode()
    refused = client.post(
        url, {"name": "Итоги", "headline": "{имя}", "background_color": "#000000", "text_color": "#ffffff"}
    )
    assert refused.status_code == 400 and "Неизвестная подстановка: {имя}" in refused.content.decode()
    refused = client.post(
        url,
        {
            "name": "Итоги",
            "headline": "Текст",
            "background_color": "#000000",
            "text_color": "#ffffff",
            "background": upload("фон.png", b"%PDF-1.4\n"),
        },
    )
    assert (
        refused.status_code == 400
        and "Файл «фон.png»: принимаются только изображения JPEG и PNG." in refused.content.decode()
    )
    template.refresh_from_db()
    assert (template.headline, template.background_color, template.background.name) == (
        "Текст",
        "#1f4e79",
        "",
    )
    assert stored_files() == []
    client.post(
        url,
        {
            "name": "Итоги",
            "headline": "Новое",
            "background_color": "#000000",
            "text_color": "#ffffff",
            "background": upload("фон.jpg", picture(fmt="JPEG")),
        },
    )
    template.refresh_from_db()
    assert template.headline == "Новое" and stored_files() == [template.background.name]
    client.post(url, {"action": "delete"})
    assert not PictureTemplate.objects.exists()


def test_outsiders_get_403_or_404_and_nothing_changes(publics, client, django_capture_on_commit_callbacks):
    template = services.picture_template_save(organization=publics.ministry, name="Итоги", headline="Текст")
    post = services.post_schedule(
        author=publics.coordinator,
        organization=publics.ministry,
        text="Новость",
        publish_at=NOW + timedelta(hours=3),
        community_ids=[community(publics.ministry).pk],
        image=upload("a.png", picture()),
    )
    media = stored_files()
    change = {"name": "Чужой", "headline": "Взлом", "background_color": "#000000", "text_color": "#ffffff"}
    client.force_login(publics.executor_a)  # no posting role
    for path in (
        "/staff/publics/pictures/",
        f"/staff/publics/pictures/{template.pk}/",
        f"/staff/publics/pictures/{template.pk}/preview.png",
        f"/staff/publics/posts/{post.pk}/image/",
    ):
        assert client.get(path).status_code == 403
    assert (
        client.post("/staff/publics/pictures/", {**change, "organization": publics.body_a.pk}).status_code
        == 403
    )
    assert client.post(f"/staff/publics/pictures/{template.pk}/", {"action": "delete"}).status_code == 403

    client.force_login(make_staff(publics.body_b, Role.COORDINATOR, "p_coord_b"))
    for path in (
        f"/staff/publics/pictures/{template.pk}/",
        f"/staff/publics/pictures/{template.pk}/preview.png",
        f"/staff/publics/posts/{post.pk}/image/",
    ):
        assert client.get(path).status_code == 404
    assert "Итоги" not in client.get("/staff/publics/pictures/").content.decode()
    assert client.post(f"/staff/publics/pictures/{template.pk}/", change).status_code == 404
    assert client.post(f"/staff/publics/pictures/{template.pk}/", {"action": "delete"}).status_code == 404
    # nor a template of another branch on its own post, nor a preview for the ministry
    form = {"text": "Новость", "publish_at": "2026-11-02T15:30", "picture": template.pk}
    assert client.post("/staff/publics/posts/new/", form).status_code == 404
    assert (
        client.post("/staff/publics/pictures/", {**change, "organization": publics.ministry.pk}).status_code
        == 404
    )

    client.force_login(publics.coordinator)
    assert (
        client.get(
            f"/staff/publics/pictures/{template.pk}/preview.png?org={publics.region.pk + 999}"
        ).status_code
        == 404
    )
    template.refresh_from_db()
    assert (template.name, template.headline) == ("Итоги", "Текст")
    assert PictureTemplate.objects.count() == 1 and Post.objects.count() == 1 and stored_files() == media
