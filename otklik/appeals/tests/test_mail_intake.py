"""Appeals by e-mail: letters read from a real IMAP conversation (a fake server on 127.0.0.1) become
appeals once each; automatic letters do not; a mailbox that cannot be read says why in Russian."""

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from otklik.appeals import mail_intake
from otklik.appeals.models import Appeal, MailboxState
from otklik.appeals.tests.fake_imap import FakeImap
from otklik.appeals.tests.test_attachments import zipped
from otklik.testing import run_due_tasks

PDF = b"%PDF-1.4 scan of the letter"
ARCHIVE = zipped("сканы/1.jpg")
BODY = "Здравствуйте! В школе № 1 Северного района с октября холодно в классах, дети сидят в куртках."


def letter(
    *,
    sender="Иванова Анна <anna@example.ru>",
    subject="Холодно в школе",
    body=BODY,
    html=None,
    files=(),
    headers=None,
    message_id="<1@mail.example.ru>",
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "obr@example.ru"
    message["Subject"] = subject
    message["Date"] = "Mon, 07 Dec 2026 09:30:00 +0300"
    if message_id:
        message["Message-ID"] = message_id
    for name, value in (headers or {}).items():
        message[name] = value
    if body is not None:
        message.set_content(body)
    if html is not None:
        if body is None:
            message.set_content(html, subtype="html")
        else:
            message.add_alternative(html, subtype="html")
    for name, data, kind in files:
        maintype, subtype = kind.split("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return message.as_bytes()


@pytest.fixture(autouse=True)
def letters_day():
    """The letters are dated 7 December 2026, 09:30 Moscow time, and a first reading takes the
    letters of its own day: every test reads them later that day (the clock runs on), whatever
    the day the suite runs."""
    with time_machine.travel(datetime(2026, 12, 7, 10, 0, tzinfo=UTC), tick=True):
        yield


def last_uid() -> int:
    return MailboxState.objects.get().last_uid


def test_a_letter_becomes_an_appeal_with_its_files_and_the_citizen_gets_the_number(
    region, django_capture_on_commit_callbacks
):
    # Read at noon of the day the letter is dated (its Date is 09:30 Moscow time, 06:30 UTC).
    reading = time_machine.travel(datetime(2026, 12, 7, 12, 0, tzinfo=UTC), tick=False)
    with reading, FakeImap() as server, django_capture_on_commit_callbacks(execute=True):
        uid = server.box.add(
            letter(
                files=[
                    ("акт.pdf", PDF, "application/pdf"),
                    ("заявление.docx", zipped("word/document.xml"), "application/octet-stream"),
                    ("сканы.zip", ARCHIVE, "application/zip"),
                ]
            )
        )
        result = mail_intake.poll(config=server.config)
        assert "EXAMINE" in server.box.commands and "SELECT" not in server.box.commands  # read-only
    assert (result.registered, result.repeats, result.skipped, result.failed) == (1, 0, 0, 0)
    assert last_uid() == uid
    appeal = Appeal.objects.get()
    assert (appeal.channel, appeal.author_name, appeal.contact_email) == (
        "email",
        "Иванова Анна",
        "anna@example.ru",
    )
    assert appeal.text.startswith(f"Тема письма: Холодно в школе\n\n{BODY}")
    assert "Не приняты вложения письма (оно остаётся в почтовом ящике): Файл «сканы.zip»" in appeal.text
    assert (appeal.external_source, appeal.external_id) == ("email", "<1@mail.example.ru>")
    assert appeal.territory == region.territory_a  # found in the text, as for any appeal
    assert sorted(appeal.attachments.values_list("name", flat=True)) == ["акт.pdf", "заявление.docx"]
    # The letter is dated before its reading: the terms count from it.
    assert appeal.received_at == datetime(2026, 12, 7, 6, 30, tzinfo=UTC)
    run_due_tasks()
    (notice,) = mail.outbox
    assert notice.to == ["anna@example.ru"] and appeal.number in notice.body
    # RFC 3834: an auto-responder must not answer the notice (no loop with the mailbox).
    assert notice.extra_headers["Auto-Submitted"] == "auto-generated"


def test_only_new_letters_are_read_and_a_reread_mailbox_makes_no_second_appeal(region):
    with FakeImap() as server:
        first = server.box.add(letter())
        mail_intake.poll(config=server.config)
        nothing = mail_intake.poll(config=server.config)  # «UID n:*» answers the last one again
        second = server.box.add(letter(message_id="<2@mail.example.ru>", subject="Ещё вопрос"))
        next_one = mail_intake.poll(config=server.config)
        MailboxState.objects.update(last_uid=0)  # the state lost: the mailbox is read from the start
        again = mail_intake.poll(config=server.config)
    assert (nothing.registered, nothing.repeats) == (0, 0)
    assert (next_one.registered, last_uid()) == (1, second) and second > first
    assert (again.registered, again.repeats) == (0, 2)
    assert Appeal.objects.count() == 2


def test_the_first_reading_takes_todays_letters_or_those_since_the_configured_day(region, settings):
    with time_machine.travel(datetime(2026, 12, 7, 12, 0, tzinfo=UTC), tick=False), FakeImap() as server:
        server.box.add(letter(message_id="<old@x>"), arrived=datetime(2026, 11, 30).date())
        server.box.add(letter(message_id="<today@x>"))
        assert mail_intake.poll(config=server.config).registered == 1
        assert Appeal.objects.get().external_id == "<today@x>"
        MailboxState.objects.all().delete()
        settings.MAIL_INTAKE_SINCE = "2026-11-30"
        assert mail_intake.poll(config=server.config).registered == 1  # the old one; today's is a repeat
        server.box.uidvalidity = 2  # the folder was recreated: its UIDs mean other letters now
        assert mail_intake.poll(config=server.config).repeats == 2
    assert Appeal.objects.count() == 2


@pytest.mark.parametrize(
    ("headers", "sender"),
    [
        ({"Auto-Submitted": "auto-replied"}, "anna@example.ru"),
        ({"Precedence": "bulk"}, "news@example.ru"),
        ({"List-Id": "<news.example.ru>"}, "news@example.ru"),
        ({"X-Spam-Flag": "YES"}, "winner@example.ru"),
        ({}, "MAILER-DAEMON@mail.example.ru"),
        ({}, "own"),  # the platform's own notice coming back
    ],
)
def test_automatic_letters_are_skipped(region, settings, headers, sender):
    sender = settings.DEFAULT_FROM_EMAIL if sender == "own" else sender
    with FakeImap() as server:
        uid = server.box.add(letter(sender=sender, headers=headers))
        result = mail_intake.poll(config=server.config)
    assert (result.registered, result.skipped) == (0, 1) and last_uid() == uid
    assert not Appeal.objects.exists()


def test_an_auto_responder_that_ignores_the_rules_is_stopped_after_a_days_worth(region, monkeypatch):
    monkeypatch.setattr(mail_intake, "PER_SENDER_DAY", 3)
    with FakeImap() as server:
        for n in range(5):
            server.box.add(letter(sender="robot@example.ru", message_id=f"<loop{n}@x>"))
        result = mail_intake.poll(config=server.config)
    assert (result.registered, result.skipped) == (3, 2)


def test_html_only_empty_and_odd_letters_are_registered_readably(region):
    with FakeImap() as server:
        server.box.add(
            letter(
                body=None,
                html="<html><head><title>t</title><style>p{color:red}</style></head><body><p>Прошу&nbsp;"
                "проверить <b>питание</b></p><p>в школе № 2</p><script>alert(1)</script></body></html>",
                message_id="<html@x>",
            )
        )
        server.box.add(
            letter(subject="", body="", files=[("скан.pdf", PDF, "application/pdf")], message_id="")
        )
        server.box.add(b"\x00\xff garbage without headers \r\n\r\n\xfe\xfe")
        # Unclosed tags over 200 KB: read in linear time (a backtracking pattern took minutes).
        server.box.add(
            letter(body=None, html="<style>" * 40_000 + "<p>Текст после стилей</p>", message_id="<s@x>")
        )
        result = mail_intake.poll(config=server.config)
    assert (result.registered, result.failed) == (4, 0)
    html_appeal, empty, garbage, styles = Appeal.objects.order_by("pk")
    assert html_appeal.text == "Тема письма: Холодно в школе\n\nПрошу проверить питание\nв школе № 2"
    assert empty.text == "Письмо по электронной почте без текста. Содержание — во вложениях."
    assert empty.external_id.startswith("sha256:") and empty.attachments.count() == 1
    # What could be read is kept (NUL dropped, broken bytes shown as such); no sender, so anonymous.
    assert "garbage without headers" in garbage.text and "\x00" not in garbage.text
    assert garbage.contact_email == "" and garbage.is_anonymous
    assert styles.text.startswith("Тема письма: Холодно в школе")


def test_nul_characters_in_the_headers_and_file_names_are_dropped(region):
    raw = letter(files=[("акт.pdf", PDF, "application/pdf")])
    raw = raw.replace(b"Subject: ", b"Subject: \x00").replace(b'filename="', b'filename="\x00', 1)
    raw = raw.replace(b"From: ", b"From: \x00", 1)
    with FakeImap() as server:
        server.box.add(raw)
        result = mail_intake.poll(config=server.config)
    assert (result.registered, result.failed) == (1, 0)
    appeal = Appeal.objects.get()
    assert "\x00" not in appeal.text + appeal.author_name + appeal.attachments.get().name


def test_a_letter_that_cannot_be_registered_as_it_is_becomes_an_appeal_that_says_so(region, monkeypatch):
    real = mail_intake.register

    def flaky(*, region, letter):
        if "сломается" in letter.body:
            raise RuntimeError("a parser bug")
        return real(region=region, letter=letter)

    monkeypatch.setattr(mail_intake, "register", flaky)
    with FakeImap() as server:
        bad = server.box.add(letter(body="Это письмо сломается при разборе", message_id="<bad@x>"))
        good = server.box.add(letter(message_id="<good@x>"))
        result = mail_intake.poll(config=server.config)
    assert (result.registered, result.failed) == (2, 1) and last_uid() == good
    unreadable = Appeal.objects.get(external_id="<bad@x>")
    assert (
        f"Письмо не удалось разобрать автоматически. Откройте его в почтовом ящике обращений (номер письма {bad}"
        in (unreadable.text)
    )
    assert unreadable.contact_email == "anna@example.ru"  # the citizen still gets the number


def test_a_mailbox_that_cannot_be_read_says_why(region, settings):
    with FakeImap() as server:
        wrong = {**server.config, "password": "nope"}
        with pytest.raises(mail_intake.MailIntakeError, match="не принял вход"):
            mail_intake.poll(config=wrong)
        port = server.config["port"]
    with pytest.raises(mail_intake.MailIntakeError, match=f"127.0.0.1:{port} недоступен"):
        mail_intake.poll(config={**wrong, "port": port})
    settings.MAIL_INTAKE = None
    with pytest.raises(CommandError, match="не настроен"):
        call_command("mail_intake")


def test_the_command_reads_the_mailbox_once(region, settings, capsys):
    with FakeImap() as server:
        server.box.add(letter())
        settings.MAIL_INTAKE = server.config
        call_command("mail_intake")
    assert "Зарегистрировано обращений: 1" in capsys.readouterr().out
    with pytest.raises(CommandError, match="Регион «XX» не найден"):
        call_command("mail_intake", "--region", "XX")


def test_the_worker_reads_the_mailbox_again_and_again_and_health_says_how_it_went(region, settings):
    from django.test import Client
    from django_tasks_db.models import DBTaskResult

    from otklik.appeals.tasks import MAIL_POLL_PATH, mail_intake_ensure

    settings.MAIL_INTAKE_INTERVAL_S = 120
    with FakeImap() as server:
        settings.MAIL_INTAKE = server.config
        assert mail_intake_ensure() is True and mail_intake_ensure() is False  # one chain only
        server.box.add(letter())
        assert run_due_tasks() >= 1
        assert Appeal.objects.filter(channel="email").count() == 1
        waiting = DBTaskResult.objects.get(task_path=MAIL_POLL_PATH, status="READY")
        assert waiting.run_after > timezone.now() + timedelta(seconds=100)
        health = Client().get("/health").json()
        assert health["mail_intake"] == "ok" and 0 <= health["mail_intake_age_s"] < 60
        assert "mail_intake" not in health["processes"]  # a reading, not a process
        # The mailbox refuses: the next reading reports it, and the chain goes on.
        server.box.password = "changed"
        DBTaskResult.objects.filter(task_path=MAIL_POLL_PATH).update(run_after=timezone.now())
        run_due_tasks()
        assert Client().get("/health").json()["mail_intake"] == "failed"
        assert DBTaskResult.objects.filter(task_path=MAIL_POLL_PATH, status="READY").count() == 1
    settings.MAIL_INTAKE = None
    assert mail_intake_ensure() is False
    assert Client().get("/health").json()["mail_intake"] == "off"


def test_health_says_when_the_mailbox_has_not_been_read_for_long(region, settings):
    from django.test import Client

    from otklik.core.services import heartbeat_beat

    settings.MAIL_INTAKE, settings.MAIL_INTAKE_INTERVAL_S = {"host": "mail"}, 300
    assert Client().get("/health").json()["mail_intake"] == "absent"
    heartbeat_beat(name="mail_intake", detail="Зарегистрировано обращений: 0")
    with time_machine.travel(timezone.now() + timedelta(seconds=961), tick=False):
        body = Client().get("/health").json()
    assert (body["mail_intake"], body["mail_intake_age_s"]) == ("stale", 961)


@pytest.mark.parametrize(
    ("date", "received"),
    [
        ("Mon, 07 Dec 2026 09:30:00 +0300", datetime(2026, 12, 7, 6, 30, tzinfo=UTC)),
        ("Mon, 07 Dec 2026 15:30:00 +0300", None),  # dated after its reading: a wrong clock
        ("Sun, 01 Nov 2026 09:30:00 +0300", None),  # older than a week: not trusted
        ("Mon, 07 Dec 2026 09:30:00", None),  # no time zone
        ("вчера", None),
    ],
)
def test_a_letters_date_moves_the_terms_only_when_it_is_plausible(date, received):
    with time_machine.travel(datetime(2026, 12, 7, 12, 0, tzinfo=UTC), tick=False):
        raw = letter().replace(b"Mon, 07 Dec 2026 09:30:00 +0300", date.encode())
        assert mail_intake._received(mail_intake.parse(raw), timezone.now()) == received


def test_a_reply_to_a_request_for_details_is_added_to_its_appeal(region):
    from otklik.appeals import services
    from otklik.appeals.models import Notification
    from otklik.routing.models import Topic

    appeal, _ = services.appeal_submit(
        region=region.region,
        text=BODY,
        channel="email",
        contact_email="anna@example.ru",
        topic=Topic.objects.get(code="12.01"),
        territory=region.territory_a,
    )
    services.appeal_take(appeal=appeal, actor=region.executor_a)
    services.appeal_request_info(appeal=appeal, actor=region.executor_a, question="Какой кабинет?")
    request = Notification.objects.get(subject__startswith="Уточнение")
    assert request.subject == f"Уточнение по обращению {appeal.number} [код {appeal.reply_code}]"
    with FakeImap() as server:
        server.box.add(
            letter(
                subject=f"Re: {request.subject}",
                body="Добрый день.\n> Какой кабинет?\nКабинет 12, второй этаж.\n\nВ письме Отклик пишет:\n> Какой кабинет?",
                files=[("фото.pdf", PDF, "application/pdf")],
                message_id="<reply@x>",
            )
        )
        # The number alone (anyone may guess it) from the appeal's address: a new appeal, not details.
        server.box.add(letter(subject=f"Re: {appeal.number}", message_id="<guess@x>"))
        result = mail_intake.poll(config=server.config)
        MailboxState.objects.update(last_uid=0)
        again = mail_intake.poll(config=server.config)
    assert (result.registered, result.details) == (1, 1)
    assert (again.registered, again.details, again.repeats) == (0, 0, 2)
    appeal.refresh_from_db()
    assert appeal.status == "in_work"
    event = appeal.events.get(kind="info_received")
    assert event.text == "Добрый день.\nКабинет 12, второй этаж."  # interleaved quotes dropped, words kept
    assert list(event.attachments.values_list("name", flat=True)) == ["фото.pdf"]
    assert Appeal.objects.count() == 2
