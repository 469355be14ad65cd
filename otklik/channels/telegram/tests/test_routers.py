"""Real aiogram Updates through the real Dispatcher; the Bot API calls are recorded, not sent."""

import pytest
from asgiref.sync import async_to_sync

from otklik.accounts.models import CitizenIdentity
from otklik.channels.telegram import conversation
from otklik.channels.telegram.bot import create_dispatcher
from otklik.channels.telegram.middlewares import APOLOGY, TOO_MANY
from otklik.channels.telegram.tests.fakes import CITIZEN_ID, button_update, message_update
from otklik.dialogue.core import FILE_TOO_BIG, MAX_FILE_BYTES
from otklik.dialogue.models import Conversation
from otklik.kb.models import Article, Category
from otklik.surveys.models import Response
from otklik.surveys.tests.base import make_poll

STICKER = {
    "file_id": "s1",
    "file_unique_id": "s1",
    "type": "regular",
    "width": 512,
    "height": 512,
    "is_animated": False,
    "is_video": False,
}


@pytest.fixture
def feed(bot, kb_region):
    dp = create_dispatcher()

    def _feed(update, dispatcher=None):
        # async_to_sync keeps the handlers' ORM calls (sync_to_async, thread-sensitive) in this
        # thread, inside the test's transaction.
        async_to_sync((dispatcher or dp).feed_update)(bot, update)

    return _feed


def test_start_greets_and_shows_the_menu_buttons(feed, session):
    feed(message_update(text="/start"))
    texts = session.texts()
    assert len(texts) == 2 and texts[0].startswith("Здравствуйте!")
    assert session.actions() == ["cats", "ask", "my", "suggest", "subs", "polls", "help"]
    assert all(params["chat_id"] == CITIZEN_ID for params in session.sent())
    conv = Conversation.objects.get()
    assert (conv.channel, conv.channel_user) == ("telegram", str(CITIZEN_ID))
    assert CitizenIdentity.objects.filter(channel="telegram", value=str(CITIZEN_ID)).exists()


def test_category_button_answers_the_query_and_lists_the_subtopics(feed, session):
    feed(button_update("cats"))
    school = Category.objects.get(slug="school")
    assert [name for name, _ in session.calls] == ["answerCallbackQuery", "sendMessage"]
    assert session.texts() == ["Выберите тему:"]
    assert f"cat:{school.pk}" in session.actions()
    session.calls.clear()
    feed(button_update(f"cat:{school.pk}"))
    admission = Category.objects.get(slug="school-admission")
    assert session.texts() == ["Общее образование:"]
    assert session.actions()[0] == f"cat:{admission.pk}"


def test_sticker_gets_a_hint_to_write_in_words(feed, session):
    feed(message_update(sticker=STICKER))
    texts = session.texts()
    assert texts[0].startswith("Я понимаю только текст и кнопки")
    assert "cats" in session.actions()


def test_messages_in_a_group_are_ignored(feed, session):
    update = message_update(text="/start")
    update = update.model_copy(
        update={
            "message": update.message.model_copy(
                update={"chat": update.message.chat.model_copy(update={"type": "group", "id": -5})}
            )
        }
    )
    feed(update)
    assert session.calls == []
    assert not Conversation.objects.exists()


def test_flood_gets_one_notice_then_silence_until_the_window_passes(bot, kb_region, session):
    now = [1000.0]
    dp = create_dispatcher(throttle_limit=3, throttle_window=10.0, clock=lambda: now[0])

    def feed(update):
        async_to_sync(dp.feed_update)(bot, update)

    for _ in range(6):
        feed(message_update(text="/help"))
    texts = session.texts()
    assert texts.count(TOO_MANY) == 1
    assert len(texts) == 4  # three answers and the notice; the last two were dropped quietly
    now[0] += 10.5
    feed(message_update(text="/help"))
    assert len(session.texts()) == 5 and session.texts()[-1].startswith("Я отвечаю на вопросы")
    # Another person is not held back by the first one's flood.
    for _ in range(3):
        feed(message_update(text="/help"))
    feed(message_update(user_id=888, text="/help"))
    assert session.sent()[-1]["chat_id"] == 888 and session.texts()[-1] != TOO_MANY


def test_a_failing_handler_apologises_and_the_next_update_still_works(feed, session, monkeypatch):
    real = conversation.handle
    calls = []

    def broken_once(**kwargs):
        calls.append(kwargs["incoming"].value)
        if len(calls) == 1:
            raise RuntimeError("database went away")
        return real(**kwargs)

    monkeypatch.setattr(conversation, "handle", broken_once)
    feed(message_update(text="/start"))
    assert session.texts() == [APOLOGY]
    feed(message_update(text="/menu"))
    assert session.texts()[1:] == ["Выберите раздел или просто напишите вопрос своими словами."]


