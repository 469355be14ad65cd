"""Appeals by e-mail: the new letters of the authority's mailbox become appeals.

59-ФЗ counts a letter to the authority's e-mail address as a written appeal, to be registered within
three days. With `settings.MAIL_INTAKE` (env `OTKLIK_IMAP_*`) the worker reads the mailbox over IMAP
every `MAIL_INTAKE_INTERVAL_S` (`appeals.tasks.mail_intake_poll`; `otklik mail_intake` reads it once
by hand): each unread letter is registered as an appeal of channel «электронная почта» — the sender's
address is the address for the answer, so the citizen gets the number and, later, the answer by
e-mail — and then marked read. Nothing is deleted from the mailbox: the letter stays there as the
original.

* A reply to a request for details (the appeal's number in the subject, from the appeal's address,
  while it waits for details) is added to that appeal as the citizen's details, not registered anew.
* A letter is registered once: its Message-ID is the appeal's external id, so a letter read again
  (the mark failed, the mailbox was restored) finds the appeal it already is.
* Files of the types appeals take are attached; any other file (a Word document, an archive) is named
  in the appeal's text as not taken, with the reason — the letter in the mailbox still has it.
* Automatic letters are not appeals: auto-replies («Auto-Submitted»), bounces, mailing lists and
  letters from the platform's own address are marked read and counted as skipped, so that the
  platform's notice «обращение зарегистрировано» and an auto-reply cannot feed each other in a loop.
* A letter that cannot be registered for an unexpected reason stays unread, is logged, and is tried
  again at the next poll.
"""

import contextlib
import email
import hashlib
import html
import imaplib
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email import policy
from email.utils import parseaddr, parsedate_to_datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.validators import validate_email
from django.utils import timezone

log = logging.getLogger("otklik.mail_intake")

SOURCE = "email"
MAX_PER_POLL = 200
# A letter's Date counts when it is earlier than its reading (the worker was stopped), but a wrong
# clock on the sender's side cannot move the deadline back by more than this.
LOOKBACK = timedelta(days=7)
TIMEOUT_S = 30


class MailIntakeError(Exception):
    """The mailbox cannot be read; the message says why, in Russian."""


@dataclass
class Letter:
    message_id: str
    sender_name: str
    sender_email: str
    subject: str
    body: str
    sent_at: datetime | None
    files: list[tuple[str, bytes]] = field(default_factory=list)
    automatic: str = ""  # why this is not a citizen's letter; empty for a citizen's


@dataclass
class PollResult:
    registered: int = 0
    details: int = 0
    repeats: int = 0
    skipped: int = 0
    failed: int = 0

    def summary(self) -> str:
        return (
            f"Зарегистрировано обращений: {self.registered}, уточнений к обращениям: {self.details}, "
            f"уже были зарегистрированы: {self.repeats}, "
            f"пропущено автоматических писем: {self.skipped}, не обработано (будут прочитаны снова): "
            f"{self.failed}."
        )


# --- reading one letter -------------------------------------------------------------------------


def _html_text(markup: str) -> str:
    import nh3

    markup = re.sub(r"(?i)<br\s*/?>|</p>|</div>|</li>|</tr>|</h\d>", "\n", markup)
    markup = re.sub(r"(?is)<(style|script|head)\b.*?</\1>", " ", markup)
    return html.unescape(nh3.clean(markup, tags=set()))


def _part_text(part) -> str:
    try:
        text = part.get_content()
    except (LookupError, UnicodeError, AssertionError):  # an unknown or lying charset
        text = (part.get_payload(decode=True) or b"").decode("utf-8", errors="replace")
    if not isinstance(text, str):
        return ""
    return _html_text(text) if part.get_content_type() == "text/html" else text


