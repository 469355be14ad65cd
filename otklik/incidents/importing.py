"""Import of a social-media monitoring system's export (CSV or XLSX), with a per-row report.

Columns are recognised by English or Russian names (`ALIASES`); only `url` and `text` are
required. Every row is registered on its own: a bad row is reported with its reason in Russian and
does not stop the others; a post already registered (same address) is reported as a repeat.
"""

from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils import timezone

from otklik.appeals.importing import (
    MAX_ROWS,
    ImportFileError,
    ImportReport,
    RowResult,
    match_columns,
    parse_when,
    read_rows,
)
from otklik.incidents.models import Network, Source
from otklik.incidents.services import incident_register
from otklik.orgs.models import Region, Territory
from otklik.routing.models import Topic

ALIASES = {
    "network": ["network", "source", "соцсеть", "социальная сеть", "источник", "площадка"],
    "url": ["url", "link", "ссылка", "адрес", "ссылка на публикацию"],
    "author": ["author", "nickname", "автор", "ник"],
    "text": ["text", "текст", "текст публикации", "текст сообщения"],
    "published_at": ["published_at", "дата публикации", "опубликовано", "дата"],
    "found_at": ["found_at", "дата обнаружения", "найдено"],
    "territory": ["territory", "территория", "муниципалитет", "район"],
    "topic": ["topic", "тематика", "код тематики"],
    "urgent": ["urgent", "срочно", "срочный"],
}
NETWORKS = {
    **{value: value for value in Network.values},
    **{label.lower(): value for value, label in Network.choices},
    "вконтакте": Network.VK,
    "вк": Network.VK,
    "tg": Network.TELEGRAM,
    "телеграм": Network.TELEGRAM,
    "одноклассники": Network.OK,
    "ок": Network.OK,
    "другое": Network.OTHER,
}
YES = {"1", "да", "yes", "true", "срочно", "+"}


def incidents_import(*, region: Region, content: bytes, filename: str, actor=None) -> ImportReport:
    """Register every acceptable row; report each row's fate (row numbers as in the spreadsheet)."""
    rows = read_rows(content, filename)
    if not rows:
        raise ImportFileError("В файле нет строк с данными.")
    if len(rows) > MAX_ROWS:
        raise ImportFileError(f"Строк больше {MAX_ROWS}: разделите файл.")
    columns = match_columns(list(rows[0].keys()), ALIASES)
    missing = [
        name for key, name in (("url", "ссылка (url)"), ("text", "текст (text)")) if key not in columns
    ]
    if missing:
        raise ImportFileError(f"Нет обязательных столбцов: {', '.join(missing)}.")
    tz = ZoneInfo(region.timezone)
    territories = {t.code.lower(): t for t in Territory.objects.filter(region=region)}
    territories.update({t.name.lower(): t for t in list(territories.values())})
    topics = {t.code: t for t in Topic.objects.filter(region=region)}
    report = ImportReport()
    for n, row in enumerate(rows, start=2):

        def get(key, row=row):
            return str(row.get(columns[key]) or "").strip() if key in columns else ""

        def raw(key, row=row):
            return row.get(columns[key]) if key in columns else None

        try:
            if not get("url"):
                raise ValidationError("нет ссылки на публикацию")
            network = NETWORKS.get(get("network").lower(), "") if get("network") else ""
            if get("network") and not network:
                raise ValidationError(f"социальная сеть «{get('network')[:30]}» неизвестна")
            territory = territories.get(get("territory").lower()) if get("territory") else None
            if get("territory") and territory is None:
                raise ValidationError(f"территория «{get('territory')[:60]}» не найдена")
            topic = topics.get(get("topic")) if get("topic") else None
            if get("topic") and topic is None:
                raise ValidationError(f"тематика «{get('topic')[:20]}» не найдена")
            incident, new = incident_register(
                region=region,
                url=get("url"),
                text=get("text"),
                network=network,
                author_nickname=get("author"),
                published_at=parse_when(raw("published_at"), tz),
                found_at=parse_when(raw("found_at"), tz) or timezone.now(),
                territory=territory,
                topic=topic,
                urgent=get("urgent").lower() in YES,
                source=Source.IMPORT,
                actor=actor,
            )
        except ValidationError as exc:
            report.rows.append(RowResult(n, "rejected", "; ".join(exc.messages)))
            continue
        detail = f"инцидент №{incident.pk}" if new else f"уже зарегистрирован: инцидент №{incident.pk}"
        report.rows.append(RowResult(n, "accepted" if new else "repeat", detail))
    return report
