"""A finished appeal full of personal data, and snapshots of everything a depersonalisation may touch."""

import uuid
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from otklik.accounts.services import citizen_get_or_create
from otklik.appeals import services
from otklik.appeals.models import Appeal, AppealEvent, Attachment, Notification
from otklik.routing.models import Topic

EKB = ZoneInfo("Asia/Yekaterinburg")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
OGG = b"OggS" + b"\x00" * 60
SUBMITTED = datetime(2020, 3, 2, 10, 0, tzinfo=EKB)
ANSWERED = datetime(2020, 3, 10, 12, 0, tzinfo=EKB)
RATED = datetime(2020, 3, 11, 9, 30, tzinfo=EKB)
# The default period is 1827 days; the retention of an appeal closed at RATED ends then.
EXPIRES = RATED + timedelta(days=1827)
TEXT = (
    "Здравствуйте! Меня зовут Иванова Мария Петровна, мой телефон +7 912 345-67-89. "
    "В школе № 1 Северного района с октября холодно в классах, дети сидят в куртках."
)
# What must not survive anywhere: parts of the name, the phone, the e-mail, the address, the chat id.
# (Not a bare «912»: on PostgreSQL a row id late in the suite can read 912.)
TRACES = ["иванов", "мари", "петровн", "912 345", "9123456789", "345-67", "m.ivanova", "ленина", "77700777"]


def full_appeal(region, capture, *, rating: int = 4) -> Appeal:
    """Submitted with contacts, a photo and a voice message, the citizen adds details, the executor
    answers with a file, the citizen rates it (4: closed at RATED; 1: escalated to the ministry, open). `capture` is
    pytest-django's `django_capture_on_commit_callbacks` (tasks and files are written on commit)."""
    citizen, _ = citizen_get_or_create(
        channel="telegram", value="77700777", display_name="Маша", last_name="Иванова", first_name="Мария"
    )
    with time_machine.travel(SUBMITTED, tick=False), capture(execute=True):
        appeal, _ = services.appeal_submit(
            region=region.region,
            text=TEXT,
            channel="telegram",
            citizen=citizen,
            author_name="Иванова Мария Петровна",
            contact_email="m.ivanova@example.ru",
            contact_phone="+7 912 345-67-89",
            postal_address="г. Тестоград, ул. Ленина, д. 5, кв. 12",
            topic=Topic.objects.get(code="12.01"),
            territory=region.territory_a,
            place="Школа № 1, вход со двора; спросить Иванову Марию, +7 912 345-67-89",
            external_source="email",
            external_id=f"<m.ivanova.{uuid.uuid4().hex[:8]}@mail.example.ru>",  # one letter per appeal
            location=(56.838011, 60.597465),
            files=[SimpleUploadedFile("Иванова-справка.png", PNG), SimpleUploadedFile("голос.ogg", OGG)],
        )
        services.appeal_take(appeal=appeal, actor=region.executor_a)
        services.appeal_request_info(appeal=appeal, actor=region.executor_a, question="Какой кабинет?")
        services.appeal_add_info(appeal=appeal, text="Кабинет 12. Пишите на m.ivanova@example.ru, Мария.")
    with time_machine.travel(ANSWERED, tick=False), capture(execute=True):
        services.appeal_answer(
            appeal=appeal,
            actor=region.executor_a,
            text="Уважаемая Мария Петровна! Отопление в школе № 1 включено в полную силу.",
            outcome="supported",
            files=[SimpleUploadedFile("акт.png", PNG)],
        )
    with time_machine.travel(RATED, tick=False), capture(execute=True):
        services.appeal_rate(
            appeal=appeal, rating=rating, comment="Спасибо, Иванова М. П. довольна, звоните 89123456789"
        )
    appeal.refresh_from_db()
    return appeal


def files_on_disk(appeal: Appeal) -> list[Path]:
    return [Path(a.file.path) for a in Attachment.objects.filter(appeal=appeal).exclude(file="")]


def snapshot(appeal: Appeal) -> dict:
    """Every row of the appeal a depersonalisation may change, as plain values."""
    return {
        "appeal": Appeal.objects.filter(pk=appeal.pk).values().get(),
        "events": list(AppealEvent.objects.filter(appeal=appeal).order_by("pk").values()),
        "attachments": list(Attachment.objects.filter(appeal=appeal).order_by("pk").values()),
        "notifications": list(Notification.objects.filter(appeal=appeal).order_by("pk").values()),
    }


def all_text(appeal: Appeal) -> str:
    """Everything stored about the appeal, lower-cased, for looking for traces of the person."""
    return str(snapshot(appeal)).lower()
