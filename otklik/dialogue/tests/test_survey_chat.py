"""Surveys answered in the chat: offered after a rated answer and from the menu, answered with
buttons and messages, one answer per respondent, through the same service as the public page."""

from otklik.dialogue.models import Conversation
from otklik.dialogue.survey_chat import NOTHING_CHOSEN
from otklik.dialogue.tests.test_core import _actions
from otklik.surveys import selectors, services
from otklik.surveys.models import Answer, Response, Survey
from otklik.surveys.tests.base import answer, make_poll, questions


def chat_survey(org, *, asks_profile=False, kind=Survey.Kind.SATISFACTION, multiple=False) -> Survey:
    """Q1 single (Да/Нет), Q2 scale, Q3 optional free text; with `multiple`, Q4 multiple choice
    (Сайт/Бот/Школа)."""
    survey = services.survey_create(
        organization=org, actor=None, title="Качество ответов", kind=kind, asks_profile=asks_profile
    )
    services.question_add(
        survey=survey, text="Нашли ли вы ответ?", kind="single", options=[("Да", ""), ("Нет", "")]
    )
    services.question_add(survey=survey, text="Оцените работу министерства", kind="scale")
    services.question_add(survey=survey, text="Что улучшить?", kind="text", required=False)
    if multiple:
        services.question_add(
            survey=survey,
            text="Где вы ищете ответы?",
            kind="multiple",
            options=[("Сайт", ""), ("Бот", ""), ("Школа", "")],
        )
    services.survey_set_status(survey=survey, status=Survey.Status.OPEN)
    return survey


def _option(survey, position, text):
    question = survey.questions.get(position=position)
    return question.options.get(text=text).pk


def test_rated_answer_offers_the_survey_answered_in_the_chat_once(bot, region):
    survey = chat_survey(region.ministry)
    answer = bot("text", "здравствуйте когда запись в первый класс")
    helped = next(a for a in _actions(answer) if a.startswith("fb:") and a.endswith(":1"))
    thanks = bot("button", helped)
    assert "Рады, что помогли" in thanks[0].text
    assert "анонимный опрос" in thanks[1].text and f"poll:{survey.pk}" in _actions(thanks)

    first = bot("button", f"poll:{survey.pk}")
    assert "Качество ответов" in first[0].text and "Вопросов: 3" in first[0].text
    assert first[1].text.startswith("Вопрос 1 из 3. Нашли ли вы ответ?")
    assert f"pa:{survey.pk}:0:-" not in _actions(first)  # a required question has no «Пропустить»
    yes = f"pa:{survey.pk}:0:{_option(survey, 1, 'Да')}"
    scale = bot("button", yes)
    assert _actions(scale)[:5] == [f"pa:{survey.pk}:1:{n}" for n in range(1, 6)]
    free = bot("button", f"pa:{survey.pk}:1:4")
    assert "Напишите ответ одним сообщением" in free[0].text and f"pa:{survey.pk}:2:-" in _actions(free)
    done = bot("text", "Больше примеров заявлений")
    assert done[0].text == "Спасибо! Ваш ответ учтён."

    response = Response.objects.get()
    assert response.respondent_hash == services.respondent_hash(survey=survey, token="telegram:42")
    results = selectors.survey_results(survey=survey)
    single, rating, text = results["questions"]
    assert [(r["label"], r["n"]) for r in single.rows] == [("Да", 1), ("Нет", 0)]
    assert (rating.average, text.texts) == (4.0, ["Больше примеров заявлений"])
    assert "flow" not in Conversation.objects.get().state  # no trace of the answers in the chat

    assert len(bot("button", helped)) == 1  # nothing left to offer
    assert "уже ответили" in bot("button", f"poll:{survey.pk}")[0].text
    assert "✅ Качество ответов" in [b.label for row in bot("button", "polls")[0].buttons for b in row]
    assert bot("button", yes)[0].text.startswith("Этот опрос уже завершён")
    assert Response.objects.count() == 1
    # another chat is another respondent
    bot("button", f"poll:{survey.pk}", user="43")
    bot("button", yes, user="43")
    bot("button", f"pa:{survey.pk}:1:2", user="43")
    assert bot("button", f"pa:{survey.pk}:2:-", user="43")[0].text == "Спасибо! Ваш ответ учтён."
    assert Response.objects.count() == 2


