"""Rate limit of the public survey page (limits on, small numbers): answers per address."""

import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client

from otklik.surveys.models import Response
from otklik.surveys.tests.base import make_poll, questions

NOW = datetime.now(UTC).replace(microsecond=0)  # whole seconds: the waits come out exact


@pytest.fixture
def survey(personas, settings):
    settings.RATELIMIT_ENABLED = True
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "survey": (2, 3600)}
    return make_poll(personas.ministry)


def _answers(survey, page: str) -> dict:
    q1, q2, q3, q4 = questions(survey)
    return {
        "ticket": re.search(r'name="ticket" value="([^"]+)"', page).group(1),
        f"q{q1.pk}": q1.options.get(text="Нет").pk,
        f"q{q2.pk}": [q2.options.get(text="Бот").pk],
        f"q{q3.pk}": "2",
        f"q{q4.pk}": "Больше овощей и фруктов",
        "role": "parent",
    }


def test_answers_past_the_limit_come_back_as_ticked_and_nothing_is_saved(survey):
    url = f"/surveys/{survey.key}/"
    with time_machine.travel(NOW, tick=False) as clock:
        for _ in range(2):  # two browsers (a family) behind one address
            browser = Client()
            assert browser.post(url, _answers(survey, browser.get(url).content.decode())).status_code == 302
        clock.shift(30 * 60)
        browser = Client()
        response = browser.post(url, _answers(survey, browser.get(url).content.decode()))
        page = response.content.decode()
        assert response.status_code == 429 and response["Retry-After"] == "1800"
        assert "Слишком много ответов на опросы с этого адреса" in page and "через 30 минут" in page
        assert "Больше овощей и фруктов" in page  # the free text and the ticks are kept
        bot = questions(survey)[1].options.get(text="Бот")
        assert re.search(rf'value="{bot.pk}"[^>]*checked', page)
        assert Response.objects.count() == 2
        clock.shift(1800)
        again = browser.post(url, _answers(survey, browser.get(url).content.decode()))
        assert again.status_code == 302 and Response.objects.count() == 3


def test_reading_a_survey_is_never_limited(client, survey):
    for _ in range(10):
        assert client.get(f"/surveys/{survey.key}/").status_code == 200
        assert client.get("/surveys/").status_code == 200
