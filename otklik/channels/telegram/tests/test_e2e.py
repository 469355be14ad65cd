"""The real bot process (`otklik runbot`) against a fake Bot API server on 127.0.0.1.

A scripted citizen browses the answers, asks officially, gets an appeal number and sees its status.
The bot talks real HTTP to the fake and reads and writes the test's own database.
"""

import asyncio
import contextlib
import json
import os
import re
import subprocess
import sys
import threading
import time
from urllib.parse import quote

import pytest
from aiohttp import web
from django.db import connection

from otklik.appeals.models import Appeal, Channel
from otklik.kb.models import Article, Category
from otklik.kb.tests.test_kb_core import _load
from otklik.orgs.models import Region

TOKEN = "123:ABC"
CITIZEN = {"id": 4242, "is_bot": False, "first_name": "Анна"}
CHAT = {"id": 4242, "type": "private"}
WAIT_S = 60


class FakeBotAPI:
    """Just enough of the Bot API for a polling bot: it hands out scripted updates and records
    every call (method name and parameters) in order; a method named in `refuse` gets a Bad
    Request with the given description."""

    def __init__(self):
        self.requests: list[tuple[str, dict]] = []
        self.refuse: dict[str, str] = {}
        self.updates: list[dict] = []
        self._lock = threading.Lock()
        self._message_id = 0
        self._loop = asyncio.new_event_loop()
        self._runner = None
        self.port = 0

    # --- server ---------------------------------------------------------------------------------

    async def _call(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.match_info["token"] != TOKEN:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        params = dict(await request.post())
        if method == "getUpdates":
            return web.json_response({"ok": True, "result": await self._updates(params)})
        with self._lock:
            self.requests.append((method, params))
        if method in self.refuse:
            return web.json_response(
                {"ok": False, "error_code": 400, "description": self.refuse[method]}, status=400
            )
        if method == "getMe":
            result = {"id": 1, "is_bot": True, "first_name": "Отклик", "username": "otklik_test_bot"}
        elif method == "sendMessage":
            with self._lock:
                self._message_id += 1
            result = {
                "message_id": self._message_id,
                "date": int(time.time()),
                "chat": CHAT,
                "text": params["text"],
            }
        else:  # deleteWebhook, answerCallbackQuery, editMessageReplyMarkup…
            result = True
        return web.json_response({"ok": True, "result": result})

    async def _updates(self, params: dict) -> list[dict]:
        offset = int(params.get("offset") or 0)
        deadline = time.monotonic() + min(float(params.get("timeout") or 0), 1.0)
        while True:
            with self._lock:
                ready = [u for u in self.updates if u["update_id"] >= offset]
            if ready or time.monotonic() >= deadline:
                return ready
            await asyncio.sleep(0.05)

    def start(self) -> None:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._call)
        self._runner = web.AppRunner(app)
        self._loop.run_until_complete(self._runner.setup())
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        self._loop.run_until_complete(site.start())
        self.port = site._server.sockets[0].getsockname()[1]
        threading.Thread(target=self._loop.run_forever, daemon=True).start()

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        for _ in range(100):
            if not self._loop.is_running():
                break
            time.sleep(0.05)
        self._loop.run_until_complete(self._runner.cleanup())
        self._loop.close()

    # --- the scripted citizen -------------------------------------------------------------------

    def _push(self, payload: dict) -> None:
        with self._lock:
            update_id = len(self.updates) + 1
            self.updates.append({"update_id": update_id, **payload})

    def send_text(self, text: str) -> None:
        message = {"message_id": 1000 + len(self.updates), "date": int(time.time()), "chat": CHAT}
        message |= {"from": CITIZEN, "text": text}
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text)}]
        self._push({"message": message})

    def press(self, data: str) -> None:
        message = {"message_id": self._message_id, "date": int(time.time()), "chat": CHAT, "text": "…"}
        self._push(
            {
                "callback_query": {
                    "id": f"q{len(self.updates)}",
                    "from": CITIZEN,
                    "chat_instance": "c1",
                    "data": data,
                    "message": message,
                }
            }
        )

    @property
    def last_message_id(self) -> int:
        """The message the citizen presses buttons on (the last one sent)."""
        with self._lock:
            return self._message_id

    def sent(self) -> list[dict]:
        return self.calls("sendMessage")

    def calls(self, name: str) -> list[dict]:
        with self._lock:
            return [params for method, params in self.requests if method == name]

    def wait_for_call(self, name: str, after: int) -> dict:
        """The first `name` call after the first `after` ones."""
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:
            if len(calls := self.calls(name)) > after:
                return calls[after]
            time.sleep(0.05)
        raise AssertionError(f"no {name} call; requests: {[m for m, _ in self.requests][-10:]}")

    def wait_for_text(self, fragment: str, after: int, proc: subprocess.Popen, log_path) -> dict:
        """The first message sent after the first `after` ones that contains `fragment`."""
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:
            for params in self.sent()[after:]:
                if fragment in params["text"]:
                    return params
            if proc.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(
            f"no message with {fragment!r}; sent: {[p['text'][:80] for p in self.sent()[after:]]}\n"
            f"bot exit code: {proc.poll()}\nbot log:\n{log_path.read_text()[-4000:]}"
        )


