"""Surveys answered inside the chat, in Telegram and the web chat alike.

Single-choice and scale questions are buttons; a multiple-choice question is a column of toggles (a
chosen option is marked ✅ and the message is redrawn in place, see `Reply.redraw`) closed with
«Готово»; a free-text question takes the next message; then the optional block about the respondent
(every step skippable). The answers, toggled options included, wait in `Conversation.state` until the
last step and go through `surveys.services.response_submit`, the same function as the public page, so
validation and results are identical; the flow is then dropped from the state. The respondent is a
token: the chat id in Telegram, the browser's survey cookie in the web chat. Only its keyed hash is
stored with the response, never the token itself.

Actions (≤ 64 bytes): `polls` lists the open surveys, `poll:<survey>` starts one,
`pa:<survey>:<question index>:<option id | score | ok | ->` answers a question (`ok` closes a
multiple-choice one with the options toggled so far, `-` skips it),
`pm:<survey>:<question index>:<option id>` toggles an option of a multiple-choice question,
`pp:<survey>:<profile field>:<value | ->` answers the block about the respondent (`pp:<survey>:all:-`
skips the rest of it).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings

from otklik.dialogue.replies import CANCEL_BUTTON, MENU_BUTTON, Button, Incoming, Reply
from otklik.lib.params import parse_id
from otklik.orgs.models import Territory
from otklik.surveys import selectors, services
from otklik.surveys.models import AgeGroup, Question, RespondentRole, Sex, Survey

FLOW = "survey"
CHAT_MAX_QUESTIONS = 10  # a longer survey is offered as a link to its page
MAX_OFFERED = 3  # surveys offered after an answer was rated
SKIP = "-"
DONE = "ok"  # «Готово» under a multiple-choice question
CHOSEN = "✅ "
PROFILE_STEPS = [
    ("age_group", "Ваш возраст?"),
    ("sex", "Ваш пол?"),
    ("role", "Вы отвечаете как…"),
    ("territory", "Ваша территория?"),
]
ALREADY_ANSWERED = "Вы уже ответили на этот опрос. Спасибо!"
NOTHING_CHOSEN = "Это обязательный вопрос: отметьте хотя бы один вариант, затем нажмите «Готово»."


def respondent_token(*, channel: str, channel_user: str, given: str = "") -> str:
    """The token the respondent's hash is made of: the one the channel gives (the web chat's survey
    cookie, the Telegram chat id), else the conversation's own id in the channel."""
    return given or f"{channel}:{channel_user}"


def _page_url(survey: Survey) -> str:
    return f"{settings.SITE_URL}/surveys/{survey.key}/"


def _pending(region, token: str) -> tuple[list[Survey], set[int]]:
    """Open surveys of the region (satisfaction surveys first) and the ids of those answered."""
    surveys = sorted(selectors.surveys_open(region=region), key=lambda s: s.kind != Survey.Kind.SATISFACTION)
    return surveys, selectors.answered_ids(surveys=surveys, token=token)


def _survey_button(survey: Survey) -> Button:
    return Button(f"📊 {survey.title}"[:60], f"poll:{survey.pk}")


def offer_after_feedback(conv, token: str) -> list[Reply]:
    """After a rated answer: a few open surveys the respondent has not answered yet, if any."""
    surveys, answered = _pending(conv.region, token)
    rows = [[_survey_button(s)] for s in surveys if s.pk not in answered][:MAX_OFFERED]
    if not rows:
        return []
    return [Reply("Помогите нам стать лучше: ответьте на короткий анонимный опрос.", rows)]


def offer_satisfaction(conv, token: str, appeal) -> list[Reply]:
    """After an appeal's answer is rated: the satisfaction survey of the organization that answered
    (or the nearest one above it), unless the respondent has answered it already."""
    survey = selectors.satisfaction_survey_for(organization=appeal.organization)
    if survey is None or survey.region_id != conv.region_id:
        return []
    if survey.pk in selectors.answered_ids(surveys=[survey], token=token):
        return []
    return [
        Reply(
            f"Оцените, пожалуйста, и работу органа в целом — короткий анонимный опрос «{survey.title}».",
            [[_survey_button(survey)]],
        )
    ]


