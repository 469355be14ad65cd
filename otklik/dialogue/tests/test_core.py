"""The conversation core, channel-agnostic: what a citizen can do, step by step."""

import pytest
from django.conf import settings

from otklik.appeals.models import Appeal
from otklik.dialogue.models import Conversation
from otklik.kb.models import Article, Query, Suggestion


def _actions(replies):
    return [b.action for r in replies for row in r.buttons for b in row]


def test_start_greets_and_shows_the_menu(bot):
    replies = bot("command", "/start")
    # A full address: a link in the web chat and in Telegram (where «/privacy» alone reads as a command).
    assert "Здравствуйте" in replies[0].text and f"{settings.SITE_URL}/privacy/" in replies[0].text
    assert {"cats", "ask", "my", "suggest", "help"} <= set(_actions(replies))


def test_browse_categories_to_an_answer_and_back(bot):
    top = bot("button", "cats")
    school = next(a for a in _actions(top) if a.startswith("cat:"))
    sub = bot("button", school)
    assert any(a.startswith("cat:") for a in _actions(sub))
    sub_category = next(a for a in _actions(sub) if a.startswith("cat:"))
    articles = bot("button", sub_category)
    article_action = next(a for a in _actions(articles) if a.startswith("art:"))
    answer = bot("button", article_action)
    assert "1 апреля" in answer[0].text or "Госуслугах" in answer[0].text
    assert any(a.endswith(":1") and a.startswith("fb:") for a in _actions(answer))
    assert f"cat:{Article.objects.get(pk=article_action[4:]).category_id}" in _actions(answer)


def test_free_text_is_answered_logged_and_rated(bot):
    replies = bot("text", "здравствуйте когда запись в первый класс")
    query = Query.objects.get()
    assert query.channel == "telegram" and query.channel_user == "42"
    assert "Когда начинается приём" in replies[0].text
    feedback = next(a for a in _actions(replies) if a.startswith("fb:") and a.endswith(":0"))
    replies = bot("button", feedback)
    query.refresh_from_db()
    assert query.feedback == "not_helped"
    assert "ask:last" in _actions(replies)


def test_two_questions_in_one_message_get_two_answers_each_logged(bot):
    replies = bot("text", "Когда начинается запись в первый класс? И как встать в очередь в детский сад?")
    assert [r.text.split("\n")[0] for r in replies] == [
        "Когда начинается приём заявлений в первый класс?",
        "Как узнать место ребёнка в очереди в детский сад?",
    ]
    queries = list(Query.objects.order_by("pk"))
    assert [(q.text, q.decision) for q in queries] == [
        ("Когда начинается запись в первый класс", "answered"),
        ("Как встать в очередь в детский сад", "answered"),
    ]
    # each answer is rated on its own question
    feedback = next(a for a in _actions(replies[1:]) if a.startswith("fb:") and a.endswith(":0"))
    bot("button", feedback)
    assert [q.feedback for q in Query.objects.order_by("pk")] == ["", "not_helped"]


def test_a_question_without_an_answer_beside_one_with_it_is_said_and_can_be_suggested(bot):
    replies = bot(
        "text", "Добрый день! Когда начинается запись в первый класс? И какая погода будет завтра в Москве?"
    )
    assert replies[0].text.startswith("Когда начинается приём заявлений в первый класс?")
    assert replies[-1].text.startswith(
        "На вопрос «Какая погода будет завтра в Москве» готового ответа у меня нет"
    )
    assert Query.objects.filter(decision="abstained").get().text == "Какая погода будет завтра в Москве"
    bot("button", "suggest:last")
    assert Suggestion.objects.get().text == "Какая погода будет завтра в Москве"


def test_an_appeal_after_two_questions_marks_both_as_turned_into_an_appeal(bot, settings):
    settings.APPEAL_AUTO_ROUTE_CONFIDENCE = 0.0
    bot("text", "Когда начинается запись в первый класс? И как встать в очередь в детский сад?")
    bot("button", "ask:last")
    for action in ("ask:keep", "ask:topic:none", "ask:terr:none", "ask:skip", "ask:consent", "ask:confirm"):
        bot("button", action)
    assert Appeal.objects.count() == 1
    assert list(Query.objects.values_list("became_appeal", flat=True)) == [True, True]


