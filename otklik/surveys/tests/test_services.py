from datetime import timedelta

import pytest
from django.utils import timezone

from otklik.surveys import services
from otklik.surveys.models import Answer, Response, Survey
from otklik.surveys.services import SurveyError
from otklik.surveys.tests.base import answer, make_poll, questions


def test_response_records_answers_and_profile_without_the_token(personas):
    survey = make_poll(personas.ministry)
    response = answer(
        survey, "Да", ["Сайт", "Бот"], 4, "Больше овощей", role="parent", territory=personas.territory_a
    )
    assert (response.role, response.territory, response.sex) == ("parent", personas.territory_a, "")
    assert sorted(str(a) for a in response.answers.all()) == sorted(
        ["Да", "Сайт", "Бот", "4", "Больше овощей"]
    )
    assert "token" not in response.respondent_hash and len(response.respondent_hash) == 64


def test_same_respondent_answers_once_and_the_hash_differs_between_surveys(personas):
    first, second = make_poll(personas.ministry), make_poll(personas.ministry)
    q1, q2, q3, _ = questions(first)
    answers = {q1.pk: q1.options.first(), q2.pk: [q2.options.first()], q3.pk: 3}
    services.response_submit(survey=first, token="same", answers=answers)
    with pytest.raises(SurveyError, match="уже ответили"):
        services.response_submit(survey=first, token="same", answers=answers)
    assert first.responses.count() == 1 and Answer.objects.filter(response__survey=first).count() == 3
    assert services.respondent_hash(survey=first, token="same") != services.respondent_hash(
        survey=second, token="same"
    )


@pytest.mark.parametrize(
    ("status", "shift_open", "shift_close"),
    [
        (Survey.Status.DRAFT, None, None),
        (Survey.Status.CLOSED, None, None),
        (Survey.Status.OPEN, timedelta(hours=1), None),  # not yet open
        (Survey.Status.OPEN, None, timedelta(hours=-1)),  # period over
    ],
)
def test_survey_outside_its_period_or_status_takes_no_answers(personas, status, shift_open, shift_close):
    now = timezone.now()
    survey = make_poll(personas.ministry, opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=1))
    Survey.objects.filter(pk=survey.pk).update(
        status=status,
        opens_at=now + shift_open if shift_open else survey.opens_at,
        closes_at=now + shift_close if shift_close else survey.closes_at,
    )
    survey.refresh_from_db()
    with pytest.raises(SurveyError, match="не принимает"):
        answer(survey, "Да", ["Сайт"], 5)
    assert Response.objects.count() == 0


def test_answers_that_do_not_fit_are_refused_with_every_reason_and_nothing_written(personas):
    survey = make_poll(personas.ministry)
    other = make_poll(personas.ministry)
    q1, q2, q3, q4 = questions(survey)
    from otklik.orgs.models import Region, Territory

    far = Territory.objects.create(
        region=Region.objects.create(code="far", name="Другая", timezone="UTC", appeal_prefix="X"),
        code="F",
        name="F",
    )
    with pytest.raises(SurveyError) as caught:
        services.response_submit(
            survey=survey,
            token="t",
            answers={q1.pk: questions(other)[0].options.first(), q2.pk: [], q3.pk: 7, q4.pk: "я" * 2001},
            profile={"role": "boss", "territory": far},
        )
    assert caught.value.message_dict == {
        f"q{q1.pk}": ["Выберите вариант из предложенных."],
        f"q{q2.pk}": ["Ответьте на этот вопрос."],
        f"q{q3.pk}": ["Оценка — число от 1 до 5."],
        f"q{q4.pk}": ["Ответ длиннее 2000 символов — сократите его."],
        "role": ["Выберите вариант из списка или оставьте поле пустым."],
        "territory": ["Выберите территорию из списка или оставьте поле пустым."],
    }
    assert Response.objects.count() == 0 and Answer.objects.count() == 0


def test_vote_is_one_single_choice_question_of_projects(personas):
    vote = services.survey_create(
        organization=personas.ministry, actor=None, title="Голосование", kind="vote"
    )
    with pytest.raises(SurveyError):
        services.survey_set_status(survey=vote, status="open")
    with pytest.raises(SurveyError):
        services.question_add(
            survey=vote, text="Какие проекты?", kind="multiple", options=[("А", ""), ("Б", "")]
        )
    services.question_add(
        survey=vote,
        text="Какой проект?",
        kind="single",
        options=[("Сквер", "у школы"), ("Спортплощадка", "")],
    )
    with pytest.raises(SurveyError):
        services.question_add(survey=vote, text="Ещё?", kind="single", options=[("А", ""), ("Б", "")])
    services.survey_set_status(survey=vote, status="open")
    assert vote.status == "open" and vote.questions.get().options.first().description == "у школы"


def test_questions_are_frozen_once_answered_and_answered_survey_cannot_become_draft(personas):
    survey = make_poll(personas.ministry)
    answer(survey, "Да", ["Сайт"], 5)
    with pytest.raises(SurveyError, match="только в черновике"):
        services.question_delete(question=questions(survey)[0])
    with pytest.raises(SurveyError, match="уже отвечали"):
        services.survey_set_status(survey=survey, status="draft")
    services.survey_set_status(survey=survey, status="closed")
    assert survey.questions.count() == 4 and survey.status == "closed"


def test_question_needs_two_options_and_a_period_ends_after_it_starts(personas):
    survey = make_poll(personas.ministry, status=Survey.Status.DRAFT)
    with pytest.raises(SurveyError):
        services.question_add(survey=survey, text="Один?", kind="single", options=[("Только", "")])
    now = timezone.now()
    with pytest.raises(SurveyError):
        services.survey_update(survey=survey, opens_at=now, closes_at=now - timedelta(days=1))
    assert survey.questions.count() == 4


def test_contacts_typed_into_a_free_answer_are_masked_before_it_is_kept(personas):
    survey = make_poll(personas.ministry)
    response = answer(
        survey, "Да", ["Сайт"], 2, "Позвоните мне: +7 (912) 345-67-89 или anna.p@mail.ru, в столовой холодно"
    )
    [text] = [a.text for a in response.answers.all() if a.text]
    assert "345-67-89" not in text and "anna.p@mail.ru" not in text
    assert text.startswith("Позвоните мне: ") and text.endswith("в столовой холодно")
