import pytest

from otklik.kb import services
from otklik.kb.models import Article, Paraphrase, Query
from otklik.kb.tests.conftest import fake_decision

LOG = "/staff/kb/log/"


@pytest.fixture
def log(kb):
    def record(text, channel="telegram", **decision):
        return services.query_record(
            region=kb.p.region, channel=channel, text=text, decision=fake_decision(**decision)
        )

    kb.answered = record(
        "у нас в садике какая очередь", action="answer", article_ids=[kb.queue.pk], confidence=0.91
    )
    kb.choices = record(
        "запись в 1 класс", "web", action="choices", article_ids=[kb.first_grade.pk, kb.queue.pk]
    )
    kb.abstained = record("где взять справку для бассейна")
    services.query_feedback(query=kb.answered, helped=False)
    services.query_mark_appeal(query=kb.answered)
    services.query_feedback(query=kb.choices, helped=True)
    return kb


def _state():
    return (
        list(Paraphrase.objects.order_by("pk").values_list("pk", "text")),
        list(Query.objects.order_by("pk").values_list("pk", "gold_article")),
    )


def test_log_rows_show_decision_confidence_article_feedback_and_appeal(client, log):
    client.force_login(log.p.editor)
    html = client.get(LOG).content.decode()
    assert "Найдено вопросов: 3" in html
    assert "Всего вопросов: 3 · ответ дан сразу: 1 · предложены варианты: 1 · ответа нет: 1" in html
    row = html[html.index("у нас в садике какая очередь") :]
    row = row[: row.index("</tr>")]
    assert "стал обращением" in row and "ответ дан" in row and "0,91" in row
    assert f'href="/staff/kb/articles/{log.queue.pk}/"' in row and "не помогло" in row
    assert f"К «{log.queue.question[:39]}" in row  # the one-click button aims at the top candidate
    row = html[html.rindex("<tr", 0, html.index("запись в 1 класс")) :]
    row = row[: row.index("</tr>")]
    assert f'name="article" value="{log.first_grade.pk}"' in row
    assert '<span class="kb-small">веб-чат</span>' in row  # the channel in Russian, not its code «web»


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"decision": "abstained"}, ["где взять справку для бассейна"]),
        ({"feedback": "not_helped"}, ["у нас в садике какая очередь"]),
        ({"feedback": "helped", "channel": "web"}, ["запись в 1 класс"]),
        ({"channel": "telegram"}, ["у нас в садике какая очередь", "где взять справку для бассейна"]),
        ({"q": "класс"}, ["запись в 1 класс"]),
        ({"q": "я" * 100_000, "decision": "?" * 5000, "page": "zz"}, []),
        ({"decision": "nonsense"}, ["у нас в садике какая очередь", "запись в 1 класс", "где взять справку"]),
    ],
)
def test_filters(client, log, params, expected):
    client.force_login(log.p.editor)
    response = client.get(LOG, params)
    html = response.content.decode()
    assert response.status_code == 200 and f"Найдено вопросов: {len(expected)}" in html
    for text in expected:
        assert text in html


def test_one_click_makes_the_question_a_paraphrase_of_the_top_candidate(client, log):
    client.force_login(log.p.editor)
    back = f"{LOG}?decision=answered"
    response = client.post(f"{LOG}{log.answered.pk}/paraphrase/", {"article": log.queue.pk, "next": back})
    assert response.status_code == 302 and response["Location"] == back
    paraphrase = log.queue.paraphrases.get(text="у нас в садике какая очередь")
    assert (paraphrase.source, paraphrase.created_by) == ("query_log", log.p.editor)
    assert Query.objects.get(pk=log.answered.pk).gold_article == log.queue
    html = client.get(LOG).content.decode()
    assert f"✓ формулировка статьи «{log.queue.question[:49]}" in html


def test_another_article_can_be_chosen_in_the_picker(client, log):
    client.force_login(log.p.editor)
    html = client.get(f"{LOG}{log.choices.pk}/pick/", {"next": LOG}, HTTP_HX_REQUEST="true").content.decode()
    assert (
        f'<option value="{log.first_grade.pk}" selected>' in html
        and 'name="next" value="/staff/kb/log/"' in html
    )
    client.post(f"{LOG}{log.choices.pk}/paraphrase/", {"article": log.fee.pk})
    assert log.fee.paraphrases.filter(text="запись в 1 класс").exists()


