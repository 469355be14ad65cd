"""What the query log teaches the engine without labels: articles that draw too many questions."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from otklik.kb import engine as kb_engine
from otklik.kb.engine import HUB_EVERY, hubs_compute, hubs_stored, registry
from otklik.kb.models import Query
from otklik.kb.tasks import HUBS_FIRST_AFTER, hubs_ensure, kb_hubs
from otklik.orgs.models import Region

ASKED = [
    "очередь в детский сад {}",
    "запись в первый класс, ребенку {} лет",
    "форма для школы в Северном районе, размер {}",
    "садик очередь не двигается уже {} месяцев",
]


def _text(n: int) -> str:
    return ASKED[n % len(ASKED)].format(n)


def _log(region, count, at=None):
    at = at or timezone.now()
    Query.objects.bulk_create(
        Query(
            region=region,
            created_at=at - timedelta(minutes=n),
            channel="telegram",
            text=_text(n),
            decision=Query.Decision.CHOICES,
        )
        for n in range(count)
    )


@pytest.fixture(autouse=True)
def _lexical(settings):
    settings.NLP_VECTORS = False  # hubness asks every logged question: words are enough here
    registry.reset()
    yield
    registry.reset()


def _task_path() -> str:
    return kb_hubs.module_path


def test_the_worker_learns_the_hubs_from_the_log_and_every_process_applies_them(kb):
    region = kb.p.region
    _log(region, 240)
    _log(region, 50, at=timezone.now() - timedelta(days=400))  # older than a year: not read
    assert hubs_stored(region.pk) is None
    assert kb_hubs.call(region.pk) == 3  # what the worker runs: one figure per live article
    stored = hubs_stored(region.pk)
    assert stored["questions"] == 240 and stored["stamp"]
    hubs = stored["hubs"]
    assert set(hubs) == {kb.first_grade.pk, kb.queue.pk, kb.local.pk}
    assert any(hubs.values())
    # The year's questions, newest first, as the engine measures them.
    assert registry.engine(region.pk).hubness([_text(n) for n in range(240)]) == hubs
    # The next run is a day later, queued once.
    (queued,) = DBTaskResult.objects.filter(task_path=_task_path(), status="READY")
    assert queued.args_kwargs["args"] == [region.pk]
    assert queued.run_after - timezone.now() == pytest.approx(HUB_EVERY, abs=timedelta(minutes=1))
    # Another process (the web server, the bot) applies them to its own index.
    registry.reset()
    engine = registry.engine(region.pk)
    assert engine.hubs == hubs
    plain = registry.ask(region.pk, "очередь в детский сад")
    engine.set_hubs({})
    unchanged = registry.ask(region.pk, "очередь в детский сад")
    assert plain.candidates[0].article_id == unchanged.candidates[0].article_id == kb.queue.pk
    corrected = {c.article_id: c.score for c in plain.candidates}
    for candidate in unchanged.candidates:
        expected = candidate.score - engine.config.hub_weight * hubs[candidate.article_id]
        assert corrected[candidate.article_id] == pytest.approx(expected, abs=1e-4)


def test_newer_figures_reach_a_running_process(kb, monkeypatch):
    region = kb.p.region
    engine = registry.engine(region.pk)
    assert engine.hubs == {}
    figures = {kb.queue.pk: 1.5, kb.first_grade.pk: -0.5}
    cache.set(kb_engine._hubs_key(region.pk), {"stamp": "x", "questions": 300, "hubs": figures})
    assert registry.engine(region.pk).hubs == {}  # looked at once a minute, not on every question
    monkeypatch.setattr("otklik.kb.engine.CHECK_EVERY_S", 0.0)
    monkeypatch.setattr("otklik.kb.engine.HUB_CHECK_S", 0.0)
    assert registry.engine(region.pk).hubs == figures
    cache.delete(kb_engine._hubs_key(region.pk))
    assert registry.engine(region.pk).hubs == {}


def test_a_short_log_teaches_nothing_yet(kb):
    _log(kb.p.region, 20)
    stored = hubs_compute(kb.p.region.pk)
    assert stored["questions"] == 20 and stored["hubs"] == {}
    assert registry.engine(kb.p.region.pk).hubs == {}


def test_the_worker_arms_one_daily_chain_per_region(kb):
    other = Region.objects.create(name="Другой регион", code="other", timezone="Europe/Moscow")
    assert hubs_ensure() == Region.objects.count()
    assert hubs_ensure() == 0  # a restart does not fork a second chain
    queued = DBTaskResult.objects.filter(task_path=_task_path(), status="READY")
    assert sorted(r.args_kwargs["args"][0] for r in queued) == sorted([kb.p.region.pk, other.pk])
    assert all(r.run_after > timezone.now() + HUBS_FIRST_AFTER - timedelta(minutes=1) for r in queued)
    other.delete()
    assert kb_hubs.call(other.pk) == 0  # a region deleted meanwhile ends its chain
    assert DBTaskResult.objects.filter(task_path=_task_path(), status="READY").count() == 2
