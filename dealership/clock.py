"""Local calendar arithmetic: days and months in the dealership's time zone, as UTC-safe bounds."""

import re
from datetime import date, datetime, time, timedelta

from django.utils import timezone

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


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


def parse_month(value: str | None, *, default: date) -> date:
    """'2026-11' → date(2026, 11, 1); anything else → the month holding `default`."""
    match = _MONTH.match(value or "")
    if match and 1 <= int(match[2]) <= 12:
        return date(int(match[1]), int(match[2]), 1)
    return default.replace(day=1)
