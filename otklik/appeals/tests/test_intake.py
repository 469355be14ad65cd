"""Hotline operator's form, attachments on the web form, and imports with a per-row report."""

import io
import re
import time

from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from otklik.appeals.models import Appeal, Attachment
from otklik.testing import APPEAL_TEXT as TEXT

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_hotline_call_is_registered_on_behalf_of_the_caller(client, region):
    client.force_login(region.coordinator)
    response = client.post(
        "/staff/appeals/hotline/",
        {
            "author_name": "Петров Пётр",
            "contact_phone": "+7 912 000-00-00",
            "territory": region.territory_b.pk,
            "text": TEXT,
            "consent": "on",
        },
    )
    appeal = Appeal.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/staff/appeals/{appeal.number}/"
    assert appeal.channel == "hotline" and appeal.author_name == "Петров Пётр"
    assert appeal.events.get(kind="registered").actor == region.coordinator


def test_a_hotline_call_sent_twice_from_one_page_is_one_appeal(client, region):
    client.force_login(region.coordinator)
    page = client.get("/staff/appeals/hotline/").content.decode()
    assert "Started" not in page
    started = re.search(r'name="started" value="([^"]+)"', page).group(1)
    call = {"author_name": "Петров Пётр", "text": TEXT, "consent": "on", "started": started}
    first = client.post("/staff/appeals/hotline/", call)
    again = client.post("/staff/appeals/hotline/", call)
    assert first["Location"] == again["Location"] and Appeal.objects.count() == 1


def test_hotline_refuses_personal_data_without_consent_and_empty_text(client, region):
    client.force_login(region.executor_a)
    for data, message in [
        ({"author_name": "Петров", "text": TEXT}, "Без согласия"),
        ({"text": ""}, "Запишите"),
    ]:
        response = client.post("/staff/appeals/hotline/", data)
        assert response.status_code == 400 and message in response.content.decode()
    assert Appeal.objects.count() == 0


def test_hotline_needs_a_staff_role(client, region):
    from otklik.accounts.models import User

    client.force_login(User.objects.create_user("x", password="y" * 12))
    assert client.post("/staff/appeals/hotline/", {"text": TEXT}).status_code == 403
    assert Appeal.objects.count() == 0


def _form(**extra):
    return {"text": TEXT, "consent": "on", "started": signing.dumps(time.time() - 30), **extra}


def test_staff_watch_a_video_the_citizen_sent_in_the_card(client, region):
    video = b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00" + b"\x00" * 64
    assert (
        client.post("/appeal/new/", _form(attachment=SimpleUploadedFile("лужа.mp4", video))).status_code
        == 302
    )
    appeal = Appeal.objects.get()
    attachment = appeal.attachments.get()
    assert (attachment.content_type, attachment.from_citizen) == ("video/mp4", True)
    client.force_login(region.coordinator)
    page = client.get(f"/staff/appeals/{appeal.number}/").content.decode()
    assert '<video controls preload="metadata"' in page and f"/files/{attachment.pk}/" in page
    served = client.get(f"/staff/appeals/{appeal.number}/files/{attachment.pk}/")
    assert served.status_code == 200 and served["Content-Type"] == "video/mp4"


def test_web_form_keeps_an_image_and_refuses_other_files(client, region):
    response = client.post("/appeal/new/", _form(attachment=SimpleUploadedFile("photo.png", PNG)))
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert (attachment.content_type, attachment.name, attachment.from_citizen) == (
        "image/png",
        "photo.png",
        True,
    )
    for bad, message in [
        (SimpleUploadedFile("virus.png", b"MZ\x90\x00" * 10), "только фотографии"),
        (SimpleUploadedFile("empty.pdf", b""), "пуст"),
    ]:
        response = client.post("/appeal/new/", _form(attachment=bad))
        assert response.status_code == 400 and message in response.content.decode()
    assert Appeal.objects.count() == 1


def _csv(rows: list[str]) -> SimpleUploadedFile:
    content = "Номер;Дата поступления;Текст;Территория\n" + "\n".join(rows)
    return SimpleUploadedFile("pos.csv", content.encode("utf-8"))


