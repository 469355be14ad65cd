from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from otklik.lib.workdays import (
    DEFAULT_CSV,
    ProductionCalendar,
    calendar_from_rows,
    deadline_calendar_days,
    deadline_hours,
    deadline_working_days,
    deadline_working_hours,
    load_calendar,
)

EKB = ZoneInfo("Asia/Yekaterinburg")
MSK = ZoneInfo("Europe/Moscow")


@pytest.fixture(scope="module")
def cal() -> ProductionCalendar:
    return load_calendar()


def test_shipped_table_is_well_formed(cal):
    text = DEFAULT_CSV.read_text(encoding="utf-8").splitlines()
    assert text[0] == "date,kind,note"
    assert all(line.split(",")[1] in {"holiday", "workday"} for line in text[1:])
    assert all(cal.covers(y) for y in (2024, 2025, 2026, 2027))
    for d in cal.workdays:
        assert d.weekday() >= 5


def test_new_year_holidays(cal):
    # From 29.12.2025: 30.12 (1), 31.12 off, 1–9.01 off, 10–11.01 weekend, 12.01 (2) … 22.01 (10)
    assert cal.add_working_days(date(2025, 12, 29), 10) == date(2026, 1, 22)
    assert cal.add_working_days(date(2026, 12, 28), 10) == date(2027, 1, 20)
    assert not cal.is_working_day(date(2026, 1, 9))


def test_may_holidays_and_moved_days(cal):
    assert not cal.is_working_day(date(2026, 5, 11))
    assert cal.next_working_day(date(2026, 5, 9)) == date(2026, 5, 12)
    assert not cal.is_working_day(date(2026, 3, 9))


def test_transferred_working_saturday_counts(cal):
    assert cal.is_working_day(date(2025, 11, 1))
    # Fri 31.10 → Sat 01.11 is working, 02–04.11 off, 05.11 working
    assert cal.add_working_days(date(2025, 10, 31), 2) == date(2025, 11, 5)
    assert cal.working_days_between(date(2025, 10, 31), date(2025, 11, 5)) == 2


def test_deadline_is_end_of_local_day_in_region_time_zone(cal):
    registered = datetime(2026, 3, 5, 23, 30, tzinfo=MSK)  # already 06.03 01:30 in Yekaterinburg
    due = deadline_working_days(cal, registered, 1, EKB)
    # next working day after Fri 06.03 is Tue 10.03 (09.03 is the moved 8 March)
    assert due == datetime(2026, 3, 10, 23, 59, 59, tzinfo=EKB).astimezone(UTC)
    assert due.tzinfo == UTC
    same_in_moscow = deadline_working_days(cal, registered, 1, MSK)
    assert same_in_moscow == datetime(2026, 3, 6, 23, 59, 59, tzinfo=MSK).astimezone(UTC)


def test_calendar_day_deadline_moves_off_a_holiday(cal):
    registered = datetime(2025, 12, 2, 10, 0, tzinfo=EKB)
    # 02.12 + 30 days = 01.01.2026, a holiday: the deadline moves to 12.01.2026
    assert deadline_calendar_days(cal, registered, 30, EKB) == datetime(2026, 1, 12, 23, 59, 59, tzinfo=EKB)
    plain = datetime(2026, 2, 2, 9, 0, tzinfo=EKB)
    assert deadline_calendar_days(cal, plain, 30, EKB) == datetime(2026, 3, 4, 23, 59, 59, tzinfo=EKB)


def test_fast_track_runs_on_the_clock():
    start = datetime(2025, 12, 31, 15, 0, tzinfo=UTC)
    assert deadline_hours(start, 24) == datetime(2026, 1, 1, 15, 0, tzinfo=UTC)


def test_years_outside_the_table_fall_back_to_weekends(cal):
    assert not cal.covers(2031)
    assert cal.is_working_day(date(2031, 1, 8))  # not known as a holiday: only weekends count
    assert not cal.is_working_day(date(2031, 1, 11))  # Saturday


def test_rows_with_unknown_kind_are_refused():
    with pytest.raises(ValueError):
        calendar_from_rows([(date(2026, 1, 1), "feast")])


def test_working_hours_count_office_time_across_a_weekend_and_holidays(cal):
    # Fri 30.10.2026 16:00 in Yekaterinburg: 2 h on Friday, then 6 h of the next working day.
    # 31.10 is a Saturday; 02.11 (Mon) is working, 04.11 is a holiday.
    due = deadline_working_hours(cal, datetime(2026, 10, 30, 16, 0, tzinfo=EKB), 8, EKB)
    assert due == datetime(2026, 11, 2, 15, 0, tzinfo=EKB).astimezone(UTC)
    # Before opening counts from 09:00; a term ending at closing time ends at 18:00 that day.
    assert deadline_working_hours(cal, datetime(2026, 11, 2, 7, 0, tzinfo=EKB), 9, EKB) == datetime(
        2026, 11, 2, 18, 0, tzinfo=EKB
    ).astimezone(UTC)
    # After closing on 03.11: 04.11 is a holiday, so the clock starts on 05.11 at 09:00.
    assert deadline_working_hours(cal, datetime(2026, 11, 3, 19, 0, tzinfo=EKB), 2, EKB) == datetime(
        2026, 11, 5, 11, 0, tzinfo=EKB
    ).astimezone(UTC)
    # New Year holidays: found on 31.12.2025 (a day off) → from 12.01.2026 09:00.
    assert deadline_working_hours(cal, datetime(2025, 12, 31, 12, 0, tzinfo=EKB), 8, EKB) == datetime(
        2026, 1, 12, 17, 0, tzinfo=EKB
    ).astimezone(UTC)
