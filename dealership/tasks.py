from celery import shared_task


@shared_task(ignore_result=False)
def ping(**kwargs) -> str:
    """Answer "pong": proves a worker takes tasks from the broker (health checks, tests)."""
    return "pong"
