"""A small knowledge base for the view and service tests: four articles in a two-level tree."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from otklik.kb import services
from otklik.kb.engine import registry
from otklik.kb.models import Article
from otklik.kb.transfer import kb_import, kb_parse
from otklik.testing import Personas, make_staff

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
    answer: С **1 апреля** для детей с закреплённой территории, с 6 июля — для остальных.
    legal_basis: Приказ Минпросвещения России от 02.09.2020 № 458
    paraphrases: [когда запись в первый класс, с какого числа записывают в 1 класс]
  - slug: kindergarten-queue
    category: preschool
    question: Как узнать место ребёнка в очереди в детский сад?
    answer: Позицию в очереди показывает личный кабинет на Госуслугах.
    paraphrases: [где посмотреть очередь в садик]
  - slug: kindergarten-fee
    category: preschool
    question: Сколько стоит детский сад?
    answer: Размер платы устанавливает муниципалитет.
    status: draft
"""


@dataclass
class Kb:
    p: Personas
    first_grade: Article
    queue: Article
    fee: Article
    local: Article  # scoped to municipal body A
    local_editor: object  # an editor of municipal body A


def fake_decision(action="abstain", article_ids=(), confidence=0.0):
    """A stand-in for the engine's Decision, so log and queue tests do not depend on its scores."""
    from otklik.nlp.faq import Candidate, Decision

    candidates = [Candidate(article_id=pk, score=0.9 - n / 10) for n, pk in enumerate(article_ids)]
    return Decision(
        candidates=candidates, scores={}, action=action, confidence=confidence, normalized="нормализовано"
    )


def load_kb(region, user=None, text=KB_YAML, status=None):
    categories, articles = kb_parse(content=text.encode(), filename="kb.yaml")
    return kb_import(region=region, categories=categories, articles=articles, user=user, status=status)


@pytest.fixture
def kb(personas) -> Kb:
    load_kb(personas.region, user=personas.editor)
    queue = Article.objects.get(slug="kindergarten-queue")
    Article.objects.filter(pk=queue.pk).update(review_at=timezone.localdate() - timedelta(days=1))
    local = services.article_create(
        region=personas.region,
        category=queue.category,
        question="Где в Северном районе взять форму для школы?",
        answer="В управлении образования А.",
        scope_organization=personas.body_a,
        status=Article.Status.PUBLISHED,
        author=personas.editor,
    )
    registry.reset()
    return Kb(
        p=personas,
        first_grade=Article.objects.get(slug="first-grade-dates"),
        queue=Article.objects.get(pk=queue.pk),
        fee=Article.objects.get(slug="kindergarten-fee"),
        local=local,
        local_editor=make_staff(personas.body_a, "editor", "p_local_editor"),
    )
