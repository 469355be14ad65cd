"""Appeals by e-mail: the new letters of the authority's mailbox become appeals.

59-ФЗ counts a letter to the authority's e-mail address as a written appeal, to be registered within
three days. With `settings.MAIL_INTAKE` (env `OTKLIK_IMAP_*`) the worker reads the mailbox over IMAP
every `MAIL_INTAKE_INTERVAL_S` (`appeals.tasks.mail_intake_poll`; `otklik mail_intake` reads it once
by hand): each letter that came since the last reading is registered as an appeal of channel
«электронная почта» — the sender's address is the address for the answer, so the citizen gets the
number and, later, the answer by e-mail. The folder is opened read-only: nothing in the mailbox
changes, and the letter stays there as the original.

* "Came since the last reading" is the IMAP UID after the last one handled (`MailboxState`), not the
  unread mark: a person may open a letter before the platform reads it. The first reading takes the
  letters from `MAIL_INTAKE_SINCE` (by default the day of that reading), not the mailbox's past.
* A letter is handled in one transaction with the reading state, so two readers (the worker and
  `otklik mail_intake`) never handle it twice; its Message-ID is the appeal's external id, so a
  mailbox read again from the start finds the appeals its letters already are.
* A reply to a request for details (the appeal's number and the request's code in the subject, from
  the appeal's address, while it waits for details) is added to that appeal as the citizen's details.
* Files of the types appeals take are attached (photos, videos, documents without macros, voice);
  any other file (an archive, a program) is named in the appeal's text as not taken, with the reason.
* Automatic letters are not appeals: auto-replies («Auto-Submitted»), delivery reports, mailing
  lists, spam the server flagged and letters from the platform's own address are skipped (logged);
  the platform's own letters carry «Auto-Submitted: auto-generated», so that a notice and an
  auto-reply cannot feed each other in a loop.
* A letter that cannot be registered as it is (a check refuses it, the parser fails) is registered
  all the same as «не удалось разобрать», naming where the original is: no appeal is lost.
"""

import contextlib
import email
import hashlib
import html
import imaplib
import logging
import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from email import policy
from email.utils import parseaddr, parsedate_to_datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from otklik.lib.params import parse_day

log = logging.getLogger("otklik.mail_intake")

SOURCE = "email"
MAX_PER_POLL = 200
# A letter's Date counts when it is earlier than its reading (the worker was stopped), but a wrong
# clock on the sender's side cannot move the deadline back by more than this.
LOOKBACK = timedelta(days=7)
TIMEOUT_S = 30
# More letters than this from one address within a day are an auto-responder that ignores
# «Auto-Submitted» (a loop with the platform's notices), not a citizen: the rest are skipped.
PER_SENDER_DAY = 20


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


def hashed_id(value: bytes) -> str:
    """A letter's external id that says nothing of the letter: for one without a usable Message-ID,
    and for a depersonalised appeal (a Message-ID often carries the sender's address)."""
    return "sha256:" + hashlib.sha256(value).hexdigest()[:64]


# More HTML than any letter's text needs; the rest of a bigger one is not read (the letter in the
# mailbox keeps it).
MAX_HTML = 1_000_000


def _html_text(markup: str) -> str:
    """The text of an HTML letter: line breaks kept, markup, styles and scripts gone (linear time:
    no pattern here can backtrack on unclosed tags)."""
    import nh3

    markup = re.sub(r"(?i)<br\s*/?>|</p>|</div>|</li>|</tr>|</h\d>", "\n", markup[:MAX_HTML])
    text = nh3.clean(markup, tags=set(), clean_content_tags={"script", "style", "head", "title"})
    return html.unescape(text)


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
    if str(message.get("X-Spam-Flag", "")).strip().lower() == "yes":
        return "спам по оценке почтового сервера (X-Spam-Flag)"
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
            return " ".join(str(message.get(name, "") or "").replace("\x00", "").split())
        except Exception:  # noqa: BLE001 - a header the parser cannot decode reads as absent
            return ""

    name, address = parseaddr(header("From"))
    address = address.strip().lower()
    try:
        validate_email(address)
        if len(address) > 254:
            raise ValidationError("too long")
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
    except Exception:  # noqa: BLE001 - a body the parser cannot read is left empty
        body = ""
    files = []
    try:
        for attachment in message.iter_attachments():
            data = attachment.get_payload(decode=True) or b""
            filename = " ".join((attachment.get_filename() or "").replace("\x00", "").split())[:100]
            files.append((filename or "файл", data))
    except Exception:  # noqa: BLE001 - the files read so far are kept
        log.warning("attachments of a letter partly unreadable", exc_info=True)
    message_id = header("Message-ID")
    if not message_id or len(message_id) > 100:
        # Without one (or too long for the external id) the letter's own content names it.
        message_id = hashed_id(message_id.encode() if message_id else raw)
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