def _rated_appeal(bot, region, rating: int):
    """An appeal filed in the chat, answered by body A's executor and rated `rating` in the chat."""
    from otklik.appeals.models import Appeal
    from otklik.appeals.services import appeal_answer

    bot("button", "ask")
    bot("text", "В школе Северного района холодно, дети на уроках сидят в куртках, батареи холодные")
    for action in ("ask:topic:none", "ask:skip", "ask:consent", "ask:confirm"):
        bot("button", action)
    appeal = Appeal.objects.get()
    appeal_answer(
        appeal=appeal, actor=region.executor_a, text="Отопление восстановлено, проверено 14 ноября."
    )
    return bot("button", f"rate:{appeal.number}:{rating}")


def test_a_rated_appeal_answer_offers_the_answering_bodys_satisfaction_survey(bot, region, settings):
    settings.APPEAL_AUTO_ROUTE_CONFIDENCE = 0.0
    ministry_survey = chat_survey(region.ministry)
    own = chat_survey(region.body_a)  # the body that answers: its own survey comes first
    chat_survey(region.body_b)
    replies = _rated_appeal(bot, region, 5)
    assert replies[0].text == "Спасибо за оценку!"
    assert "короткий анонимный опрос «Качество ответов»" in replies[1].text
    assert _actions(replies[1:]) == [f"poll:{own.pk}"]
    assert ministry_survey.pk != own.pk


def test_no_survey_after_an_escalating_rating(bot, region, settings):
    settings.APPEAL_AUTO_ROUTE_CONFIDENCE = 0.0
    chat_survey(region.body_a)
    replies = _rated_appeal(bot, region, 1)
    assert "повторное рассмотрение" in replies[0].text and len(replies) == 1


def test_no_survey_offered_again_to_who_answered_it(bot, region, settings):
    from otklik.dialogue.survey_chat import respondent_token

    settings.APPEAL_AUTO_ROUTE_CONFIDENCE = 0.0
    survey = chat_survey(region.body_a)
    token = respondent_token(channel="telegram", channel_user="42", given="")
    Response.objects.create(
        survey=survey, respondent_hash=services.respondent_hash(survey=survey, token=token)
    )
    replies = _rated_appeal(bot, region, 4)
    assert replies[0].text == "Спасибо за оценку!" and len(replies) == 1


def test_profile_block_is_offered_and_skippable_and_wrong_input_is_re_asked(bot, region):
    survey = chat_survey(region.ministry, asks_profile=True)
    bot("button", "menu")
    assert "polls" in _actions(bot("button", "menu"))
    listed = bot("button", "polls")
    assert f"poll:{survey.pk}" in _actions(listed)
    bot("button", f"poll:{survey.pk}")
    assert "кнопкой под вопросом" in bot("text", "да")[0].text
    assert "другому шагу" in bot("button", f"pa:{survey.pk}:0:-")[0].text  # required: no skipping
    assert "другому шагу" in bot("button", f"pa:{survey.pk}:0:999999")[0].text  # a forged option
    assert "другому шагу" in bot("button", f"pa:{survey.pk}:0:²")[0].text  # not a number at all
    bot("button", f"pa:{survey.pk}:0:{_option(survey, 1, 'Нет')}")
    bot("button", f"pa:{survey.pk}:1:2")
    age = bot("button", f"pa:{survey.pk}:2:-")
    assert "Несколько вопросов о вас" in age[0].text
    assert {f"pp:{survey.pk}:age_group:18_29", f"pp:{survey.pk}:all:-"} <= set(_actions(age))
    bot("button", f"pp:{survey.pk}:age_group:30_44")
    role = bot("button", f"pp:{survey.pk}:sex:-")
    assert f"pp:{survey.pk}:role:parent" in _actions(role)
    assert "другому шагу" in bot("button", f"pp:{survey.pk}:role:boss")[0].text
    territory = bot("button", f"pp:{survey.pk}:role:parent")
    assert f"pp:{survey.pk}:territory:{region.territory_a.pk}" in _actions(territory)
    assert Response.objects.count() == 0
    done = bot("button", f"pp:{survey.pk}:territory:{region.territory_a.pk}")
    assert done[0].text == "Спасибо! Ваш ответ учтён."
    saved = Response.objects.get()
    assert (saved.age_group, saved.sex, saved.role, saved.territory) == (
        "30_44",
        "",
        "parent",
        region.territory_a,
    )
    assert saved.answers.count() == 2  # the skipped free text is not an answer


