"""VK wall posts: recognising a post's address, commenting under it and posting on a community's wall
over plain HTTP (the worker).

No Django models here; the API's base URL and version come from settings so that tests point them to
a fake server on 127.0.0.1.
"""

import http.client
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings

HOSTS = {"vk.com", "vk.ru"}
# wall-1_2, wall1_2; a comment anchor in the `w=` form reads wall-1_2_r3.
_WALL = re.compile(r"wall(-?\d{1,19})_(\d{1,19})(?:_r(\d{1,19}))?")
_ID = re.compile(r"\d{1,19}")
# Asking again later helps: too many requests per second (6), flood control (9), rate limit (29),
# and VK's own hiccups (1 unknown error, 10 internal server error).
TRANSIENT = {1, 6, 9, 10, 29}
REASONS = {
    5: "ключ доступа сообщества неверен или отозван — администратору нужно выпустить новый и сохранить его в настройках",
    7: "у ключа доступа сообщества нет права «стена» (wall)",
    14: "ВКонтакте требует ввести капчу — опубликуйте ответ вручную",
    15: "доступ запрещён: сообщество не может комментировать эту запись",
    17: "ВКонтакте требует подтвердить вход владельца ключа",
    18: "страница удалена или заблокирована",
    27: "этот метод нельзя вызвать с ключом доступа сообщества",
    100: "ВКонтакте не принял параметры: запись не найдена или адрес неверен",
    210: "нет доступа к записи",
    211: "нет доступа к комментарию, на который отвечаем",
    212: "нет доступа к комментариям записи",
    213: "комментарии к записи закрыты",
    222: "ссылки в комментариях запрещены",
    223: "слишком много ответов в ветке",
}
# `wall.post` on a community's own wall: the same codes mean other things than under someone's post.
POST_REASONS = {
    **REASONS,
    15: "доступ запрещён: ключ не даёт публиковать на стене этого сообщества",
    100: "ВКонтакте не принял параметры записи (номер сообщества или вложение)",
    214: "публикация запрещена: стена сообщества закрыта для записей от этого ключа",
    219: "запись с рекламой уже была недавно — ВКонтакте ограничивает такие записи",
    220: "слишком много получателей",
    222: "ссылки в записях этого сообщества запрещены",
}
# Transient refusals are asked again 30 s, 1, 2, 4 minutes later (VK's per-second and flood limits pass
# in that time); the fifth attempt is the last.
MAX_ATTEMPTS = 5
BACKOFF = timedelta(seconds=30)
# VK's limit of a wall post's text.
POST_MAX_CHARS = 16384


@dataclass(frozen=True)
class WallPost:
    """A post on a VK wall (`owner_id` < 0: a community), optionally a comment under it to answer."""

    owner_id: int
    post_id: int
    reply_to_comment: int | None = None

    @property
    def url(self) -> str:
        return f"https://vk.com/wall{self.owner_id}_{self.post_id}"

    def comment_url(self, comment_id: int) -> str:
        return f"https://vk.com/wall{self.owner_id}_{self.post_id}?reply={comment_id}"


def parse_wall_url(url: str) -> WallPost | None:
    """The wall post (and comment) a VK address points to; None for anything else.

    Understands vk.com/wall-1_2, vk.com/<page>?w=wall-1_2, a comment link ?reply=3 (or w=wall-1_2_r3),
    on vk.com, vk.ru and their m./www. hosts."""
    try:
        parts = urllib.parse.urlsplit((url or "").strip())
        host = (parts.hostname or "").lower()
    except ValueError:
        return None
    for prefix in ("www.", "m."):
        host = host.removeprefix(prefix)
    if parts.scheme not in {"http", "https"} or host not in HOSTS:
        return None
    query = urllib.parse.parse_qs(parts.query)
    match = _WALL.fullmatch(parts.path.strip("/"))
    if match is None and query.get("w"):
        match = _WALL.fullmatch(query["w"][0].strip("/"))
    if match is None:
        return None
    owner, post, anchor = int(match[1]), int(match[2]), match[3]
    reply = (query.get("reply") or [""])[0] or anchor or ""
    if owner == 0 or post == 0 or (reply and not _ID.fullmatch(reply)) or reply in {"0"}:
        return None
    return WallPost(owner, post, int(reply) if reply else None)


