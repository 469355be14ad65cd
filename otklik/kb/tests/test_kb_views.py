import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from otklik.kb import services
from otklik.kb.engine import registry
from otklik.kb.models import Article, ArticleRevision, Paraphrase, Query, QueryCluster
from otklik.kb.tests.test_kb_core import KB_YAML, _load


@pytest.fixture
def kb(personas):
    _load(personas.region, user=personas.editor)
    registry.reset()
    return personas


def test_editor_sees_articles_and_filters(client, kb):
    client.force_login(kb.editor)
    page = client.get("/staff/kb/").content.decode()
    assert "Когда начинается приём заявлений в первый класс?" in page
    page = client.get("/staff/kb/", {"q": "очеред"}).content.decode()
    assert "детский сад" in page and "первый класс" not in page
    assert "Пора пересмотреть" in client.get("/staff/kb/").content.decode()  # review_at 2026-01-15 has passed


@pytest.mark.parametrize("persona", ["executor_a", "analyst", "coordinator"])
def test_staff_without_editor_role_get_403_and_change_nothing(client, kb, persona):
    client.force_login(getattr(kb, persona))
    article = Article.objects.get(slug="kindergarten-queue")
    assert client.get("/staff/kb/").status_code == 403
    response = client.post(f"/staff/kb/articles/{article.pk}/paraphrases/", {"text": "новая формулировка"})
    assert response.status_code == 403
    assert client.post(f"/staff/kb/articles/{article.pk}/status/", {"status": "archived"}).status_code == 403
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED
    assert article.paraphrases.count() == 1


def test_anonymous_is_sent_to_login(client, kb):
    assert client.get("/staff/kb/queue/").status_code == 302


def test_create_edit_publish_archive(client, kb):
    client.force_login(kb.editor)
    category = Article.objects.get(slug="kindergarten-queue").category
    response = client.post(
        "/staff/kb/articles/new/",
        {
            "question": "Можно ли водить ребёнка в сад на полдня?",
            "answer": "Да, в группе кратковременного пребывания.",
            "category": category.pk,
        },
    )
    article = Article.objects.get(question="Можно ли водить ребёнка в сад на полдня?")
    assert response.status_code == 302 and article.status == Article.Status.DRAFT
    response = client.post(
        f"/staff/kb/articles/{article.pk}/",
        {"question": article.question, "answer": "Да — **до 5 часов** в день.", "category": category.pk},
    )
    assert response.status_code == 302
    client.post(f"/staff/kb/articles/{article.pk}/status/", {"status": "published"})
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED and "до 5 часов" in article.answer
    page = client.get(f"/staff/kb/articles/{article.pk}/").content.decode()
    assert "<strong>до 5 часов</strong>" in page
    assert ArticleRevision.objects.filter(article=article).count() == 3


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"question": "", "answer": "", "category": ""},
        {"question": "в" * 100_000, "answer": "x", "category": "1"},
        {"question": "Вопрос", "answer": "о" * 100_000, "category": "abc"},
        {"question": "Вопрос", "answer": "x", "category": "999999", "valid_from": "31.31.2026"},
        {
            "question": "Вопрос",
            "answer": "x",
            "category": "1",
            "valid_from": "2026-05-01",
            "valid_to": "2026-01-01",
        },
    ],
)
def test_bad_article_input_is_explained_and_nothing_is_saved(client, kb, data):
    client.force_login(kb.editor)
    before = Article.objects.count()
    response = client.post("/staff/kb/articles/new/", data)
    assert response.status_code == 400
    assert 'class="error"' in response.content.decode()
    assert Article.objects.count() == before


