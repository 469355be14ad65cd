import io

import pytest
from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from otklik.kb import services
from otklik.kb.engine import EngineRegistry
from otklik.kb.models import Article, ArticleRevision, Category, Paraphrase, Query, QueryCluster, Suggestion
from otklik.kb.transfer import (
    KbImportError,
    kb_export_csv,
    kb_export_xlsx,
    kb_export_yaml,
    kb_import,
    kb_parse,
)

KB_YAML = """
categories:
  - slug: school
    title: Общее образование
    children:
      - {slug: school-admission, title: Приём в школу}
  - slug: preschool
    title: Дошкольное образование
articles:
  - slug: first-grade-dates
    category: school-admission
    question: Когда начинается приём заявлений в первый класс?
    answer: С 1 апреля для детей с закреплённой территории, с 6 июля — для остальных.
    legal_basis: Приказ Минпросвещения России от 02.09.2020 № 458
    paraphrases: [когда запись в первый класс, с какого числа записывают в 1 класс]
  - slug: kindergarten-queue
    category: preschool
    question: Как узнать место ребёнка в очереди в детский сад?
    answer: Позицию в очереди показывает личный кабинет на Госуслугах.
    paraphrases: [где посмотреть очередь в садик]
    review_at: "2026-01-15"
"""


def _load(region, text=KB_YAML, name="kb.yaml", **kw):
    categories, articles = kb_parse(content=text.encode(), filename=name)
    return kb_import(region=region, categories=categories, articles=articles, **kw)


def test_yaml_import_creates_tree_articles_and_paraphrases(personas):
    result = _load(personas.region, user=personas.editor)
    assert (result.categories, result.created, result.updated, result.paraphrases) == (3, 2, 0, 3)
    article = Article.objects.get(slug="first-grade-dates")
    assert article.category.parent.slug == "school"
    assert article.status == Article.Status.PUBLISHED
    assert article.paraphrases.count() == 2
    assert str(Article.objects.get(slug="kindergarten-queue").review_at) == "2026-01-15"


@pytest.mark.parametrize("exporter,name", [(kb_export_yaml, "kb.yaml"), (kb_export_csv, "kb.csv")])
def test_round_trip_through_another_region(personas, exporter, name):
    from otklik.testing import make_region

    _load(personas.region)
    exported = exporter(region=personas.region)
    other = make_region(code="OTHER")
    categories, articles = kb_parse(content=exported.encode(), filename=name)
    result = kb_import(region=other, categories=categories, articles=articles)
    assert result.created == 2
    assert exporter(region=other) == exported


def test_xlsx_round_trip(personas):
    from otklik.testing import make_region

    _load(personas.region)
    data = kb_export_xlsx(region=personas.region)
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet["F1"].value == "question"
    other = make_region(code="X2")
    categories, articles = kb_parse(content=data, filename="kb.xlsx")
    assert kb_import(region=other, categories=categories, articles=articles).created == 2
    assert set(Paraphrase.objects.filter(article__region=other).values_list("text", flat=True)) == set(
        Paraphrase.objects.filter(article__region=personas.region).values_list("text", flat=True)
    )


def test_reimport_updates_and_does_not_duplicate(personas):
    _load(personas.region)
    result = _load(personas.region, text=KB_YAML.replace("Госуслугах.", "Госуслугах в разделе «Заявления»."))
    assert (result.created, result.updated) == (0, 2)
    assert Article.objects.count() == 2
    assert Paraphrase.objects.count() == 3


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "kb.yaml", "Файл пуст"),
        (b"articles: [", "kb.yaml", "корректным YAML"),
        (b"categories: []", "kb.yaml", "нет списка"),
        (b"articles:\n  - {category: nowhere, question: q, answer: a}", "kb.yaml", "не найдена"),
        (b"articles:\n  - {category: x}\ncategories: [{slug: x, title: X}]", "kb.yaml", "нет вопроса"),
        (b"slug,question\n1,q\n", "kb.csv", "нет обязательных столбцов"),
        (b"PK\x03\x04broken", "kb.xlsx", "не открывается"),
        (b"\xff\xfe", "kb.yaml", "UTF-8"),
        (b"category,question,answer\n", "kb.csv", "нет ни одной строки"),
        (b"x", "kb.pdf", "Поддерживаются"),
    ],
)
def test_bad_files_are_refused_and_nothing_is_written(personas, content, name, message):
    with pytest.raises(KbImportError) as err:
        categories, articles = kb_parse(content=content, filename=name)
        kb_import(region=personas.region, categories=categories, articles=articles)
    assert message in " ".join(err.value.problems)
    assert Article.objects.count() == 0
    assert Category.objects.count() == 0