class VkError(RuntimeError):
    """VK refused or could not be reached. `code` is VK's error_code (0: no answer from VK);
    `transient` says whether asking again later may help."""

    def __init__(self, message: str, *, code: int = 0, transient: bool = True):
        super().__init__(message)
        self.code, self.transient = code, transient


def retry_at(error: "VkError", *, attempts: int, now: datetime) -> datetime | None:
    """When to ask VK again after `attempts` attempts ended with `error`; None: give up."""
    if not error.transient or attempts >= MAX_ATTEMPTS:
        return None
    return now + BACKOFF * 2 ** (attempts - 1)


def vk_error(code: int, vk_message: str, reasons: dict[int, str] = REASONS) -> VkError:
    """VK's error as a Russian sentence for the executor, with VK's own words for the administrator."""
    reason = reasons.get(code, "ВКонтакте отказал в публикации")
    if code in TRANSIENT:
        reason = "ВКонтакте просит повторить позже (ограничение частоты запросов или сбой на его стороне)"
    return VkError(f"{reason} (код {code}: {vk_message[:200]})", code=code, transient=code in TRANSIENT)


def _call(method: str, *, token: str, params: dict, timeout: float, reasons: dict[int, str]) -> dict:
    """POST one API method; its `response` object, or a VkError in Russian."""
    base = settings.VK_API_BASE.rstrip("/")
    if not base.startswith(("http://", "https://")):
        raise VkError("VK_API_BASE должен начинаться с http:// или https://", transient=False)
    # The token goes in the body, never in the address, so that no proxy or access log keeps it.
    body = urllib.parse.urlencode({**params, "v": settings.VK_API_VERSION, "access_token": token}).encode()
    request = urllib.request.Request(  # noqa: S310 - configured VK API URL
        f"{base}/{method}",
        data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            payload = json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        raise VkError(
            f"API ВКонтакте ответил HTTP {exc.code}", transient=exc.code >= 500 or exc.code == 429
        ) from exc
    except (OSError, ValueError, http.client.HTTPException) as exc:  # HTTPException: a cut-off answer
        raise VkError(f"API ВКонтакте недоступен: {exc!r}"[:300]) from exc
    if not isinstance(payload, dict):
        raise VkError("API ВКонтакте вернул непонятный ответ")
    if isinstance(payload.get("error"), dict):
        error = payload["error"]
        code = error.get("error_code")
        raise vk_error(code if isinstance(code, int) else 0, str(error.get("error_msg") or ""), reasons)
    response = payload.get("response")
    return response if isinstance(response, dict) else {}


def create_comment(
    *,
    token: str,
    post: WallPost,
    message: str,
    from_group: int,
    guid: str = "",
    timeout: float = 20,
) -> int:
    """Post `message` under the wall post (in the comment's thread if `post` names one) on behalf of
    community `from_group`; the new comment's id. `guid` makes a repeated call after a lost answer
    return the same comment instead of a second one."""
    params = {
        "owner_id": post.owner_id,
        "post_id": post.post_id,
        "message": message,
        "from_group": from_group,
    }
    if post.reply_to_comment:
        params["reply_to_comment"] = post.reply_to_comment
    if guid:
        params["guid"] = guid
    response = _call("wall.createComment", token=token, params=params, timeout=timeout, reasons=REASONS)
    comment_id = response.get("comment_id")
    if not isinstance(comment_id, int) or comment_id <= 0:
        raise VkError("API ВКонтакте не вернул номер комментария", transient=False)
    return comment_id


def wall_post(
    *, token: str, group_id: int, message: str, link: str = "", guid: str = "", timeout: float = 20
) -> WallPost:
    """Publish `message` on the wall of community `group_id` on its behalf (`from_group=1`), with
    `link` attached (VK shows its preview); the new post. `guid` makes a repeated call after a lost
    answer return the same post instead of a second one."""
    params = {"owner_id": -group_id, "from_group": 1, "message": message}
    if link:
        params["attachments"] = link
    if guid:
        params["guid"] = guid
    response = _call("wall.post", token=token, params=params, timeout=timeout, reasons=POST_REASONS)
    post_id = response.get("post_id")
    if not isinstance(post_id, int) or post_id <= 0:
        raise VkError("API ВКонтакте не вернул номер записи", transient=False)
    return WallPost(-group_id, post_id)
