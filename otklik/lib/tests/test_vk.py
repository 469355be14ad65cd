"""VK wall addresses and `wall.createComment` against the fake VK API on 127.0.0.1."""

import pytest

from otklik.lib import vk
from otklik.lib.vk import (
    Throttle,
    VkError,
    WallPost,
    clean_text,
    create_comment,
    parse_source_address,
    parse_wall_url,
    resolve_owner,
    wall_get,
)
from otklik.testing import FakeApiHandler, fake_api


@pytest.mark.parametrize(
    "url, post",
    [
        ("https://vk.com/wall-123_456", WallPost(-123, 456)),
        ("http://m.vk.com/wall-123_456/", WallPost(-123, 456)),
        ("https://www.vk.ru/wall-123_456", WallPost(-123, 456)),
        ("https://m.vk.ru/wall-123_456#comments", WallPost(-123, 456)),
        ("https://vk.com/wall77_8", WallPost(77, 8)),
        ("https://VK.com/minobr_region?w=wall-123_456", WallPost(-123, 456)),
        ("https://vk.com/club123?w=wall-123_456%2Fall", None),
        ("https://vk.com/wall-123_456?reply=789", WallPost(-123, 456, 789)),
        ("https://vk.com/wall-123_456?reply=789&thread=700", WallPost(-123, 456, 789)),
        ("https://vk.com/minobr?w=wall-123_456_r789", WallPost(-123, 456, 789)),
        ("https://vk.com/minobr?w=wall-123_456&reply=790", WallPost(-123, 456, 790)),
        # not a wall post, or not VK
        ("https://vk.com/club123", None),
        ("https://vk.com/photo-123_456", None),
        ("https://vk.com/wall-123", None),
        ("https://vk.com/wall-123_456?reply=abc", None),
        ("https://vk.com/wall-123_0", None),
        ("https://vk.com/wall0_5", None),
        ("https://vk.com.evil.example/wall-123_456", None),
        ("https://t.me/channel/5", None),
        ("https://ok.ru/group/1/topic/2", None),
        ("ftp://vk.com/wall-1_2", None),
        ("https://vk.com/wall-" + "9" * 30 + "_1", None),
        ("http://[::1", None),
        ("", None),
    ],
)
def test_wall_addresses(url, post):
    assert parse_wall_url(url) == post


def test_the_reply_link_names_the_new_comment():
    assert WallPost(-123, 456, 700).comment_url(789) == "https://vk.com/wall-123_456?reply=789"


def test_comment_is_posted_with_exactly_these_parameters(vk_api):
    assert (
        create_comment(token="vk1.a.secret", post=WallPost(-123, 456), message="Ответ", from_group=123) == 789
    )
    assert vk_api.received == [
        (
            "/method/wall.createComment",
            {
                "owner_id": "-123",
                "post_id": "456",
                "message": "Ответ",
                "from_group": "123",
                "v": "5.199",
                "access_token": "vk1.a.secret",
            },
        )
    ]


def test_an_answer_to_a_comment_goes_to_its_thread_with_a_guid(vk_api):
    create_comment(token="t", post=WallPost(-1, 2, 3), message="m", from_group=1, guid="otklik-reply-5")
    params = vk_api.received[0][1]
    assert (params["reply_to_comment"], params["guid"]) == ("3", "otklik-reply-5")


@pytest.mark.parametrize(
    "answer, code, transient, words",
    [
        ({"error": {"error_code": 15, "error_msg": "Access denied"}}, 15, False, "доступ запрещён"),
        (
            {"error": {"error_code": 213, "error_msg": "Access denied"}},
            213,
            False,
            "комментарии к записи закрыты",
        ),
        ({"error": {"error_code": 5, "error_msg": "User authorization failed"}}, 5, False, "ключ доступа"),
        (
            {"error": {"error_code": 6, "error_msg": "Too many requests per second"}},
            6,
            True,
            "повторить позже",
        ),
        ({"error": {"error_code": 9, "error_msg": "Flood control"}}, 9, True, "повторить позже"),
        ({"error": {"error_code": 29, "error_msg": "Rate limit reached"}}, 29, True, "повторить позже"),
        ({"error": {"error_code": 999, "error_msg": "New"}}, 999, False, "отказал"),
        ((502, {}), 0, True, "HTTP 502"),
        ({"response": {}}, 0, False, "номер комментария"),
        ([1, 2], 0, True, "непонятный"),
    ],
)
def test_refusals_say_what_happened_in_russian_and_whether_to_retry(vk_api, answer, code, transient, words):
    vk_api.answers = [answer]
    with pytest.raises(VkError) as refused:
        create_comment(token="vk1.a.SECRET", post=WallPost(-1, 2), message="m", from_group=1)
    assert (refused.value.code, refused.value.transient) == (code, transient)
    assert words in str(refused.value) and "SECRET" not in str(refused.value)


