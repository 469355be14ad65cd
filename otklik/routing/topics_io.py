"""Import and export of a region's topic tree as CSV or YAML.

CSV columns: code, parent_code, name, description, urgent, consultative, keywords (separated by
«;»), answer_template, reply_template. YAML: {"topics": [{code, name, description, urgent,
consultative, keywords, answer_template, reply_template, children: [...]}, ...]}. Imports are all-or-nothing and report every bad row.
"""

import csv
import io
from dataclasses import dataclass, field

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction

from otklik.lib.spreadsheet import (
    NO_ROWS,
    FileProblems,
    UnreadableFile,
    csv_cell,
    csv_cell_read,
    csv_dicts,
    decode_csv,
    yaml_load,
)
from otklik.orgs.models import Region
from otklik.routing.models import Topic
from otklik.routing.replies import validate_reply_template

CSV_COLUMNS = [
    "code",
    "parent_code",
    "name",
    "description",
    "urgent",
    "consultative",
    "keywords",
    "answer_template",
    "reply_template",
]
TEXT_FIELDS = ("name", "description", "answer_template", "reply_template")
MAX_IMPORT_BYTES = 5 * 1024 * 1024
_TRUE = {"1", "true", "yes", "да", "y", "+"}


class TopicImportError(FileProblems):
    """The file cannot be imported; `problems` lists every reason in Russian."""


@dataclass
class TopicImportResult:
    created: int = 0
    updated: int = 0
    problems: list[str] = field(default_factory=list)


def _flag(value) -> bool:
    return value if isinstance(value, bool) else str(value or "").strip().lower() in _TRUE


def _rows_from_yaml(text: str) -> list[dict]:
    try:
        data = yaml_load(text)
    except UnreadableFile as exc:
        raise TopicImportError([str(exc)]) from exc
    if not isinstance(data, dict) or not isinstance(data.get("topics"), list):
        raise TopicImportError(["В YAML нет списка «topics»."])
    rows: list[dict] = []

    def walk(nodes, parent_code: str, where: str) -> None:
        for i, node in enumerate(nodes, 1):
            if not isinstance(node, dict):
                raise TopicImportError([f"{where}, элемент {i}: ожидается описание тематики."])
            kw = node.get("keywords") or []
            rows.append(
                {
                    "code": str(node.get("code", "")).strip(),
                    "parent_code": parent_code,
                    **{key: str(node.get(key, "") or "").strip() for key in TEXT_FIELDS},
                    "urgent": _flag(node.get("urgent")),
                    "consultative": _flag(node.get("consultative")),
                    "keywords": [str(k).strip() for k in kw if str(k).strip()]
                    if isinstance(kw, list)
                    else [],
                }
            )
            walk(node.get("children") or [], rows[-1]["code"], f"{where} → {rows[-1]['code']}")

    walk(data["topics"], "", "topics")
    return rows


def _rows_from_csv(text: str) -> list[dict]:
    try:
        header, table = csv_dicts(text, sniff=False)
    except UnreadableFile as exc:
        raise TopicImportError([str(exc)]) from exc
    missing = [c for c in ("code", "name") if c not in header]
    if missing:
        raise TopicImportError([f"В CSV нет обязательных столбцов: {', '.join(missing)}."])
    rows = []
    for raw in table:
        row = {k: csv_cell_read(v) for k, v in raw.items()}
        rows.append(
            {
                "code": (row.get("code") or "").strip(),
                "parent_code": (row.get("parent_code") or "").strip(),
                **{key: (row.get(key) or "").strip() for key in TEXT_FIELDS},
                "urgent": _flag(row.get("urgent")),
                "consultative": _flag(row.get("consultative")),
                "keywords": [k.strip() for k in (row.get("keywords") or "").split(";") if k.strip()],
            }
        )
    return rows


