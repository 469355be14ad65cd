from datetime import date, timedelta

import pytest

from otklik.analytics.planning import agents_needed, erlang_c, forecast_daily, roster, service_level, weekly


def test_erlang_c_matches_the_textbook_value():
    # 2 Erlangs on 3 operators: (8/6 · 3/1) / (1 + 2 + 2 + 4) = 4/9
    assert erlang_c(2.0, 3) == pytest.approx(4 / 9)
    assert erlang_c(3.0, 3) == 1.0


def test_agents_for_80_percent_in_20_seconds():
    # 360 calls an hour of 60 s = 6 Erlangs: P(wait) is 0.614 with 7 operators and 0.357 with 8, so
    # 1 - P·exp(-(N - A)·20/60) gives 56.0 % and 81.7 % answered within 20 s
    assert service_level(360, 60, 7, 20) == pytest.approx(0.560, abs=0.001)
    assert service_level(360, 60, 8, 20) == pytest.approx(0.817, abs=0.001)
    assert agents_needed(360, 60) == 8
    assert agents_needed(0, 60) == 0


def test_roster_and_its_cost():
    result = roster({9: 360, 10: 0}, 60, hourly_cost=500)
    assert result == {"by_hour": {9: 8, 10: 0}, "operator_hours": 8, "cost": 4000.0, "peak": 8}


def _history(end: date) -> list[tuple[date, int]]:
    rows, day = [], end - timedelta(days=2 * 364 + 60)
    while day <= end:
        base = 10 if day.weekday() < 5 else 2
        peak = 3 if (day.month, day.day) >= (4, 1) and (day.month, day.day) <= (4, 14) else 1
        rows.append((day, base * peak))
        day += timedelta(days=1)
    return rows


def test_forecast_knows_the_calendar_peak_that_the_naive_baseline_misses():
    result = forecast_daily(_history(date(2026, 4, 20)), horizon=14, holdout=56)
    assert result.backtest_mae < result.baseline_mae
    assert result.method.startswith("годовая")
    assert len(result.days) == 14 and result.days[0][0] == date(2026, 4, 21)
    ahead = forecast_daily(_history(date(2026, 3, 24)), horizon=14)
    by_day = dict(ahead.days)
    assert by_day[date(2026, 4, 1)] > 2 * by_day[date(2026, 3, 25)]  # the 1 April admission peak is expected


def test_short_or_empty_history():
    assert forecast_daily([]).days == []
    short = forecast_daily([(date(2026, 1, 5) + timedelta(days=i), 5) for i in range(30)], horizon=7)
    assert short.method.startswith("среднее") and len(short.days) == 7


def test_weekly_sums_by_monday():
    days = [(date(2026, 3, 2) + timedelta(days=i), 1.0) for i in range(10)]
    assert weekly(days) == [(date(2026, 3, 2), 7.0), (date(2026, 3, 9), 3.0)]


def test_upcoming_peaks_of_the_education_calendar():
    from otklik.analytics.planning import Peak, upcoming_peaks

    names = [p["peak"].name for p in upcoming_peaks(date(2026, 3, 15))]
    # On: summer camps (from 1 March). Within 8 weeks: first grade (1 April), kindergartens (1 May).
    # Not yet: exams (20 May is 66 days away).
    assert names[0] == "Путёвки в летние лагеря и трудоустройство подростков"
    assert "Запись в 1 класс: закреплённая территория" in names and "Комплектование детских садов" in names
    assert "ОГЭ и ЕГЭ: основной период, апелляции" not in names
    first_grade = next(p for p in upcoming_peaks(date(2026, 3, 15)) if p["peak"].start == (4, 1))
    assert (first_grade["start"], first_grade["end"], first_grade["in_days"]) == (
        date(2026, 4, 1),
        date(2026, 6, 30),
        17,
    )
    # A period across the new year is on in January and is dated from last November.
    winter = Peak("Зима", (11, 15), (2, 1), "")
    (on,) = upcoming_peaks(date(2027, 1, 10), peaks=[winter])
    assert (on["start"], on["end"], on["in_days"]) == (date(2026, 11, 15), date(2027, 2, 1), 0)
    assert upcoming_peaks(date(2027, 2, 2), horizon=30, peaks=[winter]) == []
