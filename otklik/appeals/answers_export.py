"""Answers to appeals that came from another system (ПОС, «Инцидент-менеджмент»), as a file to load
back there, so that a citizen who wrote on Госуслуги sees the answer where they asked.

One row per appeal of the source answered in the period: the number in the source system first
(what the other system matches on), then ours, the dates, the status, the outcome, the executor
and the answer text. Texts that look like spreadsheet formulas are written as texts.
"""

import csv
import io
from datetime import datetime

from openpyxl import Workbook

from otklik.appeals.models import Appeal
from otklik.lib.spreadsheet import csv_cell, xlsx_append
from otklik.orgs.models import Region

HEADER = [
    "Номер во внешней системе",
    "Номер в Отклике",
    "Дата поступления",
    "Дата ответа",
    "Статус",
    "Результат рассмотрения",
    "Исполнитель",
    "Текст ответа",
]


def answered_from(*, region: Region, source: str, since: datetime, until: datetime):
    """Appeals of `source` in the region answered in [since, until), oldest answer first."""
    return (
        Appeal.objects.filter(
            region=region,
            external_source=source,
            answered_at__gte=since,
            answered_at__lt=until,
        )
        .exclude(external_id="")
        .select_related("organization")
        .order_by("answered_at", "pk")
    )


def _rows(appeals, zone) -> list[list]:
    return [
        [
            a.external_id,
            a.number,
            a.registered_at.astimezone(zone).strftime("%d.%m.%Y %H:%M"),
            a.answered_at.astimezone(zone).strftime("%d.%m.%Y %H:%M"),
            a.get_status_display(),
            a.get_outcome_display() if a.outcome else "",
            a.organization.name if a.organization_id else "",
            a.answer_text,
        ]
        for a in appeals
    ]


def answers_csv(appeals, zone) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for row in _rows(appeals, zone):
        writer.writerow([csv_cell(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # Excel opens a UTF-8 CSV with its BOM


def answers_xlsx(appeals, zone) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Ответы"
    sheet.append(HEADER)
    for row in _rows(appeals, zone):
        xlsx_append(sheet, row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
