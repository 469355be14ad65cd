"""Services and transfer of the knowledge base, without the engine (decisions are stand-ins)."""

import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from openpyxl import load_workbook

from otklik.kb import selectors, services
from otklik.kb.models import (
    Article,
    ArticleRevision,
    Category,
    KnowledgeBaseVersion,
    Query,
    QueryCluster,
    Suggestion,
)
from otklik.kb.tests.conftest import fake_decision, load_kb
from otklik.kb.transfer import (
    KbImportError,
    kb_export_csv,
    kb_export_xlsx,
    kb_export_yaml,
    kb_import,
    kb_parse,
)
from otklik.testing import make_region


def _content(region) -> list[tuple]:
    return sorted(
        (
            a.slug,
            a.category.slug,
            a.category.parent.slug if a.category.parent else "",
            a.question,
            a.answer,
            a.legal_basis,
            a.status,
            a.review_at,
            a.valid_to,
            tuple(sorted(a.paraphrases.values_list("text", flat=True))),
        )
        for a in Article.objects.filter(region=region).select_related("category__parent")
    )


@pytest.mark.parametrize(
    ("export", "name"),
    [
        (kb_export_yaml, "kb.yaml"),
        (kb_export_csv, "kb.csv"),
        (lambda region: kb_export_xlsx(region=region), "kb.xlsx"),
    ],
)
def test_round_trip_keeps_tree_statuses_dates_and_paraphrases(kb, export, name):
    Article.objects.filter(pk=kb.fee.pk).update(valid_to="2027-06-30")
    data = export(region=kb.p.region)
    other = make_region(code="COPY")
    categories, articles = kb_parse(content=data if isinstance(data, bytes) else data.encode(), filename=name)
    result = kb_import(region=other, categories=categories, articles=articles)
    assert (result.categories, result.created, result.updated, result.paraphrases) == (3, 4, 0, 3)
    assert _content(other) == _content(kb.p.region)


@pytest.mark.parametrize(
    ("export", "name"),
    [(kb_export_csv, "kb.csv"), (lambda region: kb_export_xlsx(region=region), "kb.xlsx")],
)
def test_formula_like_texts_are_exported_as_text_and_import_back_unchanged(kb, export, name):
    formula = "=1+2"
    Article.objects.filter(pk=kb.fee.pk).update(question=formula, answer="-ответ @всем")
    data = export(region=kb.p.region)
    if name.endswith(".csv"):
        assert "'=1+2" in data and "'-ответ @всем" in data
    else:
        sheet = load_workbook(io.BytesIO(data)).active
        assert next(c for row in sheet.iter_rows() for c in row if c.value == formula).data_type == "s"
    other = make_region(code="COPY")
    categories, articles = kb_parse(content=data if isinstance(data, bytes) else data.encode(), filename=name)
    kb_import(region=other, categories=categories, articles=articles)
    assert _content(other) == _content(kb.p.region)


def test_xlsx_has_one_row_per_article_with_paraphrases_one_per_line(kb):
    sheet = load_workbook(io.BytesIO(kb_export_xlsx(region=kb.p.region))).active
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert set(rows) == {"first-grade-dates", "kindergarten-queue", "kindergarten-fee", kb.local.slug}
    assert rows["first-grade-dates"][8] == "когда запись в первый класс\nс какого числа записывают в 1 класс"
    assert rows["first-grade-dates"][3] == "school"


def test_archived_articles_stay_out_of_exports(kb):
    services.article_set_status(article=kb.fee, status="archived", editor=kb.p.editor)
    assert "kindergarten-fee" not in kb_export_yaml(region=kb.p.region)
    assert "kindergarten-fee" not in kb_export_csv(region=kb.p.region)


def test_import_as_drafts_turns_existing_published_articles_into_drafts(kb):
    result = load_kb(kb.p.region, status="draft")
    assert (result.created, result.updated) == (0, 3)
    assert set(Article.objects.filter(region=kb.p.region).values_list("slug", "status")) == {
        ("first-grade-dates", "draft"),
        ("kindergarten-queue", "draft"),
        ("kindergarten-fee", "draft"),
        (kb.local.slug, "published"),
    }


@pytest.mark.parametrize("date", ["2026-02-30", "2026-13-01", "31.12.2026"])
def test_impossible_dates_are_a_listed_problem_not_a_crash(kb, date):
    with pytest.raises(KbImportError) as err:
        kb_import(
            region=kb.p.region,
            categories=[],
            articles=[
                {
                    "slug": "x",
                    "category": "school",
                    "question": "Q",
                    "answer": "A",
                    "legal_basis": "",
                    "status": "",
                    "review_at": date,
                    "valid_from": "",
                    "valid_to": "",
                    "paraphrases": [],
                }
            ],
        )
    assert err.value.problems == ["Статья 1 (x): дата review_at не в формате ГГГГ-ММ-ДД."]
    assert not Article.objects.filter(slug="x").exists()