def test_skipping_the_whole_profile_block_and_cancelling_a_survey(bot, region):
    survey = chat_survey(region.ministry, asks_profile=True)
    bot("button", f"poll:{survey.pk}")
    bot("button", f"pa:{survey.pk}:0:{_option(survey, 1, 'Да')}")
    cancelled = bot("button", "cancel")
    assert cancelled[0].text == "Опрос прерван, ответы не сохранены."
    assert "flow" not in Conversation.objects.get().state and Response.objects.count() == 0
    bot("button", f"poll:{survey.pk}")
    bot("button", f"pa:{survey.pk}:0:{_option(survey, 1, 'Да')}")
    bot("button", f"pa:{survey.pk}:1:5")
    bot("button", f"pa:{survey.pk}:2:-")
    bot("button", f"pp:{survey.pk}:age_group:60")
    assert bot("button", f"pp:{survey.pk}:all:-")[0].text == "Спасибо! Ваш ответ учтён."
    assert (Response.objects.get().age_group, Response.objects.get().role) == ("60", "")


def test_a_survey_closed_meanwhile_takes_no_chat_answer(bot, region):
    survey = chat_survey(region.ministry)
    bot("button", f"poll:{survey.pk}")
    bot("button", f"pa:{survey.pk}:0:{_option(survey, 1, 'Да')}")
    services.survey_set_status(survey=survey, status=Survey.Status.CLOSED)
    assert "больше не принимает" in bot("button", f"pa:{survey.pk}:1:5")[0].text
    assert "не принимает" in bot("button", f"poll:{survey.pk}")[0].text
    assert Response.objects.count() == 0


def test_long_survey_is_offered_as_a_link(bot, region, settings):
    settings.SITE_URL = "https://otklik.example.ru"
    long = services.survey_create(organization=region.ministry, actor=None, title="Длинный", kind="poll")
    for n in range(10):
        services.question_add(survey=long, text=f"Вопрос {n}", kind="scale")
    services.question_add(survey=long, text="Откуда?", kind="multiple", options=[("А", ""), ("Б", "")])
    services.survey_set_status(survey=long, status=Survey.Status.OPEN)
    reply = bot("button", f"poll:{long.pk}")[0].text
    assert "много вопросов (11)" in reply and f"https://otklik.example.ru/surveys/{long.key}/" in reply
    assert "flow" not in Conversation.objects.get().state


# --- multiple choice ------------------------------------------------------------------------------


def _labels(replies) -> list[str]:
    return [b.label for reply in replies for row in reply.buttons for b in row]


def _at_news_question(bot, poll) -> list:
    """The meals poll started and its first question answered: the multiple-choice one is shown."""
    bot("button", f"poll:{poll.pk}")
    return bot("button", f"pa:{poll.pk}:0:{_option(poll, 1, 'Да')}")


def _flow():
    return Conversation.objects.get().state["flow"]


