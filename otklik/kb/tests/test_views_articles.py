import pytest

from otklik.kb import services
from otklik.kb.models import Article, ArticleRevision, Paraphrase

LIST = "/staff/kb/"
NEW = "/staff/kb/articles/new/"


def _article_url(article, tail=""):
    return f"/staff/kb/articles/{article.pk}/{tail}"


def _state():
    """Everything an outsider's request must leave untouched."""
    return (
        list(Article.objects.order_by("pk").values_list("pk", "status", "question", "answer")),
        list(Paraphrase.objects.order_by("pk").values_list("pk", "text")),
        ArticleRevision.objects.count(),
    )


def _rows(html: str) -> int:
    return html.count('<tr>\n  <td class="kb-text">')


def test_editor_sees_all_articles_with_status_review_badge_and_paraphrase_count(client, kb):
    client.force_login(kb.p.editor)
    html = client.get(LIST).content.decode()
    assert "Найдено статей: 4" in html
    assert _rows(html) == 4
    assert html.count("пора пересмотреть</span>") == 1  # only the queue article is past its review date
    assert '<span class="badge warn">черновик</span>' in html
    assert "для: Управление образования А" in html
    first = html.index(kb.first_grade.question)
    assert '<td class="num">2</td>' in html[first : first + 600]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "с какого числа записывают"}, ["first_grade"]),  # a paraphrase
        ({"q": "Госуслугах"}, ["queue"]),  # the answer
        ({"q": "STOIT"}, []),
        ({"status": "draft"}, ["fee"]),
        ({"category": "school"}, ["first_grade"]),  # a section includes its subsections
        ({"category": "preschool", "status": "published"}, ["queue", "local"]),
        ({"due": "1"}, ["queue"]),
        ({"status": "nonsense", "category": "nowhere"}, []),
    ],
)
def test_search_and_filters(client, kb, params, expected):
    client.force_login(kb.p.editor)
    html = client.get(LIST, params).content.decode()
    assert f"Найдено статей: {len(expected)}" in html
    for name in expected:
        assert getattr(kb, name).question in html


def test_pagination_keeps_filters_and_survives_bad_page_numbers(client, kb):
    for n in range(31):
        services.article_create(
            region=kb.p.region, category=kb.fee.category, question=f"Вопрос о питании № {n}", answer="Ответ."
        )
    client.force_login(kb.p.editor)
    first = client.get(LIST, {"q": "питании"}).content.decode()
    assert _rows(first) == 30 and "страница 1 из 2" in first
    assert "?q=%D0%BF%D0%B8%D1%82%D0%B0%D0%BD%D0%B8%D0%B8&amp;page=2" in first
    second = client.get(LIST, {"q": "питании", "page": "2"}).content.decode()
    assert _rows(second) == 1
    for page in ("abc", "-1", "99999", "9" * 500):
        assert client.get(LIST, {"page": page}).status_code == 200
    assert client.get(LIST, {"q": "я" * 100_000}).status_code == 200


@pytest.mark.parametrize("persona", ["executor_a", "executor_b", "analyst", "coordinator"])
def test_staff_without_editor_role_get_403_and_nothing_changes(client, kb, persona):
    client.force_login(getattr(kb.p, persona))
    before = _state()
    paraphrase = kb.queue.paraphrases.get()
    assert client.get(LIST).status_code == 403
    assert client.get(_article_url(kb.queue)).status_code == 403
    assert (
        client.post(NEW, {"question": "Q", "answer": "A", "category": kb.fee.category_id}).status_code == 403
    )
    assert client.post(_article_url(kb.queue), {"question": "Q", "answer": "A"}).status_code == 403
    assert client.post(_article_url(kb.fee, "status/"), {"status": "published"}).status_code == 403
    assert client.post(_article_url(kb.queue, "paraphrases/"), {"text": "новая"}).status_code == 403
    assert client.post(f"/staff/kb/paraphrases/{paraphrase.pk}/delete/").status_code == 403
    assert client.post("/staff/kb/articles/preview/", {"answer": "x"}).status_code == 403
    assert _state() == before


