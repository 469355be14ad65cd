"""«Похожие статьи»: pairs of articles that answer one question, for the editors to merge."""

import re

from django_tasks_db.models import DBTaskResult

from otklik.kb import selectors, services
from otklik.kb.engine import registry
from otklik.kb.models import Article
from otklik.kb.tasks import RIVALS_TASK_PATH, kb_rivals
from otklik.kb.tests.conftest import fake_decision
from otklik.nlp.faq import Engine

RIVALS = "/staff/kb/similar/"
TWIN_QUESTION = "С какого числа начинается приём заявлений в первый класс?"


def _twin(kb, status=Article.Status.PUBLISHED, **extra):
    twin = services.article_create(
        region=kb.p.region,
        category=kb.first_grade.category,
        question=TWIN_QUESTION,
        answer="Заявления принимают с 1 апреля.",
        status=status,
        author=kb.p.editor,
        **extra,
    )
    registry.reset()
    return twin


def _record(kb, *article_ids):
    services.query_record(
        region=kb.p.region,
        channel="telegram",
        text="запись в первый класс",
        decision=fake_decision(action="choices", article_ids=article_ids),
    )


def test_a_twin_article_is_reported_once_with_how_often_the_bot_was_torn(client, kb):
    twin = _twin(kb)
    _record(kb, kb.first_grade.pk, twin.pk)
    _record(kb, twin.pk, kb.first_grade.pk, kb.queue.pk)
    _record(kb, kb.first_grade.pk, kb.queue.pk)  # another pair
    client.force_login(kb.p.editor)
    html = client.get(RIVALS).content.decode()
    assert "Найдено пар: <strong>1</strong>, из них очень похожих — <strong>1</strong>" in html
    row = html[html.index("<tbody>") : html.index("</tbody>")]
    assert row.count("<tr>") == 1
    assert f'href="/staff/kb/articles/{kb.first_grade.pk}/"' in row
    assert f'href="/staff/kb/articles/{twin.pk}/"' in row
    assert "очень похожи" in row and '<td class="num">2</td>' in row
    assert 88 <= int(re.search(r"\((\d+) %\)", row).group(1)) <= 100
    assert 'aria-current="page">Похожие статьи' in html


def test_the_confidence_is_shown_rounded_down_so_a_similar_pair_never_reads_as_very_similar(kb):
    pair = selectors.RivalPair(kb.first_grade, kb.queue, 0.8757, False, 0, frozenset())
    assert pair.percent == 87


def test_no_pairs_says_so_and_drafts_do_not_count(client, kb):
    _twin(kb, status=Article.Status.DRAFT)
    client.force_login(kb.p.editor)
    html = client.get(RIVALS).content.decode()
    assert "Похожих статей нет" in html and "<tbody>" not in html


def test_an_organization_editor_sees_pairs_with_its_own_articles_and_links_only_those(client, kb):
    twin = _twin(kb, scope_organization=kb.p.body_a)
    client.force_login(kb.local_editor)
    html = client.get(RIVALS).content.decode()
    assert TWIN_QUESTION in html and kb.first_grade.question in html
    assert f'href="/staff/kb/articles/{twin.pk}/"' in html
    assert f'href="/staff/kb/articles/{kb.first_grade.pk}/"' not in html  # a region-wide article


def test_a_pair_outside_the_editors_articles_is_not_shown(client, kb):
    _twin(kb)
    client.force_login(kb.local_editor)
    html = client.get(RIVALS).content.decode()
    assert "Похожих статей нет" in html and TWIN_QUESTION not in html


def test_only_editors_open_the_report(client, kb):
    assert client.get(RIVALS).status_code == 302  # to the login page
    client.force_login(kb.p.executor_a)
    assert client.get(RIVALS).status_code == 403


def test_an_engine_failure_is_a_message_not_a_500(client, kb, monkeypatch):
    def broken(region_id):
        raise RuntimeError("index cannot load")

    monkeypatch.setattr(registry, "engine", broken)
    client.force_login(kb.p.editor)
    response = client.get(RIVALS)
    assert response.status_code == 200
    assert "Не удалось проверить базу" in response.content.decode()


def _count_rivals(monkeypatch) -> list:
    calls = []
    original = Engine.rivals

    def counted(self, min_confidence):
        calls.append(min_confidence)
        return original(self, min_confidence)

    monkeypatch.setattr(Engine, "rivals", counted)
    return calls


def _others(kb) -> list[int]:
    visible = Article.objects.filter(region=kb.p.region)
    return sorted(p.other.pk for p in selectors.article_rivals(region=kb.p.region, visible=visible).pairs)