def test_query_record_masks_personal_data_and_keeps_the_decision(kb):
    query = services.query_record(
        region=kb.p.region,
        channel="telegram",
        channel_user=42,
        text="  очередь   в сад, мой телефон 89123456789 ",
        decision=fake_decision("answer", [kb.queue.pk, kb.first_grade.pk], confidence=0.87),
    )
    assert query.text == "очередь в сад, мой телефон [телефон]"
    assert (query.decision, query.article, query.confidence, query.channel_user) == (
        "answered",
        kb.queue,
        0.87,
        "42",
    )
    assert query.candidates == [
        {"article": kb.queue.pk, "score": 0.9},
        {"article": kb.first_grade.pk, "score": 0.8},
    ]
    choices = services.query_record(
        region=kb.p.region, channel="web", text="сад", decision=fake_decision("choices", [kb.queue.pk])
    )
    assert (choices.decision, choices.article) == ("choices", None)


def test_query_log_to_paraphrase_loop(kb):
    version = KnowledgeBaseVersion.objects.get(region=kb.p.region).version
    query = services.query_record(
        region=kb.p.region, channel="web", text="садик очередь где", decision=fake_decision()
    )
    paraphrase = services.paraphrase_add_from_query(query=query, article=kb.queue, user=kb.p.editor)
    assert (paraphrase.text, paraphrase.source, paraphrase.created_by) == (
        "садик очередь где",
        "query_log",
        kb.p.editor,
    )
    assert Query.objects.get(pk=query.pk).gold_article == kb.queue
    assert KnowledgeBaseVersion.objects.get(region=kb.p.region).version == version + 1
    assert kb.queue.revisions.first().note == "добавлена формулировка «садик очередь где»"
    again = services.paraphrase_add_from_query(query=query, article=kb.queue, user=kb.p.editor)
    assert again.pk == paraphrase.pk and kb.queue.paraphrases.count() == 2
    upper = services.paraphrase_add(article=kb.queue, text="САДИК ОЧЕРЕДЬ ГДЕ", user=kb.p.editor)
    assert upper.pk == paraphrase.pk  # Cyrillic case is folded in Python, not by SQLite


def test_paraphrase_equal_to_the_question_is_refused_without_a_revision(kb):
    revisions = ArticleRevision.objects.count()
    with pytest.raises(ValidationError) as err:
        services.paraphrase_add(article=kb.queue, text=kb.queue.question.upper(), user=kb.p.editor)
    assert err.value.message_dict == {"text": ["Эта формулировка совпадает с самим вопросом статьи."]}
    assert ArticleRevision.objects.count() == revisions


def test_article_update_refuses_reversed_dates_and_writes_nothing(kb):
    revisions = kb.queue.revisions.count()
    with pytest.raises(ValidationError):
        services.article_update(
            article=kb.queue,
            editor=kb.p.editor,
            valid_from=timezone.localdate(),
            valid_to=timezone.localdate() - timedelta(days=1),
        )
    kb.queue.refresh_from_db()
    assert (kb.queue.valid_from, kb.queue.valid_to, kb.queue.revisions.count()) == (None, None, revisions)


def _unanswered(region, texts, **kw):
    return [
        services.query_record(region=region, channel="web", text=t, decision=fake_decision(), **kw)
        for t in texts
    ]


def test_queue_rebuild_groups_unanswered_and_unhelpful_questions_with_suggestions(kb):
    region = kb.p.region
    _unanswered(region, ["не работает электронный дневник", "Не работает  электронный дневник"])
    helped = services.query_record(
        region=region, channel="web", text="не работает электронный дневник сегодня", decision=fake_decision()
    )
    services.query_feedback(query=helped, helped=True)
    shown = services.query_record(
        region=region,
        channel="web",
        text="электронный дневник не открывается",
        decision=fake_decision("answer", [kb.queue.pk]),
    )
    services.query_feedback(query=shown, helped=False)
    _unanswered(region, ["очень старый вопрос про дневник"], at=timezone.now() - timedelta(days=400))
    services.suggestion_submit(
        region=region, text="Расскажите, почему не работает электронный дневник", channel="web"
    )
    assert services.queue_rebuild(region=region) == 1
    cluster = QueryCluster.objects.get()
    assert (cluster.size, cluster.suggestions, cluster.status) == (4, 1, "open")
    assert set(cluster.queries.values_list("text", flat=True)) == {
        "не работает электронный дневник",
        "Не работает электронный дневник",
        "электронный дневник не открывается",
    }
    assert cluster.last_seen_at == Suggestion.objects.get().created_at
    assert selectors.cluster_examples(cluster=cluster, limit=2) == [
        "электронный дневник не открывается",
        "Не работает электронный дневник",
    ]
    assert services.queue_rebuild(region=region) == 1  # rebuilding again changes nothing
    assert QueryCluster.objects.get().size == 4