def test_multiple_choice_options_toggle_on_and_off_and_the_response_has_exactly_the_chosen(bot, region):
    # Q2 «Откуда узнаёте новости?» (Сайт, Бот, Школа) is required.
    poll = make_poll(region.ministry, asks_profile=False)
    site, chatbot, school = (_option(poll, 2, t) for t in ("Сайт", "Бот", "Школа"))
    shown = _at_news_question(bot, poll)
    assert shown[0].text == (
        "Вопрос 2 из 4. Откуда узнаёте новости?\n1. Сайт\n2. Бот\n3. Школа\n"
        "Отметьте один или несколько вариантов и нажмите «Готово»."
    )
    assert _actions(shown) == [
        f"pm:{poll.pk}:1:{site}",
        f"pm:{poll.pk}:1:{chatbot}",
        f"pm:{poll.pk}:1:{school}",
        f"pa:{poll.pk}:1:ok",
        "cancel",
    ]
    assert _labels(shown)[:4] == ["1. Сайт", "2. Бот", "3. Школа", "Готово"]
    assert not shown[0].redraw

    toggled = bot("button", f"pm:{poll.pk}:1:{site}")
    assert len(toggled) == 1 and toggled[0].redraw and toggled[0].text == shown[0].text
    assert _labels(toggled)[:4] == ["✅ 1. Сайт", "2. Бот", "3. Школа", "Готово (1)"]
    bot("button", f"pm:{poll.pk}:1:{school}")
    toggled = bot("button", f"pm:{poll.pk}:1:{site}")  # pressed again: unchecked
    assert _labels(toggled)[:4] == ["1. Сайт", "2. Бот", "✅ 3. Школа", "Готово (1)"]
    toggled = bot("button", f"pm:{poll.pk}:1:{chatbot}")
    assert _labels(toggled)[:4] == ["1. Сайт", "✅ 2. Бот", "✅ 3. Школа", "Готово (2)"]
    question = poll.questions.get(position=2)
    assert _flow()["answers"][str(question.pk)] == [chatbot, school]  # in the options' order
    assert Response.objects.count() == 0  # kept in the conversation until the last step

    scale = bot("button", f"pa:{poll.pk}:1:ok")
    assert scale[0].text.startswith("Вопрос 3 из 4.")
    bot("button", f"pa:{poll.pk}:2:4")
    assert bot("button", f"pa:{poll.pk}:3:-")[0].text == "Спасибо! Ваш ответ учтён."

    chosen = Answer.objects.filter(question=question).values_list("option__text", flat=True)
    assert sorted(chosen) == ["Бот", "Школа"]
    # the same choices on the public page make the same rows and the same figures
    answer(poll, "Да", ["Бот", "Школа"], 4)
    by_response = [
        sorted(r.answers.filter(question=question).values_list("option_id", flat=True))
        for r in Response.objects.order_by("pk")
    ]
    assert by_response == [[chatbot, school], [chatbot, school]]
    news = selectors.survey_results(survey=poll)["questions"][1]
    assert [(r["label"], r["n"]) for r in news.rows] == [("Сайт", 0), ("Бот", 2), ("Школа", 2)]


def test_done_with_nothing_chosen_on_a_required_question_is_refused(bot, region):
    poll = make_poll(region.ministry, asks_profile=False)
    site = _option(poll, 2, "Сайт")
    shown = _at_news_question(bot, poll)
    assert f"pa:{poll.pk}:1:-" not in _actions(shown)  # required: no «Пропустить»
    refused = bot("button", f"pa:{poll.pk}:1:ok")
    assert [r.text for r in refused] == [NOTHING_CHOSEN]
    assert "другому шагу" in bot("button", f"pa:{poll.pk}:1:-")[0].text
    bot("button", f"pm:{poll.pk}:1:{site}")
    bot("button", f"pm:{poll.pk}:1:{site}")  # on and off again: nothing chosen
    assert bot("button", f"pa:{poll.pk}:1:ok")[0].text == NOTHING_CHOSEN
    assert _flow()["i"] == 1 and _flow()["answers"] == {
        str(poll.questions.get(position=1).pk): _option(poll, 1, "Да")
    }
    bot("button", f"pm:{poll.pk}:1:{site}")
    assert bot("button", f"pa:{poll.pk}:1:ok")[0].text.startswith("Вопрос 3 из 4.")
    assert Response.objects.count() == 0