def test_too_long_input_is_refused_politely(feed, session):
    feed(message_update(text="а" * 4500))
    assert session.texts() == [
        "Сообщение слишком длинное (4500 символов). Сократите его до 4000 или разделите на части."
    ]


def test_a_long_answer_is_split_and_the_buttons_come_with_the_last_part(feed, session):
    article = Article.objects.get(slug="first-grade-dates")
    paragraph = "Правила приёма в первый класс подробно описаны в приказе. " * 30
    Article.objects.filter(pk=article.pk).update(answer="\n\n".join([paragraph] * 6))
    feed(button_update(f"art:{article.pk}"))
    sent = session.sent()
    assert len(sent) == 3
    assert all(0 < len(params["text"]) <= 4096 for params in sent)
    assert [bool(params.get("reply_markup")) for params in sent] == [False, False, True]
    joined = " ".join(params["text"] for params in sent)
    assert joined.count("Правила приёма") == 180


def test_a_file_during_an_appeal_is_downloaded_and_kept_for_it(bot, kb_region, session):
    session.files["d1"] = b"%PDF-1.4 test document"
    dp = create_dispatcher()
    async_to_sync(dp.feed_update)(bot, button_update("ask"))
    document = {"file_id": "d1", "file_unique_id": "d1", "file_name": "акт.pdf", "file_size": 22}
    async_to_sync(dp.feed_update)(bot, message_update(document=document))
    assert "getFile" in [name for name, _ in session.calls]
    assert session.texts()[-1] == "Файл получен и будет приложен к обращению."
    draft = Conversation.objects.get().state["flow"]["draft"]
    assert [f["name"] for f in draft["files"]] == ["акт.pdf"]


def test_a_shared_location_during_an_appeal_is_kept_for_it(feed, session):
    feed(button_update("ask"))
    feed(message_update(location={"latitude": 51.730361, "longitude": 36.192647}))
    assert session.texts()[-1].startswith("Место на карте получено")
    draft = Conversation.objects.get().state["flow"]["draft"]
    assert (draft["latitude"], draft["longitude"], draft["place"]) == (51.730361, 36.192647, "")


def test_a_place_picked_from_telegrams_list_brings_its_name_and_address(feed, session):
    feed(button_update("ask"))
    point = {"latitude": 51.7303, "longitude": 36.1926}
    venue = {"location": point, "title": "Школа № 5", "address": "ул. Ленина, 3"}
    feed(message_update(location=point, venue=venue))
    draft = Conversation.objects.get().state["flow"]["draft"]
    assert (draft["latitude"], draft["place"]) == (51.7303, "Школа № 5, ул. Ленина, 3")


MP4 = b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00" + b"\x00" * 40


def test_a_video_and_a_round_video_message_during_an_appeal_are_kept_for_it(bot, kb_region, session):
    session.files["m1"] = session.files["n1"] = MP4
    dp = create_dispatcher()
    async_to_sync(dp.feed_update)(bot, button_update("ask"))
    video = {"file_id": "m1", "file_unique_id": "m1", "width": 720, "height": 1280, "duration": 9}
    async_to_sync(dp.feed_update)(bot, message_update(video={**video, "file_size": len(MP4)}))
    assert session.texts()[-1] == "Видео получено и будет приложено к обращению."
    note = {"file_id": "n1", "file_unique_id": "n1", "length": 240, "duration": 5, "file_size": len(MP4)}
    async_to_sync(dp.feed_update)(bot, message_update(video_note=note))
    names = [f["name"] for f in Conversation.objects.get().state["flow"]["draft"]["files"]]
    assert len(names) == 2 and names[0].startswith("видео-") and names[1].startswith("видеосообщение-")
    assert all(name.endswith(".mp4") for name in names)


OGG = b"OggS\x00\x02" + b"\x00" * 40  # the head of an OGG/Opus voice message


def test_a_voice_message_during_an_appeal_is_downloaded_and_kept_for_it(bot, kb_region, session):
    session.files["v1"] = OGG
    dp = create_dispatcher()
    async_to_sync(dp.feed_update)(bot, button_update("ask"))
    voice = {"file_id": "v1", "file_unique_id": "v1", "duration": 7, "file_size": len(OGG)}
    async_to_sync(dp.feed_update)(bot, message_update(voice=voice))
    assert session.texts()[-1].startswith("Голосовое сообщение получено и будет приложено к обращению.")
    assert "суть обращения текстом" in session.texts()[-1]
    (kept,) = Conversation.objects.get().state["flow"]["draft"]["files"]
    assert kept["name"].startswith("голосовое-") and kept["name"].endswith(".ogg")


