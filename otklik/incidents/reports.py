"""Incident figures as tables: the figures page's CSV/XLSX export and the weekly report's lines."""

from otklik.analytics.summaries import Share, Table


def _hours(value) -> str | float:
    return "—" if value is None else value


def _share(figures: dict) -> Share | None:
    return Share(figures["in_time"] / figures["judged"]) if figures["judged"] else None


def summary_rows(figures: dict) -> list[list]:
    """The headline figures; the weekly report puts them under the appeals' ones."""
    return [
        ["Инцидентов в соцсетях найдено", figures["total"]],
        ["Инцидентов с опубликованным ответом", figures["answered"]],
        ["Медиана времени реакции на инцидент, ч", _hours(figures["median_reaction_hours"])],
        ["Реакций на инциденты в срок", _share(figures)],
        ["Инцидентов просрочено сейчас", figures["overdue_now"]],
    ]


def figure_tables(figures: dict) -> list[Table]:
    """Everything the figures page shows, one table per block."""
    summary = [
        *summary_rows(figures),
        ["Реакций в срок (из оценённых)", f"{figures['in_time']} из {figures['judged']}"],
        ["Найдено за период и просрочено", figures["overdue_open"]],
        ["Не требовали реакции", figures["no_reaction"]],
        ["Оформлено обращений", figures["converted"]],
    ]
    tables = [Table("Сводка", ["Показатель", "Значение"], summary)]
    for title, key in (
        ("По соцсетям", "by_network"),
        ("По статусам", "by_status"),
        ("По тематикам", "by_topic"),
        ("По территориям", "by_territory"),
    ):
        tables.append(Table(title, ["Значение", "Инцидентов"], [[label, n] for label, n in figures[key]]))
    return tables