def test_optional_multiple_choice_question_is_skipped_with_nothing_stored(bot, region):
    survey = services.survey_create(
        organization=region.ministry, actor=None, title="Кружки", kind="poll", asks_profile=False
    )
    services.question_add(
        survey=survey,
        text="Какие кружки посещает ребёнок?",
        kind="multiple",
        required=False,
        options=[("Спорт", ""), ("Музыка", ""), ("Робототехника", "")],
    )
    services.question_add(survey=survey, text="Оцените выбор кружков", kind="scale")
    services.survey_set_status(survey=survey, status=Survey.Status.OPEN)
    music = _option(survey, 1, "Музыка")
    shown = bot("button", f"poll:{survey.pk}")
    assert _labels(shown)[-3:] == ["Готово", "Пропустить", "Отменить"]
    bot("button", f"pm:{survey.pk}:0:{music}")
    skipped = bot("button", f"pa:{survey.pk}:0:-")  # the toggled option is dropped with the skip
    assert skipped[0].text.startswith("Вопрос 2 из 2.") and _flow()["answers"] == {}
    assert bot("button", f"pa:{survey.pk}:1:3")[0].text == "Спасибо! Ваш ответ учтён."
    assert list(Answer.objects.values_list("question__kind", "scale")) == [("scale", 3)]
    # «Готово» with nothing chosen on an optional question moves on as a skip
    bot("button", f"poll:{survey.pk}", user="43")
    assert bot("button", f"pa:{survey.pk}:0:ok", user="43")[0].text.startswith("Вопрос 2 из 2.")
    bot("button", f"pa:{survey.pk}:1:5", user="43")
    assert Response.objects.count() == 2 and Answer.objects.filter(option__isnull=False).count() == 0


def test_forged_or_stale_toggles_get_a_clear_message_and_change_nothing(bot, region):
    poll = make_poll(region.ministry, asks_profile=False)
    other = chat_survey(region.ministry, multiple=True)
    yes, site = _option(poll, 1, "Да"), _option(poll, 2, "Сайт")
    bot("button", f"poll:{poll.pk}")
    assert "другому шагу" in bot("button", f"pm:{poll.pk}:0:{yes}")[0].text  # Q1 is not multiple choice
    bot("button", f"pa:{poll.pk}:0:{yes}")
    bot("button", f"pm:{poll.pk}:1:{site}")
    before = _flow()

    unknown = bot("button", f"pm:{poll.pk}:1:999999")
    assert unknown[0].text.startswith("В этом вопросе нет такого варианта.")
    assert not unknown[1].redraw and "✅ 1. Сайт" in _labels(unknown[1:])  # asked again, marks kept
    for forged in (f"pm:{poll.pk}:1:{yes}", f"pm:{poll.pk}:1:abc", f"pm:{poll.pk}:1:"):
        assert bot("button", forged)[0].text.startswith("В этом вопросе нет такого варианта.")
    assert bot("button", f"pm:{other.pk}:3:{_option(other, 4, 'Бот')}")[0].text.startswith(
        "Эта кнопка от другого опроса."
    )
    for stale in (f"pm:{poll.pk}:7:{site}", f"pm:{poll.pk}:-1:{site}", f"pm:{poll.pk}:0:{site}"):
        assert "другому шагу" in bot("button", stale)[0].text
    assert bot("button", "pm:")[0].text.startswith("Эта кнопка от другого опроса.")
    assert bot("button", f"pa:{poll.pk}:1:{site}")[0].text.startswith("Эта кнопка относится")
    assert _flow() == before

    bot("button", f"pa:{poll.pk}:1:ok")
    bot("button", f"pa:{poll.pk}:2:2")
    assert bot("button", f"pa:{poll.pk}:3:-")[0].text == "Спасибо! Ваш ответ учтён."
    q2 = questions(poll)[1]
    assert list(Answer.objects.filter(question=q2).values_list("option_id", flat=True)) == [site]
    assert bot("button", f"pm:{poll.pk}:1:{site}")[0].text.startswith("Этот опрос уже завершён")
    assert Response.objects.count() == 1


