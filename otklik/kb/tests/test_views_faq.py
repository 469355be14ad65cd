"""The public «Вопросы и ответы» section: what citizens see, search through the bot's engine, ratings."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from otklik.analytics.selectors import Filters, bot
from otklik.kb import services
from otklik.kb.engine import registry
from otklik.kb.models import Article, Category, Query
from otklik.kb.tests.conftest import fake_decision

FAQ = "/faq/"


def region_today(region):
    return timezone.localdate(timezone=ZoneInfo(region.timezone))


def _html(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def _token(html: str) -> str:
    return re.search(r'name="t" value="([^"]+)"', html).group(1)


@pytest.fixture
def faq(kb):
    """Besides the fixture's articles: one expired, one not yet valid, one archived (dated by the
    region's calendar, which the pages use: it is already tomorrow there while it is today in Moscow)."""
    today = region_today(kb.p.region)
    common = {"region": kb.p.region, "category": kb.queue.category, "author": kb.p.editor}
    kb.expired = services.article_create(
        question="Какие льготы были в прошлом году?",
        answer="Уже не действует.",
        valid_to=today - timedelta(days=1),
        status=Article.Status.PUBLISHED,
        **common,
    )
    kb.future = services.article_create(
        question="Что изменится со следующего года?",
        answer="Пока не действует.",
        valid_from=today + timedelta(days=1),
        status=Article.Status.PUBLISHED,
        **common,
    )
    kb.archived = services.article_create(
        question="Старый порядок записи в кружки",
        answer="Отменён.",
        status=Article.Status.PUBLISHED,
        **common,
    )
    services.article_set_status(article=kb.archived, status=Article.Status.ARCHIVED, editor=kb.p.editor)
    return kb


def test_tree_and_sections_show_only_live_region_wide_articles(client, faq):
    index = _html(client.get(FAQ))
    assert "<title>Вопросы и ответы — Отклик</title>" in index
    assert "Общее образование" in index and "Приём в школу" in index
    assert 'Дошкольное образование</a> <span class="kb-small">(1)</span>' in index
    section = _html(client.get(f"{FAQ}razdel/preschool/"))
    assert faq.queue.question in section
    for hidden in (faq.fee, faq.expired, faq.future, faq.archived, faq.local):
        assert hidden.question not in section
        assert client.get(f"{FAQ}{hidden.pk}/").status_code == 404
    school = _html(client.get(f"{FAQ}razdel/school/"))
    assert "<h2>Приём в школу</h2>" in school and faq.first_grade.question in school


def test_hidden_unknown_or_empty_sections_are_404(client, faq):
    Category.objects.create(region=faq.p.region, slug="empty", title="Пустой раздел")
    assert client.get(f"{FAQ}razdel/empty/").status_code == 404
    assert client.get(f"{FAQ}razdel/nope/").status_code == 404
    Category.objects.filter(slug="school").update(is_active=False)
    assert client.get(f"{FAQ}razdel/school-admission/").status_code == 404
    assert client.get(f"{FAQ}{faq.first_grade.pk}/").status_code == 404
    assert "Общее образование" not in _html(client.get(FAQ))


def test_article_page_renders_markdown_safely_with_basis_and_date(client, faq):
    services.article_update(
        article=faq.queue,
        editor=faq.p.editor,
        answer='**Госуслуги**. <script>alert("x")</script><img src=x onerror="alert(1)"> [ссылка](javascript:alert(2))',
        legal_basis="Закон № 273-ФЗ <b>ст. 67</b>",
    )
    html = _html(client.get(f"{FAQ}{faq.queue.pk}/"))
    assert f"<title>{faq.queue.question} — Вопросы и ответы — Отклик</title>" in html
    assert "<strong>Госуслуги</strong>" in html
    assert "<script>alert" not in html and "onerror" not in html and "javascript:" not in html
    assert "Закон № 273-ФЗ &lt;b&gt;ст. 67&lt;/b&gt;" in html
    assert "Обновлено " in html
    assert "Помог ли ответ?" in html
    assert 'href="/chat/"' in html and 'href="/appeal/new/"' in html


def test_a_list_written_right_under_its_first_line_is_a_list(client, faq):
    services.article_update(
        article=faq.queue,
        editor=faq.p.editor,
        answer="Два этапа:\n- **с 1 апреля** — своя территория,\n  и льготники;\n- с 6 июля — остальные.\nПодайте на Госуслугах.",
    )
    html = _html(client.get(f"{FAQ}{faq.queue.pk}/"))
    assert (
        "<p>Два этапа:</p>\n<ul>\n<li><strong>с 1 апреля</strong> — своя территория,\n  и льготники;</li>"
        in html
    )
    assert "<li>с 6 июля — остальные.</li>\n</ul>\n<p>Подайте на Госуслугах.</p>" in html


