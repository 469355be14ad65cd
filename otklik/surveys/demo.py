"""Three clearly labelled synthetic surveys with a few hundred invented answers: the ministry's
satisfaction survey (open), a poll on school meals with breakdowns (open), a vote on projects (closed).
Tendencies differ by group on purpose, so that the breakdowns show something."""

from datetime import timedelta

from django.utils import timezone

from otklik.surveys import services
from otklik.surveys.models import AgeGroup, RespondentRole, Sex, Survey

ORDER = 55
NOTE = "Демонстрационный опрос: вопросы и все ответы вымышлены."

REMARKS = [
    "Ответ пришёл быстро, спасибо.",
    "Хотелось бы меньше канцелярских формулировок в ответе.",
    "Долго ждали ответа, почти месяц.",
    "Не сразу понятно, куда обращаться — сделайте подсказку на сайте.",
    "Бот ответил сразу, обращение не понадобилось.",
    "Просим сообщать о ходе рассмотрения по почте.",
    "Специалист перезвонил и всё объяснил, очень помогло.",
    "Ответ формальный, проблема не решена.",
]
MEAL_REMARKS = [
    "Больше овощей и фруктов.",
    "Каша часто холодная.",
    "Хотелось бы выбор из двух блюд.",
    "Порции маленькие для третьеклассников.",
    "Всё нравится, спасибо поварам.",
]


