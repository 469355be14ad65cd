"""Rate limits of the citizens' appeal entry points (limits on, small numbers): the public form and
its widget, the status page's secret against guessing, and the REST API per token and per address."""

import json
import time
from datetime import UTC, datetime

import pytest
import time_machine
from django.core import signing
from django.test import Client

from otklik.appeals import services
from otklik.appeals.api import token_create
from otklik.appeals.models import ApiToken, Appeal
from otklik.testing import APPEAL_TEXT as TEXT

NOW = datetime.now(UTC).replace(microsecond=0)  # whole seconds: the waits come out exact
GUESSING = "Слишком много неверных попыток открыть обращение"


@pytest.fixture
def limits(settings):
    settings.RATELIMIT_ENABLED = True

    def _set(**rules):
        settings.RATE_LIMITS = {**settings.RATE_LIMITS, **rules}

    return _set


def _form(region, text=TEXT, **extra):
    return {
        "author_name": "Иванова Анна Сергеевна",
        "contact_email": "anna@example.ru",
        "territory": region.territory_a.pk,
        "text": text,
        "consent": "on",
        "website": "",
        "started": signing.dumps(time.time() - 30),
        **extra,
    }


# --- the public form and the widget ----------------------------------------------------------------


@pytest.mark.parametrize("url", ["/appeal/new/", "/appeal/widget/?org=NO-SUCH-CODE"])
def test_appeals_past_the_limit_come_back_with_the_text_kept_and_none_is_registered(
    client, region, limits, url
):
    limits(appeal=(2, 3600))
    with time_machine.travel(NOW, tick=False) as clock:
        for n in range(2):
            response = client.post(url, _form(region, f"{TEXT} Обращение {n}."))
            assert response.status_code in {200, 302}
        assert Appeal.objects.count() == 2
        clock.shift(600)
        third = f"{TEXT} И ещё: в спортзале не работает вентиляция."
        response = client.post(url, _form(region, third))
        page = response.content.decode()
        assert response.status_code == 429 and response["Retry-After"] == "3000"
        assert "Слишком много обращений с этого адреса, попробуйте через 50 минут." in page
        assert (
            "не работает вентиляция" in page
            and "Иванова Анна Сергеевна" in page
            and "anna@example.ru" in page
        )
        assert Appeal.objects.count() == 2
        clock.shift(3000)
        assert client.post(url, _form(region, third)).status_code in {200, 302}
        assert Appeal.objects.count() == 3


def test_the_form_page_itself_and_a_citizen_who_fixes_mistakes_stay_within_the_limit(client, region):
    # The defaults: ten sendings an hour; opening the page is never counted.
    for _ in range(20):
        assert client.get("/appeal/new/").status_code == 200
    for _ in range(3):
        assert client.post("/appeal/new/", _form(region, consent="")).status_code == 400
    assert client.post("/appeal/new/", _form(region)).status_code == 302
    assert Appeal.objects.count() == 1


def test_staff_registering_test_appeals_on_the_public_form_are_not_limited(client, region, limits):
    limits(appeal=(1, 3600))
    client.force_login(region.coordinator)
    for n in range(3):
        assert client.post("/appeal/new/", _form(region, f"{TEXT} Проверка {n}.")).status_code == 302
    assert Appeal.objects.count() == 3


def test_limits_switched_off_for_a_load_test(client, region, limits, settings):
    limits(appeal=(1, 3600))
    settings.RATELIMIT_ENABLED = False
    for n in range(3):
        assert client.post("/appeal/new/", _form(region, f"{TEXT} Нагрузка {n}.")).status_code == 302


# --- the status page: the secret cannot be guessed ---------------------------------------------------


@pytest.fixture
def appeal(region):
    appeal, _ = services.appeal_submit(region=region.region, text=TEXT, channel="web")
    return appeal


def test_after_wrong_secrets_for_a_number_even_the_right_one_is_refused_for_a_while(client, appeal, limits):
    limits(status_number=(3, 1800), status_address=(100, 900))
    url = f"/appeal/{appeal.number}/"
    with time_machine.travel(NOW, tick=False) as clock:
        assert client.get(url, {"s": appeal.secret}).status_code == 200
        for n in range(3):
            assert client.get(url, {"s": f"guess-{n}"}).status_code == 404
        clock.shift(60)
        # From any address: the counter is the number's.
        for guesser in (client, Client(REMOTE_ADDR="198.51.100.20")):
            refused = guesser.get(url, {"s": appeal.secret})
            assert refused.status_code == 429 and refused["Retry-After"] == "1740"
            page = refused.content.decode()
            assert GUESSING in page and "даже с правильным кодом доступа" in page and "через 29 минут" in page
            assert appeal.secret not in page and appeal.text not in page
        rating = client.post(f"{url}?s={appeal.secret}", {"rating": "5"})
        assert rating.status_code == 429
        files = client.get(f"{url}files/1/", {"s": appeal.secret})
        assert files.status_code == 429 and GUESSING in files.content.decode()
        api = client.get(f"/api/v1/appeals/{appeal.number}", {"secret": appeal.secret})
        assert api.status_code == 429 and GUESSING in api.json()["error"]
        clock.shift(1740)
        assert client.get(url, {"s": appeal.secret}).status_code == 200


