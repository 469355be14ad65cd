"""The weekly report (XLSX and PDF): volumes against last week and last year, territories, topics,
overdue, satisfaction and the bot — the regional centre's quantitative, territorial and temporal view."""

import io
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from otklik.analytics import selectors as s

FONT_PATHS = [
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"),
]


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
    )


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


def weekly_report_xlsx(report: WeeklyReport) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "Сводка"
    sheet.append([report.title])
    sheet["A1"].font = Font(bold=True, size=13)
    for label, value in _summary_rows(report):
        sheet.append([label, value])
    sheet.column_dimensions["A"].width = 40
    sheet.column_dimensions["B"].width = 20
    for title, rows in (
        ("Каналы", report.channels),
        ("Территории", report.territories),
        ("Тематики", report.topics),
    ):
        tab = book.create_sheet(title)
        tab.append([title[:-1] if title.endswith("ы") else title, "Обращений", "Доля"])
        for r in rows:
            tab.append([str(r["label"]), r["n"], r["share"]])
        tab.column_dimensions["A"].width = 60
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


class ReportFontMissing(RuntimeError):
    pass


def _font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if "OtklikSans" in pdfmetrics.getRegisteredFontNames():
        return "OtklikSans"
    for path in FONT_PATHS:
        if path.exists():
            pdfmetrics.registerFont(TTFont("OtklikSans", str(path)))
            return "OtklikSans"
    raise ReportFontMissing("Для PDF нужен шрифт с кириллицей: установите пакет fonts-dejavu-core.")


def weekly_report_pdf(report: WeeklyReport) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = _font()
    title = ParagraphStyle("title", fontName=font, fontSize=14, leading=18, spaceAfter=8)
    heading = ParagraphStyle("heading", fontName=font, fontSize=11, leading=14, spaceBefore=10, spaceAfter=4)
    style = TableStyle(
        [
            ("FONTNAME", (0, 0), (-1, -1), font),
            ("FONTSIZE", (0, 0), (-1, -1), 9),
            ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
    )
    story = [
        Paragraph(report.title, title),
        Table([[a, str(b)] for a, b in _summary_rows(report)], colWidths=[300, 150], style=style),
    ]
    for name, rows in (
        ("Территории", report.territories),
        ("Тематики", report.topics),
        ("Каналы", report.channels),
    ):
        story += [Spacer(1, 6), Paragraph(name, heading)]
        data = [["", "Обращений", "Доля"]] + [
            [str(r["label"])[:70], r["n"], f"{round(r['share'] * 100)}%"] for r in rows[:20]
        ]
        story.append(Table(data, colWidths=[330, 70, 50], style=style))
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, title=report.title, leftMargin=40, rightMargin=40).build(story)
    return buffer.getvalue()
