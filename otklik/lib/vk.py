"""VK wall posts: recognising a post's address, commenting under it and posting on a community's wall
over plain HTTP (the worker).

No Django models here; the API's base URL and version come from settings so that tests point them to
a fake server on 127.0.0.1.
"""

import http.client
import json
import re
import secrets
import threading
import time
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
# The three steps of a wall photo (`photos.getWallUploadServer`, the upload, `photos.saveWallPhoto`).
PHOTO_REASONS = {
    **POST_REASONS,
    7: "у ключа доступа сообщества нет права «фотографии» (photos)",
    15: "доступ запрещён: ключ не даёт загружать фотографии в это сообщество",
    100: "ВКонтакте не принял параметры загрузки фотографии (номер сообщества, сервер или файл)",
    121: "ВКонтакте не принял фотографию: неверный хэш загрузки",
    129: "ВКонтакте не принял фотографию: неверный формат изображения",
    200: "доступ к альбому сообщества запрещён",
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


def vk_error(code: int, vk_message: str, *, reasons: dict | None = None) -> VkError:
    """VK's error as a Russian sentence for staff, with VK's own words for the administrator.
    `reasons` are the sentences of the caller's job (publishing by default)."""
    reasons = REASONS if reasons is None else reasons
    reason = reasons.get(code, reasons.get(0, "ВКонтакте отказал в публикации"))
    if code in TRANSIENT:
        reason = "ВКонтакте просит повторить позже (ограничение частоты запросов или сбой на его стороне)"
    return VkError(f"{reason} (код {code}: {vk_message[:200]})", code=code, transient=code in TRANSIENT)


class Throttle:
    """At most `per_second` calls per second per access token in this process: VK allows about three
    requests a second for a token and answers more with error 6. Every caller of `call` waits here,
    so the collector and the publisher of one worker never exceed it together."""

    def __init__(self, *, clock=time.monotonic, sleep=time.sleep):
        self._clock, self._sleep = clock, sleep
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, key: str, per_second: float) -> float:
        """Block until `key` may call again; the seconds waited. `per_second` 0: no limit."""
        if per_second <= 0:
            return 0.0
        interval = 1 / per_second
        with self._lock:
            now = self._clock()
            at = max(now, self._next.get(key, now))
            self._next[key] = at + interval
        if at > now:
            self._sleep(at - now)
        return at - now


throttle = Throttle()


# Seconds to wait for VK's answer: a hung connection must not hold the worker.
TIMEOUT = 20.0


def call(method: str, params: dict, *, token: str, reasons: dict | None = None, timeout: float | None = None):
    """Call VK API `method` with `params`; its `response`. Raises `VkError` with a Russian reason
    from `reasons` (VK error code → sentence) for refusals, and a transient one for an unreachable
    VK, HTTP 5xx/429 and answers that are not VK's JSON."""
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
    throttle.wait(token, settings.VK_REQUESTS_PER_SECOND)
    try:
        with urllib.request.urlopen(request, timeout=timeout or TIMEOUT) as response:  # noqa: S310
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
        code = code if isinstance(code, int) and not isinstance(code, bool) else 0
        raise vk_error(code, str(error.get("error_msg") or ""), reasons=reasons)
    if "response" not in payload:
        raise VkError("API ВКонтакте вернул непонятный ответ")
    return payload["response"]


def create_comment(
    *,
    token: str,
    post: WallPost,
    message: str,
    from_group: int,
    guid: str = "",
    timeout: float | None = None,
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
    response = call("wall.createComment", params, token=token, timeout=timeout)
    comment_id = response.get("comment_id") if isinstance(response, dict) else None
    if not isinstance(comment_id, int) or comment_id <= 0:
        raise VkError("API ВКонтакте не вернул номер комментария", transient=False)
    return comment_id


def _multipart(field: str, filename: str, data: bytes, content_type: str) -> tuple[bytes, str]:
    boundary = f"otklik-{secrets.token_hex(12)}"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
        f"Content-Type: {content_type}\r\n\r\n"
    ).encode()
    return head + data + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def _upload(url: str, *, image: bytes, content_type: str, timeout: float | None) -> dict:
    """POST the file to VK's upload server as `photo`; its JSON answer. The same timeout and the same
    transient/permanent split as `call`: VK's upload servers fail like its API."""
    if not url.startswith(("http://", "https://")):
        raise VkError("ВКонтакте вернул непонятный адрес загрузки фотографии")
    extension = "png" if content_type == "image/png" else "jpg"
    body, multipart_type = _multipart("photo", f"picture.{extension}", image, content_type)
    request = urllib.request.Request(url, data=body, headers={"Content-Type": multipart_type})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout or TIMEOUT) as response:  # noqa: S310
            payload = json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        raise VkError(
            f"сервер загрузки фотографий ВКонтакте ответил HTTP {exc.code}",
            transient=exc.code >= 500 or exc.code == 429,
        ) from exc
    except (OSError, ValueError, http.client.HTTPException) as exc:
        raise VkError(f"сервер загрузки фотографий ВКонтакте недоступен: {exc!r}"[:300]) from exc
    # VK's upload server answers an unreadable file with an empty list of photos (or an error text).
    if not isinstance(payload, dict) or payload.get("photo") in (None, "", "[]") or "hash" not in payload:
        detail = str(payload.get("error") or "")[:200] if isinstance(payload, dict) else ""
        raise VkError(
            "сервер загрузки ВКонтакте не принял файл изображения" + (f" ({detail})" if detail else ""),
            transient=False,
        )
    return payload


