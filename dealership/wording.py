"""Dates and times as the department writes them in Chinese text messages: 11月26日, 11月26日 14:30.

Pages format dates through the `display` template tags; a text message is built in code, so its
wording lives here, once.
"""

from datetime import date, datetime

from django.utils import timezone


def cn_day(day: date) -> str:
    """11月26日 (no year: a message is about the days around now)."""
    return f"{day.month}月{day.day}日"


def cn_time(at: datetime) -> str:
    """11月26日 14:30, in the dealership's time zone."""
    local = timezone.localtime(at)
    return f"{cn_day(local)} {local:%H:%M}"
