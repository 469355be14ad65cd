"""Rate limits of the public FAQ (limits on, small numbers): searches and ratings per address."""

import re
from datetime import UTC, datetime

import pytest
import time_machine

from otklik.kb.models import Query

FAQ = "/faq/"
NOW = datetime.now(UTC).replace(microsecond=0)  # whole seconds: the waits come out exact
QUESTION = "с какого числа записывают в 1 класс"


@pytest.fixture
def limited(kb, settings):
    settings.RATELIMIT_ENABLED = True
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "faq": (2, 60)}
    return kb


def test_searches_past_the_limit_are_refused_with_the_question_kept_and_nothing_logged(client, limited):
    with time_machine.travel(NOW, tick=False) as clock:
        for _ in range(2):
            assert client.get(FAQ, {"q": QUESTION}).status_code == 200
        assert Query.objects.count() == 2
        clock.shift(15)
        response = client.get(FAQ, {"q": "очередь в садик"})
        html = response.content.decode()
        assert response.status_code == 429 and response["Retry-After"] == "45"
        assert "Слишком много вопросов с этого адреса. Попробуйте ещё раз через 45 секунд." in html
        assert 'value="очередь в садик"' in html  # the question stays in the box
        assert Query.objects.count() == 2  # the refused question was not logged
        clock.shift(45)
        assert client.get(FAQ, {"q": "очередь в садик"}).status_code == 200
        assert Query.objects.count() == 3


def test_browsing_the_tree_and_answers_is_never_limited(client, limited):
    for _ in range(2):
        client.get(FAQ, {"q": QUESTION})
    for _ in range(10):
        assert client.get(FAQ).status_code == 200
        assert client.get(f"{FAQ}{limited.queue.pk}/").status_code == 200


def test_a_rating_past_the_limit_is_a_fragment_in_place_and_changes_nothing(client, limited):
    html = client.get(FAQ, {"q": QUESTION}).content.decode()
    token = re.search(r'name="t" value="([^"]+)"', html).group(1)
    client.get(FAQ, {"q": "очередь в садик"})
    url = f"{FAQ}{limited.first_grade.pk}/feedback/"
    response = client.post(url, {"t": token, "helped": "1"}, HTTP_HX_REQUEST="true")
    fragment = response.content.decode()
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert fragment.startswith('<div class="faq-feedback"') and "Слишком много вопросов" in fragment
    assert Query.objects.exclude(feedback="").count() == 0
    plain = client.post(url, {"t": token, "helped": "1"})  # without htmx: a page, not a redirect
    assert plain.status_code == 429 and "Слишком много вопросов" in plain.content.decode()
    none_fits = client.post(f"{FAQ}none-fits/", {"t": token}, HTTP_HX_REQUEST="true")
    assert none_fits.status_code == 429 and "Слишком много вопросов" in none_fits.content.decode()
    assert Query.objects.exclude(feedback="").count() == 0


def test_staff_trying_the_faq_are_not_limited(client, limited):
    client.force_login(limited.p.editor)
    for _ in range(5):
        assert client.get(FAQ, {"q": QUESTION}).status_code == 200
    assert Query.objects.count() == 5
