"""Deadlines of appeals: the stored production calendar plus the policy of the appeal's kind."""

import threading
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from otklik.lib.workdays import (
    ProductionCalendar,
    calendar_from_rows,
    deadline_calendar_days,
    deadline_hours,
    deadline_working_days,
    deadline_working_hours,
    load_calendar,
)
from otklik.routing.models import DeadlinePolicy, ProductionCalendarDay

_CACHE_S = 300
_lock = threading.Lock()
_cached: tuple[float, ProductionCalendar] | None = None


def production_calendar() -> ProductionCalendar:
    """The calendar from the database (editable in the admin), cached for a few minutes."""
    global _cached
    with _lock:
        if _cached is not None and time.monotonic() - _cached[0] < _CACHE_S:
            return _cached[1]
        rows = list(ProductionCalendarDay.objects.values_list("date", "kind"))
        calendar = calendar_from_rows(rows) if rows else load_calendar()
        _cached = (time.monotonic(), calendar)
        return calendar


def calendar_reset() -> None:
    global _cached
    with _lock:
        _cached = None


def answer_due(*, policy: DeadlinePolicy, start_at: datetime, tz_name: str) -> datetime:
    """When the answer is due for an appeal (or the reaction to an incident) of `policy` registered
    (or re-assigned) at `start_at`."""
    tz = ZoneInfo(tz_name)
    calendar = production_calendar()
    if policy.answer_unit == DeadlinePolicy.Unit.HOURS:
        return deadline_hours(start_at, policy.answer_amount)
    if policy.answer_unit == DeadlinePolicy.Unit.WORKING_HOURS:
        return deadline_working_hours(calendar, start_at, policy.answer_amount, tz)
    if policy.answer_unit == DeadlinePolicy.Unit.WORKING_DAYS:
        return deadline_working_days(calendar, start_at, policy.answer_amount, tz)
    return deadline_calendar_days(calendar, start_at, policy.answer_amount, tz)


def extended_due(*, policy: DeadlinePolicy, due_at: datetime, days: int, tz_name: str) -> datetime:
    """A deadline moved by an extension of `days` calendar days (59-ФЗ art. 12 part 2)."""
    days = max(1, min(days, policy.extension_days))
    return deadline_calendar_days(production_calendar(), due_at, days, ZoneInfo(tz_name))


def registration_due(*, policy: DeadlinePolicy, start_at: datetime, tz_name: str) -> datetime:
    """By when an appeal waiting for a coordinator must be registered and sent on (3 working days)."""
    return deadline_working_days(
        production_calendar(), start_at, policy.registration_working_days, ZoneInfo(tz_name)
    )


def redirect_due(*, policy: DeadlinePolicy, start_at: datetime, tz_name: str) -> datetime:
    """By when an appeal outside the competence must be redirected (7 days under 59-ФЗ)."""
    return deadline_calendar_days(production_calendar(), start_at, policy.redirect_days, ZoneInfo(tz_name))


def reminder_at(*, policy: DeadlinePolicy, due_at: datetime, start_at: datetime) -> datetime:
    """When to remind the executor: `remind_before_hours` ahead, but not before half the term."""
    return max(due_at - timedelta(hours=policy.remind_before_hours), start_at + (due_at - start_at) / 2)
