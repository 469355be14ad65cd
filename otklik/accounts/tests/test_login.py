from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.hashers import identify_hasher
from django.utils import timezone

from otklik.testing import PASSWORD


def test_correct_login_lands_on_home(client, personas):
    response = client.post("/accounts/login/", {"username": "p_executor_a", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/staff/"


def test_wrong_password_gets_russian_message(client, personas):
    response = client.post("/accounts/login/", {"username": "p_executor_a", "password": "nope"})
    assert response.status_code == 200
    assert "Неверный логин или пароль" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_is_throttled_after_repeated_failures(client, personas, settings):
    settings.LOGIN_THROTTLE_ATTEMPTS = 3
    for _ in range(3):
        client.post("/accounts/login/", {"username": "p_executor_a", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "p_executor_a", "password": PASSWORD})
    assert response.status_code == 200
    assert "Слишком много неудачных попыток" in response.content.decode()
    assert "через 15 минут" in response.content.decode()  # the configured window, 900 s by default
    assert "_auth_user_id" not in client.session


def test_one_ipv6_network_is_one_address_for_the_lock(client, personas, settings):
    """Failures from addresses of one /64 (one household or phone) count together, across logins,
    as the citizens' rate limits count them; another network may still log in."""
    settings.LOGIN_THROTTLE_ATTEMPTS = 3
    for n in range(3):
        client.post(
            "/accounts/login/",
            {"username": f"nobody{n}", "password": "wrong"},
            REMOTE_ADDR=f"2001:db8:1:2::{n + 1}",
        )
    right = {"username": "p_executor_a", "password": PASSWORD}
    blocked = client.post("/accounts/login/", right, REMOTE_ADDR="2001:db8:1:2:ffff::9")
    assert "Слишком много неудачных попыток" in blocked.content.decode()
    assert client.post("/accounts/login/", right, REMOTE_ADDR="2001:db8:9:9::1").status_code == 302


def test_the_lock_lasts_the_whole_window_after_the_last_failure(client, personas, settings):
    settings.LOGIN_THROTTLE_ATTEMPTS = 3
    settings.LOGIN_THROTTLE_WINDOW_S = 900
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(3):
            client.post("/accounts/login/", {"username": "p_executor_a", "password": "wrong"})
    right = {"username": "p_executor_a", "password": PASSWORD}
    with time_machine.travel(start + timedelta(seconds=600), tick=False):  # past the cache's default 300 s
        assert "Слишком много неудачных попыток" in client.post("/accounts/login/", right).content.decode()
    with time_machine.travel(start + timedelta(seconds=901), tick=False):
        assert client.post("/accounts/login/", right).status_code == 302


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"username": "", "password": ""},
        {"username": "я" * 100_000, "password": "x"},
        {"username": "p_admin", "password": "x" * 100_000},
        {"username": ["a", "b"], "password": "\x00"},
    ],
)
def test_bad_login_input_never_500(client, personas, data):
    response = client.post("/accounts/login/", data)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_passwords_are_hashed_with_argon2(personas, settings):
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    user = personas.analyst
    user.set_password("another-long-password")
    user.save()
    assert identify_hasher(user.password).algorithm == "argon2"


def test_logout_requires_post_and_logs_out(client, personas):
    client.force_login(personas.analyst)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