def test_pages_take_few_queries(client, faq, django_assert_max_num_queries):
    client.get(FAQ)  # the CSRF cookie and anything cached per process
    with django_assert_max_num_queries(2):
        client.get(FAQ)
    with django_assert_max_num_queries(3):
        client.get(f"{FAQ}razdel/school/")
    with django_assert_max_num_queries(2):
        client.get(f"{FAQ}{faq.queue.pk}/")


def test_search_answers_a_gold_question_and_logs_it_as_faq_web(client, faq):
    html = _html(client.get(FAQ, {"q": "с какого числа записывают в 1 класс"}))
    assert "<strong>1 апреля</strong>" in html
    assert "Помог ли ответ?" in html
    query = Query.objects.get()
    assert (query.channel, query.decision, query.article_id) == ("faq_web", "answered", faq.first_grade.pk)
    assert query.text == "с какого числа записывают в 1 класс"
    # the rating under the found answer goes to this search
    client.post(f"{FAQ}{faq.first_grade.pk}/feedback/", {"t": _token(html), "helped": "1"})
    query.refresh_from_db()
    assert query.feedback == "helped" and Query.objects.count() == 1


def test_two_questions_in_one_search_get_an_answer_each_logged_and_rated_apart(client, faq):
    html = _html(
        client.get(
            FAQ, {"q": "Когда начинается запись в первый класс? И как встать в очередь в детский сад?"}
        )
    )
    assert "несколько вопросов" in html
    assert "<strong>1 апреля</strong>" in html and faq.queue.question in html
    assert "На вопрос «Когда начинается запись в первый класс»:" in html
    queries = list(Query.objects.order_by("pk"))
    assert [(q.text, q.channel, q.decision, q.article_id) for q in queries] == [
        ("Когда начинается запись в первый класс", "faq_web", "answered", faq.first_grade.pk),
        ("Как встать в очередь в детский сад", "faq_web", "answered", faq.queue.pk),
    ]
    # each answer's rating goes to its own question
    tokens = re.findall(r'name="t" value="([^"]+)"', html)
    assert len(set(tokens)) == 2
    client.post(f"{FAQ}{faq.queue.pk}/feedback/", {"t": tokens[1], "helped": "0"})
    assert [q.feedback for q in Query.objects.order_by("pk")] == ["", "not_helped"]


def test_a_question_without_an_answer_beside_one_with_it_is_said_by_name(client, faq):
    html = _html(
        client.get(
            FAQ, {"q": "Когда начинается запись в первый класс? И какая погода будет завтра в Москве?"}
        )
    )
    assert "<strong>1 апреля</strong>" in html
    assert "На вопрос «Какая погода будет завтра в Москве» готового ответа нет" in html
    assert 'href="/appeal/new/"' in html
    assert list(Query.objects.order_by("pk").values_list("decision", flat=True)) == ["answered", "abstained"]


def test_one_question_asked_twice_in_a_message_is_answered_once(client, faq):
    html = _html(
        client.get(FAQ, {"q": "Когда начинается запись в первый класс? С какого числа записывают в 1 класс?"})
    )
    assert html.count("<strong>1 апреля</strong>") == 1
    assert "несколько вопросов" not in html
    assert Query.objects.count() == 1


def test_search_without_an_answer_offers_the_chat_and_the_appeal(client, faq):
    html = _html(client.get(FAQ, {"q": "где купить билеты в цирк"}))
    assert "Готового ответа на этот вопрос нет" in html
    assert 'href="/chat/"' in html and 'href="/appeal/new/"' in html
    assert Query.objects.get().decision == "abstained"


def test_none_of_the_choices_fits_marks_the_search_not_helped_once(client, faq, monkeypatch):
    decision = fake_decision("choices", [faq.first_grade.pk, faq.local.pk, faq.queue.pk], confidence=0.5)
    monkeypatch.setattr(registry, "ask", lambda region_id, text: decision)
    html = _html(client.get(FAQ, {"q": "запись"}))
    assert faq.first_grade.question in html and faq.queue.question in html
    assert faq.local.question not in html  # scoped to one organization
    assert "Ничего не подходит" in html
    for _ in range(2):
        response = client.post(f"{FAQ}none-fits/", {"t": _token(html)}, HTTP_HX_REQUEST="true")
        assert "редакторы увидят этот вопрос" in _html(response)
    assert list(Query.objects.values_list("decision", "feedback")) == [("choices", "not_helped")]
    assert "редакторы увидят" in _html(client.post(f"{FAQ}none-fits/", {"t": "forged"}))
    assert Query.objects.count() == 1