def test_paraphrase_added_and_removed_with_htmx(client, kb):
    client.force_login(kb.editor)
    article = Article.objects.get(slug="kindergarten-queue")
    response = client.post(
        f"/staff/kb/articles/{article.pk}/paraphrases/",
        {"text": "какой номер в очереди в садик"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "какой номер в очереди в садик" in response.content.decode()
    paraphrase = Paraphrase.objects.get(text="какой номер в очереди в садик")
    empty = client.post(
        f"/staff/kb/articles/{article.pk}/paraphrases/", {"text": "  "}, HTTP_HX_REQUEST="true"
    )
    assert empty.status_code == 400 and "Впишите формулировку" in empty.content.decode()
    client.post(f"/staff/kb/paraphrases/{paraphrase.pk}/delete/", HTTP_HX_REQUEST="true")
    assert not Paraphrase.objects.filter(pk=paraphrase.pk).exists()


def test_editor_of_a_municipal_body_cannot_open_region_articles(client, kb):
    from otklik.testing import make_staff

    local_editor = make_staff(kb.body_a, "editor")
    client.force_login(local_editor)
    article = Article.objects.get(slug="kindergarten-queue")
    assert client.get(f"/staff/kb/articles/{article.pk}/").status_code == 404
    assert client.post(f"/staff/kb/articles/{article.pk}/status/", {"status": "archived"}).status_code == 404
    assert Article.objects.get(pk=article.pk).status == Article.Status.PUBLISHED


def test_queue_page_and_cluster_actions(client, kb):
    for text in ["не работает электронный дневник", "электронный дневник не открывается"]:
        services.query_record(
            region=kb.region, channel="web", text=text, decision=registry.ask(kb.region.pk, text)
        )
    services.queue_rebuild(region=kb.region)
    cluster = QueryCluster.objects.get()
    client.force_login(kb.editor)
    page = client.get("/staff/kb/queue/").content.decode()
    assert "электронный дневник" in page
    bad = client.post(f"/staff/kb/queue/{cluster.pk}/", {"action": "paraphrases", "article": "zzz"})
    assert bad.status_code == 302
    cluster.refresh_from_db()
    assert cluster.status == QueryCluster.Status.OPEN
    article = Article.objects.get(slug="kindergarten-queue")
    client.post(f"/staff/kb/queue/{cluster.pk}/", {"action": "draft", "category": article.category.pk})
    cluster.refresh_from_db()
    assert cluster.status == QueryCluster.Status.RESOLVED
    assert cluster.resolved_article.status == Article.Status.DRAFT
    assert client.post("/staff/kb/queue/rebuild/").status_code == 302


def test_query_log_one_click_paraphrase(client, kb):
    text = "у нас в садике какая очередь"
    query = services.query_record(
        region=kb.region, channel="telegram", text=text, decision=registry.ask(kb.region.pk, text)
    )
    client.force_login(kb.editor)
    assert text in client.get("/staff/kb/log/", {"decision": "", "q": "садике"}).content.decode()
    article = Article.objects.get(slug="kindergarten-queue")
    client.post(f"/staff/kb/log/{query.pk}/paraphrase/", {"article": article.pk})
    assert article.paraphrases.filter(text=text).exists()
    assert client.post(f"/staff/kb/log/{query.pk}/paraphrase/", {"article": "x"}).status_code == 302
    assert Query.objects.get(pk=query.pk).gold_article == article


def test_try_page_shows_decision_without_logging(client, kb):
    client.force_login(kb.editor)
    response = client.get("/staff/kb/try/", {"q": "когда запись в первый класс"}, HTTP_HX_REQUEST="true")
    assert "Когда начинается приём заявлений в первый класс?" in response.content.decode()
    assert Query.objects.count() == 0
    assert client.get("/staff/kb/try/", {"q": "я" * 100_000}).status_code == 200


def test_transfer_export_and_import(client, kb):
    client.force_login(kb.editor)
    for fmt in ("yaml", "csv", "xlsx"):
        response = client.get(f"/staff/kb/export.{fmt}")
        assert response.status_code == 200 and len(response.content) > 100
    assert client.get("/staff/kb/export.pdf").status_code == 404
    upload = SimpleUploadedFile("kb.yaml", KB_YAML.replace("Госуслугах.", "Госуслугах!").encode())
    response = client.post("/staff/kb/transfer/", {"file": upload, "status": ""})
    assert response.status_code == 302
    assert "Госуслугах!" in Article.objects.get(slug="kindergarten-queue").answer
    for bad in [SimpleUploadedFile("kb.yaml", b"articles: ["), SimpleUploadedFile("kb.txt", b"x")]:
        response = client.post("/staff/kb/transfer/", {"file": bad})
        assert response.status_code == 400 and 'class="errors"' in response.content.decode()
    assert client.post("/staff/kb/transfer/", {}).status_code == 400
    assert Article.objects.count() == 2


def test_editor_home_shows_bot_figures(client, kb):
    client.force_login(kb.editor)
    page = client.get("/staff/").content.decode()
    assert "База знаний и бот" in page and "Очередь редактора" in page
