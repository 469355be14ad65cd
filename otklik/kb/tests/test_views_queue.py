import pytest

from otklik.kb import services, views
from otklik.kb.models import Article, Paraphrase, QueryCluster, Suggestion
from otklik.kb.tests.conftest import fake_decision

QUEUE = "/staff/kb/queue/"
DIARY = [
    "не работает электронный дневник",
    "электронный дневник не открывается",
    "почему не работает эл дневник",
]
TRANSPORT = ["когда пустят школьный автобус", "школьный автобус когда будет"]


@pytest.fixture
def queue(kb, monkeypatch):
    """Two open groups (diary: 3 questions and a suggestion; bus: 2), the engine pointing at `queue`."""
    for text in DIARY + TRANSPORT:
        services.query_record(region=kb.p.region, channel="telegram", text=text, decision=fake_decision())
    services.suggestion_submit(
        region=kb.p.region, text="Добавьте ответ про электронный дневник", channel="web"
    )
    assert services.queue_rebuild(region=kb.p.region) == 2
    monkeypatch.setattr(
        views.registry, "ask", lambda region_id, text: fake_decision("choices", [kb.queue.pk])
    )
    kb.diary = QueryCluster.objects.get(label__contains="дневник")
    kb.bus = QueryCluster.objects.get(label__contains="автобус")
    return kb


def _state():
    return (
        list(QueryCluster.objects.order_by("pk").values_list("pk", "status", "size")),
        list(Suggestion.objects.order_by("pk").values_list("pk", "status")),
        list(Article.objects.order_by("pk").values_list("pk", "status")),
        Paraphrase.objects.count(),
    )


def test_queue_shows_groups_by_size_with_examples_suggestions_and_a_suggested_article(client, queue):
    client.force_login(queue.p.editor)
    html = client.get(QUEUE).content.decode()
    assert "Открытых групп: <strong>2</strong>" in html
    assert html.index(queue.diary.label) < html.index(queue.bus.label)  # the larger group first
    assert "Вопросов: <strong>4</strong> · предложений граждан: <strong>1</strong>" in html
    assert "Вопросов: <strong>2</strong> · предложений граждан: <strong>0</strong>" in html
    for text in DIARY + TRANSPORT:
        assert text in html
    assert f"Добавить как формулировки к статье «{queue.queue.question}»" in html
    assert "Обновить очередь" in html and "Создать черновик статьи" in html and "Отклонить" in html
    assert "Новые предложения граждан (1)" in html and "в группе «" in html
    # A new draft's category starts at the suggested article's one, not at the first of the list.
    assert html.count(f'<option value="{queue.queue.category_id}" selected>') == 2  # both groups


def test_without_a_suggested_article_the_editor_chooses_the_drafts_category(client, queue, monkeypatch):
    monkeypatch.setattr(views.registry, "ask", lambda region_id, text: fake_decision())
    client.force_login(queue.p.editor)
    html = client.get(QUEUE).content.decode()
    assert html.count('<option value="" selected>— выберите категорию —</option>') == 2


def test_adding_a_group_as_paraphrases_closes_it(client, queue):
    client.force_login(queue.p.editor)
    response = client.post(
        f"{QUEUE}{queue.diary.pk}/", {"action": "paraphrases", "article": queue.queue.pk}, follow=True
    )
    assert f"К статье «{queue.queue.question}» добавлено формулировок: 4." in response.content.decode()
    queue.diary.refresh_from_db()
    assert (queue.diary.status, queue.diary.resolved_article) == ("resolved", queue.queue)
    assert queue.queue.paraphrases.filter(source="query_log").count() == 4
    assert Suggestion.objects.get().status == "accepted"
    assert queue.diary.label not in client.get(QUEUE).content.decode()


def test_a_group_becomes_a_draft_in_the_chosen_category(client, queue):
    client.force_login(queue.p.editor)
    response = client.post(f"{QUEUE}{queue.bus.pk}/", {"action": "draft", "category": queue.fee.category_id})
    draft = Article.objects.get(question=queue.bus.label)
    assert response.status_code == 302 and response["Location"] == f"/staff/kb/articles/{draft.pk}/"
    assert (draft.status, draft.category, draft.author) == ("draft", queue.fee.category, queue.p.editor)
    assert draft.paraphrases.count() == 1
    queue.bus.refresh_from_db()
    assert (queue.bus.status, queue.bus.resolved_article) == ("resolved", draft)


def test_dismissing_a_group_rejects_its_suggestions(client, queue):
    client.force_login(queue.p.editor)
    response = client.post(f"{QUEUE}{queue.diary.pk}/", {"action": "dismiss"}, follow=True)
    assert f"Группа «{queue.diary.label}» отклонена." in response.content.decode()
    assert QueryCluster.objects.get(pk=queue.diary.pk).status == "dismissed"
    assert Suggestion.objects.get().status == "rejected"
    assert client.post(f"{QUEUE}{queue.diary.pk}/", {"action": "dismiss"}).status_code == 404  # closed


