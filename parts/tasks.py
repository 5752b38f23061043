from celery import shared_task
from django.utils import timezone

from parts import services


@shared_task(soft_time_limit=240, time_limit=270)
def mark_overdue_backorders(**kwargs) -> int:
    return services.mark_overdue_backorders(at=timezone.now())