def test_unknown_question_offers_an_official_appeal_and_a_suggestion(bot):
    replies = bot("text", "какая погода будет завтра в москве")
    assert "готового ответа у меня нет" in replies[0].text
    bot("button", "suggest:last")
    assert Suggestion.objects.get().text == "какая погода будет завтра в москве"


def test_official_appeal_step_by_step_with_cancel_and_confirm(bot, region, settings):
    settings.APPEAL_AUTO_ROUTE_CONFIDENCE = 0.0
    bot("button", "ask")
    assert "подробнее" in bot("text", "коротко")[0].text
    replies = bot("text", "В школе № 1 Северного района холодно, дети на уроках сидят в куртках")
    assert "К какой теме" in replies[0].text
    offered = [a for a in _actions(replies) if a.startswith("ask:topic:") and a != "ask:topic:none"]
    assert offered and "ask:topic:none" in _actions(replies)
    assert "Отменить" in replies[0].buttons[-1][0].label
    replies = bot("button", "ask:topic:999999")  # a forged topic is ignored, the form goes on
    assert "ask:skip" in _actions(replies)
    bot("button", "cancel")
    bot("button", "ask")
    bot("text", "В школе № 1 Северного района холодно, дети на уроках сидят в куртках")
    replies = bot("button", offered[0])
    assert "ask:skip" in _actions(replies)
    replies = bot("text", "Иванова Анна, anna@example.ru")
    assert "ask:consent" in _actions(replies)
    replies = bot("button", "ask:consent")
    assert "Проверьте обращение" in replies[0].text and "anna@example.ru" in replies[0].text
    replies = bot("button", "ask:confirm")
    appeal = Appeal.objects.get()
    assert appeal.number in replies[0].text
    assert (appeal.channel, appeal.contact_email, appeal.author_name) == (
        "telegram",
        "anna@example.ru",
        "Иванова Анна",
    )
    assert appeal.citizen.identities.get().value == "42"
    chosen = int(offered[0].rsplit(":", 1)[1])
    assert appeal.topic_suggested_id == chosen and appeal.topic_id is None  # a choice, not a confirmed label
    assert appeal.events.get(kind="topic_suggested").data["by_citizen"] is True
    assert appeal.routed_automatically
    bot("button", "ask")
    replies = bot("button", "cancel")
    assert "отменено" in replies[0].text
    assert Appeal.objects.count() == 1


OGG = b"OggS\x00\x02" + b"\x00" * 40


def test_files_and_a_voice_message_sent_while_writing_become_attachments(bot, region):
    from otklik.appeals.tests.test_intake import PNG
    from otklik.dialogue.core import MAX_DRAFT_FILES

    bot("button", "ask")
    replies = bot("file", "", file_name="голос.ogg", file_bytes=OGG)
    assert "Голосовое сообщение получено" in replies[0].text and "текстом" in replies[0].text
    assert "только фотографии" in bot("file", "", file_name="a.exe", file_bytes=b"MZ\x90\x00" * 8)[0].text
    bot("text", "В школе Северного района холодно, дети на уроках сидят в куртках, батареи холодные")
    assert (
        bot("file", "", file_name="батарея.png", file_bytes=PNG)[0].text
        == "Файл получен и будет приложен к обращению."
    )
    bot("file", "", file_name="акт.pdf", file_bytes=b"%PDF-1.4 act")
    refused = bot("file", "", file_name="ещё.pdf", file_bytes=b"%PDF-1.4 more")
    assert f"не больше {MAX_DRAFT_FILES} файлов" in refused[0].text
    bot("button", "ask:topic:none")
    bot("button", "ask:skip")
    summary = bot("button", "ask:consent")
    assert "Файлы: голос.ogg, батарея.png, акт.pdf" in summary[0].text
    bot("button", "ask:confirm")
    appeal = Appeal.objects.get()
    kinds = sorted(appeal.attachments.values_list("content_type", flat=True))
    assert kinds == ["application/pdf", "audio/ogg", "image/png"]
    assert appeal.attachments.get(content_type="audio/ogg").file.read() == OGG