def test_anonymous_is_sent_to_login(client, kb):
    response = client.get(_article_url(kb.queue))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_editor_of_a_municipal_body_works_only_on_its_own_articles(client, kb):
    client.force_login(kb.local_editor)
    html = client.get(LIST).content.decode()
    assert "Найдено статей: 1" in html and kb.local.question in html
    before = _state()
    assert client.get(_article_url(kb.queue)).status_code == 404
    assert client.post(_article_url(kb.queue, "status/"), {"status": "archived"}).status_code == 404
    assert client.post(_article_url(kb.queue, "paraphrases/"), {"text": "чужая"}).status_code == 404
    paraphrase = kb.queue.paraphrases.get()
    assert client.post(f"/staff/kb/paraphrases/{paraphrase.pk}/delete/").status_code == 404
    assert _state() == before
    assert client.get(_article_url(kb.local)).status_code == 200
    data = {"question": "Где взять форму?", "answer": "В школе.", "category": kb.fee.category_id}
    refused = client.post(NEW, data)
    assert refused.status_code == 400
    assert "статьи для всего региона ведёт министерство" in refused.content.decode()
    assert client.post(NEW, {**data, "scope_organization": kb.p.body_b.pk}).status_code == 400
    assert Article.objects.count() == 4
    response = client.post(NEW, {**data, "scope_organization": kb.p.school_a.pk})
    created = Article.objects.get(question="Где взять форму?")
    assert response["Location"] == _article_url(created)
    assert created.scope_organization == kb.p.school_a


def test_create_edit_publish_archive_leave_history(client, kb):
    client.force_login(kb.p.editor)
    response = client.post(
        NEW,
        {
            "question": "  Можно ли водить ребёнка в сад на полдня?  ",
            "answer": "Да, в группе кратковременного пребывания.",
            "category": kb.fee.category_id,
            "valid_from": "01.09.2026",
            "review_at": "2027-09-01",
        },
    )
    article = Article.objects.get(question="Можно ли водить ребёнка в сад на полдня?")
    assert response.status_code == 302 and response["Location"] == _article_url(article)
    assert (article.status, article.author, str(article.valid_from), str(article.review_at)) == (
        "draft",
        kb.p.editor,
        "2026-09-01",
        "2027-09-01",
    )
    form = {
        "question": article.question,
        "answer": "Да — **до 5 часов** в день.",
        "category": article.category_id,
        "valid_from": "2026-09-01",
        "review_at": "2027-09-01",
    }
    assert client.post(_article_url(article), form).status_code == 302
    unchanged = client.post(_article_url(article), form, follow=True)
    assert "Изменений нет." in unchanged.content.decode()
    for status in ("published", "archived", "draft", "published"):
        assert client.post(_article_url(article, "status/"), {"status": status}).status_code == 302
    article.refresh_from_db()
    assert article.status == "published" and article.published_at is not None
    notes = list(article.revisions.values_list("note", flat=True))
    assert notes == [
        "опубликована",
        "возвращена в черновики",
        "перенесена в архив",
        "опубликована",
        "изменено: ответ (markdown)",
        "создана",
    ]
    html = client.get(_article_url(article)).content.decode()
    assert "<strong>до 5 часов</strong>" in html  # the preview of the stored answer
    assert "изменено: ответ (markdown) — p_editor" in html
    assert 'name="status" value="archived"' in html and 'name="status" value="published"' not in html


def test_status_refuses_unknown_values_and_get(client, kb):
    client.force_login(kb.p.editor)
    response = client.post(_article_url(kb.fee, "status/"), {"status": "deleted"}, follow=True)
    assert "Неизвестный статус статьи." in response.content.decode()
    assert client.get(_article_url(kb.fee, "status/")).status_code == 405
    assert Article.objects.get(pk=kb.fee.pk).status == "draft"
    assert client.post("/staff/kb/articles/999999/status/", {"status": "draft"}).status_code == 404


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Впишите вопрос."),
        ({"question": "  ", "answer": "  ", "category": ""}, "Выберите категорию."),
        ({"question": "в" * 100_000, "answer": "x"}, "не более 500 символов (сейчас 100000)"),
        ({"question": "Вопрос", "answer": "о" * 100_000}, "Не длиннее 20000 символов (сейчас 100000)."),
        ({"question": "Вопрос", "answer": "x", "category": "abc"}, "Такой категории нет."),
        ({"question": "Вопрос", "answer": "x", "category": "999999"}, "Такой категории нет."),
        ({"question": "Вопрос", "answer": "x", "valid_from": "31.31.2026"}, "Дата в формате ДД.ММ.ГГГГ"),
        ({"question": "Вопрос", "answer": "x", "review_at": "2026-02-30"}, "Дата в формате ДД.ММ.ГГГГ"),
        ({"question": "Вопрос", "answer": "x", "scope_organization": "x"}, "Эта организация вам недоступна."),
        (
            {"question": "Вопрос", "answer": "x", "valid_from": "2026-05-01", "valid_to": "2026-01-01"},
            "Дата окончания раньше даты начала.",
        ),
    ],
)
def test_bad_new_article_is_explained_keeps_the_typing_and_saves_nothing(client, kb, data, message):
    client.force_login(kb.p.editor)
    data = {"category": kb.fee.category_id, **data}
    before = _state()
    response = client.post(NEW, data)
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert "Статья не сохранена: исправьте отмеченные поля." in html
    if data.get("answer", "").strip():
        assert data["answer"][:1000] in html  # what was typed is still in the form
    assert _state() == before


