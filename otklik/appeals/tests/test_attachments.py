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
    assert "короткие видео (MP4, MOV, WebM, 3GP)" in caught.value.messages[0]


ODT = b"application/vnd.oasis.opendocument.text"


def zipped(*names: str, mimetype: bytes = b"", compress: bool = False) -> bytes:
    """A ZIP with the given member names (as DOCX, XLSX and ODF files are)."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(
        buffer, "w", compression=zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    ) as archive:
        if mimetype:
            archive.writestr("mimetype", mimetype)
        for name in names:
            archive.writestr(name, "<xml/>")
    return buffer.getvalue()


def encrypted(data: bytes) -> bytes:
    """The ZIP with every member flagged as encrypted (zipfile then refuses to read it)."""
    data = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(signature)
        while at != -1:
            data[at + offset] |= 1
            at = data.find(signature, at + 4)
    return bytes(data)


def corrupt(data: bytes) -> bytes:
    """The ZIP with the deflated bytes of its first member scrambled."""
    data = bytearray(data)
    start = 30 + int.from_bytes(data[26:28], "little") + int.from_bytes(data[28:30], "little")
    data[start : start + 8] = b"\xff" * 8
    return bytes(data)


OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        (
            "заявление.docx",
            zipped("[Content_Types].xml", "word/document.xml"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            "таблица.xlsx",
            zipped("[Content_Types].xml", "xl/workbook.xml"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (
            "письмо.odt",
            zipped("content.xml", mimetype=b"application/vnd.oasis.opendocument.text"),
            "application/vnd.oasis.opendocument.text",
        ),
        ("письмо.doc", OLE, "application/msword"),
        ("расчёт.XLS", OLE, "application/vnd.ms-excel"),
        ("письмо.rtf", b"{\\rtf1\\ansi text}", "application/rtf"),
    ],
)
def test_documents_are_recognised_by_what_is_inside(name, data, content_type):
    assert check_upload(SimpleUploadedFile(name, data))[0] == content_type


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("макрос.docm", zipped("word/document.xml", "word/vbaProject.bin")),  # a document with macros
        ("архив.zip", zipped("readme.txt")),
        ("setup.msi", OLE),  # the same container as DOC, but an installer
        ("письмо.doc", b"PK\x03\x04" + b"\x00" * 40),  # a broken ZIP
        ("письмо.odt", zipped("content.xml", "Basic/Standard/Module1.xml", mimetype=ODT)),  # Basic macros
        ("письмо.doc", OLE + "_VBA_PROJECT".encode("utf-16-le")),  # VBA in a Word 97 file
        ("письмо.odt", encrypted(zipped("content.xml", mimetype=ODT))),  # zipfile raises RuntimeError
        ("письмо.odt", corrupt(zipped("content.xml", mimetype=ODT, compress=True))),  # zlib.error
    ],
)
def test_macros_archives_installers_and_broken_files_are_refused(name, data):
    with pytest.raises(ValidationError, match="документы без макросов \\(PDF, DOC, DOCX"):
        check_upload(SimpleUploadedFile(name, data))


def test_staff_download_a_document_and_view_a_photo_in_place(client, region):
    from otklik.appeals.services import appeal_submit
    from otklik.appeals.tests.test_intake import PNG
    from otklik.testing import APPEAL_TEXT

    docx = SimpleUploadedFile("заявление.docx", zipped("word/document.xml"))
    appeal, _ = appeal_submit(
        region=region.region,
        text=APPEAL_TEXT,
        channel="web",
        files=[docx, SimpleUploadedFile("фото.png", PNG)],
    )
    client.force_login(region.coordinator)
    document, photo = appeal.attachments.order_by("pk")
    got = client.get(f"/staff/appeals/{appeal.number}/files/{document.pk}/")
    assert got["Content-Disposition"].startswith("attachment")
    shown = client.get(f"/staff/appeals/{appeal.number}/files/{photo.pk}/")
    assert shown["Content-Disposition"].startswith("inline")