def survey_list(conv, token: str) -> list[Reply]:
    surveys, answered = _pending(conv.region, token)
    if not surveys:
        return [Reply("Сейчас открытых опросов нет.", [[MENU_BUTTON]])]
    rows = [
        [Button(("✅ " if s.pk in answered else "📊 ") + s.title[:55], f"poll:{s.pk}")] for s in surveys[:20]
    ]
    return [
        Reply(
            "Открытые опросы органов образования. Они анонимные: ответы не связываются с вами. "
            "✅ — вы уже ответили.",
            [*rows, [MENU_BUTTON]],
        )
    ]


def _open_survey(conv, survey_id: int) -> Survey | None:
    survey = (
        Survey.objects.select_related("organization", "region")
        .filter(pk=survey_id, region=conv.region)
        .first()
    )
    return survey if survey is not None and survey.state() == "open" else None


def start(conv, token: str, survey_id: int) -> list[Reply]:
    conv.state.pop("flow", None)
    survey = _open_survey(conv, survey_id)
    if survey is None:
        return [
            Reply("Этот опрос сейчас не принимает ответы.", [[Button("📊 Опросы", "polls")], [MENU_BUTTON]])
        ]
    if selectors.has_answered(survey=survey, digest=services.respondent_hash(survey=survey, token=token)):
        return [Reply(ALREADY_ANSWERED, [[Button("📊 Опросы", "polls")], [MENU_BUTTON]])]
    questions = list(survey.questions.prefetch_related("options"))
    if len(questions) > CHAT_MAX_QUESTIONS:
        return [
            Reply(
                f"В опросе «{survey.title}» много вопросов ({len(questions)}) — его удобнее пройти "
                f"на странице опроса: {_page_url(survey)}",
                [[Button("📊 Опросы", "polls")], [MENU_BUTTON]],
            )
        ]
    conv.state["flow"] = {"name": FLOW, "id": survey.pk, "i": 0, "answers": {}, "profile": {}}
    intro = f"{survey.title}\n{survey.organization}"
    if survey.description:
        intro += f"\n\n{survey.description}"
    intro += (
        f"\n\nВопросов: {len(questions)}. Опрос анонимный: ответ не связывается с вашим аккаунтом. "
        "Прервать можно в любой момент кнопкой «Отменить»."
    )
    return [Reply(intro), _question_reply(survey, questions, 0)]


def _question_reply(survey: Survey, questions: list[Question], i: int, chosen: Sequence[int] = ()) -> Reply:
    """Question `i` with its buttons; `chosen` are the option ids toggled on a multiple-choice one.
    Its text does not depend on them: a toggle only redraws the buttons."""
    question = questions[i]
    lines = [f"Вопрос {i + 1} из {len(questions)}. {question.text}"]
    rows: list[list[Button]] = []
    if question.has_options:
        options = list(question.options.all())
        # Full texts (and a project's description) in the message: a button shows only ~60 characters.
        lines += [
            f"{n}. {o.text}" + (f" — {o.description}" if o.description else "")
            for n, o in enumerate(options, 1)
        ]
    if question.kind == Question.Kind.SINGLE:
        rows = [
            [Button(f"{n}. {o.text}"[:60], f"pa:{survey.pk}:{i}:{o.pk}")] for n, o in enumerate(options, 1)
        ]
    elif question.kind == Question.Kind.MULTIPLE:
        lines.append("Отметьте один или несколько вариантов и нажмите «Готово».")
        rows = [
            [Button(f"{CHOSEN if o.pk in chosen else ''}{n}. {o.text}"[:60], f"pm:{survey.pk}:{i}:{o.pk}")]
            for n, o in enumerate(options, 1)
        ]
        rows.append([Button(f"Готово ({len(chosen)})" if chosen else "Готово", f"pa:{survey.pk}:{i}:{DONE}")])
    elif question.kind == Question.Kind.SCALE:
        lines.append("Оценка от 1 (очень плохо) до 5 (отлично):")
        rows = [[Button(str(n), f"pa:{survey.pk}:{i}:{n}") for n in range(1, 6)]]
    else:
        lines.append("Напишите ответ одним сообщением.")
    if not question.required:
        rows.append([Button("Пропустить", f"pa:{survey.pk}:{i}:{SKIP}")])
    rows.append([CANCEL_BUTTON])
    return Reply("\n".join(lines), rows)