def test_import_reports_every_row_and_skips_repeats(client, region):
    client.force_login(region.coordinator)
    rows = [
        f"101;01.10.2026 10:00;{TEXT};{region.territory_a.name}",
        "102;01.10.2026 11:00;коротко;",
        f"103;не дата;{TEXT};",
        f"104;02.10.2026 09:00;{TEXT};Марс",
    ]
    response = client.post("/staff/appeals/import/", {"source": "pos", "file": _csv(rows)})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Принято: <strong>1</strong>" in page and "отклонено: <strong>3</strong>" in page
    assert "подробнее" in page and "не распознана" in page and "«Марс» не найдена" in page
    appeal = Appeal.objects.get()
    assert (appeal.external_source, appeal.external_id, appeal.channel) == ("pos", "101", "pos")
    assert appeal.registered_at.day == 1 and appeal.territory == region.territory_a
    again = client.post("/staff/appeals/import/", {"source": "pos", "file": _csv(rows[:1])}).content.decode()
    assert "уже были загружены: 1" in again
    assert Appeal.objects.count() == 1


def test_import_from_xlsx(client, region):
    book = Workbook()
    book.active.append(["external_id", "text", "email"])
    book.active.append(["INC-7", TEXT, "anna@example.ru"])
    buffer = io.BytesIO()
    book.save(buffer)
    client.force_login(region.coordinator)
    response = client.post(
        "/staff/appeals/import/",
        {"source": "incident", "file": SimpleUploadedFile("export.xlsx", buffer.getvalue())},
    )
    assert "Принято: <strong>1</strong>" in response.content.decode()
    assert Appeal.objects.get().contact_email == "anna@example.ru"


def test_impossible_dates_nul_characters_and_utf16_files_are_imported_or_explained(client, region):
    client.force_login(region.coordinator)
    rows = [
        f"105;2026-13-45 10:00;{TEXT};",
        f"106;01.10.2026 10:00;{TEXT}\x00;",
    ]
    response = client.post("/staff/appeals/import/", {"source": "pos", "file": _csv(rows)})
    page = response.content.decode()
    assert response.status_code == 200 and "Принято: <strong>1</strong>" in page and "не распознана" in page
    assert Appeal.objects.get().text == TEXT  # PostgreSQL cannot store the NUL
    content = "Номер;Текст\n107;" + TEXT + "\n"
    utf16 = SimpleUploadedFile("unicode.csv", content.encode("utf-16"))  # Excel's «Unicode text»
    response = client.post("/staff/appeals/import/", {"source": "pos", "file": utf16})
    assert "Принято: <strong>1</strong>" in response.content.decode()
    assert Appeal.objects.filter(external_id="107").exists()


def test_bad_import_files_are_explained(client, region):
    client.force_login(region.coordinator)
    for upload, message in [
        (SimpleUploadedFile("a.csv", b"x;y\n1;2\n"), "Нет столбца с текстом"),
        (SimpleUploadedFile("a.xlsx", b"PK\x03\x04junk"), "не открывается"),
        (SimpleUploadedFile("a.doc", b"hello"), "Поддерживаются"),
        (SimpleUploadedFile("a.csv", b'text\n"\xd0\xb0\r\n' + b"x" * 200_000 + b"\n"), "не читается"),
    ]:
        response = client.post("/staff/appeals/import/", {"source": "pos", "file": upload})
        assert response.status_code == 400 and message in response.content.decode()
    assert client.post("/staff/appeals/import/", {"source": "mars"}).status_code == 400
    assert Appeal.objects.count() == 0


def test_executor_cannot_import(client, region):
    client.force_login(region.executor_a)
    assert client.post("/staff/appeals/import/", {"source": "pos", "file": _csv([])}).status_code == 403


def test_attachment_is_served_to_staff_of_the_appeal_only(client, region, settings):
    settings.APPEAL_AUTO_ROUTE_CONFIDENCE = 0.0
    client.post(
        "/appeal/new/",
        _form(attachment=SimpleUploadedFile("photo.png", PNG), territory=region.territory_a.pk),
    )
    appeal = Appeal.objects.get()
    url = f"/staff/appeals/{appeal.number}/files/{appeal.attachments.get().pk}/"
    client.force_login(region.executor_a)
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PNG
    client.force_login(region.executor_b)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302
