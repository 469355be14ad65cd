"""Moving a whole knowledge base between installations: YAML, CSV and XLSX.

YAML keeps the category tree at any depth: {"categories": [{slug, title, children: [...]}],
"articles": [{slug, category, question, answer, legal_basis, paraphrases: [...], status, review_at,
valid_from, valid_to}]}. CSV and XLSX carry one article per row with its category and parent
category in columns (two levels, as the bot's buttons are), paraphrases one per line in a cell.
Imports check everything first and write nothing when any row is wrong.
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import date

import yaml
from django.db import transaction
from django.utils.dateparse import parse_date

from otklik.kb.models import Article, Category, Paraphrase
from otklik.kb.services import (
    _bump_version,
    _paraphrase_insert,
    _revision,
    article_create,
    category_get_or_create,
)
from otklik.lib.spreadsheet import (
    NO_ROWS,
    FileProblems,
    UnreadableFile,
    csv_cell,
    csv_cell_read,
    csv_dicts,
    decode_csv,
    xlsx_append,
    xlsx_dicts,
    yaml_load,
)
from otklik.orgs.models import Region

COLUMNS = [
    "slug",
    "category",
    "category_title",
    "parent_category",
    "parent_category_title",
    "question",
    "answer",
    "legal_basis",
    "paraphrases",
    "status",
    "review_at",
    "valid_from",
    "valid_to",
]
MAX_BYTES = 20 * 1024 * 1024
MAX_ARTICLES = 20000


class KbImportError(FileProblems):
    SHOWN = 5


@dataclass
class KbImportResult:
    categories: int = 0
    created: int = 0
    updated: int = 0
    paraphrases: int = 0
    problems: list[str] = field(default_factory=list)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _parse_yaml(text: str) -> tuple[list[dict], list[dict]]:
    try:
        data = yaml_load(text)
    except UnreadableFile as exc:
        raise KbImportError([str(exc)]) from exc
    if not isinstance(data, dict) or not isinstance(data.get("articles"), list):
        raise KbImportError(["В YAML нет списка «articles»."])
    categories: list[dict] = []

    def walk(nodes, parent: str, where: str) -> None:
        if not isinstance(nodes, list):
            raise KbImportError([f"{where}: ожидается список категорий."])
        for node in nodes:
            if not isinstance(node, dict):
                raise KbImportError([f"{where}: ожидается описание категории."])
            categories.append(
                {"slug": _text(node.get("slug")), "title": _text(node.get("title")), "parent": parent}
            )
            walk(node.get("children") or [], categories[-1]["slug"], f"{where} → {categories[-1]['slug']}")

    walk(data.get("categories") or [], "", "categories")
    articles = []
    for item in data["articles"]:
        if not isinstance(item, dict):
            articles.append({})
            continue
        paraphrases = item.get("paraphrases") or []
        articles.append(
            {
                **{
                    k: _text(item.get(k))
                    for k in (
                        "slug",
                        "category",
                        "question",
                        "answer",
                        "legal_basis",
                        "status",
                        "review_at",
                        "valid_from",
                        "valid_to",
                    )
                },
                "paraphrases": [_text(p) for p in paraphrases]
                if isinstance(paraphrases, list)
                else [_text(paraphrases)],
            }
        )
    return categories, articles


def _rows_to_data(rows: list[dict]) -> tuple[list[dict], list[dict]]:
    categories: dict[str, dict] = {}
    articles = []
    for row in rows:
        parent = _text(row.get("parent_category"))
        if parent and parent not in categories:
            categories[parent] = {
                "slug": parent,
                "title": _text(row.get("parent_category_title")) or parent,
                "parent": "",
            }
        slug = _text(row.get("category"))
        if slug and slug not in categories:
            categories[slug] = {
                "slug": slug,
                "title": _text(row.get("category_title")) or slug,
                "parent": parent,
            }
        raw = _text(row.get("paraphrases"))
        articles.append(
            {
                **{
                    k: _text(row.get(k))
                    for k in (
                        "slug",
                        "category",
                        "question",
                        "answer",
                        "legal_basis",
                        "status",
                        "review_at",
                        "valid_from",
                        "valid_to",
                    )
                },
                "paraphrases": [p.strip() for p in raw.replace("|", "\n").splitlines() if p.strip()],
            }
        )
    return list(categories.values()), articles


def _parse_csv(text: str) -> tuple[list[dict], list[dict]]:
    try:
        header, rows = csv_dicts(text)
    except UnreadableFile as exc:
        raise KbImportError([str(exc)]) from exc
    missing = [c for c in ("category", "question", "answer") if c not in header]
    if missing:
        raise KbImportError([f"В таблице нет обязательных столбцов: {', '.join(missing)}."])
    return _rows_to_data([{k: csv_cell_read(v) for k, v in row.items()} for row in rows])


def _parse_xlsx(content: bytes) -> tuple[list[dict], list[dict]]:
    try:
        header, data = xlsx_dicts(content)
    except UnreadableFile as exc:
        raise KbImportError([str(exc)]) from exc
    missing = [c for c in ("category", "question", "answer") if c not in header]
    if missing:
        raise KbImportError([f"В таблице нет обязательных столбцов: {', '.join(missing)}."])
    return _rows_to_data(data)


def kb_parse(*, content: bytes, filename: str) -> tuple[list[dict], list[dict]]:
    """Parse a knowledge-base file into (categories, articles), refusing with Russian reasons."""
    if not content:
        raise KbImportError(["Файл пуст."])
    if len(content) > MAX_BYTES:
        raise KbImportError(["Файл больше 20 МБ."])
    lower = filename.lower()
    if lower.endswith(".xlsx"):
        categories, articles = _parse_xlsx(content)
    elif lower.endswith(".csv"):
        categories, articles = _parse_csv(decode_csv(content))
    elif lower.endswith((".yaml", ".yml")):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:  # YAML is UTF-8 by definition; Excel writes no YAML
            raise KbImportError(["Файл YAML должен быть в кодировке UTF-8."]) from exc
        categories, articles = _parse_yaml(text)
    else:
        raise KbImportError(["Поддерживаются файлы .yaml, .csv и .xlsx."])
    if not categories and not articles:
        raise KbImportError([NO_ROWS])
    return categories, articles


def _is_date(value: str) -> bool:
    try:
        return parse_date(value[:10]) is not None
    except ValueError:  # well-formed but impossible, e.g. 2026-02-30
        return False


def _validate(region: Region, categories: list[dict], articles: list[dict]) -> list[str]:
    problems = []
    known = set(Category.objects.filter(region=region).values_list("slug", flat=True))
    for c in categories:
        if not c["slug"] or not c["title"]:
            problems.append(f"Категория «{c['title'] or c['slug']}»: нужны код и название.")
        elif len(c["slug"]) > 80 or len(c["title"]) > 120:
            problems.append(f"Категория {c['slug'][:40]}: слишком длинный код или название.")
        known.add(c["slug"])
    if len(articles) > MAX_ARTICLES:
        problems.append(f"Статей больше {MAX_ARTICLES}: разделите файл.")
    seen: set[str] = set()
    for n, a in enumerate(articles, 1):
        where = f"Статья {n}" + (f" ({a['slug']})" if a.get("slug") else "")
        if not a:
            problems.append(f"{where}: ожидается описание статьи.")
            continue
        if not a["question"]:
            problems.append(f"{where}: нет вопроса.")
        elif len(a["question"]) > 500:
            problems.append(f"{where}: вопрос длиннее 500 символов.")
        if not a["answer"]:
            problems.append(f"{where}: нет ответа.")
        if a["category"] not in known:
            problems.append(f"{where}: категория «{a['category']}» не найдена.")
        if a["slug"]:
            if a["slug"] in seen:
                problems.append(f"{where}: код статьи повторяется.")
            seen.add(a["slug"])
        if a["status"] and a["status"] not in Article.Status.values:
            problems.append(f"{where}: неизвестный статус «{a['status']}».")
        for key in ("review_at", "valid_from", "valid_to"):
            if a[key] and not _is_date(a[key]):
                problems.append(f"{where}: дата {key} не в формате ГГГГ-ММ-ДД.")
    return problems


@transaction.atomic
def kb_import(
    *, region: Region, categories: list[dict], articles: list[dict], user=None, status: str | None = None
) -> KbImportResult:
    """Create or update categories and articles by code. `status` overrides the file's statuses."""
    problems = _validate(region, categories, articles)
    if problems:
        raise KbImportError(problems)
    result = KbImportResult()
    by_slug: dict[str, Category] = {}
    for position, c in enumerate(categories):
        parent = by_slug.get(c["parent"]) or (
            Category.objects.filter(region=region, slug=c["parent"]).first() if c["parent"] else None
        )
        by_slug[c["slug"]] = category_get_or_create(
            region=region, slug=c["slug"], title=c["title"], parent=parent, position=position
        )
        result.categories += 1
    existing = {a.slug: a for a in Article.objects.filter(region=region)}
    for a in articles:
        category = by_slug.get(a["category"]) or Category.objects.get(region=region, slug=a["category"])
        dates = {k: parse_date(a[k][:10]) if a[k] else None for k in ("review_at", "valid_from", "valid_to")}
        target_status = status or a["status"] or Article.Status.PUBLISHED
        article = existing.get(a["slug"]) if a["slug"] else None
        if article is None:
            article = article_create(
                region=region,
                category=category,
                question=a["question"],
                answer=a["answer"],
                author=user,
                legal_basis=a["legal_basis"],
                slug=a["slug"],
                status=target_status,
                paraphrases=a["paraphrases"],
                paraphrase_source=Paraphrase.Source.IMPORT,
                **dates,
            )
            result.created += 1
            result.paraphrases += article.paraphrases.count()
            continue
        article.category, article.question, article.answer = category, a["question"], a["answer"]
        article.legal_basis, article.status = a["legal_basis"], target_status
        for key, value in dates.items():
            setattr(article, key, value)
        article.save()
        for text in a["paraphrases"]:
            before = article.paraphrases.count()
            _paraphrase_insert(article=article, text=text, source=Paraphrase.Source.IMPORT, user=user)
            result.paraphrases += article.paraphrases.count() - before
        _revision(article, user, "обновлена импортом")
        result.updated += 1
    _bump_version(region)
    return result


