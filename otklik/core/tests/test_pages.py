import re

import pytest


def test_landing_is_russian(client, db):
    response = client.get("/")
    assert response.status_code == 200
    assert "Отклик" in response.content.decode()
    assert '<html lang="ru">' in response.content.decode()
    for link in ("/chat/", "/appeal/new/", "/surveys/"):  # a citizen finds each public service here
        assert f'href="{link}"' in response.content.decode()


def test_landing_links_the_faq_and_surveys_and_the_bot_only_when_it_is_named(client, db, settings):
    settings.TELEGRAM_BOT_USERNAME = ""
    html = client.get("/").content.decode()
    assert 'href="/faq/"' in html and 'href="/surveys/"' in html
    assert "t.me/" not in html and "Бот в Telegram" not in html
    settings.TELEGRAM_BOT_USERNAME = "demo_otklik_bot"
    html = client.get("/").content.decode()
    assert 'href="https://t.me/demo_otklik_bot"' in html and "Бот в Telegram" in html


def test_the_icon_is_found_at_the_address_browsers_ask_for(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"] == "/static/otklik/favicon.svg"
    assert client.get("/static/otklik/favicon.svg").status_code == 200
    assert 'rel="icon" href="/static/otklik/favicon.svg"' in client.get("/").content.decode()


def test_unknown_page_gets_russian_404(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Страница не найдена" in response.content.decode()


def test_nul_in_an_address_a_filter_or_a_form_is_a_russian_400(client, region):
    """PostgreSQL cannot even compare a string holding NUL: every such lookup used to be a 500."""
    page = client.get("/appeal/TO-2026-0%00/?s=x")
    assert page.status_code == 400 and "недопустимый символ NUL" in page.content.decode()
    assert client.get("/staff/appeals/?q=%00", follow=True).status_code == 400
    chat = client.post("/chat/send/", {"text": "когда запись в школу\x00"})
    assert chat.status_code == 400
    api = client.get("/api/v1/appeals/TO-2026-0%00")
    assert api.status_code == 400 and "NUL" in api.json()["error"]
    client.force_login(region.coordinator)
    assert client.get("/staff/appeals/?q=%00").status_code == 400


def test_empty_choice_of_a_select_is_russian(client, region):
    """Django 6.1 labels the empty choice «- Select an option -», which its Russian catalog lacks."""
    client.force_login(region.coordinator)
    page = client.get("/staff/broadcast/").content.decode()
    assert "Select an option" not in page and "— выберите —" in page


@pytest.mark.parametrize("persona", ["admin", "coordinator", "executor_a", "analyst", "editor", "monitor"])
def test_every_link_of_the_main_menu_opens_for_the_person_it_is_shown_to(client, personas, persona):
    from otklik.accounts.roles import Role
    from otklik.testing import make_staff

    user = make_staff(personas.ministry, Role.MONITOR) if persona == "monitor" else getattr(personas, persona)
    client.force_login(user)
    page = client.get("/staff/").content.decode()
    menu = page[page.index('aria-label="Основное меню"') : page.index("</nav>")]
    links = re.findall(r'href="(/staff/[^"]*)"', menu)
    assert links
    for href in links:
        assert client.get(href).status_code == 200, href


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
