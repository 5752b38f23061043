"""CC06 with real worker processes: SIGKILL in the middle of 500 sends loses nothing, repeats nothing."""

import os
import signal
import time

import pytest
from django.db import transaction
from django.utils import timezone

from dealership import outbox
from dealership.models import SmsMessage, SmsStatus
from tests.conftest import purge_broker, start_celery_worker, stop_celery_worker
from tests.factories import make_sms_template
from tests.fake_gateway import FakeGateway

MESSAGES = 500


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_cc06_worker_killed_mid_run_every_message_sent_exactly_once(settings, tmp_path):
    purge_broker()
    make_sms_template("test", is_urgent=True)  # urgent: quiet hours must not hold the run
    log = tmp_path / "workers.log"
    with FakeGateway(delay_s=0.005) as gateway:
        for name, value in gateway.settings().items():
            setattr(settings, name, value)
        # Short thresholds so the sweeps run by this test settle the killed worker's rows quickly.
        thresholds = {"SMS_STUCK_AFTER_S": "3", "SMS_REPUBLISH_AFTER_S": "3"}
        settings.SMS_STUCK_AFTER_S = settings.SMS_REPUBLISH_AFTER_S = 3
        with transaction.atomic():
            for number in range(MESSAGES):
                outbox.enqueue_sms(
                    mobile=f"139{number:08d}",
                    kind="test",
                    context={"customer": "张先生", "text": number},
                    dedupe_key=f"kill-test:{number}",
                    at=timezone.now(),
                )

        first = start_celery_worker(log, **gateway.settings(), **thresholds)
        try:
            _wait_for(lambda: sum(gateway.sends.values()) >= MESSAGES // 5, timeout_s=90, what="first sends")
        finally:
            # The main process and its pool children, mid-stream; also when the wait timed out, so no
            # worker outlives the test and takes the next run's tasks.
            os.killpg(first.pid, signal.SIGKILL)
            first.wait()
        sent_before_kill = sum(gateway.sends.values())
        second = start_celery_worker(log, **gateway.settings(), **thresholds)
        settled = {"confirmed_sent": 0, "resent": 0}
        try:

            def all_sent() -> bool:
                counts = outbox.sweep(at=timezone.now())
                for key in settled:
                    settled[key] += counts[key]
                return not SmsMessage.objects.exclude(status=SmsStatus.SENT).exists()

            _wait_for(all_sent, timeout_s=180, what="all messages sent", every_s=1.0)
        finally:
            stop_celery_worker(second)

    out_ids = {message.out_id for message in SmsMessage.objects.all()}
    assert sent_before_kill < MESSAGES, "the kill came too late to test anything"
    assert set(gateway.sends) == out_ids  # none lost
    assert max(gateway.sends.values()) == 1  # none twice
    print(
        f"\n[CC06 kill test] sent before kill {sent_before_kill}, settled by gateway query "
        f"{settled['confirmed_sent']}, sent again after the gateway said it never got them {settled['resent']}"
    )


def _wait_for(condition, *, timeout_s: float, what: str, every_s: float = 0.2) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(every_s)  # polling real processes, not waiting out a business deadline
    raise AssertionError(f"timed out waiting for {what}")