def _refused_note(refused: list[str]) -> str:
    """«Не приняты вложения…» with the reasons; at most 2,000 characters, however many files."""
    if not refused:
        return ""
    note = "\n\nНе приняты вложения письма (оно остаётся в почтовом ящике): " + "; ".join(refused)
    return note if len(note) <= 2000 else note[:1950] + f"… (всего не принято файлов: {len(refused)})"


def _text(letter: Letter, refused: list[str]) -> str:
    from otklik.appeals.services import MAX_TEXT, MIN_TEXT

    parts = []
    if letter.subject:
        parts.append(f"Тема письма: {letter.subject}")
    if letter.body:
        parts.append(letter.body)
    note = _refused_note(refused)
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
    """A reply without the letter it quotes: the «> …» lines and the «… пишет:» line go, the
    citizen's own lines between them stay; a forwarded original («-----Original Message-----») and
    all below it go."""
    kept = []
    for line in body.split("\n"):
        if re.match(r"^-{2,}\s*(Original Message|Исходное сообщение)", line, re.I):
            break
        if line.startswith(">") or re.search(r"(пишет|wrote):$", line.strip()):
            continue
        kept.append(line)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip() or body


def _awaiting_details(region, letter: Letter):
    """The appeal this letter answers: its number and reply code in the subject («Re: Уточнение по
    обращению DO-2026-000123 [код 3FA9C2]»), from the address the appeal gave, while details are
    requested. Without the code (a forged sender who knows a number) the letter is a new appeal."""
    from otklik.appeals.models import Appeal
    from otklik.appeals.statuses import Status

    if not letter.sender_email:
        return None
    numbers = re.findall(rf"{re.escape(region.appeal_prefix)}-\d{{4}}-\d{{6}}", letter.subject)
    if not numbers:
        return None
    appeal = Appeal.objects.filter(
        region=region, number=numbers[0], status=Status.INFO_REQUESTED, contact_email=letter.sender_email
    ).first()
    return appeal if appeal is not None and appeal.reply_code in letter.subject.upper() else None


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
        note = _refused_note(refused)
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
    from otklik.orgs.selectors import region_named

    code = code if code is not None else settings.MAIL_INTAKE_REGION
    region = region_named(code)
    if region is None:
        raise MailIntakeError(
            f"Регион «{code}» не найден." if code else "Регионов несколько: укажите OTKLIK_IMAP_REGION."
        )
    return region


def _connect(config: dict) -> imaplib.IMAP4:
    """A connection with the folder open read-only (EXAMINE): the platform never changes the mailbox."""
    try:
        if config["ssl"]:
            conn = imaplib.IMAP4_SSL(config["host"], config["port"], timeout=TIMEOUT_S)
        else:
            conn = imaplib.IMAP4(config["host"], config["port"], timeout=TIMEOUT_S)
    except (OSError, imaplib.IMAP4.error) as exc:
        raise MailIntakeError(f"Почтовый сервер {config['host']}:{config['port']} недоступен: {exc}") from exc
    try:
        conn.login(config["user"], config["password"])
        typ, _ = conn.select(config["folder"], readonly=True)
    except (OSError, imaplib.IMAP4.error) as exc:
        raise MailIntakeError(
            f"Почтовый сервер не принял вход или папку «{config['folder']}»: {exc}"
        ) from exc
    if typ != "OK":
        raise MailIntakeError(f"Папка «{config['folder']}» не открывается.")
    return conn


MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _since(day: date) -> str:
    """An IMAP date (`07-Dec-2026`), whatever the process's locale."""
    return f"{day.day:02d}-{MONTHS[day.month - 1]}-{day.year}"


def _state(config: dict, uidvalidity: int):
    """The mailbox's reading state, made at the first reading (from MAIL_INTAKE_SINCE or today);
    a folder whose UIDVALIDITY changed (recreated) is read again from its state's date."""
    from otklik.appeals.models import MailboxState

    key = f"{config['user']}@{config['host']}:{config['port']}/{config['folder']}"[:300]
    since = parse_day(settings.MAIL_INTAKE_SINCE) or timezone.localdate()
    state, _ = MailboxState.objects.get_or_create(
        mailbox=key, defaults={"uidvalidity": uidvalidity, "since": since}
    )
    if state.uidvalidity != uidvalidity:
        state.uidvalidity, state.last_uid = uidvalidity, 0
        state.save(update_fields=["uidvalidity", "last_uid", "updated_at"])
    return state


