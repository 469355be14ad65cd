"""The version for people with low vision: one click or chosen settings, kept in a cookie, on every page."""

import pytest

from otklik.core import accessibility as a11y

pytestmark = pytest.mark.django_db


def test_the_cookie_is_read_strictly():
    assert a11y.parse(None) == a11y.ORDINARY
    assert a11y.parse("size-larger.scheme-wb.images-off.spacing-wide") == {
        "size": "larger",
        "scheme": "wb",
        "images": "off",
        "spacing": "wide",
    }
    # Unknown settings and values, and junk, fall back to the ordinary site one by one.
    assert a11y.parse("size-huge.scheme-blue.colour-red.<script>") == {**a11y.ORDINARY, "scheme": "blue"}
    assert a11y.html_classes(a11y.ORDINARY) == ""
    assert a11y.html_classes(a11y.parse("size-large")) == (
        "a11y a11y-size-large a11y-scheme-default a11y-images-on a11y-spacing-normal"
    )


def test_every_page_offers_the_version_and_one_click_turns_it_on(client, region):
    landing = client.get("/")
    assert "Версия для слабовидящих" in landing.content.decode()
    assert '<html lang="ru">' in landing.content.decode()

    # The bar's button carries no return address (the page's query may hold an access code): the
    # reader goes back to the page the button was on.
    assert 'name="next"' not in landing.content.decode()
    response = client.post("/accessibility/", {"action": "on"}, HTTP_REFERER="http://testserver/faq/?q=1")
    assert response.status_code == 302 and response["Location"] == "/faq/?q=1"
    assert client.cookies[a11y.COOKIE].value == "size-large.scheme-bw.images-on.spacing-normal"

    page = client.get("/faq/").content.decode()
    assert (
        '<html lang="ru" class="a11y a11y-size-large a11y-scheme-bw a11y-images-on a11y-spacing-normal">'
        in page
    )
    assert "Обычная версия сайта" in page and "Версия для слабовидящих</button>" not in page

    back = client.post("/accessibility/", {"action": "off"}, HTTP_REFERER="http://testserver/faq/")
    assert back.status_code == 302
    assert client.cookies[a11y.COOKIE].value == ""  # deleted
    assert '<html lang="ru">' in client.get("/faq/").content.decode()


def test_chosen_settings_are_saved(client, region):
    form = client.get("/accessibility/", HTTP_REFERER="http://testserver/faq/")
    assert form.status_code == 200 and "Цветовая схема" in form.content.decode()
    assert '<input type="hidden" name="next" value="/faq/">' in form.content.decode()
    response = client.post(
        "/accessibility/",
        {"size": "larger", "scheme": "blue", "images": "off", "spacing": "wide", "next": "/faq/"},
    )
    assert response.status_code == 302 and response["Location"] == "/faq/"
    assert client.cookies[a11y.COOKIE].value == "size-larger.scheme-blue.images-off.spacing-wide"
    # The settings page shows what is chosen now.
    again = client.get("/accessibility/").content.decode()
    assert '<input type="radio" name="scheme" value="blue" id="id_scheme_3" required checked>' in again


def test_bad_settings_are_refused_in_russian_and_nothing_is_saved(client):
    response = client.post("/accessibility/", {"size": "gigantic", "scheme": "bw", "images": "on"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "Такого значения нет: размер шрифта." in text
    assert "Выберите: интервал между буквами." in text
    assert a11y.COOKIE not in response.cookies


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", ""])
def test_it_never_sends_the_reader_to_another_site(client, target):
    response = client.post("/accessibility/", {"action": "on", "next": target})
    assert response.status_code == 302 and response["Location"] == "/"
    response = client.post("/accessibility/", {"action": "on"}, HTTP_REFERER=target)
    assert response.status_code == 302 and response["Location"] == "/"


def test_staff_pages_follow_the_setting_too(client, personas, login):
    login(personas.coordinator)
    client.post("/accessibility/", {"action": "on", "next": "/staff/"})
    page = client.get("/staff/").content.decode()
    assert 'class="a11y a11y-size-large a11y-scheme-bw' in page
