"""Due times: a span of time after a moment, round the clock or in working hours only.

Round the clock is elapsed time, computed in UTC (adding a timedelta to an aware local time is
wall-clock arithmetic in Python, wrong across a daylight-saving change). Working hours count only
between the day's start and end in the dealership's time zone, skipping holidays.
"""

from datetime import UTC, date, datetime, time, timedelta

from django.utils import timezone

MAX_DAYS = 400  # a span that needs more calendar than this is a policy mistake


def add_elapsed(start: datetime, span: timedelta) -> datetime:
    return start.astimezone(UTC) + span


def add_working_time(
    start: datetime, span: timedelta, *, day_starts: time, day_ends: time, holidays: set[date]
) -> datetime:
    """`span` of working time after `start`: only between day_starts and day_ends, not on holidays."""
    if day_ends <= day_starts:
        raise ValueError("the working day must end after it starts")
    zone = timezone.get_current_timezone()
    remaining = span
    cursor = start.astimezone(zone)
    for _day in range(MAX_DAYS):
        day = cursor.date()
        opens = timezone.make_aware(datetime.combine(day, day_starts), zone)
        closes = timezone.make_aware(datetime.combine(day, day_ends), zone)
        if day in holidays or cursor >= closes:
            cursor = timezone.make_aware(datetime.combine(day + timedelta(days=1), day_starts), zone)
            continue
        cursor = max(cursor, opens)
        if remaining <= closes - cursor:
            return cursor.astimezone(UTC) + remaining
        remaining -= closes - cursor
        cursor = timezone.make_aware(datetime.combine(day + timedelta(days=1), day_starts), zone)
    raise ValueError("the span does not fit in the working calendar")
