"""The weekly report (XLSX and PDF): volumes against last week and last year, territories, topics,
overdue, satisfaction and the bot — the regional centre's quantitative, territorial and temporal view."""

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from otklik.analytics import ranking
from otklik.analytics import selectors as s
from otklik.analytics.summaries import Share, Table
from otklik.incidents.reports import summary_rows as incident_summary_rows
from otklik.incidents.selectors import incident_figures
from otklik.lib.fonts import FontMissing, font_path
from otklik.lib.spreadsheet import csv_cell, xlsx_append


@dataclass
class WeeklyReport:
    region: object
    start: date
    end: date
    total: int
    last_week: int
    last_year: int
    channels: list
    territories: list
    topics: list
    times: dict
    satisfaction: dict
    bot: dict
    incidents: dict
    executors: list

    @property
    def title(self) -> str:
        return (
            f"Еженедельный отчёт по обращениям: {self.region.name}, {self.start:%d.%m.%Y}–{self.end:%d.%m.%Y}"
        )


def weekly_report(*, user, region, week_end: date) -> WeeklyReport:
    """Figures of the seven days ending on `week_end`, with the week before and the same week a year ago."""
    start = week_end - timedelta(days=6)
    current = s.Filters(start, week_end)
    previous = s.Filters(start - timedelta(days=7), week_end - timedelta(days=7))
    qs = s.appeals(user=user, region=region, filters=current)
    tz = ZoneInfo(region.timezone)
    incidents = incident_figures(
        user=user,
        region=region,
        since=datetime.combine(start, time.min, tz),
        until=datetime.combine(week_end + timedelta(days=1), time.min, tz),
    )
    return WeeklyReport(
        region=region,
        start=start,
        end=week_end,
        total=qs.count(),
        last_week=s.appeals(user=user, region=region, filters=previous).count(),
        last_year=s.appeals(user=user, region=region, filters=current.shifted_year()).count(),
        channels=s.by_channel(qs),
        territories=s.by_territory(qs),
        topics=s.by_topic(qs),
        times=s.response_times(qs),
        satisfaction=s.satisfaction(qs),
        bot=s.bot(region, current),
        incidents=incidents,
        executors=ranking.organization_ranking(qs),
    )


def format_cell(value) -> str:
    """How a table cell reads on a page and in a PDF."""
    if value is None:
        return "—"
    if isinstance(value, Share):
        return f"{value * 100:.1f}%".replace(".", ",")
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    return str(value)


def _summary_rows(r: WeeklyReport) -> list[tuple[str, object]]:
    pct = lambda v: "—" if v is None else f"{round(v * 100)}%"  # noqa: E731
    return [
        ("Обращений за неделю", r.total),
        ("Неделей раньше", f"{r.last_week} ({r.total - r.last_week:+d})"),
        ("Та же неделя год назад", f"{r.last_year} ({r.total - r.last_year:+d})"),
        ("Медиана времени ответа, ч", r.times["median_h"] if r.times["median_h"] is not None else "—"),
        ("Ответов в срок", pct(r.times["within_deadline_share"])),
        ("Просрочено сейчас", r.times["overdue_now"]),
        ("Довольны ответом (4–5)", pct(r.satisfaction["satisfied_share"])),
        ("Недовольны ответом (1–2)", pct(r.satisfaction["dissatisfied_share"])),
        ("Эскалаций", r.satisfaction["escalations"]),
        ("Вопросов боту", r.bot["total"]),
        ("Бот ответил сразу", pct(r.bot["answered_share"])),
        ("Оценка предотвращённых обращений", r.bot["prevented_estimate"]),
    ]


def _weekly_tables(report: WeeklyReport) -> list[Table]:
    rows = [list(row) for row in _summary_rows(report)] + incident_summary_rows(report.incidents)
    tables = [Table("Сводка", [], rows)]
    for title, header, rows in (
        ("Каналы", "Канал", report.channels),
        ("Территории", "Территория", report.territories),
        ("Тематики", "Тематика", report.topics),
    ):
        tables.append(
            Table(
                title,
                [header, "Обращений", "Доля"],
                [[str(r["label"]), r["n"], Share(r["share"])] for r in rows],
            )
        )
    # The executor ranking narrowed to the columns that fit an A4 page beside the organization's name.
    keys = ["name", "place", "received", "in_time_share", "overdue_now", "median_h"]
    positions = [list(ranking.COLUMNS).index(key) for key in keys]
    tables.append(
        Table(
            "Рейтинг исполнителей",
            [ranking.COLUMNS[key] for key in keys],
            [[ranking.table_cells(r)[i] for i in positions] for r in report.executors],
            note=f"Место — по доле ответов в срок; без места — меньше {ranking.MIN_APPEALS} обращений"
            " за неделю или ни одного ответа.",
        )
    )
    return tables


