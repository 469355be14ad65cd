"""Surveys answered in the chat: offered after a rated answer and from the menu, answered with
buttons and messages, one answer per respondent, through the same service as the public page."""

from otklik.dialogue.models import Conversation
from otklik.dialogue.tests.test_core import _actions
from otklik.surveys import selectors, services
from otklik.surveys.models import Response, Survey
from otklik.surveys.tests.base import make_poll


def chat_survey(org, *, asks_profile=False, kind=Survey.Kind.SATISFACTION) -> Survey:
    """Q1 single (Да/Нет), Q2 scale, Q3 optional free text."""
    survey = services.survey_create(
        organization=org, actor=None, title="Качество ответов", kind=kind, asks_profile=asks_profile
    )
    services.question_add(
        survey=survey, text="Нашли ли вы ответ?", kind="single", options=[("Да", ""), ("Нет", "")]
    )
    services.question_add(survey=survey, text="Оцените работу министерства", kind="scale")
    services.question_add(survey=survey, text="Что улучшить?", kind="text", required=False)
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


def test_long_survey_or_one_with_multiple_choice_is_offered_as_a_link(bot, region, settings):
    settings.SITE_URL = "https://otklik.example.ru"
    poll = make_poll(region.ministry)  # has a multiple-choice question
    long = services.survey_create(organization=region.ministry, actor=None, title="Длинный", kind="poll")
    for n in range(11):
        services.question_add(survey=long, text=f"Вопрос {n}", kind="scale")
    services.survey_set_status(survey=long, status=Survey.Status.OPEN)
    reply = bot("button", f"poll:{poll.pk}")[0].text
    assert f"https://otklik.example.ru/surveys/{poll.key}/" in reply and "несколькими вариантами" in reply
    reply = bot("button", f"poll:{long.pk}")[0].text
    assert "много вопросов (11)" in reply and f"/surveys/{long.key}/" in reply
    assert "flow" not in Conversation.objects.get().state


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
