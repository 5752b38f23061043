"""IN05: each advisor's own figures of last week, texted on Monday morning through the outbox."""

from datetime import datetime, timedelta

from django.utils import timezone

from customer_care.reports import RATINGS, week_start, weekly_figures
from dealership.money import format_cny
from dealership.outbox import enqueue_sms
from dealership.wording import cn_day


def text_weekly_figures(*, at: datetime) -> int:
    """IN05: on Monday morning, text each advisor their own figures of last week, once per advisor
    and week (the outbox's dedupe key); an advisor without a mobile, or without a single order,
    praise or complaint that week, gets nothing. Returns how many texts were written."""
    monday = week_start(timezone.localdate(at)) - timedelta(days=7)
    report = weekly_figures(monday)
    week = f"{cn_day(monday)}—{cn_day(report['sunday'])}"
    written = 0
    for row in report["rows"]:
        if not (row["mobile"] and row["is_active"]) or not (row["orders"] or row["praises"] or row["complaints"]):
            continue
        ratings = "，".join(f"{rating.label}{count}" for rating, count in zip(RATINGS, row["ratings"], strict=True))
        enqueue_sms(
            mobile=row["mobile"],
            kind="weekly_figures",
            context={
                "name": row["name"],
                "week": week,
                "orders": row["orders"],
                "output": format_cny(row["output"]),
                "ratings": ratings,
                "praises": row["praises"],
                "complaints": row["complaints"],
            },
            dedupe_key=f"weekly-figures:{monday.isoformat()}:{row['staff_id']}",
            at=at,
        )
        written += 1
    return written