def test_web_chat_redraws_the_toggled_question_with_marks(client, region):
    poll = make_poll(region.ministry, asks_profile=False)
    site, school = _option(poll, 2, "Сайт"), _option(poll, 2, "Школа")
    client.get("/chat/")
    client.post("/chat/send/", {"action": f"poll:{poll.pk}"})
    shown = client.post(
        "/chat/send/", {"action": f"pa:{poll.pk}:0:{_option(poll, 1, 'Да')}", "label": "1. Да"}
    )
    assert f"pm:{poll.pk}:1:{site}" in shown.content.decode() and "HX-Retarget" not in shown

    toggled = client.post("/chat/send/", {"action": f"pm:{poll.pk}:1:{site}", "label": "1. Сайт"})
    html = toggled.content.decode()
    assert (toggled["HX-Retarget"], toggled["HX-Reswap"]) == ("closest li", "outerHTML")
    assert html.count('<li class="msg') == 1 and "msg mine" not in html  # only the question, redrawn
    assert ">✅ 1. Сайт</button>" in html and ">3. Школа</button>" in html and ">Готово (1)</button>" in html
    html = client.post("/chat/send/", {"action": f"pm:{poll.pk}:1:{school}"}).content.decode()
    assert ">✅ 1. Сайт</button>" in html and ">✅ 3. Школа</button>" in html and "Готово (2)" in html
    html = client.post("/chat/send/", {"action": f"pm:{poll.pk}:1:{site}"}).content.decode()
    assert ">1. Сайт</button>" in html and "Готово (1)" in html

    done = client.post("/chat/send/", {"action": f"pa:{poll.pk}:1:ok", "label": "Готово (1)"})
    assert "HX-Retarget" not in done and "Вопрос 3 из 4" in done.content.decode()
    assert "Готово (1)" in done.content.decode()  # the pressed button echoed as the citizen's message
    forged = client.post("/chat/send/", {"action": f"pm:{poll.pk}:1:999999"})
    assert forged.status_code == 200 and "другому шагу" in forged.content.decode()
    client.post("/chat/send/", {"action": f"pa:{poll.pk}:2:5"})
    assert "Ваш ответ учтён" in client.post("/chat/send/", {"action": f"pa:{poll.pk}:3:-"}).content.decode()
    assert list(Answer.objects.filter(option__question__position=2).values_list("option_id", flat=True)) == [
        school
    ]


def test_web_chat_answer_counts_for_the_browser_on_the_public_page(client, region):
    survey = chat_survey(region.ministry)
    client.get("/chat/")
    assert "polls" in client.post("/chat/send/", {"action": "menu"}).content.decode()
    assert (
        f"pa:{survey.pk}:0:" in client.post("/chat/send/", {"action": f"poll:{survey.pk}"}).content.decode()
    )
    client.post("/chat/send/", {"action": f"pa:{survey.pk}:0:{_option(survey, 1, 'Нет')}"})
    client.post("/chat/send/", {"action": f"pa:{survey.pk}:1:3"})
    done = client.post("/chat/send/", {"text": "Отвечать быстрее"}).content.decode()
    assert "Ваш ответ учтён" in done
    assert Response.objects.get().answers.count() == 3
    assert "Ваш ответ учтён" in client.get(f"/surveys/{survey.key}/").content.decode()
    assert "уже ответили" in client.post("/chat/send/", {"action": f"poll:{survey.pk}"}).content.decode()