def _tidy(text: str) -> str:
    lines = [" ".join(line.split()) for line in text.replace("\r\n", "\n").replace("\x00", "").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _automatic(message, sender: str) -> str:
    auto = str(message.get("Auto-Submitted", "")).strip().lower()
    if auto and auto != "no":
        return f"автоматическое письмо (Auto-Submitted: {auto[:40]})"
    if str(message.get("Precedence", "")).strip().lower() in {"bulk", "junk", "list", "auto_reply"}:
        return "массовая рассылка или автоответ (Precedence)"
    if message.get("List-Id") or message.get("List-Unsubscribe"):
        return "письмо рассылки (List-Id)"
    if message.get("X-Autoreply") or message.get("X-Autorespond"):
        return "автоответ"
    local = sender.partition("@")[0]
    if local in {"mailer-daemon", "postmaster"} or message.get_content_type() == "multipart/report":
        return "уведомление почтового сервера о доставке"
    if sender and sender == parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower():
        return "письмо с адреса самой платформы"
    return ""


def parse(raw: bytes) -> Letter:
    """A letter as the appeal needs it. Never raises on a malformed letter: what cannot be read is
    left empty."""
    message = email.message_from_bytes(raw, policy=policy.default)

    def header(name: str) -> str:
        try:
            return " ".join(str(message.get(name, "") or "").split())
        except (ValueError, TypeError, IndexError):  # a header the parser cannot decode
            return ""

    name, address = parseaddr(header("From"))
    address = address.strip().lower()
    try:
        validate_email(address)
    except ValidationError:
        address = ""
    try:
        sent_at = parsedate_to_datetime(header("Date")) if header("Date") else None
        if sent_at is not None and timezone.is_naive(sent_at):
            sent_at = None
    except (TypeError, ValueError, IndexError):
        sent_at = None
    body = ""
    try:
        part = message.get_body(preferencelist=("plain", "html"))
        body = _part_text(part) if part is not None else ""
    except (KeyError, ValueError, LookupError, AttributeError):
        body = ""
    files = []
    try:
        for attachment in message.iter_attachments():
            data = attachment.get_payload(decode=True) or b""
            files.append(((attachment.get_filename() or "файл").strip()[:100] or "файл", data))
    except (KeyError, ValueError, AttributeError, TypeError):
        pass
    message_id = header("Message-ID")
    if not message_id or len(message_id) > 100:
        # Without one (or too long for the external id) the letter's own content names it.
        message_id = "sha256:" + hashlib.sha256(message_id.encode() if message_id else raw).hexdigest()[:64]
    return Letter(
        message_id=message_id,
        sender_name=" ".join(name.split())[:300],
        sender_email=address,
        subject=header("Subject")[:500],
        body=_tidy(body),
        sent_at=sent_at,
        files=files,
        automatic=_automatic(message, address),
    )


# --- registering it -----------------------------------------------------------------------------


def _text(letter: Letter, refused: list[str]) -> str:
    from otklik.appeals.services import MAX_TEXT, MIN_TEXT

    parts = []
    if letter.subject:
        parts.append(f"Тема письма: {letter.subject}")
    if letter.body:
        parts.append(letter.body)
    note = ""
    if refused:
        note = "\n\nНе приняты вложения письма (оно остаётся в почтовом ящике): " + "; ".join(refused)
    text = "\n\n".join(parts)
    if len(text) < MIN_TEXT:
        text = "Письмо по электронной почте без текста." + (f" {text}" if text else "")
        if letter.files and not refused:
            text += " Содержание — во вложениях."
    if len(text) + len(note) > MAX_TEXT:
        cut = "\n\n[Текст письма длиннее допустимого и сокращён; полный текст — в почтовом ящике.]"
        text = text[: MAX_TEXT - len(note) - len(cut)] + cut
    return text + note


def _received(letter: Letter, now: datetime) -> datetime | None:
    """When the letter reached the authority: its Date when that is earlier than now (and not
    implausibly so), else the moment of registration (None)."""
    if letter.sent_at is None or letter.sent_at >= now or letter.sent_at < now - LOOKBACK:
        return None
    return letter.sent_at


def _quoted_reply_removed(body: str) -> str:
    """A reply without the quoted letter it answers («> …» lines and what follows «… пишет:»)."""
    kept = []
    for line in body.split("\n"):
        if line.startswith(">") or re.match(r"^-{2,}\s*(Original Message|Исходное сообщение)", line, re.I):
            break
        if re.search(r"(пишет|wrote):$", line.strip()):
            break
        kept.append(line)
    return "\n".join(kept).strip() or body


def _awaiting_details(region, letter: Letter):
    """The appeal this letter answers: its number in the subject («Re: Уточнение по обращению
    DO-2026-000123»), from the address the appeal gave, while details are requested."""
    from otklik.appeals.models import Appeal
    from otklik.appeals.statuses import Status

    if not letter.sender_email:
        return None
    numbers = re.findall(rf"{re.escape(region.appeal_prefix)}-\d{{4}}-\d{{6}}", letter.subject)
    if not numbers:
        return None
    return Appeal.objects.filter(
        region=region, number=numbers[0], status=Status.INFO_REQUESTED, contact_email=letter.sender_email
    ).first()


def register(*, region, letter: Letter):
    """The letter as an appeal of `region`, or as the details a request of one asked for:
    (appeal, "registered" | "repeat" | "details")."""
    from otklik.appeals.attachments import MAX_FILES, check_upload
    from otklik.appeals.models import AppealEvent, Channel
    from otklik.appeals.services import MAX_TEXT, appeal_add_info, appeal_submit

    added = (
        AppealEvent.objects.filter(
            appeal__region=region, kind="info_received", data__source_id=letter.message_id
        )
        .select_related("appeal")
        .first()
    )
    if added is not None:
        return added.appeal, "repeat"
    accepted, refused = [], []
    for name, data in letter.files:
        upload = SimpleUploadedFile(name, data)
        try:
            check_upload(upload)
        except ValidationError as exc:
            refused.append(" ".join(exc.messages))
            continue
        if len(accepted) >= MAX_FILES:
            refused.append(f"«{name}» — к обращению прикладывается не больше {MAX_FILES} файлов")
            continue
        accepted.append(upload)
    if (waiting := _awaiting_details(region, letter)) is not None:
        body = _quoted_reply_removed(letter.body)
        note = ("\n\nНе приняты вложения письма: " + "; ".join(refused)) if refused else ""
        text = (body or "Письмо без текста.")[: MAX_TEXT - len(note)] + note
        appeal_add_info(appeal=waiting, text=text, files=accepted, source_id=letter.message_id)
        return waiting, "details"
    appeal, created = appeal_submit(
        region=region,
        text=_text(letter, refused),
        channel=Channel.EMAIL,
        author_name=letter.sender_name,
        contact_email=letter.sender_email,
        external_source=SOURCE,
        external_id=letter.message_id,
        received_at=_received(letter, timezone.now()),
        files=accepted,
    )
    return appeal, "registered" if created else "repeat"


# --- the mailbox --------------------------------------------------------------------------------


def _region(code: str | None = None):
    from otklik.orgs.models import Region

    code = code if code is not None else settings.MAIL_INTAKE_REGION
    regions = Region.objects.filter(code=code) if code else Region.objects.all()
    if regions.count() != 1:
        raise MailIntakeError(
            f"Регион «{code}» не найден." if code else "Регионов несколько: укажите OTKLIK_IMAP_REGION."
        )
    return regions.get()


def _connect(config: dict) -> imaplib.IMAP4:
    try:
        if config["ssl"]:
            conn = imaplib.IMAP4_SSL(config["host"], config["port"], timeout=TIMEOUT_S)
        else:
            conn = imaplib.IMAP4(config["host"], config["port"], timeout=TIMEOUT_S)
    except (OSError, imaplib.IMAP4.error) as exc:
        raise MailIntakeError(f"Почтовый сервер {config['host']}:{config['port']} недоступен: {exc}") from exc
    try:
        conn.login(config["user"], config["password"])
        typ, _ = conn.select(config["folder"])
    except (OSError, imaplib.IMAP4.error) as exc:
        raise MailIntakeError(
            f"Почтовый сервер не принял вход или папку «{config['folder']}»: {exc}"
        ) from exc
    if typ != "OK":
        raise MailIntakeError(f"Папка «{config['folder']}» не открывается.")
    return conn


def poll(*, config: dict | None = None, region_code: str | None = None) -> PollResult:
    """Read the unread letters once. Raises MailIntakeError when the mailbox cannot be read."""
    config = config or settings.MAIL_INTAKE
    if not config:
        raise MailIntakeError("Почтовый ящик для обращений не настроен (OTKLIK_IMAP_HOST).")
    region = _region(region_code)
    result = PollResult()
    conn = _connect(config)
    try:
        try:
            typ, data = conn.uid("SEARCH", None, "UNSEEN")
        except (OSError, imaplib.IMAP4.error) as exc:
            raise MailIntakeError(f"Не удалось найти новые письма: {exc}") from exc
        uids = (data[0] or b"").split() if typ == "OK" and data else []
        for uid in uids[:MAX_PER_POLL]:
            try:
                typ, data = conn.uid("FETCH", uid, "(BODY.PEEK[])")
                raw = next((part[1] for part in data or [] if isinstance(part, tuple)), None)
                if typ != "OK" or raw is None:
                    raise MailIntakeError(f"письмо {uid.decode()} не получено")
                letter = parse(raw)
                if letter.automatic:
                    log.info("letter skipped", extra={"uid": uid.decode(), "why": letter.automatic})
                    result.skipped += 1
                else:
                    appeal, outcome = register(region=region, letter=letter)
                    log.info("letter " + outcome, extra={"uid": uid.decode(), "appeal": appeal.number})
                    result.registered += outcome == "registered"
                    result.details += outcome == "details"
                    result.repeats += outcome == "repeat"
                conn.uid("STORE", uid, "+FLAGS", "(\\Seen)")
            except (OSError, imaplib.IMAP4.error):
                raise
            except Exception:
                # Not lost: the letter stays unread and is read again at the next poll.
                log.exception("letter not registered", extra={"uid": uid.decode(errors="replace")})
                result.failed += 1
    except (OSError, imaplib.IMAP4.error) as exc:
        raise MailIntakeError(f"Связь с почтовым сервером прервалась: {exc}") from exc
    finally:
        with contextlib.suppress(OSError, imaplib.IMAP4.error):
            conn.logout()
    return result
