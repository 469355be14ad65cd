"""Factories of the surveys tests: a poll with every kind of question, answered by known respondents."""

import itertools

from otklik.surveys import services
from otklik.surveys.models import Question, Survey

_tokens = itertools.count(1)


def make_poll(org, *, actor=None, status=Survey.Status.OPEN, kind=Survey.Kind.POLL, **kw) -> Survey:
    """Q1 single (Да/Нет), Q2 multiple (Сайт/Бот/Школа), Q3 scale, Q4 optional free text."""
    survey = services.survey_create(
        organization=org, actor=actor, title=kw.pop("title", "Опрос о питании"), kind=kind, **kw
    )
    services.question_add(
        survey=survey, text="Довольны ли вы питанием?", kind="single", options=[("Да", ""), ("Нет", "")]
    )
    services.question_add(
        survey=survey,
        text="Откуда узнаёте новости?",
        kind="multiple",
        options=[("Сайт", ""), ("Бот", ""), ("Школа", "")],
    )
    services.question_add(survey=survey, text="Оцените качество блюд", kind="scale")
    services.question_add(survey=survey, text="Что улучшить?", kind="text", required=False)
    if status != Survey.Status.DRAFT:
        services.survey_set_status(survey=survey, status=Survey.Status.OPEN)
    if status == Survey.Status.CLOSED:
        services.survey_set_status(survey=survey, status=status)
    return survey


def questions(survey: Survey) -> tuple[Question, Question, Question, Question]:
    return tuple(survey.questions.order_by("position"))


def answer(survey: Survey, single: str, multiple: list[str], scale: int, text: str = "", now=None, **profile):
    """Submit one response through the service (at `now`), naming options by their text."""
    q1, q2, q3, q4 = questions(survey)
    by_text = lambda q, t: q.options.get(text=t)  # noqa: E731
    return services.response_submit(
        survey=survey,
        token=f"token-{next(_tokens)}",
        answers={
            q1.pk: by_text(q1, single),
            q2.pk: [by_text(q2, t) for t in multiple],
            q3.pk: scale,
            q4.pk: text,
        },
        profile=profile,
        now=now,
    )