def upload_wall_photo(
    *, token: str, group_id: int, image: bytes, content_type: str = "image/png", timeout: float | None = None
) -> str:
    """Upload a picture for a post on the wall of community `group_id` in VK's three steps; the
    attachment `photo<owner>_<id>` for `wall.post`. A failed step raises `VkError` with a Russian
    reason from `PHOTO_REASONS`."""
    server = call(
        "photos.getWallUploadServer",
        {"group_id": group_id},
        token=token,
        reasons=PHOTO_REASONS,
        timeout=timeout,
    )
    if not isinstance(server, dict) or not isinstance(server.get("upload_url"), str):
        raise VkError("API ВКонтакте не вернул адрес загрузки фотографии")
    uploaded = _upload(server["upload_url"], image=image, content_type=content_type, timeout=timeout)
    saved = call(
        "photos.saveWallPhoto",
        {
            "group_id": group_id,
            "photo": uploaded["photo"],
            "server": uploaded.get("server", ""),
            "hash": uploaded["hash"],
        },
        token=token,
        reasons=PHOTO_REASONS,
        timeout=timeout,
    )
    photo = saved[0] if isinstance(saved, list) and saved and isinstance(saved[0], dict) else {}
    owner, photo_id = photo.get("owner_id"), photo.get("id")
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (owner, photo_id)):
        raise VkError("API ВКонтакте не вернул номер сохранённой фотографии", transient=False)
    return f"photo{owner}_{photo_id}"


def wall_post(
    *,
    token: str,
    group_id: int,
    message: str,
    link: str = "",
    photo: str = "",
    guid: str = "",
    timeout: float | None = None,
) -> WallPost:
    """Publish `message` on the wall of community `group_id` on its behalf (`from_group=1`), with
    the uploaded `photo` (`upload_wall_photo`) and `link` attached (VK shows its preview); the new
    post. `guid` makes a repeated call after a lost answer return the same post instead of a second one."""
    params = {"owner_id": -group_id, "from_group": 1, "message": message}
    if attachments := ",".join(a for a in (photo, link) if a):
        params["attachments"] = attachments
    if guid:
        params["guid"] = guid
    response = call("wall.post", params, token=token, reasons=POST_REASONS, timeout=timeout)
    post_id = response.get("post_id") if isinstance(response, dict) else None
    if not isinstance(post_id, int) or post_id <= 0:
        raise VkError("API ВКонтакте не вернул номер записи", transient=False)
    return WallPost(-group_id, post_id)


# --- reading walls (monitoring) -----------------------------------------------------------------

