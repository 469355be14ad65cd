"""Working-day arithmetic on the Russian production calendar (pure Python, no Django).

The calendar is a table of exceptions: `holidays` are non-working dates (public holidays and days
off moved by Government decree), `workdays` are Saturdays/Sundays made working. Outside the years
the table covers, only Saturdays and Sundays are days off (callers can see that with `covers`).
"""

import csv
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

DEFAULT_CSV = Path(__file__).parent / "data" / "production_calendar_ru.csv"
END_OF_DAY = time(23, 59, 59)
# Office hours in the region's local time, for deadlines counted in working hours.
WORK_START = time(9, 0)
WORK_END = time(18, 0)


class ProductionCalendar:
    def __init__(
        self, holidays: Iterable[date], workdays: Iterable[date], years: Iterable[int] | None = None
    ):
        self.holidays = frozenset(holidays)
        self.workdays = frozenset(workdays)
        self.years = (
            frozenset(years)
            if years is not None
            else frozenset(d.year for d in self.holidays | self.workdays)
        )

    def covers(self, year: int) -> bool:
        return year in self.years

    def is_working_day(self, d: date) -> bool:
        if d in self.workdays:
            return True
        if d in self.holidays:
            return False
        return d.weekday() < 5

    def next_working_day(self, d: date) -> date:
        """`d` itself when it is a working day, otherwise the first working day after it."""
        while not self.is_working_day(d):
            d += timedelta(days=1)
        return d

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day strictly after `start` (n ≥ 1); `start` itself for n = 0."""
        if n < 0:
            raise ValueError("n must not be negative")
        d = start
        while n:
            d += timedelta(days=1)
            if self.is_working_day(d):
                n -= 1
        return d

    def working_days_between(self, a: date, b: date) -> int:
        """Working days in the interval (a, b]."""
        count, d = 0, a
        while d < b:
            d += timedelta(days=1)
            count += self.is_working_day(d)
        return count


def calendar_from_rows(rows: Iterable[tuple[date, str]]) -> ProductionCalendar:
    holidays, workdays = set(), set()
    for day, kind in rows:
        if kind == "holiday":
            holidays.add(day)
        elif kind == "workday":
            workdays.add(day)
        else:
            raise ValueError(f"unknown kind {kind!r} for {day}")
    return ProductionCalendar(holidays, workdays)


def load_calendar(path: Path | str | None = None) -> ProductionCalendar:
    """The calendar shipped with Otklik (or another CSV with columns date,kind,note)."""
    with open(path or DEFAULT_CSV, encoding="utf-8") as handle:
        return calendar_from_rows((date.fromisoformat(r["date"]), r["kind"]) for r in csv.DictReader(handle))


def _end_of_local_day(d: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(d, END_OF_DAY, tzinfo=tz).astimezone(UTC)


def deadline_working_days(cal: ProductionCalendar, start_at: datetime, n: int, tz: ZoneInfo) -> datetime:
    """End of the n-th working day after the local date of `start_at` (returned in UTC)."""
    local = start_at.astimezone(tz).date()
    return _end_of_local_day(cal.add_working_days(local, n), tz)


def deadline_calendar_days(cal: ProductionCalendar, start_at: datetime, n: int, tz: ZoneInfo) -> datetime:
    """End of the local day `n` calendar days after registration (59-ФЗ counts calendar days).

    When that day is not a working day the deadline moves to the next working day, as in the
    general rule for periods ending on a day off (Civil Code art. 193, applied in 59-ФЗ practice).
    """
    local = start_at.astimezone(tz).date() + timedelta(days=n)
    return _end_of_local_day(cal.next_working_day(local), tz)


def deadline_hours(start_at: datetime, hours: int) -> datetime:
    """Fast tracks run on the clock: `hours` after registration, day off or not."""
    return start_at + timedelta(hours=hours)


def deadline_working_hours(
    cal: ProductionCalendar,
    start_at: datetime,
    hours: int,
    tz: ZoneInfo,
    *,
    day_start: time = WORK_START,
    day_end: time = WORK_END,
) -> datetime:
    """`hours` of office time (`day_start`–`day_end` on working days, local) after `start_at` (UTC).

    A start outside office hours counts from the next opening; a term that ends exactly at closing
    time ends then, not at the next opening.
    """
    if hours < 0:
        raise ValueError("hours must not be negative")
    current = start_at.astimezone(tz)
    clock = current.time()
    if not cal.is_working_day(current.date()):
        current = datetime.combine(cal.next_working_day(current.date()), day_start, tzinfo=tz)
    elif clock >= day_end:
        day = cal.next_working_day(current.date() + timedelta(days=1))
        current = datetime.combine(day, day_start, tzinfo=tz)
    elif clock < day_start:
        current = datetime.combine(current.date(), day_start, tzinfo=tz)
    remaining = timedelta(hours=hours)
    while True:
        closing = datetime.combine(current.date(), day_end, tzinfo=tz)
        if remaining <= closing - current:
            return (current + remaining).astimezone(UTC)
        remaining -= closing - current
        day = cal.next_working_day(current.date() + timedelta(days=1))
        current = datetime.combine(day, day_start, tzinfo=tz)