def _profile_choices(survey: Survey, name: str) -> list[tuple[str, str]]:
    if name == "territory":
        return [
            (str(t.pk), t.name) for t in Territory.objects.filter(region_id=survey.region_id).order_by("name")
        ]
    return list({"age_group": AgeGroup, "sex": Sex, "role": RespondentRole}[name].choices)


def _profile_reply(survey: Survey, step: int) -> Reply:
    name, text = PROFILE_STEPS[step]
    choices = _profile_choices(survey, name)
    buttons = [Button(label[:60], f"pp:{survey.pk}:{name}:{value}") for value, label in choices]
    rows = [buttons[n : n + 2] for n in range(0, len(buttons), 2)]
    if step == 0:
        text = "Несколько вопросов о вас — по желанию, только для разбивки итогов по группам.\n" + text
    return Reply(
        text,
        [
            *rows,
            [Button("Пропустить", f"pp:{survey.pk}:{name}:{SKIP}")],
            [Button("Не отвечать о себе", f"pp:{survey.pk}:all:{SKIP}")],
            [CANCEL_BUTTON],
        ],
    )


def _next(conv, token: str, survey: Survey, questions: list[Question]) -> list[Reply]:
    """The next question, the next step about the respondent, or the submission."""
    flow = conv.state["flow"]
    if flow["i"] < len(questions):
        return [_question_reply(survey, questions, flow["i"], _chosen(flow, questions[flow["i"]]))]
    if survey.asks_profile:
        step = len(flow["profile"])
        while step < len(PROFILE_STEPS) and not _profile_choices(survey, PROFILE_STEPS[step][0]):
            flow["profile"][PROFILE_STEPS[step][0]] = ""
            step += 1
        if step < len(PROFILE_STEPS):
            return [_profile_reply(survey, step)]
    return _submit(conv, token, survey, questions)


def _submit(conv, token: str, survey: Survey, questions: list[Question]) -> list[Reply]:
    flow = conv.state.pop("flow")
    answers: dict[int, object] = {}
    for question in questions:
        value = flow["answers"].get(str(question.pk))
        if question.has_options and value is not None:
            # An id that is no longer an option stays a None the service refuses, not a lost choice.
            by_id = {o.pk: o for o in question.options.all()}
            value = [by_id.get(pk) for pk in value] if isinstance(value, list) else by_id.get(value)
        answers[question.pk] = value
    profile = {k: v for k, v in flow["profile"].items() if k != "territory"}
    territory = flow["profile"].get("territory")
    profile["territory"] = (
        Territory.objects.filter(pk=int(territory), region_id=survey.region_id).first() if territory else None
    )
    try:
        services.response_submit(survey=survey, token=token, answers=answers, profile=profile)
    except services.SurveyError as exc:
        if getattr(exc, "code", None) == "duplicate":
            return [Reply(ALREADY_ANSWERED, [[MENU_BUTTON]])]
        problems = " ".join(exc.messages)
        return [Reply(f"Ответ не сохранён: {problems}", [[Button("📊 Опросы", "polls")], [MENU_BUTTON]])]
    return [Reply("Спасибо! Ваш ответ учтён.", [[Button("📊 Другие опросы", "polls")], [MENU_BUTTON]])]


def _accept_answer(question: Question, raw: str) -> object | None:
    """The stored value of a pressed answer button, or None when it does not fit the question."""
    if raw == SKIP:
        return None if question.required else SKIP
    value = parse_id(raw)
    if value is None:
        return None
    if question.kind == Question.Kind.SINGLE:
        return value if any(o.pk == value for o in question.options.all()) else None
    if question.kind == Question.Kind.SCALE:
        return value if 1 <= value <= 5 else None
    return None


def _chosen(flow: dict, question: Question) -> list[int]:
    """The option ids toggled on so far under a multiple-choice question."""
    return flow["answers"].get(str(question.pk), []) if question.kind == Question.Kind.MULTIPLE else []