def test_search_never_shows_an_article_scoped_to_one_organization(client, faq, monkeypatch):
    html = _html(client.get(FAQ, {"q": faq.local.question}))
    assert "В управлении образования А." not in html
    assert f'href="/faq/{faq.local.pk}/' not in html
    decision = fake_decision("answer", [faq.local.pk], confidence=0.9)
    monkeypatch.setattr(registry, "ask", lambda region_id, text: decision)
    html = _html(client.get(FAQ, {"q": "форма для школы в Северном районе"}))
    assert "Готового ответа на этот вопрос нет" in html and "В управлении образования А." not in html
    logged = Query.objects.latest("pk")
    assert (logged.decision, logged.article_id) == ("abstained", None)


@pytest.mark.parametrize(
    "q, message",
    [
        ("", "Введите вопрос"),
        ("   \n\t ", "Введите вопрос"),
        ("а" * 4001, "Вопрос слишком длинный (4001 знаков)"),
        ("!!! ??? <<<>>>", "Напишите вопрос словами."),
    ],
)
def test_empty_huge_and_wordless_questions_get_a_message_and_are_not_logged(client, faq, q, message):
    html = _html(client.get(FAQ, {"q": q}))
    assert message in html
    assert not Query.objects.exists()


def test_hostile_questions_are_escaped_or_refused(client, faq):
    html = _html(client.get(FAQ, {"q": '<script>alert(1)</script>"><img src=x onerror=alert(1)>'}))
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html
    html = _html(client.get(FAQ, {"q": "'; DROP TABLE kb_query; -- очередь в садик"}))
    assert Query.objects.count() == 2
    assert client.get(FAQ, {"q": "очередь\x00"}).status_code == 400  # NUL: the middleware's message
    assert client.get(FAQ, {"q": ["очередь", "садик"]}).status_code == 200


def test_a_rating_on_a_browsed_answer_counts_once_and_can_change(client, faq):
    url = f"{FAQ}{faq.queue.pk}/"
    token = _token(_html(client.get(url)))
    for _ in range(3):
        response = client.post(f"{url}feedback/", {"t": token, "helped": "1"}, HTTP_HX_REQUEST="true")
        assert "Спасибо за оценку" in _html(response)
    query = Query.objects.get()
    assert (query.channel, query.article_id, query.feedback, query.decision) == (
        "faq_web",
        faq.queue.pk,
        "helped",
        "answered",
    )
    client.post(f"{url}feedback/", {"t": token, "helped": "0"})
    assert list(Query.objects.values_list("feedback", flat=True)) == ["not_helped"]
    # another page view is another reader
    client.post(f"{url}feedback/", {"t": _token(_html(client.get(url))), "helped": "1"})
    assert Query.objects.count() == 2


def test_a_rating_without_a_valid_token_changes_nothing(client, faq):
    url = f"{FAQ}{faq.queue.pk}/feedback/"
    for data in ({"helped": "1"}, {"t": "forged", "helped": "1"}, {"t": "x:y:z", "helped": "0"}):
        response = client.post(url, data, HTTP_HX_REQUEST="true")
        assert "страница устарела" in _html(response)
    token = _token(_html(client.get(f"{FAQ}{faq.queue.pk}/")))
    assert "страница устарела" in _html(client.post(url, {"t": token, "helped": "2"}, HTTP_HX_REQUEST="true"))
    assert client.post(f"{FAQ}{faq.fee.pk}/feedback/", {"t": token, "helped": "1"}).status_code == 404
    assert client.get(url).status_code == 405
    assert not Query.objects.exists()


def test_a_rating_works_without_cookies_or_javascript(faq):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    url = f"{FAQ}{faq.queue.pk}/"
    token = _token(_html(client.get(url)))
    client.cookies.clear()
    response = client.post(f"{url}feedback/", {"t": token, "helped": "0"})
    assert response.status_code == 302
    assert "Жаль, что ответ не помог" in _html(client.get(response["Location"]))
    assert Query.objects.get().feedback == "not_helped"


def test_bot_figures_count_faq_searches_and_ratings(client, faq):
    client.get(FAQ, {"q": "с какого числа записывают в 1 класс"})
    client.get(FAQ, {"q": "где купить билеты в цирк"})
    today = region_today(faq.p.region)
    figures = bot(faq.p.region, Filters(start=today, end=today))
    assert (figures["total"], figures["faq"], figures["answered"], figures["abstained"]) == (2, 2, 1, 1)