def test_article_edits_leave_history(personas):
    _load(personas.region)
    article = Article.objects.get(slug="kindergarten-queue")
    services.article_update(
        article=article, editor=personas.editor, answer="Новый ответ.", note="уточнён ответ"
    )
    services.article_set_status(article=article, status=Article.Status.ARCHIVED, editor=personas.editor)
    notes = list(ArticleRevision.objects.filter(article=article).values_list("note", flat=True))
    assert notes[:2] == ["перенесена в архив", "уточнён ответ"]
    assert ArticleRevision.objects.filter(article=article).first().snapshot["status"] == "archived"


def test_article_validation_in_russian(personas):
    _load(personas.region)
    category = Category.objects.get(slug="preschool")
    with pytest.raises(ValidationError) as err:
        services.article_create(region=personas.region, category=category, question="  ", answer="x")
    assert "Заполните" in str(err.value)
    with pytest.raises(ValidationError):
        services.article_create(region=personas.region, category=category, question="x" * 501, answer="x")


def test_query_log_masks_personal_data_and_feeds_paraphrases(personas, monkeypatch):
    monkeypatch.setattr("otklik.kb.engine.CHECK_EVERY_S", 0)  # see the new paraphrase at once
    _load(personas.region)
    registry = EngineRegistry()
    text = "у нас бесплатная продленка в садике? звоните 89123456789"
    decision = registry.ask(personas.region.pk, text)
    query = services.query_record(
        region=personas.region, channel="telegram", channel_user="42", text=text, decision=decision
    )
    assert "89123456789" not in query.text and "[телефон]" in query.text
    assert query.channel_user == "42"
    article = Article.objects.get(slug="kindergarten-queue")
    services.paraphrase_add_from_query(query=query, article=article, user=personas.editor)
    assert article.paraphrases.filter(source=Paraphrase.Source.QUERY_LOG).count() == 1
    after = registry.ask(personas.region.pk, "у нас бесплатная продленка в садике")
    assert after.candidates[0].article_id == article.pk
    assert after.confidence > decision.confidence


def test_engine_registry_follows_publishing_and_archiving(personas):
    _load(personas.region, status=Article.Status.DRAFT)
    registry = EngineRegistry()
    assert registry.ask(personas.region.pk, "очередь в детский сад").action == "abstain"
    article = Article.objects.get(slug="kindergarten-queue")
    services.article_set_status(article=article, status=Article.Status.PUBLISHED, editor=personas.editor)
    registry._regions[personas.region.pk].checked = 0  # skip the 2-second check interval
    assert registry.ask(personas.region.pk, "очередь в детский сад").candidates[0].article_id == article.pk
    services.article_set_status(article=article, status=Article.Status.ARCHIVED, editor=personas.editor)
    registry._regions[personas.region.pk].checked = 0
    assert registry.ask(personas.region.pk, "очередь в детский сад").action == "abstain"


def test_queue_groups_unanswered_questions_and_suggestions(personas):
    _load(personas.region)
    registry = EngineRegistry()
    texts = [
        "не работает электронный дневник",
        "электронный дневник не открывается",
        "почему не работает эл дневник",
        "когда выплатят компенсацию за форму",
    ]
    for text in texts:
        decision = registry.ask(personas.region.pk, text)
        query = services.query_record(region=personas.region, channel="web", text=text, decision=decision)
        if query.decision != Query.Decision.ABSTAINED:
            services.query_feedback(query=query, helped=False)
    services.suggestion_submit(
        region=personas.region, text="Добавьте ответ про электронный дневник", channel="telegram"
    )
    assert services.queue_rebuild(region=personas.region) == 2
    top = QueryCluster.objects.order_by("-size").first()
    assert top.size == 4 and top.suggestions == 1
    assert "дневник" in top.label
    article = Article.objects.get(slug="kindergarten-queue")
    added = services.cluster_add_as_paraphrases(cluster=top, article=article, user=personas.editor)
    assert added == 4
    top.refresh_from_db()
    assert top.status == QueryCluster.Status.RESOLVED
    assert Suggestion.objects.get().status == Suggestion.Status.ACCEPTED
    assert services.queue_rebuild(region=personas.region) == 1  # resolved questions do not come back