def _fallback(letter: Letter, uid: str) -> Letter:
    """A letter the platform could not register as it is: registered all the same, saying where
    the original is, so that no appeal is lost to a letter the parser or a check refuses."""
    return replace(
        letter,
        subject=letter.subject[:200],
        body=(
            "Письмо не удалось разобрать автоматически. Откройте его в почтовом ящике обращений "
            f"(номер письма {uid}, Message-ID {letter.message_id[:100]}) и перенесите текст и файлы."
        ),
        files=[],
    )


def _flooding(sender: str) -> bool:
    from otklik.appeals.models import Appeal

    if not sender:
        return False
    day_ago = timezone.now() - timedelta(days=1)
    recent = Appeal.objects.filter(external_source=SOURCE, contact_email=sender, registered_at__gte=day_ago)
    return recent.count() >= PER_SENDER_DAY


def _handle(*, region, state_id: int, uid: int, raw: bytes, result: PollResult) -> None:
    """One letter, in one transaction with the reading state: handled once, even with two readers."""
    from otklik.appeals.models import MailboxState

    with transaction.atomic():
        state = MailboxState.objects.select_for_update().get(pk=state_id)
        if state.last_uid >= uid:
            return  # another reading handled it
        letter = parse(raw)
        if not letter.automatic and _flooding(letter.sender_email):
            letter.automatic = f"больше {PER_SENDER_DAY} писем за сутки с одного адреса"
        if letter.automatic:
            log.info("letter skipped", extra={"uid": uid, "why": letter.automatic})
            result.skipped += 1
        else:
            try:
                with transaction.atomic():
                    appeal, outcome = register(region=region, letter=letter)
            except Exception:  # noqa: BLE001 - the letter is registered as unreadable instead
                log.exception("letter not registered as it is", extra={"uid": uid})
                appeal, outcome = register(region=region, letter=_fallback(letter, str(uid)))
                result.failed += 1
            log.info("letter " + outcome, extra={"uid": uid, "appeal": appeal.number})
            result.registered += outcome == "registered"
            result.details += outcome == "details"
            result.repeats += outcome == "repeat"
        state.last_uid = uid
        state.save(update_fields=["last_uid", "updated_at"])


def poll(*, config: dict | None = None, region_code: str | None = None) -> PollResult:
    """Read the letters that came since the last reading, once. Raises MailIntakeError when the
    mailbox cannot be read; what was handled before the error stays handled."""
    config = config or settings.MAIL_INTAKE
    if not config:
        raise MailIntakeError("Почтовый ящик для обращений не настроен (OTKLIK_IMAP_HOST).")
    region = _region(region_code)
    result = PollResult()
    conn = _connect(config)
    try:
        _, data = conn.response("UIDVALIDITY")
        uidvalidity = int(data[0]) if data and data[0] and data[0].isdigit() else 0
        state = _state(config, uidvalidity)
        criteria = f"UID {state.last_uid + 1}:*" if state.last_uid else f"SINCE {_since(state.since)}"
        typ, data = conn.uid("SEARCH", None, criteria)
        if typ != "OK":
            raise MailIntakeError("Почтовый сервер не ответил на поиск новых писем.")
        found = sorted({int(u) for u in (data[0] or b"").split() if u.isdigit()} if data else set())
        # «UID n:*» also answers the last letter when none is newer.
        for uid in [u for u in found if u > state.last_uid][:MAX_PER_POLL]:
            typ, data = conn.uid("FETCH", str(uid), "(BODY.PEEK[])")
            raw = next((part[1] for part in data or [] if isinstance(part, tuple)), None)
            if typ != "OK" or raw is None:
                raise MailIntakeError(f"Письмо {uid} не получено с почтового сервера.")
            _handle(region=region, state_id=state.pk, uid=uid, raw=raw, result=result)
    except (OSError, imaplib.IMAP4.error) as exc:
        raise MailIntakeError(f"Связь с почтовым сервером прервалась: {exc}") from exc
    finally:
        with contextlib.suppress(OSError, imaplib.IMAP4.error):
            conn.logout()
    return result