def _toggle(flow: dict, survey: Survey, questions: list[Question], raw: str) -> list[Reply]:
    """An option of the current multiple-choice question toggled: the question redrawn with marks."""
    i = flow["i"]
    question = questions[i]
    ids = [o.pk for o in question.options.all()]
    if not raw.isdigit() or int(raw) not in ids:
        return [
            Reply("В этом вопросе нет такого варианта. Отметьте варианты кнопками под вопросом:"),
            _question_reply(survey, questions, i, _chosen(flow, question)),
        ]
    chosen = set(_chosen(flow, question)) ^ {int(raw)}
    if chosen:
        flow["answers"][str(question.pk)] = [pk for pk in ids if pk in chosen]  # in the options' order
    else:
        flow["answers"].pop(str(question.pk), None)
    reply = _question_reply(survey, questions, i, _chosen(flow, question))
    reply.redraw = True
    return [reply]


def step(conv, token: str, incoming: Incoming) -> list[Reply] | None:
    """Input while a survey is in progress; None when it is not for the survey (any other button
    leaves the survey, the citizen went elsewhere)."""
    flow = conv.state.get("flow") or {}
    value = incoming.value
    is_answer = incoming.kind == "button" and value.startswith(("pa:", "pm:", "pp:"))
    if flow.get("name") != FLOW:
        if is_answer:
            return [
                Reply(
                    "Этот опрос уже завершён или прерван. Откройте его заново: «📊 Опросы».",
                    [[Button("📊 Опросы", "polls")], [MENU_BUTTON]],
                )
            ]
        return None
    if incoming.kind == "button" and not is_answer:
        conv.state.pop("flow")
        return None
    survey = _open_survey(conv, flow["id"])
    if survey is None:
        conv.state.pop("flow")
        return [Reply("Опрос больше не принимает ответы.", [[MENU_BUTTON]])]
    questions = list(survey.questions.prefetch_related("options"))
    current = questions[flow["i"]] if flow["i"] < len(questions) else None
    if incoming.kind == "button":
        head, survey_id, key, raw = (value.split(":", 3) + ["", "", ""])[:4]
        if survey_id != str(survey.pk):
            return [
                Reply("Эта кнопка от другого опроса. Продолжим этот:"),
                *_next(conv, token, survey, questions),
            ]
        multiple = current is not None and current.kind == Question.Kind.MULTIPLE
        if head == "pm" and multiple and key == str(flow["i"]):
            return _toggle(flow, survey, questions, raw)
        if head == "pa" and multiple and key == str(flow["i"]) and raw == DONE:
            if current.required and not _chosen(flow, current):
                return [Reply(NOTHING_CHOSEN)]
            flow["i"] += 1  # the toggled options are already in the answers
            return _next(conv, token, survey, questions)
        if head == "pa" and current is not None and key == str(flow["i"]):
            accepted = _accept_answer(current, raw)
            if accepted == SKIP:
                flow["answers"].pop(str(current.pk), None)  # options toggled before «Пропустить»
            elif accepted is not None:
                flow["answers"][str(current.pk)] = accepted
            if accepted is not None:
                flow["i"] += 1
                return _next(conv, token, survey, questions)
        if head == "pp" and current is None and survey.asks_profile:
            done = len(flow["profile"])
            if key == "all":
                for name, _ in PROFILE_STEPS[done:]:
                    flow["profile"][name] = ""
                return _next(conv, token, survey, questions)
            if done < len(PROFILE_STEPS) and key == PROFILE_STEPS[done][0]:
                allowed = {v for v, _ in _profile_choices(survey, key)}
                if raw == SKIP or raw in allowed:
                    flow["profile"][key] = "" if raw == SKIP else raw
                    return _next(conv, token, survey, questions)
        return [
            Reply("Эта кнопка относится к другому шагу. Продолжим:"),
            *_next(conv, token, survey, questions),
        ]
    if current is not None and current.kind == Question.Kind.TEXT and incoming.kind == "text":
        text = value.strip()
        if not text:
            return _next(conv, token, survey, questions)
        if len(text) > services.MAX_TEXT:
            return [Reply(f"Ответ длиннее {services.MAX_TEXT} символов — сократите его и отправьте ещё раз.")]
        flow["answers"][str(current.pk)] = text
        flow["i"] += 1
        return _next(conv, token, survey, questions)
    return [
        Reply("Ответьте кнопкой под вопросом или нажмите «Отменить»."),
        *_next(conv, token, survey, questions),
    ]
