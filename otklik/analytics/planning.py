"""Planning: forecasts of daily volume with the education calendar, and hotline staffing by Erlang C.

Pure functions over plain numbers (no database), so they are tested on hand-made series.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass
class Forecast:
    days: list[tuple[date, float]]
    backtest_mae: float | None  # our method, on the last `holdout` days of history
    baseline_mae: float | None  # naive seasonal baseline (same weekday a week before) on the same days
    method: str


@dataclass(frozen=True)
class Peak:
    """A period of the education calendar that brings questions and appeals every year."""

    name: str
    start: tuple[int, int]  # (month, day)
    end: tuple[int, int]  # inclusive; before `start` when the period crosses the new year
    prepare: str  # what to have ready: articles, answer templates, operators


# Mostly federal dates (orders of Минпросвещения and Рособрнадзор on admission and exams); regions
# shift some (kindergarten allocation, the start of heating), so these are a reminder of what is
# coming, while the forecast itself learns the region's own seasonality from its history.
EDUCATION_PEAKS = [
    Peak("Регистрация на ЕГЭ и итоговое сочинение", (11, 15), (2, 1), "статьи о сроках и местах регистрации"),
    Peak(
        "Запись в 1 класс: закреплённая территория",
        (4, 1),
        (6, 30),
        "статьи о приёме, операторы в первые дни",
    ),
    Peak("Путёвки в летние лагеря и трудоустройство подростков", (3, 1), (5, 31), "статьи об отдыхе детей"),
    Peak("Комплектование детских садов", (5, 1), (8, 31), "статьи об очереди и переводе, шаблоны ответов"),
    Peak("ОГЭ и ЕГЭ: основной период, апелляции", (5, 20), (7, 10), "статьи о расписании и апелляциях"),
    Peak("Аттестаты, выпускные, приём в колледжи", (6, 20), (8, 15), "статьи о документах и приёме"),
    Peak("Запись в 1 класс: свободные места", (7, 6), (9, 5), "статьи о приёме на свободные места"),
    Peak("Начало учебного года: питание, форма, подвоз", (8, 20), (9, 20), "шаблоны ответов, операторы"),
    Peak(
        "Отопительный сезон: холодно в классах и группах", (9, 15), (11, 15), "шаблоны ответов исполнителям"
    ),
]


def upcoming_peaks(today: date, horizon: int = 56, peaks: Sequence[Peak] = EDUCATION_PEAKS) -> list[dict]:
    """Peaks that are on or begin within `horizon` days of `today`, soonest first: the peak, its
    dates this time, and the days until it begins (0 when it is on)."""
    found = []
    for peak in peaks:
        for year in (today.year - 1, today.year, today.year + 1):
            start = date(year, *peak.start)
            end = date(year + (peak.end < peak.start), *peak.end)
            if end >= today and (start - today).days <= horizon:
                found.append(
                    {"peak": peak, "start": start, "end": end, "in_days": max((start - today).days, 0)}
                )
                break
    return sorted(found, key=lambda f: (f["in_days"], f["start"]))


def _series(history: Sequence[tuple[date, int]]) -> dict[date, float]:
    if not history:
        return {}
    counts = dict(history)
    start, end = min(counts), max(counts)
    return {
        start + timedelta(days=i): float(counts.get(start + timedelta(days=i), 0))
        for i in range((end - start).days + 1)
    }


def _predict(series: dict[date, float], day: date, level_window: int = 28) -> float:
    """Same weekday a year before (364 days: the education calendar repeats), scaled by how this
    year's recent level compares with last year's level over the same weeks; without a year of
    history, the average of the same weekday over the last four weeks."""
    last_year = day - timedelta(days=364)
    known_end = max(series)
    if last_year in series:
        recent = [
            series[known_end - timedelta(days=i)]
            for i in range(level_window)
            if known_end - timedelta(days=i) in series
        ]
        before = [series.get(known_end - timedelta(days=364 + i)) for i in range(level_window)]
        before = [b for b in before if b is not None]
        ratio = (sum(recent) / len(recent)) / (sum(before) / len(before)) if before and sum(before) else 1.0
        ratio = min(max(ratio, 0.3), 3.0)
        return series[last_year] * ratio
    same_weekday = [series[d] for d in (day - timedelta(days=7 * k) for k in range(1, 5)) if d in series]
    return sum(same_weekday) / len(same_weekday) if same_weekday else 0.0


def forecast_daily(history: Sequence[tuple[date, int]], *, horizon: int = 56, holdout: int = 56) -> Forecast:
    """Daily volume for the next `horizon` days, and its error on the last `holdout` days of history
    beside the naive seasonal baseline."""
    series = _series(history)
    if not series:
        return Forecast([], None, None, "нет данных")
    end = max(series)
    method = (
        "годовая сезонность с поправкой на уровень"
        if end - timedelta(days=364) in series
        else "среднее по дню недели за 4 недели"
    )
    ours, naive = [], []
    cut = end - timedelta(days=holdout)
    train = {d: v for d, v in series.items() if d <= cut}
    if len(train) >= 28:
        for i in range(1, holdout + 1):
            day = cut + timedelta(days=i)
            actual = series[day]
            ours.append(abs(_predict(train, day) - actual))
            week_before = day - timedelta(days=7)
            naive.append(abs(train.get(week_before, series.get(week_before, 0.0)) - actual))
    future = []
    for i in range(1, horizon + 1):
        day = end + timedelta(days=i)
        future.append((day, round(max(0.0, _predict(series, day)), 1)))
    return Forecast(
        future,
        round(sum(ours) / len(ours), 2) if ours else None,
        round(sum(naive) / len(naive), 2) if naive else None,
        method,
    )


def weekly(days: Sequence[tuple[date, float]]) -> list[tuple[date, float]]:
    """Sum daily values by ISO week (the Monday is the key)."""
    weeks: dict[date, float] = {}
    for day, value in days:
        monday = day - timedelta(days=day.weekday())
        weeks[monday] = weeks.get(monday, 0.0) + value
    return sorted((k, round(v, 1)) for k, v in weeks.items())


def erlang_c(traffic: float, agents: int) -> float:
    """Probability that a caller waits, for `traffic` Erlangs offered to `agents` operators."""
    if agents <= traffic:
        return 1.0
    term, total = 1.0, 1.0
    for k in range(1, agents):
        term *= traffic / k
        total += term
    last = term * traffic / agents * agents / (agents - traffic)
    return last / (total + last)


def service_level(calls_per_hour: float, aht_s: float, agents: int, target_s: float) -> float:
    """Share of calls answered within `target_s` seconds."""
    traffic = calls_per_hour * aht_s / 3600
    if agents <= traffic:
        return 0.0
    return 1 - erlang_c(traffic, agents) * math.exp(-(agents - traffic) * target_s / aht_s)


def agents_needed(
    calls_per_hour: float,
    aht_s: float,
    *,
    target_sl: float = 0.8,
    target_s: float = 20,
    max_agents: int = 500,
) -> int:
    """Fewest operators for which `target_sl` of calls are answered within `target_s` seconds."""
    if calls_per_hour <= 0:
        return 0
    agents = max(1, math.ceil(calls_per_hour * aht_s / 3600))
    while agents < max_agents and service_level(calls_per_hour, aht_s, agents, target_s) < target_sl:
        agents += 1
    return agents


def roster(
    calls_by_hour: dict[int, float],
    aht_s: float,
    *,
    target_sl: float = 0.8,
    target_s: float = 20,
    hourly_cost: float = 0.0,
) -> dict:
    """Operators needed per hour of the day and the cost of that roster for one day."""
    hours = {
        h: agents_needed(c, aht_s, target_sl=target_sl, target_s=target_s)
        for h, c in sorted(calls_by_hour.items())
    }
    operator_hours = sum(hours.values())
    return {
        "by_hour": hours,
        "operator_hours": operator_hours,
        "cost": round(operator_hours * hourly_cost, 2),
        "peak": max(hours.values(), default=0),
    }
