"""Background work of the core: SMS delivery and its recovery sweep. Tasks carry ids only."""

from celery import shared_task
from django.utils import timezone

from dealership import outbox


@shared_task(ignore_result=False)
def ping(**kwargs) -> str:
    """Answer "pong": proves a worker takes tasks from the broker (health checks, tests)."""
    return "pong"


# Late ack plus reject-on-worker-lost: a worker killed mid-task leaves the broker message to be
# delivered again, which is safe because `deliver` first claims its row (one claim per attempt).
@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=45, time_limit=60)
def deliver_sms(*, message_id: int, **kwargs) -> None:
    outbox.deliver(message_id=message_id, at=timezone.now())


# A burst of messages, 20 ids a task (see outbox._hand_over_after_commit). Redelivered after a lost
# worker, it claims each row again: those already sent are skipped by the claim.
@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=280, time_limit=300)
def deliver_sms_batch(*, message_ids: list[int], **kwargs) -> None:
    for message_id in message_ids:
        outbox.deliver(message_id=message_id, at=timezone.now())


@shared_task(soft_time_limit=240, time_limit=270)
def sweep_sms(**kwargs) -> dict[str, int]:
    return outbox.sweep(at=timezone.now())