# Why VK refuses to show a watched page's wall, for the sources screen. 0: any other refusal.
MONITOR_REASONS = {
    0: "ВКонтакте отказал в чтении стены",
    5: "ключ доступа (VK_SERVICE_TOKEN) неверен или отозван — выпустите новый сервисный ключ и перезапустите worker",
    15: "доступ запрещён: стена или сообщество закрыты",
    17: "ВКонтакте требует подтвердить вход владельца ключа",
    18: "страница удалена или заблокирована",
    19: "материал недоступен",
    27: "ключ доступа не подходит: нужен сервисный ключ приложения, а не ключ сообщества",
    28: "ключ доступа приложения неверен — выпустите новый сервисный ключ и перезапустите worker",
    30: "профиль закрыт: его записи видны только друзьям",
    100: "ВКонтакте не нашёл эту страницу — проверьте адрес",
    113: "нет такой страницы — проверьте адрес",
    203: "доступ к сообществу запрещён: сообщество закрытое",
    212: "нет доступа к комментариям записи",
}
# Refusals about the key, not the page: fixed by a new VK_SERVICE_TOKEN and a restart of the worker.
TOKEN_CODES = {5, 27, 28}
_NUMBERED = re.compile(r"(club|public|event|id)(\d{1,19})")
_SCREEN = re.compile(r"[a-z0-9_.]{2,100}")
# NUL and other control characters (PostgreSQL refuses NUL in text) and lone surrogates of broken JSON.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def parse_source_address(raw: str) -> str:
    """The canonical screen name of a VK page or community to watch: `club123` for a community
    number, `id123` for a person's page, else its short name. Accepts a link (vk.com/…, m.vk.ru/…),
    `@name`, a number (a community: `-123` or `123`). Raises ValueError with a Russian reason."""
    text = (raw or "").strip()
    if not text:
        raise ValueError("Укажите адрес страницы ВКонтакте: ссылку, короткое имя или номер сообщества.")
    if len(text) > 200:
        raise ValueError("Адрес длиннее 200 символов.")
    if "://" not in text and re.match(r"(?:www\.|m\.)?vk\.(?:com|ru)/", text, re.IGNORECASE):
        text = "https://" + text
    if "://" in text:
        try:
            parts = urllib.parse.urlsplit(text)
            host = (parts.hostname or "").lower()
        except ValueError:
            host, parts = "", None
        for prefix in ("www.", "m."):
            host = host.removeprefix(prefix)
        if parts is None or host not in HOSTS:
            raise ValueError("Это не адрес ВКонтакте: нужна ссылка вида https://vk.com/имя_сообщества.")
        text = parts.path.strip("/")
        if "/" in text or not text:
            raise ValueError("Ссылка должна вести на страницу или сообщество: https://vk.com/имя_сообщества.")
    name = text.removeprefix("@").lower()
    if _WALL.match(name):
        raise ValueError(
            "Это ссылка на запись, а нужна ссылка на страницу или сообщество: https://vk.com/имя."
        )
    if re.fullmatch(r"-?\d{1,19}", name):
        return f"club{name.lstrip('-')}"
    if match := _NUMBERED.fullmatch(name):
        kind = "id" if match[1] == "id" else "club"
        return f"{kind}{match[2]}"
    if not _SCREEN.fullmatch(name):
        raise ValueError(
            "Короткое имя — латинские буквы, цифры, точка и подчёркивание: vk.com/имя_сообщества."
        )
    return name


def numbered_owner(screen_name: str) -> int | None:
    """The wall owner of `club123` (-123) or `id123` (123) without asking VK; None for a short name."""
    match = _NUMBERED.fullmatch(screen_name)
    if match is None or int(match[2]) == 0:
        return None
    return int(match[2]) if match[1] == "id" else -int(match[2])


def resolve_owner(*, token: str, screen_name: str) -> int:
    """The wall owner id of a page: negative for a community. Raises a permanent VkError for a name
    VK does not know or that is not a page or community."""
    if (owner := numbered_owner(screen_name)) is not None:
        return owner
    found = call(
        "utils.resolveScreenName", {"screen_name": screen_name}, token=token, reasons=MONITOR_REASONS
    )
    if not isinstance(found, dict) or not found:
        raise VkError("ВКонтакте не знает такой страницы — проверьте адрес", code=113, transient=False)
    object_id = found.get("object_id")
    if not isinstance(object_id, int) or isinstance(object_id, bool) or object_id <= 0:
        raise VkError("API ВКонтакте вернул непонятный ответ")
    if found.get("type") == "user":
        return object_id
    if found.get("type") in {"group", "page", "event"}:
        return -object_id
    raise VkError("по этому адресу не страница и не сообщество — проверьте адрес", code=113, transient=False)


def _listing(response) -> dict:
    """A `{items, profiles, groups}` answer with the lists checked; anything else is transient."""
    if not isinstance(response, dict) or not isinstance(response.get("items"), list):
        raise VkError("API ВКонтакте вернул непонятный ответ")
    return {
        "items": response["items"],
        "profiles": [p for p in response.get("profiles") or [] if isinstance(p, dict)],
        "groups": [g for g in response.get("groups") or [] if isinstance(g, dict)],
    }


def wall_get(*, token: str, owner_id: int, offset: int = 0, count: int = 100) -> dict:
    """One page of a wall, newest first (a pinned post may come first), with authors' names."""
    params = {"owner_id": owner_id, "offset": offset, "count": count, "extended": 1, "fields": "screen_name"}
    return _listing(call("wall.get", params, token=token, reasons=MONITOR_REASONS))


def wall_get_comments(*, token: str, owner_id: int, post_id: int, offset: int = 0, count: int = 100) -> dict:
    """One page of a post's comments, newest first, with up to 10 replies of each thread."""
    params = {
        "owner_id": owner_id,
        "post_id": post_id,
        "offset": offset,
        "count": count,
        "sort": "desc",
        "thread_items_count": 10,
        "extended": 1,
        "fields": "screen_name",
    }
    return _listing(call("wall.getComments", params, token=token, reasons=MONITOR_REASONS))


def clean_text(value, limit: int) -> str:
    """Text from VK made safe to store: a string, without NUL/control characters and broken
    surrogates, at most `limit` characters (cut with «…»)."""
    text = _CONTROL.sub("", value if isinstance(value, str) else "").strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
