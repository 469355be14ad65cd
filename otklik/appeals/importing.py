"""Import of appeals exported from other systems (ПОС, «Инцидент-менеджмент»), with a per-row report.

Columns are recognised by English or Russian names (see `ALIASES`). Every row is registered on its
own; a bad row is reported with its reason and does not stop the others; a row already imported
(same source and external id) is reported as a repeat and not registered again.
"""

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils import timezone

from otklik.appeals.models import Channel, Kind
from otklik.appeals.services import appeal_submit
from otklik.lib.params import parse_moment
from otklik.lib.spreadsheet import UnreadableFile, csv_dicts, decode_csv, xlsx_dicts
from otklik.orgs.models import Region, Territory
from otklik.routing.models import Topic

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 20000
ALIASES = {
    "external_id": ["external_id", "id", "номер", "номер сообщения", "номер обращения"],
    "created_at": ["created_at", "дата", "дата поступления", "дата создания"],
    "text": ["text", "текст", "текст сообщения", "текст обращения", "суть"],
    "territory": ["territory", "территория", "муниципалитет", "район"],
    "topic": ["topic", "тематика", "код тематики"],
    "author": ["author", "заявитель", "фио"],
    "email": ["email", "e-mail", "почта", "электронная почта"],
    "phone": ["phone", "телефон"],
    "kind": ["kind", "вид", "вид обращения"],
    "place": ["place", "место", "место проблемы", "адрес", "адрес проблемы"],
    "latitude": ["latitude", "lat", "широта"],
    "longitude": ["longitude", "lon", "lng", "долгота"],
}
# What a «вид» column may say (59-ФЗ art. 4), in lower case; an empty cell is a statement.
KINDS = {
    **{k.value: k.value for k in Kind},
    **{k.label: k.value for k in Kind},
    "предложения": Kind.PROPOSAL,
    "заявления": Kind.STATEMENT,
    "жалобы": Kind.COMPLAINT,
}
DATE_FORMATS = ["%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y", "%Y-%m-%d"]


class ImportFileError(Exception):
    pass


@dataclass
class RowResult:
    row: int
    outcome: str  # "accepted" | "repeat" | "rejected"
    detail: str


@dataclass
class ImportReport:
    rows: list[RowResult] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for r in self.rows if r.outcome == outcome)

    @property
    def accepted(self) -> int:
        return self.count("accepted")

    @property
    def repeats(self) -> int:
        return self.count("repeat")

    @property
    def rejected(self) -> int:
        return self.count("rejected")


def read_rows(content: bytes, filename: str) -> list[dict]:
    """The data rows of a CSV (UTF-8 or Windows-1251, any delimiter) or XLSX file as dicts by header."""
    if not content:
        raise ImportFileError("Файл пуст.")
    if len(content) > MAX_BYTES:
        raise ImportFileError("Файл больше 20 МБ: разделите его на части.")
    try:
        if filename.lower().endswith(".xlsx"):
            return xlsx_dicts(content)[1]
        if not filename.lower().endswith(".csv"):
            raise ImportFileError("Поддерживаются файлы .csv и .xlsx.")
        return csv_dicts(decode_csv(content))[1]
    except UnreadableFile as exc:
        raise ImportFileError(str(exc)) from exc


def match_columns(header: list[str], aliases: dict[str, list[str]] = ALIASES) -> dict[str, str]:
    """Which column of `header` holds each key of `aliases` (names compared in lower case)."""
    lowered = {h.strip().lower(): h for h in header if h}
    found = {}
    for key, names in aliases.items():
        for name in names:
            if name in lowered:
                found[key] = lowered[name]
                break
    return found


def parse_when(value, tz: ZoneInfo) -> datetime | None:
    if isinstance(value, datetime):
        return value if timezone.is_aware(value) else value.replace(tzinfo=tz)
    text = str(value or "").strip()
    if not text:
        return None
    parsed = parse_moment(text)
    if parsed is None:
        for fmt in DATE_FORMATS:
            try:
                parsed = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
    if parsed is None:
        raise ValidationError(f"дата «{text[:30]}» не распознана (нужно ДД.ММ.ГГГГ ЧЧ:ММ)")
    return parsed if timezone.is_aware(parsed) else parsed.replace(tzinfo=tz)


def appeals_import(*, region: Region, content: bytes, filename: str, source: str, actor=None) -> ImportReport:
    """Register every acceptable row; report each row's fate."""
    rows = read_rows(content, filename)
    if not rows:
        raise ImportFileError("В файле нет строк с данными.")
    if len(rows) > MAX_ROWS:
        raise ImportFileError(f"Строк больше {MAX_ROWS}: разделите файл.")
    columns = match_columns(list(rows[0].keys()))
    if "text" not in columns:
        raise ImportFileError("Нет столбца с текстом обращения (text или «Текст»).")
    tz = ZoneInfo(region.timezone)
    territories = {t.code.lower(): t for t in Territory.objects.filter(region=region)}
    territories.update({t.name.lower(): t for t in territories.values()})
    topics = {t.code: t for t in Topic.objects.filter(region=region)}
    channel = source if source in Channel.values else Channel.IMPORT
    report = ImportReport()
    now = timezone.now()
    for n, row in enumerate(rows, start=2):

        def get(key, row=row):
            return str(row.get(columns[key]) or "").strip() if key in columns else ""

        try:
            territory_name = get("territory").lower()
            territory = territories.get(territory_name) if territory_name else None
            if territory_name and territory is None:
                raise ValidationError(f"территория «{get('territory')[:60]}» не найдена")
            topic = topics.get(get("topic")) if get("topic") else None
            if get("topic") and topic is None:
                raise ValidationError(f"тематика «{get('topic')[:20]}» не найдена")
            kind = KINDS.get(get("kind").lower()) if get("kind") else Kind.STATEMENT
            if kind is None:
                raise ValidationError(
                    f"вид обращения «{get('kind')[:30]}» не распознан (предложение, заявление или жалоба)"
                )
            created = parse_when(row.get(columns["created_at"]) if "created_at" in columns else None, tz)
            if created and created > now:
                raise ValidationError("дата поступления в будущем")
            appeal, new = appeal_submit(
                region=region,
                text=get("text"),
                channel=channel,
                kind=kind,
                author_name=get("author"),
                contact_email=get("email"),
                contact_phone=get("phone"),
                territory=territory,
                topic=topic,
                external_source=source,
                external_id=get("external_id"),
                actor=actor,
                at=created,
                place=get("place"),
                location=(get("latitude"), get("longitude")) if get("latitude") or get("longitude") else None,
            )
        except ValidationError as exc:
            report.rows.append(RowResult(n, "rejected", "; ".join(exc.messages)))
            continue
        report.rows.append(RowResult(n, "accepted" if new else "repeat", appeal.number))
    return report