def test_a_voice_message_outside_an_appeal_asks_for_words(feed, session):
    session.files["v2"] = OGG
    feed(
        message_update(voice={"file_id": "v2", "file_unique_id": "v2", "duration": 3, "file_size": len(OGG)})
    )
    assert session.texts()[-1].startswith("Голосовые сообщения я не распознаю")
    assert "ask" in session.actions()


def test_a_too_big_file_is_refused_without_downloading(feed, session):
    document = {
        "file_id": "d2",
        "file_unique_id": "d2",
        "file_name": "big.pdf",
        "file_size": MAX_FILE_BYTES + 1,
    }
    feed(message_update(document=document))
    assert session.texts() == [FILE_TOO_BIG]
    assert "getFile" not in [name for name, _ in session.calls]


def _at_multiple_choice(feed, session, region):
    """The meals poll started, its first question answered: the multiple-choice one is on screen."""
    poll = make_poll(region.ministry, asks_profile=False)
    q1, q2 = poll.questions.order_by("position")[:2]
    feed(button_update(f"poll:{poll.pk}"))
    feed(button_update(f"pa:{poll.pk}:0:{q1.options.get(text='Да').pk}"))
    assert session.texts()[-1].startswith("Вопрос 2 из 4. Откуда узнаёте новости?")
    session.calls.clear()
    return poll, {o.text: o.pk for o in q2.options.all()}


def _keyboard(params: dict) -> list[str]:
    return [b["text"] for row in params["reply_markup"]["inline_keyboard"] for b in row]


def test_a_toggled_option_redraws_the_keyboard_of_the_pressed_message(feed, session, kb_region):
    poll, options = _at_multiple_choice(feed, session, kb_region)
    pressed = button_update(f"pm:{poll.pk}:1:{options['Бот']}")
    feed(pressed)
    assert [name for name, _ in session.calls] == ["answerCallbackQuery", "editMessageReplyMarkup"]
    edit = session.calls[1][1]
    assert (edit["chat_id"], edit["message_id"]) == (CITIZEN_ID, pressed.callback_query.message.message_id)
    assert _keyboard(edit) == ["1. Сайт", "✅ 2. Бот", "3. Школа", "Готово (1)", "Отменить"]
    session.calls.clear()
    feed(button_update(f"pm:{poll.pk}:1:{options['Бот']}"))
    assert _keyboard(session.calls[1][1])[:4] == ["1. Сайт", "2. Бот", "3. Школа", "Готово"]
    session.calls.clear()
    feed(button_update(f"pa:{poll.pk}:1:ok"))  # nothing chosen on a required question
    assert [name for name, _ in session.calls] == ["answerCallbackQuery", "sendMessage"]
    assert session.texts() == [
        "Это обязательный вопрос: отметьте хотя бы один вариант, затем нажмите «Готово»."
    ]


def test_a_message_telegram_cannot_edit_gets_the_question_sent_anew(feed, session, kb_region):
    poll, options = _at_multiple_choice(feed, session, kb_region)
    session.refuse["editMessageReplyMarkup"] = "Bad Request: message can't be edited"
    feed(button_update(f"pm:{poll.pk}:1:{options['Школа']}"))
    assert [name for name, _ in session.calls] == [
        "answerCallbackQuery",
        "editMessageReplyMarkup",
        "sendMessage",
    ]
    assert session.texts()[0].startswith("Вопрос 2 из 4. Откуда узнаёте новости?")
    assert _keyboard(session.sent()[0])[:4] == ["1. Сайт", "2. Бот", "✅ 3. Школа", "Готово (1)"]
    session.calls.clear()
    session.refuse["editMessageReplyMarkup"] = "Bad Request: message is not modified"
    feed(button_update(f"pm:{poll.pk}:1:{options['Сайт']}"))
    assert [name for name, _ in session.calls] == ["answerCallbackQuery", "editMessageReplyMarkup"]
    session.refuse.clear()
    feed(button_update(f"pa:{poll.pk}:1:ok"))
    feed(button_update(f"pa:{poll.pk}:2:3"))
    feed(button_update(f"pa:{poll.pk}:3:-"))
    assert session.texts()[-1] == "Спасибо! Ваш ответ учтён."
    chosen = (
        Response.objects.get().answers.filter(option__isnull=False).values_list("option__text", flat=True)
    )
    assert sorted(chosen) == ["Да", "Сайт", "Школа"]
