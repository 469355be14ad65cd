"""Every write of surveys: creating and publishing them, their questions, and respondents' answers."""

import hashlib
import hmac
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from otklik.nlp.pii import mask_personal_data
from otklik.orgs.models import Organization, Territory
from otklik.surveys.models import AgeGroup, Answer, Option, Question, RespondentRole, Response, Sex, Survey

MAX_TEXT = 2000
MAX_OPTIONS = 30
MAX_QUESTIONS = 50
ALREADY_ANSWERED = "Вы уже ответили на этот опрос. Спасибо! Повторный ответ не учитывается."


class SurveyError(ValidationError):
    pass


def respondent_hash(*, survey: Survey, token: str) -> str:
    """HMAC-SHA256 of the browser token with the survey's salt under the site key.

    The same browser gets the same hash within one survey, different hashes across surveys, and
    nobody (including us) can turn the hash back into a token without the key."""
    key = hashlib.sha256(f"otklik.surveys:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, f"{survey.salt}:{token}".encode(), hashlib.sha256).hexdigest()


def _check_period(opens_at: datetime | None, closes_at: datetime | None) -> None:
    if opens_at and closes_at and opens_at >= closes_at:
        raise SurveyError({"closes_at": "Окончание должно быть позже начала."})


def survey_create(
    *,
    organization: Organization,
    actor,
    title: str,
    kind: str,
    description: str = "",
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    asks_profile: bool = True,
    results_public: bool = True,
    is_synthetic: bool = False,
) -> Survey:
    """A new survey in draft: questions are added before it opens."""
    if kind not in Survey.Kind.values:
        raise SurveyError({"kind": "Выберите вид из списка."})
    _check_period(opens_at, closes_at)
    return Survey.objects.create(
        region_id=organization.region_id,
        organization=organization,
        created_by=actor,
        title=title.strip(),
        description=description.strip(),
        kind=kind,
        opens_at=opens_at,
        closes_at=closes_at,
        asks_profile=asks_profile,
        results_public=results_public,
        is_synthetic=is_synthetic,
    )


def survey_update(*, survey: Survey, **fields) -> Survey:
    """Title, description, period and the profile block; the kind is fixed once answers exist."""
    if "kind" in fields and fields["kind"] != survey.kind and survey.responses.exists():
        raise SurveyError({"kind": "Вид нельзя изменить: на опрос уже отвечали."})
    _check_period(fields.get("opens_at", survey.opens_at), fields.get("closes_at", survey.closes_at))
    for name, value in fields.items():
        setattr(survey, name, value)
    survey.save()
    return survey


def _check_ready(survey: Survey) -> None:
    questions = list(survey.questions.prefetch_related("options"))
    if not questions:
        raise SurveyError("Добавьте хотя бы один вопрос.")
    for question in questions:
        if question.has_options and len(question.options.all()) < 2:
            raise SurveyError(f"У вопроса «{question.text}» должно быть не меньше двух вариантов.")
    if survey.kind == Survey.Kind.VOTE and (len(questions) != 1 or questions[0].kind != Question.Kind.SINGLE):
        raise SurveyError("Голосование — один вопрос с выбором одного проекта.")


@transaction.atomic
def survey_set_status(*, survey: Survey, status: str) -> Survey:
    """Open (checks the questions), close, or return to draft (only while nobody has answered)."""
    if status not in Survey.Status.values:
        raise SurveyError("Неизвестный статус.")
    if status == Survey.Status.OPEN:
        _check_ready(survey)
    if status == Survey.Status.DRAFT and survey.responses.exists():
        raise SurveyError("На опрос уже отвечали: вернуть его в черновик нельзя, можно только завершить.")
    survey.status = status
    survey.save(update_fields=["status", "updated_at"])
    return survey


def _editable(survey: Survey) -> None:
    if survey.status != Survey.Status.DRAFT or survey.responses.exists():
        raise SurveyError("Вопросы меняются только в черновике, пока на опрос никто не ответил.")


@transaction.atomic
def question_add(
    *, survey: Survey, text: str, kind: str, required: bool = True, options: list[tuple[str, str]] = ()
) -> Question:
    """A question with its options, given as (text, description) pairs (a project in a vote)."""
    _editable(survey)
    text = (text or "").strip()
    if not text:
        raise SurveyError({"text": "Напишите вопрос."})
    if kind not in Question.Kind.values:
        raise SurveyError({"kind": "Выберите вид вопроса из списка."})
    count = survey.questions.count()
    if count >= MAX_QUESTIONS:
        raise SurveyError(f"В опросе не больше {MAX_QUESTIONS} вопросов.")
    if survey.kind == Survey.Kind.VOTE and (count or kind != Question.Kind.SINGLE):
        raise SurveyError({"kind": "В голосовании один вопрос с выбором одного проекта."})
    options = [(t.strip(), d.strip()) for t, d in options if t.strip()]
    if kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE) and len(options) < 2:
        raise SurveyError({"options": "Укажите не меньше двух вариантов, по одному в строке."})
    if len(options) > MAX_OPTIONS:
        raise SurveyError({"options": f"Не больше {MAX_OPTIONS} вариантов."})
    question = Question.objects.create(
        survey=survey, text=text, kind=kind, required=required, position=count + 1
    )
    if question.has_options:
        Option.objects.bulk_create(
            Option(question=question, position=i, text=t, description=d)
            for i, (t, d) in enumerate(options, 1)
        )
    return question