def test_rebuild_button_regroups_the_queue(client, queue):
    services.query_record(
        region=queue.p.region,
        channel="web",
        text="как получить справку об обучении",
        decision=fake_decision(),
    )
    client.force_login(queue.p.editor)
    assert client.get(f"{QUEUE}rebuild/").status_code == 405
    response = client.post(f"{QUEUE}rebuild/", follow=True)
    assert "Очередь обновлена: групп вопросов — 3." in response.content.decode()
    assert QueryCluster.objects.filter(status="open").count() == 3


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Не выбрано действие."),
        ({"action": "explode"}, "Неизвестное действие."),
        ({"action": "paraphrases"}, "Выберите статью, к которой добавить формулировки."),
        ({"action": "paraphrases", "article": "zzz"}, "Выберите статью из списка."),
        ({"action": "paraphrases", "article": "1" * 100_000}, "Выберите статью из списка."),
        ({"action": "draft"}, "Выберите категорию для новой статьи."),
        ({"action": "draft", "category": "abc"}, "Выберите категорию из списка."),
        ({"action": "draft", "category": "999999"}, "Выберите категорию для новой статьи."),
    ],
)
def test_bad_actions_are_explained_and_change_nothing(client, queue, data, message):
    client.force_login(queue.p.editor)
    before = _state()
    response = client.post(f"{QUEUE}{queue.diary.pk}/", data, follow=True)
    assert response.status_code == 200 and message in response.content.decode()
    assert _state() == before


def test_unknown_group_or_article_is_404_and_changes_nothing(client, queue):
    client.force_login(queue.p.editor)
    before = _state()
    assert client.post(f"{QUEUE}999999/", {"action": "dismiss"}).status_code == 404
    assert (
        client.post(f"{QUEUE}{queue.diary.pk}/", {"action": "paraphrases", "article": 999999}).status_code
        == 404
    )
    assert _state() == before


@pytest.mark.parametrize("persona", ["executor_a", "analyst", "coordinator"])
def test_staff_without_editor_role_get_403_and_nothing_changes(client, queue, persona):
    client.force_login(getattr(queue.p, persona))
    before = _state()
    assert client.get(QUEUE).status_code == 403
    assert client.get(f"{QUEUE}{queue.diary.pk}/pick/").status_code == 403
    assert client.post(f"{QUEUE}rebuild/").status_code == 403
    for data in ({"action": "dismiss"}, {"action": "paraphrases", "article": queue.queue.pk}):
        assert client.post(f"{QUEUE}{queue.diary.pk}/", data).status_code == 403
    assert _state() == before


def test_editor_of_a_municipal_body_may_only_teach_its_own_articles(client, queue):
    client.force_login(queue.local_editor)
    html = client.get(QUEUE).content.decode()
    assert queue.diary.label in html
    assert "Обновить очередь" not in html and "Создать черновик статьи" not in html
    assert "Добавить как формулировки к статье «" not in html  # the suggested article is not theirs
    before = _state()
    assert client.post(f"{QUEUE}rebuild/").status_code == 403
    assert client.post(f"{QUEUE}{queue.diary.pk}/", {"action": "dismiss"}).status_code == 403
    draft = {"action": "draft", "category": queue.fee.category_id}
    assert client.post(f"{QUEUE}{queue.diary.pk}/", draft).status_code == 403
    mine = {"action": "paraphrases", "article": queue.queue.pk}
    assert client.post(f"{QUEUE}{queue.diary.pk}/", mine).status_code == 404
    assert _state() == before
    client.post(f"{QUEUE}{queue.bus.pk}/", {"action": "paraphrases", "article": queue.local.pk})
    assert queue.local.paraphrases.count() == 2


def test_article_picker_lists_editable_articles_with_the_suggestion_selected(client, queue):
    client.force_login(queue.p.editor)
    partial = client.get(f"{QUEUE}{queue.diary.pk}/pick/", HTTP_HX_REQUEST="true")
    html = partial.content.decode()
    assert "<html" not in html and "HX-Request" in partial["Vary"]
    assert f'<option value="{queue.queue.pk}" selected>' in html
    assert '<optgroup label="Дошкольное образование">' in html and "(черновик)" in html
    assert 'name="action" value="paraphrases"' in html
    page = client.get(f"{QUEUE}{queue.diary.pk}/pick/").content.decode()
    assert "<html" in page and "Добавить вопросы группы" in page
    client.force_login(queue.local_editor)
    mine = client.get(f"{QUEUE}{queue.diary.pk}/pick/", HTTP_HX_REQUEST="true").content.decode()
    assert queue.local.question in mine and queue.queue.question not in mine
