import pytest


def test_landing_is_russian(client, db):
    response = client.get("/")
    assert response.status_code == 200
    assert "Отклик" in response.content.decode()
    assert '<html lang="ru">' in response.content.decode()


def test_unknown_page_gets_russian_404(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Страница не найдена" in response.content.decode()


def test_staff_home_requires_login(client, db):
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    ("persona", "heading"),
    [
        ("admin", "Администратор"),
        ("coordinator", "Координатор"),
        ("executor_a", "Исполнитель"),
        ("analyst", "Аналитик"),
        ("editor", "Редактор базы знаний"),
    ],
)
def test_each_role_lands_on_its_home(client, personas, persona, heading):
    user = getattr(personas, persona)
    client.force_login(user)
    response = client.get("/staff/")
    assert response.status_code == 200
    assert f"<h1>{heading}</h1>" in response.content.decode()


def test_user_without_role_is_told_so(client, db):
    from otklik.accounts.models import User

    user = User.objects.create_user("nobody", password="x" * 12)
    client.force_login(user)
    assert "Роль не назначена" in client.get("/staff/").content.decode()


def test_csrf_failure_page_is_russian(db):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/accounts/login/", {"username": "a", "password": "b"})
    assert response.status_code == 403
    assert "Форма устарела" in response.content.decode()


def test_static_files_are_served_without_a_cdn(client, db):
    for path in ("/static/otklik/otklik.css", "/static/otklik/htmx-2.0.11.min.js"):
        response = client.get(path)
        assert response.status_code == 200
        assert b"".join(response.streaming_content)
