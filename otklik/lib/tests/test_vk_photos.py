"""A wall photo in VK's three steps against the fake VK API on 127.0.0.1: the upload server, the
multipart upload, saving the photo; each failing step gives a Russian reason and says whether to retry."""

import json

import pytest

from otklik.lib import vk

TOKEN = "vk1.a.photos-0000"
IMAGE = b"\x89PNG\r\n\x1a\n-not-really-a-picture"


def test_a_photo_goes_through_the_three_steps_and_becomes_an_attachment(vk_api):
    assert vk.upload_wall_photo(token=TOKEN, group_id=101, image=IMAGE) == "photo-101_501"
    first, upload, save = vk_api.received
    assert first == (
        "/method/photos.getWallUploadServer",
        {"group_id": "101", "v": "5.199", "access_token": TOKEN},
    )
    assert upload == ("/upload/", {"file": "picture.png"})
    assert save == (
        "/method/photos.saveWallPhoto",
        {
            "group_id": "101",
            "photo": json.dumps([{"photo": "p1"}]),
            "server": "314",
            "hash": "hash1",
            "v": "5.199",
            "access_token": TOKEN,
        },
    )
    assert vk_api.uploads == [("picture.png", "image/png", IMAGE)]


def test_a_jpeg_is_uploaded_as_a_jpeg(vk_api):
    vk.upload_wall_photo(token=TOKEN, group_id=7, image=b"\xff\xd8\xff-jpeg", content_type="image/jpeg")
    assert vk_api.uploads == [("picture.jpg", "image/jpeg", b"\xff\xd8\xff-jpeg")]


def test_the_post_carries_the_photo_and_the_link(vk_api):
    vk_api.answers = [{"response": {"post_id": 9}}]
    post = vk.wall_post(
        token=TOKEN, group_id=101, message="М", link="https://a.example/", photo="photo-101_501"
    )
    assert post.url == "https://vk.com/wall-101_9"
    assert vk_api.received[0][1]["attachments"] == "photo-101_501,https://a.example/"


@pytest.mark.parametrize(
    ("step", "fault", "words", "code", "transient"),
    [
        (
            "upload",
            (500, {"error": "boom"}),
            "сервер загрузки фотографий ВКонтакте ответил HTTP 500",
            0,
            True,
        ),
        (
            "upload",
            (429, {"error": "slow"}),
            "сервер загрузки фотографий ВКонтакте ответил HTTP 429",
            0,
            True,
        ),
        (
            "upload",
            (400, {"error": "bad"}),
            "сервер загрузки фотографий ВКонтакте ответил HTTP 400",
            0,
            False,
        ),
        (
            "upload",
            {"server": 314, "photo": "[]", "hash": "x"},
            "сервер загрузки ВКонтакте не принял файл изображения",
            0,
            False,
        ),
        (
            "photos.saveWallPhoto",
            {"error": {"error_code": 129, "error_msg": "Invalid photo"}},
            "ВКонтакте не принял фотографию: неверный формат изображения (код 129: Invalid photo)",
            129,
            False,
        ),
        (
            "photos.saveWallPhoto",
            {"error": {"error_code": 121, "error_msg": "Invalid hash"}},
            "ВКонтакте не принял фотографию: неверный хэш загрузки (код 121",
            121,
            False,
        ),
        (
            "photos.getWallUploadServer",
            {"error": {"error_code": 7, "error_msg": "Permission denied"}},
            "у ключа доступа сообщества нет права «фотографии» (photos) (код 7",
            7,
            False,
        ),
        (
            "photos.getWallUploadServer",
            {"error": {"error_code": 6, "error_msg": "Too many requests"}},
            "ВКонтакте просит повторить позже",
            6,
            True,
        ),
    ],
)
def test_a_failing_step_is_explained_in_russian(vk_api, step, fault, words, code, transient):
    vk_api.photo_faults = {step: [fault]}
    with pytest.raises(vk.VkError) as failed:
        vk.upload_wall_photo(token=TOKEN, group_id=101, image=IMAGE)
    assert str(failed.value).startswith(words)
    assert (failed.value.code, failed.value.transient) == (code, transient)


def test_an_unreachable_upload_server_is_transient(vk_api):
    vk_api.photo_faults = {
        "photos.getWallUploadServer": [{"response": {"upload_url": "http://127.0.0.1:9/upload/"}}]
    }
    with pytest.raises(vk.VkError) as failed:
        vk.upload_wall_photo(token=TOKEN, group_id=101, image=IMAGE)
    assert str(failed.value).startswith("сервер загрузки фотографий ВКонтакте недоступен")
    assert failed.value.transient is True
    assert vk_api.uploads == []


def test_an_upload_address_that_is_not_http_is_refused_without_a_request(vk_api):
    vk_api.photo_faults = {"photos.getWallUploadServer": [{"response": {"upload_url": "file:///etc/passwd"}}]}
    with pytest.raises(vk.VkError, match="ВКонтакте вернул непонятный адрес загрузки фотографии"):
        vk.upload_wall_photo(token=TOKEN, group_id=101, image=IMAGE)
    assert [path for path, _ in vk_api.received] == ["/method/photos.getWallUploadServer"]
