"""A Bot API session that records calls instead of sending them, and Update factories."""

import itertools
from datetime import UTC, datetime

from aiogram import methods
from aiogram.client.session.base import BaseSession
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import Chat, File, Message, Update, User

CITIZEN_ID = 777
_ids = itertools.count(1)


class RecordingSession(BaseSession):
    """Answers like the Bot API would and keeps (method name, parameters) of each call; a method
    named in `refuse` gets a Bad Request with the given description."""

    def __init__(self, files: dict[str, bytes] | None = None):
        super().__init__()
        self.calls: list[tuple[str, dict]] = []
        self.files = files or {}
        self.refuse: dict[str, str] = {}

    async def make_request(self, bot, method, timeout=None):
        params = method.model_dump(exclude_none=True)
        self.calls.append((method.__api_method__, params))
        if method.__api_method__ in self.refuse:
            raise TelegramBadRequest(method=method, message=self.refuse[method.__api_method__])
        if isinstance(method, methods.SendMessage):
            return Message(
                message_id=next(_ids),
                date=datetime.now(UTC),
                chat=Chat(id=int(method.chat_id), type="private"),
                text=method.text,
                reply_markup=method.reply_markup,
            )
        if isinstance(method, methods.GetFile):
            return File(
                file_id=method.file_id, file_unique_id=method.file_id, file_path=f"f/{method.file_id}"
            )
        if isinstance(method, methods.GetMe):
            return User(id=1, is_bot=True, first_name="Отклик", username="otklik_bot")
        return True

    async def stream_content(self, url, headers=None, timeout=30, chunk_size=65536, raise_for_status=True):
        yield self.files[url.rsplit("/", 1)[-1]]

    async def close(self):
        pass

    def sent(self) -> list[dict]:
        return [params for name, params in self.calls if name == "sendMessage"]

    def texts(self) -> list[str]:
        return [params["text"] for params in self.sent()]

    def actions(self) -> list[str]:
        """Callback data of every button in every sent message."""
        return [
            button["callback_data"]
            for params in self.sent()
            for row in (params.get("reply_markup") or {}).get("inline_keyboard", [])
            for button in row
        ]


def _user(user_id: int) -> dict:
    return {"id": user_id, "is_bot": False, "first_name": "Анна", "last_name": "Иванова"}


def message_update(user_id: int = CITIZEN_ID, **content) -> Update:
    n = next(_ids)
    message = {
        "message_id": n,
        "date": int(datetime.now(UTC).timestamp()),
        "chat": {"id": user_id, "type": "private"},
        "from": _user(user_id),
        **content,
    }
    text = content.get("text", "")
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return Update.model_validate({"update_id": n, "message": message})


def button_update(data: str, user_id: int = CITIZEN_ID) -> Update:
    n = next(_ids)
    return Update.model_validate(
        {
            "update_id": n,
            "callback_query": {
                "id": f"cb{n}",
                "from": _user(user_id),
                "chat_instance": "ci",
                "data": data,
                "message": {
                    "message_id": n,
                    "date": int(datetime.now(UTC).timestamp()),
                    "chat": {"id": user_id, "type": "private"},
                    "text": "…",
                },
            },
        }
    )