def test_bad_edit_keeps_the_typing_and_changes_nothing(client, kb):
    client.force_login(kb.p.editor)
    before = _state()
    response = client.post(
        _article_url(kb.queue),
        {"question": "", "answer": "Новый ответ, который жалко потерять", "category": kb.queue.category_id},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Впишите вопрос." in html and "Новый ответ, который жалко потерять" in html
    assert _state() == before


def test_preview_renders_markdown_safely(client, kb):
    client.force_login(kb.p.editor)
    html = client.post(
        "/staff/kb/articles/preview/",
        {"answer": "**Важно**\n\n- раз\n- [Госуслуги](https://gosuslugi.ru)\n\n<script>alert(1)</script>"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "<strong>Важно</strong>" in html and "<li>раз</li>" in html
    assert 'href="https://gosuslugi.ru"' in html and "<script" not in html
    long = client.post("/staff/kb/articles/preview/", {"answer": "я" * 100_000}).content.decode()
    assert "Ответ длиннее 20000 символов (100000)" in long
    assert "когда вы начнёте писать" in client.post("/staff/kb/articles/preview/").content.decode()
    assert client.get("/staff/kb/articles/preview/").status_code == 405
    page = client.get(_article_url(kb.first_grade)).content.decode()
    assert 'hx-post="/staff/kb/articles/preview/"' in page and "С <strong>1 апреля</strong>" in page


def test_paraphrase_added_and_removed_inline_with_htmx(client, kb):
    client.force_login(kb.p.editor)
    url = _article_url(kb.queue, "paraphrases/")
    response = client.post(url, {"text": "  какой   номер в очереди в садик "}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert "Синонимичные выражения (2)" in html and "какой номер в очереди в садик" in html
    assert 'id="history"' in html and 'hx-swap-oob="true"' in html
    assert "добавлена формулировка «какой номер в очереди в садик»" in html
    paraphrase = Paraphrase.objects.get(text="какой номер в очереди в садик")
    assert (paraphrase.source, paraphrase.created_by) == ("editor", kb.p.editor)
    response = client.post(f"/staff/kb/paraphrases/{paraphrase.pk}/delete/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Синонимичные выражения (1)" in response.content.decode()
    assert not Paraphrase.objects.filter(pk=paraphrase.pk).exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("   ", "Впишите формулировку."),
        ("ф" * 100_000, "Не длиннее 500 символов."),
        ("как узнать место ребёнка в очереди в детский сад?", "совпадает с самим вопросом статьи"),
    ],
)
def test_bad_paraphrase_is_explained_inline_and_nothing_is_added(client, kb, text, message):
    client.force_login(kb.p.editor)
    before = _state()
    url = _article_url(kb.queue, "paraphrases/")
    response = client.post(url, {"text": text}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400 and message in response.content.decode()
    page = client.post(url, {"text": text})  # without htmx: the whole page with the error
    assert page.status_code == 400 and message in page.content.decode() and "<html" in page.content.decode()
    assert _state() == before


def test_paraphrase_without_htmx_redirects_back_to_the_article(client, kb):
    client.force_login(kb.p.editor)
    response = client.post(_article_url(kb.queue, "paraphrases/"), {"text": "очередь в садик где"})
    assert response.status_code == 302 and response["Location"] == _article_url(kb.queue)
    assert kb.queue.paraphrases.count() == 2


def test_editor_home_shows_review_queue_and_bot_panels(client, kb):
    from otklik.kb.tests.conftest import fake_decision

    services.query_record(region=kb.p.region, channel="web", text="где справка", decision=fake_decision())
    services.queue_rebuild(region=kb.p.region)
    client.force_login(kb.p.editor)
    html = client.get("/staff/").content.decode()
    assert "Пора пересмотреть: 1" in html and kb.queue.question in html
    assert 'Черновиков: <a href="/staff/kb/?status=draft">1</a>' in html
    assert "Очередь редактора: 1" in html and "где справка — вопросов: 1" in html
    assert "Бот в цифрах" in html and "<dt>Вопросов</dt><dd>1</dd>" in html
    client.force_login(kb.local_editor)
    local = client.get("/staff/").content.decode()
    assert "Пора пересмотреть: 0" in local and "Черновиков: <a" in local
    client.force_login(kb.p.executor_a)
    assert "Бот в цифрах" not in client.get("/staff/").content.decode()
