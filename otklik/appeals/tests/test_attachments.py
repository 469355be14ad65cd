"""Attachments are recognised by their content: photos, short videos, PDF and voice; anything else,
whatever its name, is refused with the list of what is accepted."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from otklik.appeals.attachments import check_upload, is_video, sniff


def _box(brand: bytes) -> bytes:
    return b"\x00\x00\x00\x20ftyp" + brand + b"\x00\x00\x02\x00" + b"\x00" * 40


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (_box(b"isom"), ("video/mp4", ".mp4")),  # Android phones, Telegram
        (_box(b"mp42"), ("video/mp4", ".mp4")),
        (_box(b"qt  "), ("video/quicktime", ".mov")),  # iPhone
        (_box(b"3gp4"), ("video/3gpp", ".3gp")),
        (_box(b"M4A "), ("audio/mp4", ".m4a")),  # a recording, not a video
        (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01" + b"\x00" * 20, ("video/webm", ".webm")),
        (_box(b"heic"), None),  # a HEIF photo is not taken for a video
        (_box(b"crx "), None),
        (b"\x00\x00\x00\x20ftypi", None),  # cut short
    ],
)
def test_videos_are_recognised_by_their_content(head, kind):
    assert sniff(head[:16]) == kind


def test_a_video_is_accepted_and_a_renamed_program_is_not():
    assert check_upload(SimpleUploadedFile("двор.MOV", _box(b"qt  "))) == ("video/quicktime", ".mov")
    assert is_video("video/quicktime")
    with pytest.raises(ValidationError) as caught:
        check_upload(SimpleUploadedFile("двор.mp4", b"MZ\x90\x00" * 10))
    assert "короткие видео (MP4, MOV, WebM)" in caught.value.messages[0]