def test_a_draft_saved_with_one_file_keeps_it(bot, region):
    """Conversations saved before several files were allowed hold one file under other keys."""
    import base64

    from otklik.dialogue.models import Conversation

    bot("button", "ask")
    bot("text", "В школе Северного района холодно, дети на уроках сидят в куртках, батареи холодные")
    conv = Conversation.objects.get()
    conv.state["flow"]["draft"].update(
        file_name="старый.pdf", file_b64=base64.b64encode(b"%PDF-1.4 old").decode()
    )
    conv.save()
    bot("button", "ask:topic:none")
    bot("button", "ask:skip")
    bot("button", "ask:consent")
    bot("button", "ask:confirm")
    assert Appeal.objects.get().attachments.get().name == "старый.pdf"


def test_a_shared_location_becomes_the_point_of_the_appeal(bot, region):
    start = bot("button", "ask")
    assert "пришлите геопозицию" in start[0].text  # Telegram only: the web chat cannot share one
    bot("text", "Возле школы Северного района разбит тротуар, дети ходят по проезжей части")
    assert "Место на карте получено" in bot("location", "55.7512441,37.6184232")[0].text
    assert "Координаты места не распознаны" in bot("location", "91,37.6")[0].text  # the first one stays
    assert "Не удалось определить место" in bot("location", ",")[0].text  # the browser gave nothing
    bot("location", "55.7558,37.6173", place="Школа № 5,   ул. Ленина, 3")  # replaces the first
    bot("button", "ask:topic:none")
    bot("button", "ask:skip")
    summary = bot("button", "ask:consent")
    assert "Место: Школа № 5, ул. Ленина, 3\nМесто на карте: 55.755800, 37.617300" in summary[0].text
    again = bot("location", "55.7,37.6")  # a point sent at the check: the check is shown again with it
    assert (
        again[0].text.startswith("Проверьте обращение")
        and "Место на карте: 55.700000, 37.600000" in again[0].text
    )
    bot("location", "55.7558,37.6173", place="Школа № 5,   ул. Ленина, 3")
    bot("button", "ask:confirm")
    appeal = Appeal.objects.get()
    assert (appeal.latitude, appeal.longitude, appeal.place) == (55.7558, 37.6173, "Школа № 5, ул. Ленина, 3")
    assert appeal.point_url == (
        "https://www.openstreetmap.org/?mlat=55.755800&mlon=37.617300#map=17/55.755800/37.617300"
    )


def test_a_location_outside_the_form_offers_an_official_appeal(bot):
    replies = bot("location", "55.75,37.61")
    assert replies[0].text.startswith("Место на карте указывается в официальном обращении")
    assert "ask" in _actions(replies)
    assert not Appeal.objects.exists()


def test_the_web_chat_is_told_of_its_own_location_button(region):
    from otklik.dialogue.core import Incoming, handle

    replies = handle(
        region=region.region, channel="web", channel_user="w1", incoming=Incoming("button", "ask")
    )
    assert "кнопкой 📍" in replies[0].text and "геопозиц" not in replies[0].text


def test_a_voice_message_outside_the_form_asks_for_words(bot):
    replies = bot("file", "", file_name="голос.ogg", file_bytes=OGG)
    assert replies[0].text.startswith("Голосовые сообщения я не распознаю")
    assert "ask" in _actions(replies)


def test_my_appeals_show_status_answer_and_rating(bot, region, settings):
    from otklik.appeals.services import appeal_answer

    settings.APPEAL_AUTO_ROUTE_CONFIDENCE = 0.0
    bot("button", "ask")
    bot("text", "В школе Северного района холодно, дети на уроках сидят в куртках, батареи холодные")
    bot("button", "ask:topic:none")
    bot("button", "ask:skip")
    bot("button", "ask:consent")
    bot("button", "ask:confirm")
    appeal = Appeal.objects.get()
    mine = bot("button", "my")
    assert f"my:{appeal.number}" in _actions(mine)
    from django.core.files.uploadedfile import SimpleUploadedFile

    from otklik.appeals.tests.test_intake import PNG

    appeal_answer(
        appeal=appeal,
        actor=region.executor_a,
        text="Отопление восстановлено, проверено 14 ноября.",
        files=[SimpleUploadedFile("akt.png", PNG)],
    )
    status = bot("button", f"my:{appeal.number}")
    assert "Отопление восстановлено" in status[0].text
    assert "приложено файлов: 1. Они на странице обращения: " in status[0].text
    assert f"/appeal/{appeal.number}/?s={appeal.secret}" in status[0].text
    assert f"rate:{appeal.number}:2" in _actions(status)
    replies = bot("button", f"rate:{appeal.number}:2")
    assert "повторное рассмотрение" in replies[0].text
    # The old message still carries its buttons: a second press is refused and escalates nothing.
    again = bot("button", f"rate:{appeal.number}:1")
    assert again[0].text.startswith("Оценку не удалось сохранить: Вы уже оценили этот ответ: 2 из 5.")
    appeal.refresh_from_db()
    assert (appeal.rating, appeal.escalation_level, appeal.organization) == (2, 1, region.ministry)
    assert appeal.events.filter(kind="rated").count() == 1
    assert "Обращение не найдено" in bot("button", f"my:{appeal.number}", user="someone-else")[0].text


