from celery import shared_task
from django.utils import timezone

from service_desk import services


@shared_task(soft_time_limit=120, time_limit=150)
def text_daily_report(**kwargs) -> int:
    return services.text_daily_report(at=timezone.now())