def _weighted(rng, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def _profile(rng, territories, role_weights):
    """A respondent's optional block; about one in ten skips it, and some fields are left empty."""
    if rng.random() < 0.1:
        return {}
    return {
        "role": _weighted(rng, role_weights),
        "age_group": rng.choice([a for a, _ in AgeGroup.choices]) if rng.random() < 0.9 else "",
        "sex": _weighted(rng, [(Sex.FEMALE, 62), (Sex.MALE, 33), ("", 5)]),
        "territory": rng.choice(territories) if rng.random() < 0.85 else None,
    }


def _survey(org, actor, title, kind, questions, opens_at, closes_at):
    survey = services.survey_create(
        organization=org,
        actor=actor,
        title=title,
        kind=kind,
        description=NOTE,
        opens_at=opens_at,
        closes_at=closes_at,
        is_synthetic=True,
    )
    made = [
        services.question_add(survey=survey, text=text, kind=qkind, required=required, options=options)
        for text, qkind, required, options in questions
    ]
    services.survey_set_status(survey=survey, status=Survey.Status.OPEN)
    return survey, made


def _submit(ctx, survey, n, answers_of, territories, role_weights, start, end):
    span = (end - start).total_seconds()
    for i in range(n):
        profile = _profile(ctx.rng, territories, role_weights)
        services.response_submit(
            survey=survey,
            token=f"demo-{survey.pk}-{i}",
            answers=answers_of(profile.get("role", "")),
            profile=profile,
            now=start + timedelta(seconds=ctx.rng.random() * span),
            is_synthetic=True,
        )


def seed(ctx) -> None:
    rng = ctx.rng
    now = timezone.now()
    ministry = next(o for o in ctx.orgs.values() if o.kind == "ministry")
    body = next(o for o in ctx.orgs.values() if o.kind == "municipal_body")
    territories = list(ctx.territories.values())
    analyst = ctx.users.get("analyst")

    # 1. The ministry's satisfaction survey after an answer (linked from the appeal status page).
    opened = now - timedelta(days=60)
    survey, (score, clear, channels, remark) = _survey(
        ministry,
        analyst,
        "Удовлетворённость рассмотрением обращений",
        Survey.Kind.SATISFACTION,
        [
            ("Насколько вы удовлетворены ответом на обращение?", "scale", True, []),
            (
                "Был ли ответ понятным?",
                "single",
                True,
                [("Да", ""), ("Скорее да", ""), ("Скорее нет", ""), ("Нет", "")],
            ),
            (
                "Как вы обращались?",
                "multiple",
                True,
                [("Telegram-бот", ""), ("Форма на сайте", ""), ("Горячая линия", ""), ("Личный приём", "")],
            ),
            ("Что нам улучшить?", "text", False, []),
        ],
        opened,
        now + timedelta(days=120),
    )
    clear_options = list(clear.options.all())
    channel_options = list(channels.options.all())

    def satisfaction_answers(role):
        value = _weighted(rng, [(5, 38), (4, 27), (3, 14), (2, 11), (1, 10)])
        return {
            score.pk: value,
            clear.pk: clear_options[min(3, max(0, 5 - value - rng.randint(0, 1)))],
            channels.pk: rng.sample(channel_options, rng.choice([1, 1, 1, 2])),
            remark.pk: rng.choice(REMARKS) if rng.random() < 0.25 else "",
        }

    parents_first = [(RespondentRole.PARENT, 60), (RespondentRole.STUDENT, 10), (RespondentRole.TEACHER, 15)]
    _submit(ctx, survey, 220, satisfaction_answers, territories, [*parents_first, ("other", 15)], opened, now)

    # 2. An opinion poll of a municipal body with the socio-demographic block.
    opened = now - timedelta(days=25)
    poll, (meals, hot, taste, wish) = _survey(
        body,
        analyst,
        "Горячее питание в начальной школе",
        Survey.Kind.POLL,
        [
            (
                "Устраивает ли вас горячее питание в школе?",
                "single",
                True,
                [("Полностью устраивает", ""), ("Частично", ""), ("Не устраивает", "")],
            ),
            (
                "Блюда подают горячими?",
                "single",
                True,
                [("Всегда", ""), ("Иногда", ""), ("Почти никогда", "")],
            ),
            ("Оцените вкус блюд", "scale", True, []),
            ("Ваши предложения", "text", False, []),
        ],
        opened,
        now + timedelta(days=35),
    )
    meal_options, hot_options = list(meals.options.all()), list(hot.options.all())

    def meal_answers(role):
        # Pupils like the food more than parents do; teachers are in between.
        mood = {RespondentRole.STUDENT: 0.7, RespondentRole.TEACHER: 0.5}.get(role, 0.35)
        happy = rng.random() < mood
        return {
            meals.pk: meal_options[0] if happy else rng.choice(meal_options[1:]),
            hot.pk: hot_options[0] if rng.random() < mood + 0.15 else rng.choice(hot_options[1:]),
            taste.pk: rng.choice([4, 5]) if happy else rng.choice([2, 3, 3, 4]),
            wish.pk: rng.choice(MEAL_REMARKS) if rng.random() < 0.2 else "",
        }

    roles = [
        (RespondentRole.PARENT, 55),
        (RespondentRole.STUDENT, 25),
        (RespondentRole.TEACHER, 15),
        ("other", 5),
    ]
    _submit(ctx, poll, 300, meal_answers, territories, roles, opened, now)

    # 3. A finished vote on projects paid for from the budget.
    opened, closed = now - timedelta(days=75), now - timedelta(days=45)
    vote, (projects,) = _survey(
        ministry,
        analyst,
        "Голосование: проект «Школьный двор» 2026",
        Survey.Kind.VOTE,
        [
            (
                "Какой проект благоустройства школьных дворов реализовать первым?",
                "single",
                True,
                [
                    ("Спортивные площадки", "Тренажёры и покрытие для уроков физкультуры на улице."),
                    ("Безопасные подходы", "Освещение, тротуары и пешеходные переходы у школ."),
                    ("Зелёные классы", "Площадки для уроков на открытом воздухе."),
                    ("Велопарковки", "Крытые стоянки для велосипедов и самокатов."),
                ],
            )
        ],
        opened,
        closed,
    )
    project_options = list(projects.options.all())

    def vote_answers(role):
        return {projects.pk: _weighted(rng, zip(project_options, [34, 41, 15, 10], strict=True))}

    _submit(ctx, vote, 250, vote_answers, territories, [*parents_first, ("other", 15)], opened, closed)
    services.survey_set_status(survey=vote, status=Survey.Status.CLOSED)
    ctx.say(
        "Опросы: удовлетворённость (220 ответов), питание (300), голосование по проектам (250, завершено)."
    )