def test_bad_input_gets_a_polite_answer(bot):
    assert "слишком длинное" in bot("text", "я" * 5000)[0].text
    assert "только текст" in bot("unsupported")[0].text
    assert bot("command", "/hack")[0].text == "Такой команды нет. Доступны /start, /menu, /help, /cancel."
    assert "устарела" in bot("button", "nonsense:1:2")[0].text
    assert "недоступен" in bot("button", "art:999999")[0].text
    assert Query.objects.count() == 0


@pytest.mark.parametrize(
    "action",
    [
        "art:abc",
        "pick:1:²",
        "pick:x:y:z",
        "none:abc",
        "fb:abc:1:1",
        "fb:1:²:1",
        "sub:abc",
        "cat:²",
        "poll:²",
    ],
)
def test_forged_buttons_get_a_polite_answer_not_an_error(bot, action):
    """The web chat posts any button value it is given; a forged one must not break the dialogue."""
    replies = bot("button", action)
    assert replies and replies[0].text
    assert Query.objects.count() == 0


def test_a_nul_character_in_a_message_is_dropped_before_it_is_stored(bot):
    """PostgreSQL refuses NUL in text; a Telegram message is not checked by the web's middleware."""
    replies = bot("text", "здравствуйте когда запись\x00 в первый класс")
    assert "Когда начинается приём" in replies[0].text
    assert Query.objects.get().text == "здравствуйте когда запись в первый класс"


def test_subscriptions_toggle(bot):
    replies = bot("button", "subs")
    action = next(a for a in _actions(replies) if a.startswith("sub:"))
    bot("button", action)
    assert Conversation.objects.get().subscriptions.count() == 1
    bot("button", action)
    assert Conversation.objects.get().subscriptions.count() == 0


def test_state_survives_between_calls(bot):
    bot("button", "ask")
    assert Conversation.objects.get().state["flow"]["step"] == "text"


def test_appeal_without_a_place_asks_for_the_municipality(bot, region, settings):
    settings.APPEAL_AUTO_ROUTE_CONFIDENCE = 0.0
    text = "В школе холодно, дети на уроках сидят в куртках, батареи чуть тёплые"
    bot("button", "ask")
    bot("text", text)
    replies = bot("button", "ask:topic:none")
    assert "Где это?" in replies[0].text
    assert {f"ask:terr:{region.territory_a.pk}", f"ask:terr:{region.territory_b.pk}", "ask:terr:none"} <= set(
        _actions(replies)
    )
    assert "Не нашли" in bot("text", "Марс")[0].text  # an unknown place: asked again, nothing lost
    assert "ask:skip" in _actions(bot("text", "южный"))  # typed, not pressed
    bot("button", "ask:skip")
    summary = bot("button", "ask:consent")
    assert "Территория: Южный район" in summary[0].text
    bot("button", "ask:confirm")
    appeal = Appeal.objects.get()
    assert appeal.territory == region.territory_b and appeal.text == text

    # A pressed button works the same; a forged id or «не знаю» leaves the place to the coordinator.
    for action, expected in (
        (f"ask:terr:{region.territory_a.pk}", region.territory_a),
        ("ask:terr:99999", None),
    ):
        bot("button", "ask")
        bot("text", text)
        bot("button", "ask:topic:none")
        assert "ask:skip" in _actions(bot("button", action))
        bot("button", "ask:skip")
        bot("button", "ask:consent")
        bot("button", "ask:confirm")
        assert Appeal.objects.order_by("-pk").first().territory == expected