def test_by_default_guesses_from_many_addresses_do_not_close_the_citizens_page(client, appeal, settings):
    # The per-number guard is off by default (numbers are sequential: anyone could keep a page closed).
    assert settings.RATE_LIMITS["status_number"] == (0, 0)
    url = f"/appeal/{appeal.number}/"
    for n in range(30):
        guesser = Client(REMOTE_ADDR=f"198.51.100.{n + 1}")
        assert guesser.get(url, {"s": f"guess-{n}"}).status_code == 404
    assert client.get(url, {"s": appeal.secret}).status_code == 200


def test_wrong_secrets_from_one_address_close_every_number_to_it(client, region, appeal, limits):
    limits(status_number=(100, 1800), status_address=(3, 900))
    for n in range(3):
        assert (
            client.get(f"/appeal/{region.region.appeal_prefix}-2026-{n:06d}/", {"s": "x"}).status_code == 404
        )
    refused = client.get(f"/appeal/{appeal.number}/", {"s": appeal.secret})
    assert refused.status_code == 429 and GUESSING in refused.content.decode()
    elsewhere = Client(REMOTE_ADDR="198.51.100.20")
    assert elsewhere.get(f"/appeal/{appeal.number}/", {"s": appeal.secret}).status_code == 200


def test_wrong_secrets_through_the_api_and_the_files_count_too(client, appeal, limits):
    limits(status_number=(3, 1800))
    assert client.get(f"/api/v1/appeals/{appeal.number}", {"secret": "a"}).status_code == 404
    assert client.get(f"/appeal/{appeal.number}/files/1/", {"s": "b"}).status_code == 404
    assert client.get(f"/appeal/{appeal.number}/", {"s": "c"}).status_code == 404
    assert client.get(f"/appeal/{appeal.number}/", {"s": appeal.secret}).status_code == 429


def test_a_link_without_a_secret_guesses_nothing_and_is_not_counted(client, appeal, limits):
    limits(status_number=(2, 1800), status_address=(2, 900))
    for _ in range(5):
        assert client.get(f"/appeal/{appeal.number}/").status_code == 404
    assert client.get(f"/appeal/{appeal.number}/", {"s": appeal.secret}).status_code == 200


def test_staff_too_cannot_guess_secrets(client, region, appeal, limits):
    limits(status_number=(2, 1800))
    client.force_login(region.coordinator)
    for n in range(2):
        client.get(f"/appeal/{appeal.number}/", {"s": f"guess-{n}"})
    assert client.get(f"/appeal/{appeal.number}/", {"s": appeal.secret}).status_code == 429
    # Their own card of the appeal is not behind the secret.
    assert client.get(f"/staff/appeals/{appeal.number}/").status_code == 200


# --- the REST API --------------------------------------------------------------------------------


def _create(client, token, text):
    return client.post(
        "/api/v1/appeals",
        json.dumps({"text": text}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def test_a_token_past_its_limit_gets_json_429_and_nothing_is_created(client, region, limits):
    limits(api_token=(2, 60))
    ministry = token_create(organization=region.ministry, name="ПОС")
    other = token_create(organization=region.body_a, name="Сайт А")
    with time_machine.travel(NOW, tick=False) as clock:
        assert _create(client, ministry, f"{TEXT} Первое.").status_code == 201
        assert client.get("/api/v1/appeals", HTTP_AUTHORIZATION=f"Bearer {ministry}").status_code == 200
        used = ApiToken.objects.get(name="ПОС").last_used_at
        clock.shift(20)
        refused = _create(client, ministry, f"{TEXT} Второе.")
        assert refused.status_code == 429 and refused["Retry-After"] == "40"
        assert refused["Content-Type"] == "application/json"
        assert refused.json() == {
            "error": "Слишком много запросов. Повторите через 40 секунд (заголовок Retry-After — через сколько "
            "секунд)."
        }
        assert Appeal.objects.count() == 1 and ApiToken.objects.get(name="ПОС").last_used_at == used
        incidents = client.get("/api/v1/incidents", HTTP_AUTHORIZATION=f"Bearer {ministry}")
        assert incidents.status_code == 429 and "error" in incidents.json()  # one counter per token
        # Another token of the same integration server has its own counter.
        assert client.get("/api/v1/appeals", HTTP_AUTHORIZATION=f"Bearer {other}").status_code == 200
        clock.shift(40)
        assert _create(client, ministry, f"{TEXT} Второе.").status_code == 201
        assert Appeal.objects.count() == 2


def test_requests_without_a_valid_token_are_limited_per_address(client, appeal, limits):
    limits(api_address=(3, 60))
    assert client.get(f"/api/v1/appeals/{appeal.number}", {"secret": appeal.secret}).status_code == 200
    for _ in range(2):
        wrong = client.get("/api/v1/appeals", HTTP_AUTHORIZATION="Bearer otk_wrong")
        assert wrong.status_code == 401
    refused = client.get(f"/api/v1/appeals/{appeal.number}", {"secret": appeal.secret})
    assert refused.status_code == 429 and refused.json()["error"].startswith("Слишком много запросов.")
    assert int(refused["Retry-After"]) > 0
    elsewhere = Client(REMOTE_ADDR="198.51.100.20")
    assert elsewhere.get(f"/api/v1/appeals/{appeal.number}", {"secret": appeal.secret}).status_code == 200