def topics_parse(*, content: bytes, filename: str) -> list[dict]:
    """Parse an uploaded topic file into rows, refusing with Russian reasons."""
    if not content:
        raise TopicImportError(["Файл пуст."])
    if len(content) > MAX_IMPORT_BYTES:
        raise TopicImportError(["Файл больше 5 МБ: разделите его на части."])
    lower = filename.lower()
    if lower.endswith(".csv"):
        rows = _rows_from_csv(decode_csv(content))
    elif lower.endswith((".yaml", ".yml")):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:  # YAML is UTF-8 by definition; Excel writes no YAML
            raise TopicImportError(["Файл YAML должен быть в кодировке UTF-8."]) from exc
        rows = _rows_from_yaml(text)
    else:
        raise TopicImportError(["Поддерживаются файлы .csv, .yaml и .yml."])
    if not rows:
        raise TopicImportError([NO_ROWS])
    return rows


@transaction.atomic
def topics_import(*, region: Region, rows: list[dict]) -> TopicImportResult:
    """Create or update topics by code; parents must come in the file or exist already."""
    problems: list[str] = []
    seen: set[str] = set()
    existing = {t.code: t for t in Topic.objects.filter(region=region)}
    for n, row in enumerate(rows, 1):
        if not row["code"]:
            problems.append(f"Строка {n}: не указан код.")
        elif len(row["code"]) > 40:
            problems.append(f"Строка {n}: код длиннее 40 символов.")
        elif row["code"] in seen:
            problems.append(f"Строка {n}: код {row['code']} повторяется.")
        if not row["name"]:
            problems.append(f"Строка {n}: не указано название.")
        elif len(row["name"]) > 300:
            problems.append(f"Строка {n}: название длиннее 300 символов.")
        if row["parent_code"] and row["parent_code"] not in seen and row["parent_code"] not in existing:
            problems.append(f"Строка {n}: раздел {row['parent_code']} не найден (он должен стоять выше).")
        try:
            validate_reply_template(row["reply_template"])
        except ValidationError as exc:
            problems += [f"Строка {n}, шаблон публичного ответа: {message}" for message in exc.messages]
        seen.add(row["code"])
    if problems:
        raise TopicImportError(problems)
    result = TopicImportResult()
    for position, row in enumerate(rows):
        parent = existing.get(row["parent_code"]) if row["parent_code"] else None
        defaults = {k: row[k] for k in ("urgent", "consultative", "keywords", *TEXT_FIELDS)}
        topic, created = Topic.objects.update_or_create(
            region=region, code=row["code"], defaults={**defaults, "parent": parent, "position": position}
        )
        existing[topic.code] = topic
        result.created += created
        result.updated += not created
    return result


def topics_export_rows(*, region: Region) -> list[dict]:
    topics = list(Topic.objects.filter(region=region).select_related("parent").order_by("position", "code"))
    return [
        {
            "code": t.code,
            "parent_code": t.parent.code if t.parent else "",
            "name": t.name,
            "description": t.description,
            "urgent": t.urgent,
            "consultative": t.consultative,
            "keywords": t.keywords,
            "answer_template": t.answer_template,
            "reply_template": t.reply_template,
        }
        for t in topics
    ]


def topics_export_csv(*, region: Region) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    for row in topics_export_rows(region=region):
        flat = {**row, "keywords": ";".join(row["keywords"])}
        writer.writerow(
            {k: csv_cell(v) for k, v in flat.items()} | {k: int(row[k]) for k in ("urgent", "consultative")}
        )
    return out.getvalue()


def topics_export_yaml(*, region: Region) -> str:
    rows = topics_export_rows(region=region)
    nodes = {r["code"]: {k: v for k, v in r.items() if k != "parent_code"} | {"children": []} for r in rows}
    roots = []
    for row in rows:
        (nodes[row["parent_code"]]["children"] if row["parent_code"] in nodes else roots).append(
            nodes[row["code"]]
        )
    for node in nodes.values():
        if not node["children"]:
            del node["children"]
    return yaml.safe_dump({"topics": roots}, allow_unicode=True, sort_keys=False, width=120)
