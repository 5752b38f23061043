"""CC06 and the messaging platform: the SMS outbox never loses and never repeats a message."""

import threading
import zoneinfo
from datetime import datetime, time, timedelta
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dealership import outbox, sms_gateways, sms_templates
from dealership.errors import TransitionNotAllowed
from dealership.models import SmsMessage, SmsPolicy, SmsStatus
from dealership.sms_gateways import GatewayRejected, GatewayUnavailable, GatewayUncertain, Receipt
from tests.conftest import require_service
from tests.factories import make_sms_template, make_user

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NOON = datetime(2026, 11, 26, 12, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def empty_locmem_outbox():
    sms_gateways.outbox.clear()


@pytest.fixture
def published():
    """The message ids handed to the workers (only the id travels through the broker)."""
    sent = []
    with mock.patch.object(outbox.current_app, "send_task", side_effect=lambda name, kwargs: sent.append(kwargs)):
        yield sent


class ScriptedGateway(sms_gateways.Gateway):
    """Answers each send with the next scripted outcome (an exception class or "ok")."""

    can_query = True

    def __init__(self, *outcomes):
        self.outcomes = list(outcomes)
        self.received: list[str] = []

    def send(self, *, out_id, mobile, body):
        outcome = self.outcomes.pop(0) if self.outcomes else "ok"
        if outcome in ("ok", "uncertain-but-received"):
            self.received.append(out_id)
        if outcome == "ok":
            return Receipt(gateway_message_id=f"gw-{out_id}", accepted_at=timezone.now())
        if outcome == "uncertain-but-received":
            raise GatewayUncertain("timeout after 10s")
        raise outcome("scripted")

    def query(self, *, out_id):
        return Receipt(f"gw-{out_id}", timezone.now()) if out_id in self.received else None


def enqueue(key="care:order:1:day1", at=NOON, **overrides):
    context = {"customer": "张先生", "text": "您的爱车已完成保养。"}
    fields = {"mobile": "13812345678", "kind": "notice", "context": context}
    return outbox.enqueue_sms(dedupe_key=key, at=at, **(fields | overrides))


@pytest.mark.django_db
def test_cc06_enqueue_renders_the_signed_text_and_hands_over_only_the_id_after_commit(
    published, django_capture_on_commit_callbacks
):
    make_sms_template()
    SmsPolicy.objects.update_or_create(pk=1, defaults={"signature": "【周口一汽-大众】"})

    with django_capture_on_commit_callbacks(execute=True):
        message = enqueue()

    assert message.status == SmsStatus.QUEUED
    assert message.body == "【周口一汽-大众】尊敬的张先生，您的爱车已完成保养。"
    assert published == [{"message_id": message.pk}]


@pytest.mark.django_db
def test_cc06_same_dedupe_key_twice_is_one_message(published, django_capture_on_commit_callbacks):
    make_sms_template()

    with django_capture_on_commit_callbacks(execute=True):
        first = enqueue()
        second = enqueue(context={"customer": "李女士", "text": "另一条"})

    assert first.pk == second.pk
    assert SmsMessage.objects.count() == 1
    assert len(published) == 1


@pytest.mark.django_db
def test_cc06_message_of_a_rolled_back_event_is_never_written_nor_handed_over(
    published, django_capture_on_commit_callbacks
):
    make_sms_template()

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        with transaction.atomic():
            enqueue()
            raise RuntimeError("the visit closure failed")

    assert not SmsMessage.objects.exists()
    assert published == []


@pytest.mark.django_db(transaction=True)
def test_cc06_concurrent_enqueues_of_one_key_make_one_row():
    require_service(connection.vendor == "postgresql", "PostgreSQL (concurrent writers)")
    make_sms_template()
    barrier = threading.Barrier(2)
    rows, errors = [], []

    def enqueue_in_own_connection():
        try:
            with transaction.atomic():
                barrier.wait(timeout=10)
                rows.append(enqueue(key="care:order:99:day1").pk)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    with mock.patch.object(outbox.current_app, "send_task"):
        threads = [threading.Thread(target=enqueue_in_own_connection) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert errors == []
    assert len(set(rows)) == 1
    assert SmsMessage.objects.filter(dedupe_key="care:order:99:day1").count() == 1


@pytest.mark.django_db
def test_enqueue_refuses_a_bad_mobile_and_an_unknown_kind():
    make_sms_template()

    with pytest.raises(ValidationError):
        enqueue(mobile="12345")
    with pytest.raises(outbox.UnknownSmsKind):
        enqueue(kind="no-such-kind")
    assert not SmsMessage.objects.exists()


@pytest.mark.django_db
def test_enqueue_refuses_a_context_missing_a_placeholder():
    make_sms_template()

    with pytest.raises(KeyError, match="text"):
        enqueue(context={"customer": "张先生"})


# --- Delivery ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_cc06_deliver_sends_once_even_when_the_task_runs_twice(published):
    make_sms_template()
    message = enqueue()

    outbox.deliver(message_id=message.pk, at=NOON)
    again = outbox.deliver(message_id=message.pk, at=NOON + timedelta(seconds=5))

    assert again is False
    assert [sent["out_id"] for sent in sms_gateways.outbox] == [message.out_id]
    message.refresh_from_db()
    assert (message.status, message.attempts) == (SmsStatus.SENT, 1)
    assert message.sent_at is not None
    assert list(message.events.values_list("to_status", flat=True).order_by("pk")) == ["queued", "sending", "sent"]


@pytest.mark.django_db
def test_cc06_a_worker_that_loses_the_claim_writes_nothing_and_sends_nothing(published):
    make_sms_template()
    message = enqueue()
    outbox.deliver(message_id=message.pk, at=NOON)

    with CaptureQueriesContext(connection) as queries:
        again = outbox.deliver(message_id=message.pk, at=NOON + timedelta(seconds=1))

    writes = [query["sql"] for query in queries if query["sql"].startswith(("UPDATE", "INSERT", "DELETE"))]
    assert again is False
    assert len(writes) == 1 and writes[0].startswith('UPDATE "dealership_smsmessage"')  # the claim, matching nothing
    assert len(sms_gateways.outbox) == 1
    assert list(message.events.values_list("from_status", "to_status", "note").order_by("pk")) == [
        ("", "queued", ""),
        ("queued", "sending", ""),
        ("sending", "sent", ""),
    ]


@pytest.mark.django_db
def test_cc06_gateway_down_then_up_retries_with_growing_backoff_then_sends(
    published, django_capture_on_commit_callbacks
):
    make_sms_template()
    message = enqueue()
    gateway = ScriptedGateway(GatewayUnavailable, GatewayUnavailable, GatewayUnavailable, "ok")
    clock = NOON
    gaps = []

    for _attempt in range(4):
        outbox.deliver(message_id=message.pk, at=clock, gateway=gateway)
        message.refresh_from_db()
        if message.status == SmsStatus.QUEUED:
            gaps.append((message.next_attempt_at - clock).total_seconds())
            clock = message.next_attempt_at
            published.clear()
            with django_capture_on_commit_callbacks(execute=True):
                outbox.sweep(at=clock)
            assert published == [{"message_id": message.pk}]  # the sweep hands the retry over when due

    assert message.status == SmsStatus.SENT
    assert message.attempts == 4
    assert gateway.received == [message.out_id]
    assert 48 <= gaps[0] <= 72 and 96 <= gaps[1] <= 144 and 192 <= gaps[2] <= 288


@pytest.mark.django_db
def test_cc06_gives_up_as_failed_after_the_configured_attempts(published):
    make_sms_template()
    SmsPolicy.objects.update_or_create(pk=1, defaults={"max_attempts": 3})
    message = enqueue()
    gateway = ScriptedGateway(*[GatewayUnavailable] * 10)
    clock = NOON

    for _attempt in range(3):
        outbox.deliver(message_id=message.pk, at=clock, gateway=gateway)
        message.refresh_from_db()
        clock = message.next_attempt_at

    assert (message.status, message.attempts) == (SmsStatus.FAILED, 3)
    assert "scripted" in message.error
    assert message.events.latest("pk").note == "尝试 3 次后放弃：scripted"


@pytest.mark.django_db
def test_cc06_a_refusal_4xx_is_final_after_one_attempt(published):
    make_sms_template()
    message = enqueue()

    outbox.deliver(message_id=message.pk, at=NOON, gateway=ScriptedGateway(GatewayRejected))

    message.refresh_from_db()
    assert (message.status, message.attempts) == (SmsStatus.FAILED, 1)


@pytest.mark.django_db
def test_cc06_after_a_timeout_the_sweep_asks_the_gateway_before_sending_again(published, settings):
    settings.SMS_STUCK_AFTER_S = 300
    make_sms_template()
    received_then_timed_out = enqueue(key="a")
    lost_then_timed_out = enqueue(key="b")
    gateway = ScriptedGateway("uncertain-but-received", GatewayUncertain)

    outbox.deliver(message_id=received_then_timed_out.pk, at=NOON, gateway=gateway)
    outbox.deliver(message_id=lost_then_timed_out.pk, at=NOON, gateway=gateway)
    too_early = outbox.sweep(at=NOON + timedelta(seconds=299), gateway=gateway)
    settled = outbox.sweep(at=NOON + timedelta(seconds=301), gateway=gateway)
    outbox.deliver(message_id=lost_then_timed_out.pk, at=NOON + timedelta(seconds=302), gateway=gateway)

    assert too_early["confirmed_sent"] == too_early["resent"] == 0
    assert (settled["confirmed_sent"], settled["resent"]) == (1, 1)
    received_then_timed_out.refresh_from_db()
    lost_then_timed_out.refresh_from_db()
    assert received_then_timed_out.status == lost_then_timed_out.status == SmsStatus.SENT
    assert sorted(gateway.received) == sorted([received_then_timed_out.out_id, lost_then_timed_out.out_id])


@pytest.mark.django_db
def test_cc06_a_gateway_that_cannot_answer_leaves_the_decision_to_a_person(published, settings):
    make_sms_template()
    message = enqueue()
    console_like = ScriptedGateway(GatewayUncertain)
    console_like.can_query = False
    manager = make_user("manager")

    outbox.deliver(message_id=message.pk, at=NOON, gateway=console_like)
    outbox.sweep(at=NOON + timedelta(seconds=settings.SMS_STUCK_AFTER_S + 1), gateway=console_like)
    message.refresh_from_db()
    assert message.status == SmsStatus.UNKNOWN

    outbox.mark_sent(message=message, by=manager, at=NOON + timedelta(hours=1))

    message.refresh_from_db()
    assert message.status == SmsStatus.SENT
    assert message.events.latest("pk").by == manager


@pytest.mark.django_db
def test_a_person_sends_a_failed_message_again_with_fresh_attempts(published, django_capture_on_commit_callbacks):
    make_sms_template(is_urgent=True)
    message = enqueue()
    outbox.deliver(message_id=message.pk, at=NOON, gateway=ScriptedGateway(GatewayRejected))
    message.refresh_from_db()
    published.clear()

    with django_capture_on_commit_callbacks(execute=True):
        outbox.send_again(message=message, by=make_user("callcentre"), at=NOON + timedelta(minutes=5))

    message.refresh_from_db()
    assert (message.status, message.attempts) == (SmsStatus.QUEUED, 0)
    assert published == [{"message_id": message.pk}]
    with pytest.raises(TransitionNotAllowed):
        outbox.send_again(message=message, by=make_user("callcentre"), at=NOON)


@pytest.mark.django_db
def test_cc06_sweep_hands_over_again_a_due_message_whose_broker_message_was_lost(
    published, settings, django_capture_on_commit_callbacks
):
    settings.SMS_REPUBLISH_AFTER_S = 120
    make_sms_template()
    message = enqueue()

    with django_capture_on_commit_callbacks(execute=True):
        soon = outbox.sweep(at=NOON + timedelta(seconds=60))
        later = outbox.sweep(at=NOON + timedelta(seconds=121))

    assert soon["handed_over"] == 0
    assert later["handed_over"] == 1
    assert published == [{"message_id": message.pk}]


# --- Quiet hours ------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("local_time", "release"),
    [
        ((2026, 11, 26, 21, 0), (2026, 11, 27, 8, 0)),
        ((2026, 11, 26, 23, 59), (2026, 11, 27, 8, 0)),
        ((2026, 11, 27, 0, 30), (2026, 11, 27, 8, 0)),
        ((2026, 11, 27, 7, 59), (2026, 11, 27, 8, 0)),
    ],
)
def test_cc06_care_messages_in_quiet_hours_are_held_until_eight(published, local_time, release):
    make_sms_template()
    at = datetime(*local_time, tzinfo=SHANGHAI)

    message = enqueue(at=at)

    assert message.status == SmsStatus.HELD
    assert message.next_attempt_at == datetime(*release, tzinfo=SHANGHAI)
    assert published == []


@pytest.mark.django_db
def test_cc06_a_care_message_at_eight_or_before_nine_pm_goes_at_once(published):
    make_sms_template()

    morning = enqueue(key="m", at=datetime(2026, 11, 27, 8, 0, tzinfo=SHANGHAI))
    evening = enqueue(key="e", at=datetime(2026, 11, 26, 20, 59, tzinfo=SHANGHAI))

    assert morning.status == evening.status == SmsStatus.QUEUED


@pytest.mark.django_db
def test_cc06_urgent_kinds_go_at_once_in_quiet_hours(published):
    make_sms_template("rescue", is_urgent=True)

    message = enqueue(kind="rescue", at=datetime(2026, 11, 26, 23, 30, tzinfo=SHANGHAI))

    assert message.status == SmsStatus.QUEUED


@pytest.mark.django_db
def test_cc06_held_messages_are_released_by_the_sweep_at_eight(published, django_capture_on_commit_callbacks):
    make_sms_template()
    message = enqueue(at=datetime(2026, 11, 26, 22, 0, tzinfo=SHANGHAI))

    with django_capture_on_commit_callbacks(execute=True):
        before = outbox.sweep(at=datetime(2026, 11, 27, 7, 59, tzinfo=SHANGHAI))
        after = outbox.sweep(at=datetime(2026, 11, 27, 8, 0, tzinfo=SHANGHAI))

    assert (before["released"], after["released"]) == (0, 1)
    message.refresh_from_db()
    assert message.status == SmsStatus.QUEUED
    assert published == [{"message_id": message.pk}]


@pytest.mark.django_db
def test_quiet_hours_follow_the_policy_a_manager_sets(published):
    make_sms_template()
    manager = make_user("manager")
    sms_templates.update_policy(by=manager, quiet_from=time(22, 0))

    at_half_past_nine = enqueue(at=datetime(2026, 11, 26, 21, 30, tzinfo=SHANGHAI))

    assert at_half_past_nine.status == SmsStatus.QUEUED


# --- Templates --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_template_with_an_unknown_placeholder_is_refused_at_save():
    template = make_sms_template()
    manager = make_user("manager")

    with pytest.raises(ValidationError, match="plate"):
        sms_templates.update_template(
            by=manager, template=template, name="通知", body="尊敬的{customer}，{plate}已修好"
        )
    with pytest.raises(ValidationError):
        sms_templates.update_template(by=manager, template=template, name="通知", body="尊敬的{customer，{text}")

    template.refresh_from_db()
    assert template.body == "尊敬的{customer}，{text}"


@pytest.mark.django_db
def test_template_change_applies_to_new_messages_and_keeps_history(published):
    template = make_sms_template()
    manager = make_user("manager")
    before = enqueue(key="before")

    sms_templates.update_template(by=manager, template=template, name="通知", body="{customer}您好：{text}")
    after = enqueue(key="after")

    assert "尊敬的张先生" in before.body
    assert "张先生您好：" in after.body
    assert template.history.latest().history_user == manager


# --- Found in review ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_cc06_a_care_text_that_reaches_a_worker_in_quiet_hours_is_held_not_sent(published):
    make_sms_template()
    message = enqueue(at=datetime(2026, 11, 26, 20, 59, tzinfo=SHANGHAI))

    claimed = outbox.deliver(message_id=message.pk, at=datetime(2026, 11, 26, 23, 30, tzinfo=SHANGHAI))

    message.refresh_from_db()
    assert claimed is False
    assert message.status == SmsStatus.HELD
    assert message.next_attempt_at == datetime(2026, 11, 27, 8, 0, tzinfo=SHANGHAI)
    assert sms_gateways.outbox == []


@pytest.mark.django_db
def test_cc06_sending_again_is_a_new_send_the_gateway_record_of_the_first_does_not_count(published, settings):
    make_sms_template(is_urgent=True)
    message = enqueue()
    gateway = ScriptedGateway("ok", GatewayUncertain)
    outbox.deliver(message_id=message.pk, at=NOON, gateway=gateway)
    message.refresh_from_db()
    first_out_id = message.out_id
    outbox.record_receipt(out_id=first_out_id, delivered=False, at=NOON, detail="空号")
    message.refresh_from_db()

    outbox.send_again(message=message, by=make_user("callcentre"), at=NOON + timedelta(minutes=1))
    outbox.deliver(message_id=message.pk, at=NOON + timedelta(minutes=1), gateway=gateway)  # times out, never arrives
    outbox.sweep(at=NOON + timedelta(minutes=1, seconds=settings.SMS_STUCK_AFTER_S + 1), gateway=gateway)

    message.refresh_from_db()
    assert message.out_id != first_out_id
    assert message.status == SmsStatus.QUEUED  # asked about the new send: not received, so it goes again
    assert message.events.latest("pk").note == "短信网关没有收到此短信。"


@pytest.mark.django_db
def test_cc06_a_delivery_receipt_settles_a_message_still_marked_sending(published):
    make_sms_template()
    message = enqueue()
    outbox.deliver(message_id=message.pk, at=NOON, gateway=ScriptedGateway(GatewayUncertain))
    message.refresh_from_db()

    outbox.record_receipt(out_id=message.out_id, delivered=True, at=NOON + timedelta(seconds=30))

    message.refresh_from_db()
    assert message.status == SmsStatus.SENT and message.delivered_at is not None


@pytest.mark.django_db
def test_a_receipt_for_an_unknown_or_old_send_changes_nothing(published):
    make_sms_template()
    message = enqueue()
    outbox.deliver(message_id=message.pk, at=NOON)
    message.refresh_from_db()

    unknown = outbox.record_receipt(out_id=f"sms-{message.pk}-000000000000", delivered=False, at=NOON)
    garbage = outbox.record_receipt(out_id="sms-1", delivered=False, at=NOON)

    message.refresh_from_db()
    assert unknown is None and garbage is None
    assert message.status == SmsStatus.SENT


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"signature": "周口一汽-大众"}, "signature"),
        ({"signature": "【】"}, "signature"),
        ({"quiet_from": time(21, 0), "quiet_until": time(21, 0)}, "quiet_until"),
    ],
)
def test_the_policy_refuses_a_signature_without_brackets_and_empty_quiet_hours(changes, field):
    with pytest.raises(ValidationError) as refused:
        sms_templates.update_policy(by=make_user("manager"), **changes)

    assert field in refused.value.message_dict
    assert SmsPolicy.current().signature == "【售后服务】"


@pytest.mark.django_db
def test_a_template_may_not_carry_its_own_signature():
    template = make_sms_template()

    with pytest.raises(ValidationError, match=r"签名|signature"):
        sms_templates.update_template(
            by=make_user("manager"), template=template, name="x", body="【别的店】{customer}{text}"
        )