def _export_articles(region: Region) -> list[Article]:
    return list(
        Article.objects.filter(region=region)
        .exclude(status=Article.Status.ARCHIVED)
        .select_related("category", "category__parent")
        .prefetch_related("paraphrases")
        .order_by("pk")
    )


def _article_dict(a: Article) -> dict:
    return {
        "slug": a.slug,
        "category": a.category.slug,
        "question": a.question,
        "answer": a.answer,
        "legal_basis": a.legal_basis,
        "paraphrases": sorted(p.text for p in a.paraphrases.all()),
        "status": a.status,
        "review_at": a.review_at.isoformat() if a.review_at else "",
        "valid_from": a.valid_from.isoformat() if a.valid_from else "",
        "valid_to": a.valid_to.isoformat() if a.valid_to else "",
    }


def kb_export_yaml(*, region: Region) -> str:
    categories = list(Category.objects.filter(region=region).order_by("position", "pk"))
    nodes = {c.pk: {"slug": c.slug, "title": c.title, "children": []} for c in categories}
    roots = []
    for c in categories:
        (nodes[c.parent_id]["children"] if c.parent_id in nodes else roots).append(nodes[c.pk])
    for node in nodes.values():
        if not node["children"]:
            del node["children"]
    articles = []
    for a in _export_articles(region):
        item = _article_dict(a)
        articles.append({k: v for k, v in item.items() if v not in ("", [])})
    return yaml.safe_dump(
        {"categories": roots, "articles": articles}, allow_unicode=True, sort_keys=False, width=120
    )


def _flat_rows(region: Region) -> list[dict]:
    rows = []
    for a in _export_articles(region):
        item = _article_dict(a)
        parent = a.category.parent
        rows.append(
            {
                **item,
                "category_title": a.category.title,
                "parent_category": parent.slug if parent else "",
                "parent_category_title": parent.title if parent else "",
                "paraphrases": "\n".join(item["paraphrases"]),
            }
        )
    return rows


def kb_export_csv(*, region: Region) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows({k: csv_cell(v) for k, v in row.items()} for row in _flat_rows(region))
    return out.getvalue()


def kb_export_xlsx(*, region: Region) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "База знаний"
    sheet.append(COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in _flat_rows(region):
        xlsx_append(sheet, [row[c] for c in COLUMNS])
    for column, width in zip(
        "ABCDEFGHIJKLM", [28, 22, 30, 18, 30, 50, 80, 40, 50, 12, 12, 12, 12], strict=True
    ):
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
