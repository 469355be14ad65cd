"""Reads of surveys: what staff may see, what a respondent meets, and the results with breakdowns."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from django.db.models import Avg, Count, Q, QuerySet
from django.utils import timezone

from otklik.accounts.roles import Role
from otklik.accounts.selectors import scoped
from otklik.analytics.summaries import HIDDEN, HIDDEN_TOO, MIN_CELL, Share, Table
from otklik.nlp.cluster import cluster_representative, cluster_texts
from otklik.orgs.models import Organization, Territory
from otklik.orgs.selectors import organization_ancestors, subtree_q
from otklik.surveys.models import AgeGroup, Answer, Question, RespondentRole, Response, Sex, Survey
from otklik.surveys.services import respondent_hash

SURVEY_ROLES = {Role.ADMIN, Role.ANALYST, Role.COORDINATOR}
NOT_GIVEN = "не указано"
# attribute of Response → its label on the page
ATTRIBUTES = [("age_group", "Возраст"), ("sex", "Пол"), ("role", "Кто отвечал"), ("territory", "Территория")]


def surveys_for_staff(*, user) -> QuerySet[Survey]:
    return scoped(
        Survey.objects.select_related("organization", "region").annotate(n_responses=Count("responses")),
        user=user,
        roles=SURVEY_ROLES,
        org_field="organization",
    )


def surveys_open(*, region=None, now=None) -> list[Survey]:
    """Surveys a citizen can answer right now (the public list; the chat passes its region)."""
    now = now or timezone.now()
    candidates = Survey.objects.filter(status=Survey.Status.OPEN).select_related("organization", "region")
    if region is not None:
        candidates = candidates.filter(region=region)
    return [s for s in candidates.order_by("closes_at", "-created_at") if s.state(now) == "open"]


PUBLIC_FINISHED = 20  # finished surveys listed with their results on the public page


def surveys_finished_public(*, region, now=None) -> list[Survey]:
    """Finished surveys whose results are published, latest first (the public list)."""
    now = now or timezone.now()
    candidates = (
        Survey.objects.filter(region=region, results_public=True)
        .exclude(status=Survey.Status.DRAFT)
        .select_related("organization", "region")
        .order_by("-closes_at", "-updated_at")
    )
    return [s for s in candidates[: PUBLIC_FINISHED * 3] if s.state(now) == "closed"][:PUBLIC_FINISHED]


def public_results(*, survey: Survey) -> dict | None:
    """What a finished survey shows everyone: shares of the options and scale averages of all
    respondents, no free texts and no breakdowns by group. Only the total below `MIN_CELL` responses
    (too few to publish without pointing at someone); None while open or when the organizers keep
    the results to themselves."""
    if not survey.results_public or survey.state() != "closed":
        return None
    results = survey_results(survey=survey)
    if results["total"] < MIN_CELL:
        return {"total": results["total"], "questions": [], "too_few": True}
    shown = [r for r in results["questions"] if r.question.kind != "text"]
    return {"total": results["total"], "questions": shown, "too_few": False}


def satisfaction_survey_for(*, organization: Organization | None, now=None) -> Survey | None:
    """The open satisfaction survey of the organization, else of the nearest organization above it."""
    if organization is None:
        return None
    chain = [organization, *reversed(organization_ancestors(org=organization))]
    found = {}
    for survey in Survey.objects.filter(
        kind=Survey.Kind.SATISFACTION, status=Survey.Status.OPEN, organization__in=chain
    ).order_by("-created_at"):
        if survey.state(now) == "open":
            found.setdefault(survey.organization_id, survey)
    return next((found[org.pk] for org in chain if org.pk in found), None)


def satisfaction_figures(
    *,
    user,
    since: datetime,
    until: datetime,
    territory_id: int | None = None,
    organization_id: int | None = None,
) -> dict:
    """The satisfaction surveys the user may see that were answered in [since, until): responses,
    the average of all their scale answers and the share of 4–5 among them, per survey and overall
    (the ministry dashboard). `organization_id` keeps the surveys of that organization's subtree,
    `territory_id` the responses whose respondent named that territory."""
    visible = surveys_for_staff(user=user).filter(kind=Survey.Kind.SATISFACTION)
    if organization_id:
        visible = visible.filter(subtree_q(organization_id=organization_id))
    surveys = {s.pk: s for s in visible.order_by("title")}
    answered = Response.objects.filter(
        survey__in=surveys.keys(), submitted_at__gte=since, submitted_at__lt=until
    )
    if territory_id:
        answered = answered.filter(territory_id=territory_id)
    responses = dict(answered.values("survey_id").annotate(n=Count("pk")).values_list("survey_id", "n"))
    scales = Answer.objects.filter(
        response__in=answered, question__kind=Question.Kind.SCALE, scale__isnull=False
    )
    high = Count("pk", filter=Q(scale__gte=4))
    per_survey = {
        row["response__survey_id"]: row
        for row in scales.values("response__survey_id").annotate(n=Count("pk"), avg=Avg("scale"), high=high)
    }

    def figures(row: dict | None) -> dict:
        if not row or not row["n"]:
            return {"average": None, "high_share": None}
        return {"average": round(row["avg"], 2), "high_share": Share(row["high"] / row["n"])}

    rows = [
        {"survey": surveys[pk], "responses": n, **figures(per_survey.get(pk))}
        for pk, n in sorted(responses.items(), key=lambda item: surveys[item[0]].title)
    ]
    return {
        "rows": rows,
        "responses": sum(responses.values()),
        **figures(scales.aggregate(n=Count("pk"), avg=Avg("scale"), high=high)),
    }


def has_answered(*, survey: Survey, digest: str) -> bool:
    return Response.objects.filter(survey=survey, respondent_hash=digest).exists()


def answered_ids(*, surveys: list[Survey], token: str) -> set[int]:
    """Which of `surveys` the respondent with `token` has already answered (one query)."""
    digests = {respondent_hash(survey=s, token=token) for s in surveys}
    return set(
        Response.objects.filter(survey__in=surveys, respondent_hash__in=digests).values_list(
            "survey_id", flat=True
        )
    )


# --- results ---------------------------------------------------------------------------------------


MIN_GROUPED = 5  # free-text answers from which grouping them says something


@dataclass
class QuestionResult:
    question: Question
    number: int
    answered: int = 0
    rows: list[dict] = field(default_factory=list)  # label, n, share (of those who answered)
    average: float | None = None
    texts: list[str] = field(default_factory=list)
    breakdowns: list[Table] = field(default_factory=list)

    @cached_property
    def groups(self) -> list[dict]:
        """The free-text answers grouped by what they say (the same grouping as the editors'
        queue), largest first: a typical answer as the label, the count, the share of the texts
        and a few examples. Groups of one are left out; nothing below `MIN_GROUPED` texts."""
        if len(self.texts) < MIN_GROUPED:
            return []
        members = defaultdict(list)
        for label, text in zip(cluster_texts(self.texts), self.texts, strict=True):
            if label >= 0:
                members[label].append(text)
        groups = [
            {
                "label": cluster_representative(texts),
                "n": len(texts),
                "share": Share(len(texts) / len(self.texts)),
                "examples": texts[:5],
            }
            for texts in members.values()
            if len(texts) > 1
        ]
        return sorted(groups, key=lambda g: (-g["n"], g["label"]))

    @property
    def chart(self) -> list[dict]:
        """Bars of the SVG chart of a scale: height in a 110-unit box above the baseline y=130."""
        top = max((r["n"] for r in self.rows), default=0) or 1
        bars = []
        for row in self.rows:
            height = round(110 * row["n"] / top)
            bars.append({**row, "h": height, "y": 130 - height})
        return bars


def suppress(matrix: list[list[int]], row_totals: list[int]) -> list[list[int | str]]:
    """Hide small figures of a cross-table so that no group of fewer than MIN_CELL people shows.

    A group (row) of fewer than MIN_CELL respondents is hidden whole; any other cell of 1..4 reads
    «<5»; then, while a row or a column has exactly one hidden cell, its smallest shown cell is
    hidden too («скрыто»), because row and column totals are published elsewhere."""
    out: list[list[int | str]] = [
        [HIDDEN if total < MIN_CELL or 0 < n < MIN_CELL else n for n in row]
        for row, total in zip(matrix, row_totals, strict=True)
    ]

    def hide_one_more(cells: list[tuple[int, int]]) -> bool:
        hidden = [c for c in cells if isinstance(out[c[0]][c[1]], str)]
        shown = [c for c in cells if not isinstance(out[c[0]][c[1]], str)]
        if len(hidden) != 1 or not shown:
            return False
        i, j = min(shown, key=lambda c: out[c[0]][c[1]])
        out[i][j] = HIDDEN_TOO
        return True

    width = len(matrix[0]) if matrix else 0
    changed = True
    while changed:
        changed = False
        for i in range(len(out)):
            changed |= hide_one_more([(i, j) for j in range(width)])
        for j in range(width):
            changed |= hide_one_more([(i, j) for i in range(len(out))])
    return out


def _groups(attribute: str, survey: Survey) -> list[tuple[object, str]]:
    if attribute == "territory":
        pairs = [
            (t.pk, t.name) for t in Territory.objects.filter(region_id=survey.region_id).order_by("name")
        ]
    else:
        choices = {"age_group": AgeGroup, "sex": Sex, "role": RespondentRole}[attribute].choices
        pairs = list(choices)
    return [*pairs, (None, NOT_GIVEN)]


def _columns(question: Question) -> list[tuple[object, str]]:
    if question.kind == Question.Kind.SCALE:
        return [(i, str(i)) for i in range(1, 6)]
    return [(o.pk, o.text) for o in question.options.all()]


def _value_key(question: Question) -> str:
    return "scale" if question.kind == Question.Kind.SCALE else "option_id"


def _breakdown(survey: Survey, result: QuestionResult, answers, attribute: str, label: str) -> Table:
    question = result.question
    group_field = f"response__{attribute}" + ("_id" if attribute == "territory" else "")
    answers = answers.filter(question=question)
    counts = {
        (row[group_field] or None, row[_value_key(question)]): row["n"]
        for row in answers.values(group_field, _value_key(question)).annotate(n=Count("pk"))
    }
    respondents = {
        row[group_field] or None: row["n"]
        for row in answers.values(group_field).annotate(n=Count("response_id", distinct=True))
    }
    groups = [g for g in _groups(attribute, survey) if respondents.get(g[0])]
    columns = _columns(question)
    totals = [respondents[key] for key, _ in groups]
    matrix = [[respondents[g]] + [counts.get((g, c), 0) for c, _ in columns] for g, _ in groups]
    cells = suppress(matrix, totals)
    header = [label, "Ответили", *[text for _, text in columns]]
    if question.kind == Question.Kind.SCALE:
        header.append("Средняя оценка")
        for row, (key, _), total in zip(cells, groups, totals, strict=True):
            weighted = sum(value * counts.get((key, value), 0) for value in range(1, 6))
            row.append(round(weighted / total, 2) if total >= MIN_CELL else HIDDEN)
    rows = [[name, *row] for (_, name), row in zip(groups, cells, strict=True)]
    return Table(f"Вопрос {result.number} × {label.lower()}", header, rows, note=question.text)


def responses_in(*, survey: Survey, since: datetime | None = None, until: datetime | None = None):
    """Responses of the survey submitted in [since, until); an open end is no bound."""
    responses = Response.objects.filter(survey=survey)
    if since is not None:
        responses = responses.filter(submitted_at__gte=since)
    if until is not None:
        responses = responses.filter(submitted_at__lt=until)
    return responses


def survey_results(
    *,
    survey: Survey,
    since: datetime | None = None,
    until: datetime | None = None,
    with_breakdowns: bool = True,
) -> dict:
    """Counts and shares per option, scale averages, free texts and, when the survey asks about the
    respondent, a cross-table of each closed question by each attribute with small cells hidden.
    Only responses submitted in [since, until) count, so every figure and every hidden cell is
    worked out within that period (the half-year analysis)."""
    questions = list(survey.questions.prefetch_related("options"))
    responses = responses_in(survey=survey, since=since, until=until)
    answers = Answer.objects.filter(question__survey=survey, response__in=responses)
    answered = dict(
        answers.values("question_id")
        .annotate(n=Count("response_id", distinct=True))
        .values_list("question_id", "n")
    )
    counts = defaultdict(int)
    for row in (
        answers.exclude(option=None, scale=None)
        .values("question_id", "option_id", "scale")
        .annotate(n=Count("pk"))
    ):
        counts[(row["question_id"], row["option_id"] or row["scale"])] = row["n"]
    texts = defaultdict(list)
    for question_id, text in (
        answers.exclude(text="").order_by("-response__submitted_at").values_list("question_id", "text")
    ):
        texts[question_id].append(text)
    results = []
    for number, question in enumerate(questions, 1):
        result = QuestionResult(question, number, answered.get(question.pk, 0), texts=texts[question.pk])
        n = result.answered
        for key, label in _columns(question) if question.kind != Question.Kind.TEXT else []:
            count = counts[(question.pk, key)]
            result.rows.append({"label": label, "n": count, "share": Share(count / n) if n else Share(0)})
        if question.kind == Question.Kind.SCALE and n:
            result.average = round(sum(k * counts[(question.pk, k)] for k in range(1, 6)) / n, 2)
        if survey.kind == Survey.Kind.VOTE:
            result.rows.sort(key=lambda r: -r["n"])
        if with_breakdowns and survey.asks_profile and question.kind != Question.Kind.TEXT:
            result.breakdowns = [
                _breakdown(survey, result, answers, attr, label) for attr, label in ATTRIBUTES
            ]
        results.append(result)
    return {"total": responses.count(), "questions": results}


def results_tables(*, survey: Survey, results: dict, period: str = "") -> list[Table]:
    """The results as tables: the summary, each breakdown, the free-text answers (for CSV and XLSX);
    `period` names the range of submission dates the figures cover."""
    summary = Table("Итоги", ["Вопрос", "Вариант", "Ответов", "Доля"], [])
    free = Table("Свободные ответы", ["Вопрос", "Ответ"], [])
    grouped = Table("Свободные ответы по группам", ["Вопрос", "Типичный ответ", "Ответов", "Доля"], [])
    grouped.note = (
        "Похожие по тексту ответы сгруппированы автоматически; группы из одного ответа не показаны."
    )
    breakdowns = []
    for result in results["questions"]:
        title = f"{result.number}. {result.question.text}"
        summary.rows.append([title, "ответили", result.answered, None])
        summary.rows += [[title, r["label"], r["n"], r["share"]] for r in result.rows]
        if result.average is not None:
            summary.rows.append([title, "средняя оценка", result.average, None])
        free.rows += [[title, text] for text in result.texts]
        grouped.rows += [[title, g["label"], g["n"], g["share"]] for g in result.groups]
        breakdowns += result.breakdowns
    summary.note = f"Всего ответов: {results['total']}. {survey.get_kind_display().capitalize()}."
    if period:
        summary.note += f" Период: {period}."
    return [summary, *breakdowns, *([grouped] if grouped.rows else []), free]