def test_closed_groups_keep_their_questions_across_rebuilds(kb):
    _unanswered(kb.p.region, ["где форма для школы", "где взять форму для школы", "когда каникулы"])
    assert services.queue_rebuild(region=kb.p.region) == 2
    form = QueryCluster.objects.get(label__contains="форм")
    assert services.cluster_add_as_paraphrases(cluster=form, article=kb.local, user=kb.p.editor) == 2
    holidays = QueryCluster.objects.get(label__contains="каникулы")
    services.cluster_dismiss(cluster=holidays, user=kb.p.editor)
    assert services.queue_rebuild(region=kb.p.region) == 0
    assert list(QueryCluster.objects.order_by("pk").values_list("status", "size")) == [
        ("resolved", 2),
        ("dismissed", 1),
    ]
    assert Query.objects.filter(gold_article=kb.local).count() == 2


def test_cluster_cannot_teach_an_article_of_another_region(kb):
    _unanswered(kb.p.region, ["вопрос без ответа"])
    services.queue_rebuild(region=kb.p.region)
    cluster = QueryCluster.objects.get()
    other = make_region(code="ELSE")
    stranger = services.article_create(
        region=other,
        category=Category.objects.create(region=other, slug="c", title="C"),
        question="Чужой вопрос",
        answer="Ответ",
    )
    with pytest.raises(ValidationError):
        services.cluster_add_as_paraphrases(cluster=cluster, article=stranger, user=kb.p.editor)
    cluster.refresh_from_db()
    assert cluster.status == "open" and stranger.paraphrases.count() == 0


def test_suggestions_are_masked_merged_and_limited(kb):
    first = services.suggestion_submit(
        region=kb.p.region, text="Про ёлку в школе, пишите на a@b.ru", channel="web"
    )
    assert first.text == "Про ёлку в школе, пишите на [e-mail]"
    again = services.suggestion_submit(
        region=kb.p.region, text="про елку  в школе, пишите на c@d.ru", channel="tg"
    )
    assert again.pk == first.pk
    for bad in ("", "   ", "я" * 2001):
        with pytest.raises(ValidationError):
            services.suggestion_submit(region=kb.p.region, text=bad, channel="web")
    assert Suggestion.objects.count() == 1


def test_bot_figures_count_decisions_feedback_and_appeals(kb):
    region = kb.p.region
    answered = services.query_record(
        region=region, channel="web", text="a", decision=fake_decision("answer", [kb.queue.pk])
    )
    services.query_feedback(query=answered, helped=True)
    unhelpful = services.query_record(
        region=region, channel="web", text="b", decision=fake_decision("answer", [kb.queue.pk])
    )
    services.query_feedback(query=unhelpful, helped=False)
    services.query_mark_appeal(query=unhelpful)
    _unanswered(region, ["c", "d"])
    old = _unanswered(region, ["e"], at=timezone.now() - timedelta(days=60))[0]
    figures = selectors.bot_figures(region=region)
    assert {k: figures[k] for k in ("total", "answered", "abstained", "helped", "not_helped", "appeals")} == {
        "total": 5,
        "answered": 2,
        "abstained": 3,
        "helped": 1,
        "not_helped": 1,
        "appeals": 1,
    }
    assert (figures["answered_share"], figures["not_helped_share"], figures["appeal_share"]) == (
        0.4,
        0.5,
        0.2,
    )
    assert figures["ready_answers"] == 3
    recent = selectors.bot_figures(region=region, since=old.created_at + timedelta(seconds=1))
    assert recent["total"] == 4


def test_editor_scope_selects_region_wide_or_own_subtree_articles(kb):
    everything = selectors.articles_for_editor(user=kb.p.editor, region=kb.p.region)
    assert everything.count() == 4
    own = selectors.articles_for_editor(user=kb.local_editor, region=kb.p.region)
    assert list(own) == [kb.local]
    assert selectors.articles_for_editor(user=kb.p.executor_a, region=kb.p.region).count() == 0