def weekly_report_xlsx(report: WeeklyReport) -> bytes:
    return tables_xlsx(report.title, _weekly_tables(report))


def weekly_report_pdf(report: WeeklyReport) -> bytes:
    return tables_pdf(report.title, _weekly_tables(report), max_rows=20)


def tables_xlsx(title: str, tables: list[Table], note: str = "") -> bytes:
    """One sheet a table; the first sheet starts with the title (and the note, if any)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    book.remove(book.active)
    for index, table in enumerate(tables):
        sheet = book.create_sheet(table.title[:31].replace("/", " "))
        if index == 0:
            xlsx_append(sheet, [title])
            sheet["A1"].font = Font(bold=True, size=13)
            if note:
                xlsx_append(sheet, [note])
        if table.header:
            xlsx_append(sheet, table.header)
            for cell in sheet[sheet.max_row]:
                cell.font = Font(bold=True)
        for row in table.rows:
            xlsx_append(sheet, ["—" if v is None else v for v in row])
            for cell, value in zip(sheet[sheet.max_row], row, strict=False):
                if isinstance(value, Share):
                    cell.number_format = "0.0%"
                if isinstance(value, str) and "\n" in value:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
        if table.note:
            xlsx_append(sheet, [table.note])
        sheet.column_dimensions["A"].width = 55
        for letter in "BCDEF":
            sheet.column_dimensions[letter].width = 18
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def tables_csv(title: str, tables: list[Table]) -> str:
    """All tables one after another, each under its title (and note), cells as on the page (shares
    «12,5%», decimal commas); BOM so that Excel reads UTF-8."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([csv_cell(title)])
    for table in tables:
        writer.writerow([])
        writer.writerow([csv_cell(table.title)])
        if table.note:
            writer.writerow([csv_cell(table.note)])
        if table.header:
            writer.writerow([csv_cell(v) for v in table.header])
        writer.writerows(
            [csv_cell(format_cell(v) if not isinstance(v, str) else v) for v in row] for row in table.rows
        )
    return "\ufeff" + out.getvalue()


# The reports' callers catch this name; the font lookup is shared with the pictures of госпаблики.
ReportFontMissing = FontMissing


def _font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if "OtklikSans" in pdfmetrics.getRegisteredFontNames():
        return "OtklikSans"
    pdfmetrics.registerFont(TTFont("OtklikSans", str(font_path(purpose="PDF"))))
    return "OtklikSans"


def tables_pdf(title: str, tables: list[Table], note: str = "", max_rows: int = 200) -> bytes:
    """An A4 PDF in a Cyrillic font: the title, the note, then each table under its heading."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, TableStyle
    from reportlab.platypus import Table as PdfTable

    font = _font()
    title_style = ParagraphStyle("title", fontName=font, fontSize=14, leading=18, spaceAfter=8)
    text = ParagraphStyle("text", fontName=font, fontSize=8, leading=10)
    heading = ParagraphStyle("heading", fontName=font, fontSize=11, leading=14, spaceBefore=10, spaceAfter=4)
    style = TableStyle(
        [
            ("FONTNAME", (0, 0), (-1, -1), font),
            ("FONTSIZE", (0, 0), (-1, -1), 8),
            ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
    )
    width = A4[0] - 80

    def cell(value):
        # Paragraphs wrap long texts (examples of appeals); escape them: they are citizens' words.
        return Paragraph(escape(format_cell(value)).replace("\n", "<br/>"), text)

    story = [Paragraph(escape(title), title_style)]
    if note:
        story.append(Paragraph(escape(note), text))
    for table in tables:
        story += [Spacer(1, 6), Paragraph(escape(table.title), heading)]
        data = ([table.header] if table.header else []) + table.rows[:max_rows]
        if not data:
            continue
        columns = max(len(row) for row in data)
        first = width * (0.45 if columns > 2 else 0.65)
        widths = [first] + [(width - first) / (columns - 1)] * (columns - 1) if columns > 1 else [width]
        story.append(PdfTable([[cell(v) for v in row] for row in data], colWidths=widths, style=style))
        if table.note:
            story.append(Paragraph(escape(table.note), text))
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, title=title, leftMargin=40, rightMargin=40).build(story)
    return buffer.getvalue()
