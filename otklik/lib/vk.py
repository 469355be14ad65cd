"""VK wall posts: recognising a post's address and commenting under it over plain HTTP (the worker).

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


@dataclass(frozen=True)
class WallPost:
    """A post on a VK wall (`owner_id` < 0: a community), optionally a comment under it to answer."""

    owner_id: int
    post_id: int
    reply_to_comment: int | None = None

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


def vk_error(code: int, vk_message: str) -> VkError:
    """VK's error as a Russian sentence for the executor, with VK's own words for the administrator."""
    reason = REASONS.get(code, "ВКонтакте отказал в публикации")
    if code in TRANSIENT:
        reason = "ВКонтакте просит повторить позже (ограничение частоты запросов или сбой на его стороне)"
    return VkError(f"{reason} (код {code}: {vk_message[:200]})", code=code, transient=code in TRANSIENT)


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
    base = settings.VK_API_BASE.rstrip("/")
    if not base.startswith(("http://", "https://")):
        raise VkError("VK_API_BASE должен начинаться с http:// или https://", transient=False)
    params = {
        "owner_id": post.owner_id,
        "post_id": post.post_id,
        "message": message,
        "from_group": from_group,
        "v": settings.VK_API_VERSION,
    }
    if post.reply_to_comment:
        params["reply_to_comment"] = post.reply_to_comment
    if guid:
        params["guid"] = guid
    # The token goes in the body, never in the address, so that no proxy or access log keeps it.
    body = urllib.parse.urlencode({**params, "access_token": token}).encode()
    request = urllib.request.Request(  # noqa: S310 - configured VK API URL
        f"{base}/wall.createComment",
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
        raise vk_error(code if isinstance(code, int) else 0, str(error.get("error_msg") or ""))
    response = payload.get("response")
    comment_id = response.get("comment_id") if isinstance(response, dict) else None
    if not isinstance(comment_id, int) or comment_id <= 0:
        raise VkError("API ВКонтакте не вернул номер комментария", transient=False)
    return comment_id