def question_delete(*, question: Question) -> None:
    _editable(question.survey)
    question.delete()


@transaction.atomic
def response_submit(
    *,
    survey: Survey,
    token: str,
    answers: dict[int, object],
    profile: dict | None = None,
    now: datetime | None = None,
    is_synthetic: bool = False,
) -> Response:
    """Record one respondent's answers: `answers` maps a question id to an Option, a list of Options,
    a scale value 1–5 or a text (None or empty when skipped); `profile` holds the optional
    age_group, sex, role and territory. Refuses a closed survey, a repeated respondent and answers
    that do not fit the questions, and then writes nothing."""
    state = survey.state(now)
    if state != "open":
        raise SurveyError("Опрос сейчас не принимает ответы.")
    digest = respondent_hash(survey=survey, token=token)
    if Response.objects.filter(survey=survey, respondent_hash=digest).exists():
        raise SurveyError(ALREADY_ANSWERED, code="duplicate")
    rows, errors = _answer_rows(survey, answers)
    profile = _clean_profile(survey, profile or {}, errors)
    if errors:
        raise SurveyError(errors)
    try:
        with transaction.atomic():
            response = Response.objects.create(
                survey=survey,
                respondent_hash=digest,
                submitted_at=now or timezone.now(),
                is_synthetic=is_synthetic,
                **profile,
            )
    except IntegrityError as exc:  # the same respondent submitted twice at the same moment
        raise SurveyError(ALREADY_ANSWERED, code="duplicate") from exc
    for row in rows:
        row.response = response
    Answer.objects.bulk_create(rows)
    return response


def _answer_rows(survey: Survey, answers: dict[int, object]) -> tuple[list[Answer], dict[str, str]]:
    rows: list[Answer] = []
    errors: dict[str, str] = {}
    for question in survey.questions.prefetch_related("options"):
        value = answers.get(question.pk)
        field = f"q{question.pk}"
        if value in (None, "", []):
            if question.required:
                errors[field] = "Ответьте на этот вопрос."
            continue
        if question.has_options:
            chosen = value if isinstance(value, list) else [value]
            allowed = {o.pk for o in question.options.all()}
            if any(getattr(o, "pk", None) not in allowed for o in chosen) or (
                question.kind == Question.Kind.SINGLE and len(chosen) > 1
            ):
                errors[field] = "Выберите вариант из предложенных."
                continue
            rows += [Answer(question=question, option=o) for o in chosen]
        elif question.kind == Question.Kind.SCALE:
            if not isinstance(value, int) or not 1 <= value <= 5:
                errors[field] = "Оценка — число от 1 до 5."
                continue
            rows.append(Answer(question=question, scale=value))
        else:
            text = str(value).strip()
            if len(text) > MAX_TEXT:
                errors[field] = f"Ответ длиннее {MAX_TEXT} символов — сократите его."
                continue
            # The survey is anonymous: contacts typed into an answer are masked before it is kept.
            rows.append(Answer(question=question, text=mask_personal_data(text)))
    return rows, errors


def _clean_profile(survey: Survey, profile: dict, errors: dict[str, str]) -> dict:
    if not survey.asks_profile:
        return {}
    cleaned = {}
    for name, choices in (("age_group", AgeGroup), ("sex", Sex), ("role", RespondentRole)):
        value = profile.get(name) or ""
        if value and value not in choices.values:
            errors[name] = "Выберите вариант из списка или оставьте поле пустым."
        cleaned[name] = value
    territory = profile.get("territory")
    if territory is not None and (
        not isinstance(territory, Territory) or territory.region_id != survey.region_id
    ):
        errors["territory"] = "Выберите территорию из списка или оставьте поле пустым."
    cleaned["territory"] = territory
    return cleaned