def _buttons(params: dict) -> list[dict]:
    rows = json.loads(params.get("reply_markup") or '{"inline_keyboard": []}')["inline_keyboard"]
    return [button for row in rows for button in row]


def _button(params: dict, label: str) -> str:
    for button in _buttons(params):
        if label in button["text"]:
            return button["callback_data"]
    raise AssertionError(f"no button {label!r} in {_buttons(params)}")


def _database_url() -> str:
    """The database this test runs on, as DATABASE_URL for the bot process."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    user = quote(db.get("USER") or "", safe="")
    password = quote(db.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if user else ""
    return f"postgres://{auth}{db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}/{db['NAME']}"


@contextlib.contextmanager
def running_bot(api: FakeBotAPI, tmp_path, settings):
    """`otklik runbot` in polling mode against the fake; yields `step(action, fragment)`, which does
    the action and waits for the first new message containing the fragment."""
    assert connection.settings_dict["NAME"] != ":memory:" and "mode=memory" not in str(
        connection.settings_dict["NAME"]
    ), "the bot process must be able to open the test database"
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE": f"http://127.0.0.1:{api.port}",
        "TELEGRAM_MODE": "polling",
        "DATABASE_URL": _database_url(),
        "OTKLIK_VAR_DIR": str(tmp_path / "var"),
        "OTKLIK_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        # the same key as the test, so that keyed hashes the bot stores can be checked here
        "OTKLIK_SECRET_KEY": settings.SECRET_KEY,
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    log_path = tmp_path / "bot.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "otklik.cli", "runbot"], env=env, stdout=log, stderr=subprocess.STDOUT
        )

    def step(action, fragment: str) -> dict:
        n = len(api.sent())
        action()
        return api.wait_for_text(fragment, n, proc, log_path)

    try:
        yield step
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
def api():
    server = FakeBotAPI()
    server.start()
    yield server
    server.stop()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_citizen_browses_asks_officially_and_sees_the_status(region, api, tmp_path, settings):
    Region.objects.filter(pk=region.region.pk).update(appeal_prefix="DO")
    _load(region.region)
    school = Category.objects.get(slug="school")
    admission = Category.objects.get(slug="school-admission")
    article = Article.objects.get(slug="first-grade-dates")

    with running_bot(api, tmp_path, settings) as step:
        menu = step(lambda: api.send_text("/start"), "Выберите раздел")
        topics = step(lambda: api.press(_button(menu, "Ответы по темам")), "Выберите тему:")
        assert _button(topics, "Общее образование") == f"cat:{school.pk}"
        sub = step(lambda: api.press(f"cat:{school.pk}"), "Общее образование:")
        assert _button(sub, "Приём в школу") == f"cat:{admission.pk}"
        articles = step(lambda: api.press(f"cat:{admission.pk}"), "Приём в школу:")
        assert _button(articles, "первый класс") == f"art:{article.pk}"
        answer = step(lambda: api.press(f"art:{article.pk}"), "С 1 апреля")
        sorry = step(lambda: api.press(_button(answer, "Не помогло")), "Жаль, что ответ не помог")
        describe = step(lambda: api.press(_button(sorry, "Задать вопрос официально")), "Опишите вопрос")
        assert _button(describe, "Отменить") == "cancel"
        topic = step(
            lambda: api.send_text(
                "Сыну не хватило места в первом классе школы № 1 Северного района, хотя мы живём рядом."
            ),
            "К какой теме относится обращение?",
        )
        contact = step(lambda: api.press(_button(topic, "Не знаю")), "ФИО и адрес электронной почты")
        consent = step(lambda: api.press(_button(contact, "Пропустить")), "нужно ваше согласие")
        summary = step(lambda: api.press(_button(consent, "Согласен")), "Проверьте обращение")
        done = step(lambda: api.press(_button(summary, "Отправить")), "Обращение зарегистрировано")
        number = re.search(r"Номер: (\S+)\.", done["text"]).group(1)
        assert re.fullmatch(r"DO-\d{4}-\d{6}", number)
        appeal = Appeal.objects.get(number=number)
        assert appeal.channel == Channel.TELEGRAM
        assert appeal.citizen.identities.filter(channel="telegram", value="4242").exists()
        mine = step(lambda: api.press(_button(done, "Мои обращения")), "Ваши обращения:")
        assert _button(mine, number) == f"my:{number}"
        status = step(lambda: api.press(f"my:{number}"), f"Обращение {number}: ")
        assert status["text"].startswith(f"Обращение {number}: {appeal.get_status_display()}.")

    methods = [method for method, _ in api.requests]
    assert methods[:3] == ["getMe", "deleteWebhook", "setMyCommands"]
    # The «Меню» button lists the commands; one region: nothing to choose, so no /region.
    listed = json.loads(api.calls("setMyCommands")[0]["commands"])
    assert [c["command"] for c in listed] == ["start", "menu", "help", "cancel"]
    # /start and the typed text get only messages; every pressed button is answered, then replied to.
    assert methods[3:] == (
        ["sendMessage", "sendMessage"]
        + ["answerCallbackQuery", "sendMessage"] * 6
        + ["sendMessage"]
        + ["answerCallbackQuery", "sendMessage"] * 6
    )
    texts = [params["text"] for params in api.sent()]
    assert texts[0].startswith("Здравствуйте!") and texts[1].startswith("Выберите раздел")
    assert texts[-3].startswith(f"Обращение зарегистрировано. Номер: {number}.")
    assert all(params["chat_id"] == "4242" for params in api.sent())


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_citizen_rates_an_answer_and_answers_the_offered_survey_in_the_chat(region, api, tmp_path, settings):
    from otklik.dialogue.tests.test_survey_chat import chat_survey
    from otklik.surveys.models import Response
    from otklik.surveys.selectors import survey_results
    from otklik.surveys.services import respondent_hash

    _load(region.region)
    survey = chat_survey(region.ministry, asks_profile=True, multiple=True)
    article = Article.objects.get(slug="first-grade-dates")
    article.answer = "**С 1 апреля** — для детей с закреплённой\nтерритории, с 6 июля — для остальных."
    article.save()

    with running_bot(api, tmp_path, settings) as step:
        answer = step(lambda: api.press(f"art:{article.pk}"), "С 1 апреля")
        # The Markdown of the answer is not shown raw: no asterisks, the wrapped line joined.
        assert "**" not in answer["text"] and "с закреплённой территории" in answer["text"]
        offer = step(lambda: api.press(_button(answer, "Помогло")), "анонимный опрос")
        assert api.sent()[-2]["text"].startswith("Рады, что помогли")
        first = step(lambda: api.press(_button(offer, "Качество ответов")), "Вопрос 1 из 4")
        scale = step(lambda: api.press(_button(first, "Да")), "Вопрос 2 из 4")
        free = step(lambda: api.press(_button(scale, "5")), "Вопрос 3 из 4")
        assert _button(free, "Пропустить") == f"pa:{survey.pk}:2:-"
        where = step(lambda: api.send_text("Спасибо за быстрый ответ"), "Вопрос 4 из 4")
        # A toggle edits the keyboard of the question's message instead of sending a new one.
        sent, question_id = len(api.sent()), api.last_message_id
        api.press(_button(where, "Бот"))
        edit = api.wait_for_call("editMessageReplyMarkup", 0)
        assert (edit["chat_id"], edit["message_id"]) == ("4242", str(question_id))
        api.press(_button(edit, "Школа"))
        edit = api.wait_for_call("editMessageReplyMarkup", 1)
        assert [b["text"] for b in _buttons(edit)][:4] == [
            "1. Сайт",
            "✅ 2. Бот",
            "✅ 3. Школа",
            "Готово (2)",
        ]
        assert len(api.sent()) == sent
        about = step(lambda: api.press(_button(edit, "Готово (2)")), "Несколько вопросов о вас")
        step(lambda: api.press(_button(about, "Не отвечать о себе")), "Ваш ответ учтён")
        again = step(lambda: api.press(f"poll:{survey.pk}"), "уже ответили")
        assert _button(again, "Опросы") == "polls"

    response = Response.objects.get()
    assert response.respondent_hash == respondent_hash(survey=survey, token="telegram:4242")
    assert (response.age_group, response.sex, response.role, response.territory) == ("", "", "", None)
    single, rating, text, where = survey_results(survey=survey)["questions"]
    assert [(r["label"], r["n"]) for r in single.rows] == [("Да", 1), ("Нет", 0)]
    assert (rating.average, text.texts) == (5.0, ["Спасибо за быстрый ответ"])
    assert [(r["label"], r["n"]) for r in where.rows] == [("Сайт", 0), ("Бот", 1), ("Школа", 1)]
    assert all(params["chat_id"] == "4242" for params in api.sent())