def test_the_pairs_are_computed_once_per_version_of_the_knowledge_base(kb, monkeypatch):
    twin = _twin(kb)
    calls = _count_rivals(monkeypatch)
    for _ in range(2):
        assert _others(kb) in ([twin.pk], [kb.first_grade.pk])
    assert len(calls) == 1
    services.article_update(
        article=twin, editor=kb.p.editor, question="Как записаться в кружок робототехники?"
    )
    monkeypatch.setattr("otklik.kb.engine.CHECK_EVERY_S", 0.0)  # the next request sees the change
    assert _others(kb) == []
    assert len(calls) == 2


def test_a_large_knowledge_base_waits_for_the_worker_which_computes_the_report(client, kb, monkeypatch):
    twin = _twin(kb)
    monkeypatch.setattr("otklik.kb.engine.RIVALS_INLINE_ARTICLES", 1)
    calls = _count_rivals(monkeypatch)
    client.force_login(kb.p.editor)
    html = client.get(RIVALS).content.decode()
    assert "Проверка большой базы идёт в фоне" in html and calls == []
    queued = DBTaskResult.objects.filter(task_path=RIVALS_TASK_PATH, status="READY")
    assert [r.args_kwargs["args"] for r in queued] == [[kb.p.region.pk]]
    client.get(RIVALS)  # a reload does not queue it again
    assert DBTaskResult.objects.filter(task_path=RIVALS_TASK_PATH).count() == 1
    kb_rivals.call(kb.p.region.pk)  # what the worker runs
    assert len(calls) == 1
    html = client.get(RIVALS).content.decode()
    assert "Найдено пар: <strong>1</strong>" in html and TWIN_QUESTION in html
    assert len(calls) == 1
    assert f'href="/staff/kb/articles/{twin.pk}/"' in html


def _article_page(client, article) -> str:
    return client.get(f"/staff/kb/articles/{article.pk}/").content.decode()


def test_an_articles_page_names_its_twin_and_a_drafts_page_the_live_article_it_repeats(client, kb):
    client.force_login(kb.p.editor)
    assert "Похожая статья" not in _article_page(client, kb.first_grade)
    draft = _twin(kb, status=Article.Status.DRAFT)
    html = _article_page(client, draft)  # not live: asked as a citizen would ask it
    assert "Похожая статья" in html and "бот ответил бы статьёй" in html
    assert f'<a href="/staff/kb/articles/{kb.first_grade.pk}/">{kb.first_grade.question}</a>' in html
    services.article_set_status(article=draft, status=Article.Status.PUBLISHED, editor=kb.p.editor)
    registry.reset()
    html = _article_page(client, kb.first_grade)  # live: its question asked of the others
    assert "бот без неё ответил бы статьёй" in html
    assert f'<a href="/staff/kb/articles/{draft.pk}/">{TWIN_QUESTION}</a>' in html
    assert "Похожая статья" not in _article_page(client, kb.queue)


def test_an_organization_editor_sees_the_twin_but_no_link_to_an_article_it_may_not_edit(client, kb):
    twin = _twin(kb, scope_organization=kb.p.body_a)
    client.force_login(kb.local_editor)
    html = _article_page(client, twin)
    assert "Похожая статья" in html and kb.first_grade.question in html
    assert f'href="/staff/kb/articles/{kb.first_grade.pk}/"' not in html


def _hubs(kb, figures, questions=600):
    from django.core.cache import cache

    from otklik.kb import engine

    stamp = "2026-12-07T09:30:00+00:00"
    cache.set(engine._hubs_key(kb.p.region.pk), {"stamp": stamp, "questions": questions, "hubs": figures})


def _general(html: str) -> str:
    return html[html.index('id="general"') :]


def test_articles_worded_too_generally_are_named_once_the_log_is_read(client, kb):
    client.force_login(kb.p.editor)
    assert "Журнал вопросов ещё не разобран" in _general(client.get(RIVALS).content.decode())
    _hubs(kb, {kb.first_grade.pk: 1.2, kb.queue.pk: 1.8, kb.local.pk: 3.1, kb.fee.pk: 4.0})
    section = _general(client.get(RIVALS).content.decode())
    assert "По 600 вопросам журнала, разобранным 7 декабря 2026" in section
    assert section.index(kb.local.question) < section.index(kb.queue.question)  # strongest first
    assert f'href="/staff/kb/articles/{kb.queue.pk}/"' in section
    assert section.count("притягивает сильно") == 1
    assert kb.first_grade.question not in section  # below the shown pull
    assert kb.fee.question not in section  # a draft: the bot does not offer it
    # An organization's editor sees only its own articles.
    client.force_login(kb.local_editor)
    section = _general(client.get(RIVALS).content.decode())
    assert kb.local.question in section and kb.queue.question not in section


def test_a_short_log_is_explained(client, kb):
    _hubs(kb, {}, questions=40)
    client.force_login(kb.p.editor)
    section = _general(client.get(RIVALS).content.decode())
    assert "Таких статей нет (по 40 вопросам журнала" in section
    assert "нужно не меньше 200 вопросов" in section
