from celery import shared_task
from django.utils import timezone

from customer_care import services


@shared_task(soft_time_limit=50, time_limit=58)
def sweep_deadlines(**kwargs) -> dict[str, int]:
    """Every minute: record missed complaint stages and rescue promises, once each, and escalate."""
    at = timezone.now()
    return {
        "breaches": services.record_breaches(at=at),
        "escalated": services.escalate(at=at),
        "late_rescues": services.record_rescue_breaches(at=at),
    }


@shared_task(soft_time_limit=600, time_limit=660)
def send_maintenance_reminders(**kwargs) -> int:
    return services.send_maintenance_reminders(at=timezone.now())


@shared_task(soft_time_limit=1500, time_limit=1560)
def reconcile_ledger(**kwargs) -> dict[str, int]:
    """Nightly: post any bonus or penalty of the last two months whose entry is missing; says how many."""
    return services.reconcile(at=timezone.now())


@shared_task(soft_time_limit=300, time_limit=330)
def text_weekly_figures(**kwargs) -> int:
    """Monday 08:30: each advisor's own figures of last week by text (IN05), once per advisor and week."""

    return services.text_weekly_figures(at=timezone.now())
