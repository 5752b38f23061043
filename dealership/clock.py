"""Local calendar arithmetic: days and months in the dealership's time zone, as UTC-safe bounds."""

import re
from datetime import date, datetime, time, timedelta

from django.utils import timezone

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
# Dates people can mean: a typed or bookmarked year outside this range is a mistake, not a report.
YEARS = range(2000, 2101)


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The first instant of a local day and of the next one."""
    zone = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(day, time.min), zone)
    return start, timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min), zone)


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The first instant of the local month holding `month` and of the next month."""
    first = month.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return day_bounds(first)[0], day_bounds(following)[0]


def next_month(month: date) -> date:
    """The first day of the month after the one holding `month`."""
    return (month.replace(day=1) + timedelta(days=32)).replace(day=1)


def last_day_of(month: date) -> date:
    return next_month(month) - timedelta(days=1)


def parse_month(value: str | None, *, default: date) -> date:
    """'2026-11' → date(2026, 11, 1); anything else → the month holding `default`."""
    match = _MONTH.match(value or "")
    if match and int(match[1]) in YEARS and 1 <= int(match[2]) <= 12:
        return date(int(match[1]), int(match[2]), 1)
    return default.replace(day=1)


def parse_day(value: str | None, *, default: date | None) -> date | None:
    """'2026-11-26' → that day; a malformed or impossible date (2026-02-30) → `default`."""
    match = _DAY.match(value or "")
    if match and int(match[1]) in YEARS:
        try:
            return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            pass
    return default
