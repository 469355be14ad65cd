"""VK wall addresses and `wall.createComment` against the fake VK API on 127.0.0.1."""

import pytest

from otklik.lib.vk import VkError, WallPost, create_comment, parse_wall_url
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