def test_cluster_becomes_a_draft_article(personas):
    _load(personas.region)
    for text in ["как восстановить пароль от дневника", "забыл пароль от электронного дневника"]:
        decision = EngineRegistry().ask(personas.region.pk, text)
        services.query_record(region=personas.region, channel="web", text=text, decision=decision)
    services.queue_rebuild(region=personas.region)
    cluster = QueryCluster.objects.get()
    draft = services.cluster_draft_article(
        cluster=cluster, category=Category.objects.get(slug="school"), user=personas.editor
    )
    assert draft.status == Article.Status.DRAFT
    assert draft.paraphrases.count() == 1


def test_duplicate_suggestions_are_merged(personas):
    first = services.suggestion_submit(region=personas.region, text="Про кружки", channel="web")
    again = services.suggestion_submit(region=personas.region, text="про кружки", channel="telegram")
    assert first.pk == again.pk
    with pytest.raises(ValidationError):
        services.suggestion_submit(region=personas.region, text="   ", channel="web")


def test_a_draft_from_the_queue_cannot_be_published_without_an_answer(personas):
    _load(personas.region)
    text = "как восстановить пароль от дневника"
    services.query_record(
        region=personas.region,
        channel="web",
        text=text,
        decision=EngineRegistry().ask(personas.region.pk, text),
    )
    services.queue_rebuild(region=personas.region)
    draft = services.cluster_draft_article(
        cluster=QueryCluster.objects.get(), category=Category.objects.get(slug="school"), user=personas.editor
    )
    with pytest.raises(ValidationError):
        services.article_set_status(article=draft, status=Article.Status.PUBLISHED, editor=personas.editor)
    services.article_update(
        article=draft, editor=personas.editor, answer="Пароль восстанавливает классный руководитель."
    )
    services.article_set_status(article=draft, status=Article.Status.PUBLISHED, editor=personas.editor)
    assert Article.objects.get(pk=draft.pk).status == Article.Status.PUBLISHED


def test_a_change_queues_one_vector_warm_up_that_builds_the_index(
    personas, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    from otklik.kb.engine import registry
    from otklik.kb.tasks import TASK_PATH
    from otklik.testing import run_due_tasks

    registry.reset()
    with django_capture_on_commit_callbacks(execute=True):
        _load(personas.region)  # many changes, one warm-up waiting
    assert DBTaskResult.objects.filter(task_path=TASK_PATH, status="READY").count() == 1
    run_due_tasks()
    assert DBTaskResult.objects.get(task_path=TASK_PATH).status == "SUCCESSFUL"
    assert (
        len(registry.engine(personas.region.pk))
        == Article.objects.filter(status=Article.Status.PUBLISHED).count()
    )


def test_markdown_lists_need_no_blank_lines_around_them():
    from otklik.kb.templatetags.kb_markdown import render_markdown

    html = render_markdown("Сроки:\n1. с 1 апреля;\n   до 30 июня\n2. с 6 июля.\nПодайте заявление.")
    assert html == (
        "<p>Сроки:</p>\n<ol>\n<li>с 1 апреля;\n   до 30 июня</li>\n<li>с 6 июля.</li>\n</ol>\n"
        "<p>Подайте заявление.</p>"
    )


def test_plain_text_of_an_answer_for_channels_without_formatting():
    from otklik.kb.templatetags.kb_markdown import plain_text

    answer = (
        "Приём идёт в два этапа:\n- **с 1 апреля** — для живущих\n  рядом;\n- *с 6 июля* — для всех.\n"
        "Подайте заявление на\n[Госуслугах](https://www.gosuslugi.ru): 2*3*4, snake_case."
    )
    assert plain_text(answer) == (
        "Приём идёт в два этапа:\n\n- с 1 апреля — для живущих рядом;\n- с 6 июля — для всех.\n\n"
        "Подайте заявление на Госуслугах (https://www.gosuslugi.ru): 2*3*4, snake_case."
    )