def test_an_unreachable_api_is_a_transient_error(settings):
    settings.VK_API_BASE = "http://127.0.0.1:9/method"  # nothing listens on the discard port
    with pytest.raises(VkError) as refused:
        create_comment(token="t", post=WallPost(-1, 2), message="m", from_group=1, timeout=2)
    assert refused.value.transient and "недоступен" in str(refused.value)


class _CutOff(FakeApiHandler):
    def do_POST(self):  # noqa: N802 - http.server's naming
        self.body()
        self.send_response(200)
        self.send_header("Content-Length", "100")
        self.end_headers()
        self.wfile.write(b'{"resp')


def test_an_answer_cut_off_midway_is_a_transient_error(settings):
    with fake_api(_CutOff) as base:
        settings.VK_API_BASE = base
        with pytest.raises(VkError) as refused:
            create_comment(token="t", post=WallPost(-1, 2), message="m", from_group=1)
    assert (
        refused.value.transient
        and "недоступен" in str(refused.value)
        and "IncompleteRead" in str(refused.value)
    )


# --- reading walls ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, name",
    [
        ("https://vk.com/podslushano_sever", "podslushano_sever"),
        ("http://m.vk.ru/Podslushano_Sever/", "podslushano_sever"),
        ("vk.com/minobr.region", "minobr.region"),
        ("@school_1", "school_1"),
        ("public123", "club123"),
        ("https://vk.com/club123", "club123"),
        ("event5", "club5"),
        ("-123", "club123"),
        ("123", "club123"),
        ("id77", "id77"),
    ],
)
def test_source_addresses(raw, name):
    assert parse_source_address(raw) == name


@pytest.mark.parametrize(
    "raw, message",
    [
        ("", "Укажите адрес страницы ВКонтакте"),
        ("https://t.me/channel", "Это не адрес ВКонтакте"),
        ("https://vk.com.evil.example/name", "Это не адрес ВКонтакте"),
        ("https://vk.com/", "Ссылка должна вести на страницу или сообщество"),
        ("https://vk.com/name/photos", "Ссылка должна вести на страницу или сообщество"),
        ("https://vk.com/wall-1_2", "Это ссылка на запись"),
        ("школа номер 1", "Короткое имя — латинские буквы"),
        ("x" * 201, "Адрес длиннее 200 символов."),
    ],
)
def test_bad_source_addresses(raw, message):
    with pytest.raises(ValueError, match=message):
        parse_source_address(raw)


def test_a_numbered_page_needs_no_call_and_a_short_name_is_resolved(vk_api):
    vk_api.names = {"minobr": {"type": "group", "object_id": 42}, "anna": {"type": "user", "object_id": 7}}
    assert resolve_owner(token="t", screen_name="club5") == -5
    assert resolve_owner(token="t", screen_name="id9") == 9
    assert vk_api.received == []
    assert resolve_owner(token="t", screen_name="minobr") == -42
    assert resolve_owner(token="t", screen_name="anna") == 7
    with pytest.raises(VkError, match="ВКонтакте не знает такой страницы") as unknown:
        resolve_owner(token="t", screen_name="nobody")
    assert (unknown.value.code, unknown.value.transient) == (113, False)
    vk_api.names = {"app": {"type": "application", "object_id": 3}}
    with pytest.raises(VkError, match="не страница и не сообщество"):
        resolve_owner(token="t", screen_name="app")


def test_clean_text():
    assert clean_text("  a\x00b\x1fc\ud83d😀\n\tend ", 100) == "abc😀\n\tend"
    assert clean_text(None, 10) == "" and clean_text(5, 10) == ""
    assert clean_text("абвгдежзик", 5) == "абвг…"


class _Clock:
    def __init__(self):
        self.now, self.slept = 100.0, []

    def sleep(self, seconds):
        self.slept.append(round(seconds, 6))
        self.now += seconds


def test_the_throttle_spaces_calls_of_one_token():
    clock = _Clock()
    throttle = Throttle(clock=lambda: clock.now, sleep=clock.sleep)
    waits = [throttle.wait("key", 4) for _ in range(3)]
    assert waits == [0, 0.25, 0.25] and clock.slept == [0.25, 0.25]
    assert throttle.wait("other", 4) == 0  # another token has its own budget
    clock.now += 1  # a quiet second: the next call goes at once
    assert throttle.wait("key", 4) == 0
    assert throttle.wait("key", 0) == 0 and throttle.wait("key", 0) == 0  # 0: no limit


def test_every_call_waits_for_the_throttle(vk_api, settings, monkeypatch):
    clock = _Clock()
    monkeypatch.setattr(vk, "throttle", Throttle(clock=lambda: clock.now, sleep=clock.sleep))
    settings.VK_REQUESTS_PER_SECOND = 3
    vk_api.walls = {-5: []}
    for _ in range(3):
        wall_get(token="t", owner_id=-5)
    assert clock.slept == [0.333333, 0.333333] and len(vk_api.received) == 3