@pytest.mark.parametrize("article", ["", "x", "1.5", "-3", "9" * 100_000])
def test_bad_article_choice_is_explained_and_changes_nothing(client, log, article):
    client.force_login(log.p.editor)
    before = _state()
    response = client.post(f"{LOG}{log.abstained.pk}/paraphrase/", {"article": article}, follow=True)
    assert response.status_code == 200 and "Выберите статью." in response.content.decode()
    assert _state() == before


def test_missing_objects_foreign_redirects_and_the_question_itself_are_handled(client, log):
    client.force_login(log.p.editor)
    before = _state()
    assert client.post(f"{LOG}999999/paraphrase/", {"article": log.queue.pk}).status_code == 404
    assert client.post(f"{LOG}{log.abstained.pk}/paraphrase/", {"article": 999999}).status_code == 404
    assert _state() == before
    evil = client.post(
        f"{LOG}{log.abstained.pk}/paraphrase/", {"article": log.fee.pk, "next": "https://evil.example/"}
    )
    assert evil["Location"] == LOG
    same = services.query_record(
        region=log.p.region, channel="web", text=log.queue.question, decision=fake_decision()
    )
    response = client.post(f"{LOG}{same.pk}/paraphrase/", {"article": log.queue.pk}, follow=True)
    assert "совпадает с самим вопросом статьи" in response.content.decode()


@pytest.mark.parametrize("persona", ["executor_a", "analyst"])
def test_staff_without_editor_role_get_403_and_nothing_changes(client, log, persona):
    client.force_login(getattr(log.p, persona))
    before = _state()
    assert client.get(LOG).status_code == 403
    assert client.get(f"{LOG}{log.answered.pk}/pick/").status_code == 403
    assert client.post(f"{LOG}{log.answered.pk}/paraphrase/", {"article": log.queue.pk}).status_code == 403
    assert client.get("/staff/kb/try/", {"q": "очередь в садик"}).status_code == 403
    assert _state() == before


def test_editor_of_a_municipal_body_cannot_teach_region_articles(client, log):
    client.force_login(log.local_editor)
    html = client.get(LOG).content.decode()
    assert "К «" not in html  # no one-click button towards articles they may not change
    before = _state()
    assert client.post(f"{LOG}{log.answered.pk}/paraphrase/", {"article": log.queue.pk}).status_code == 404
    assert _state() == before
    client.post(f"{LOG}{log.abstained.pk}/paraphrase/", {"article": log.local.pk})
    assert log.local.paraphrases.filter(text="где взять справку для бассейна").exists()


# --- «Проверить ответ»: the real engine ---------------------------------------------------------


def test_try_shows_the_engine_decision_and_does_not_log(client, kb):
    client.force_login(kb.p.editor)
    response = client.get("/staff/kb/try/", {"q": "когда запись в первый класс"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert "Решение: ответить" in html
    first_row = html[html.index("<tbody>") :]
    assert f'href="/staff/kb/articles/{kb.first_grade.pk}/"' in first_row[: first_row.index("</tr>")]
    assert "Ответ, который получит гражданин" in html and "С <strong>1 апреля</strong>" in html
    assert kb.fee.question not in html  # drafts are not in the engine's index
    assert "<html" in client.get("/staff/kb/try/", {"q": "когда запись в первый класс"}).content.decode()
    assert Query.objects.count() == 0
    assert Article.objects.get(pk=kb.first_grade.pk).views == 0


def test_try_with_empty_or_huge_text_never_fails(client, kb):
    client.force_login(kb.p.editor)
    assert "Впишите вопрос." in client.get("/staff/kb/try/", {"q": "   "}).content.decode()
    assert "Впишите вопрос." not in client.get("/staff/kb/try/").content.decode()
    huge = client.get("/staff/kb/try/", {"q": "я " * 50_000})
    assert huge.status_code == 200 and "Решение:" in huge.content.decode()
    assert Query.objects.count() == 0
