"""The SMS outbox: every text message is a row first, written in the transaction of its event.

- `enqueue_sms` writes the row (once per dedupe key) and hands its id to the workers after commit.
- `deliver` claims a due row (queued → sending, one row or nothing), sends it, and settles it.
- `sweep` (beat, every minute) releases held rows, hands over due rows whose broker message may
  be lost, and settles rows left in `sending` by a dead worker or a gateway timeout: it asks the
  gateway whether it has the message before anything is sent again.

So a lost broker message costs a delay, a redelivered one changes nothing, and no message goes to
the gateway twice unless the gateway itself cannot say whether it has it (then a person decides).
"""

import logging
import random
import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from celery import current_app
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dealership.errors import DomainError, TransitionNotAllowed
from dealership.identifiers import normalize_mobile, validate_mobile
from dealership.models import Customer, SmsEvent, SmsMessage, SmsPolicy, SmsStatus, SmsTemplate, new_send_token
from dealership.sms_gateways import (
    Gateway,
    GatewayError,
    GatewayRejected,
    GatewayUnavailable,
    GatewayUncertain,
    Receipt,
    get_gateway,
)
from dealership.sms_templates import render
from dealership.transitions import transition, transition_rows, try_transition

logger = logging.getLogger(__name__)

DELIVER_TASK = "dealership.tasks.deliver_sms"
DELIVER_BATCH_TASK = "dealership.tasks.deliver_sms_batch"
SINGLE_TASKS_UP_TO = 20
BATCH_IDS = 20
RETRY_FIRST_S = 60
RETRY_MAX_S = 30 * 60


class UnknownSmsKind(DomainError):
    pass


# --- Enqueue ----------------------------------------------------------------------------------------


@transaction.atomic
def enqueue_sms(
    *,
    mobile: str,
    kind: str,
    context: Mapping[str, object],
    dedupe_key: str,
    at: datetime,
    not_before: datetime | None = None,
    by: AbstractBaseUser | None = None,
) -> SmsMessage | None:
    """Write a text message to the outbox in the caller's transaction; the same key twice is one message.

    Non-urgent kinds due in quiet hours are held until they end. A kind that honours the opt-out
    writes nothing for a customer who opted out (returns None). Raises UnknownSmsKind,
    ValidationError (bad mobile) and KeyError (a placeholder missing from `context`).
    """
    mobile = normalize_mobile(mobile)
    validate_mobile(mobile)
    existing = SmsMessage.objects.filter(dedupe_key=dedupe_key).first()
    if existing:
        return existing  # the common replay, answered without rendering the text
    try:
        template = SmsTemplate.objects.get(kind=kind)
    except SmsTemplate.DoesNotExist as missing:
        raise UnknownSmsKind(f"no SMS template for kind {kind!r}") from missing
    if template.honours_opt_out and _opted_out({mobile}):
        return None  # the customer asked for no greetings or notes
    policy = SmsPolicy.current()
    due = max(at, not_before or at)
    status, due = _hold_for_quiet_hours(policy, template.is_urgent, due)
    hand_over_now = status == SmsStatus.QUEUED and due <= at
    message, created = SmsMessage.objects.get_or_create(
        dedupe_key=dedupe_key,
        defaults={
            "mobile": mobile,
            "kind": kind,
            "template": template,
            "body": render(template, context, policy),
            "is_urgent": template.is_urgent,
            "status": status,
            "next_attempt_at": due,
            "published_at": at if hand_over_now else None,
            "created_at": at,
            "updated_at": at,
        },
    )
    if created:
        SmsEvent.objects.create(message=message, at=at, by=by, to_status=status)
        if hand_over_now:
            _hand_over_after_commit([message.pk])
    return message


def enqueue_many(messages: list[dict], *, at: datetime, by: AbstractBaseUser | None = None) -> int:
    """`enqueue_sms` for many messages at once (a sweep's notices, a broadcast): each dict has
    mobile, kind, context, dedupe_key and optionally not_before. Keys already in the outbox are
    skipped; returns how many rows were written. A handful of queries however many messages."""
    keys = [message["dedupe_key"] for message in messages]
    known = set(SmsMessage.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True))
    fresh = {message["dedupe_key"]: message for message in messages if message["dedupe_key"] not in known}
    if not fresh:
        return 0
    templates = {t.kind: t for t in SmsTemplate.objects.filter(kind__in={m["kind"] for m in fresh.values()})}
    policy = SmsPolicy.current()
    mobiles = {
        normalize_mobile(m["mobile"])
        for m in fresh.values()
        if getattr(templates.get(m["kind"]), "honours_opt_out", False)
    }
    opted_out = _opted_out(mobiles) if mobiles else set()
    rows = []
    for key, message in fresh.items():
        template = templates.get(message["kind"])
        if template is None:
            raise UnknownSmsKind(f"no SMS template for kind {message['kind']!r}")
        mobile = normalize_mobile(message["mobile"])
        validate_mobile(mobile)
        if template.honours_opt_out and mobile in opted_out:
            continue
        due = max(at, message.get("not_before") or at)
        status, due = _hold_for_quiet_hours(policy, template.is_urgent, due)
        rows.append(
            SmsMessage(
                dedupe_key=key,
                mobile=mobile,
                kind=template.kind,
                template=template,
                body=render(template, message["context"], policy),
                is_urgent=template.is_urgent,
                status=status,
                next_attempt_at=due,
                published_at=at if status == SmsStatus.QUEUED and due <= at else None,
                created_at=at,
                updated_at=at,
            )
        )
    # A concurrent writer of the same key wins; its row stands and ours is dropped.
    SmsMessage.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    written = list(
        SmsMessage.objects.filter(dedupe_key__in=list(fresh), created_at=at).values_list("pk", "status", "published_at")
    )
    SmsEvent.objects.bulk_create(
        [SmsEvent(message_id=pk, at=at, by=by, to_status=status) for pk, status, _published in written],
        batch_size=1000,
    )
    _hand_over_after_commit([pk for pk, _status, published in written if published is not None])
    return len(written)


def _opted_out(mobiles: set[str]) -> set[str]:
    """The mobiles of customers who asked for no greetings or notes."""
    return set(Customer.objects.filter(mobile__in=mobiles, sms_opt_out=True).values_list("mobile", flat=True))


def quiet_hours_end(policy: SmsPolicy, when: datetime) -> datetime | None:
    """Return when quiet hours end if `when` falls inside them (local time), else None."""
    start, end = policy.quiet_from, policy.quiet_until
    if start == end:
        return None
    # The dealership's wall clock, whatever zone a request may have activated.
    local = timezone.localtime(when, ZoneInfo(settings.TIME_ZONE))
    moment = local.time()
    quiet = (moment >= start or moment < end) if start > end else (start <= moment < end)
    if not quiet:
        return None
    day = local.date() if moment < end else local.date() + timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, end), local.tzinfo)


def _hold_for_quiet_hours(policy: SmsPolicy, urgent: bool, due: datetime) -> tuple[SmsStatus, datetime]:
    release = None if urgent else quiet_hours_end(policy, due)
    return (SmsStatus.HELD, release) if release else (SmsStatus.QUEUED, due)


def _hand_over_after_commit(message_ids: list[int]) -> None:
    """Publish the ids to the workers once the transaction commits; a broker outage is left to the sweep.

    A few messages go one task each, so workers send them side by side; a burst (a sweep's notices,
    a broadcast) goes in tasks of BATCH_IDS ids, as publishing costs about a millisecond a task.
    """
    if len(message_ids) <= SINGLE_TASKS_UP_TO:
        calls = [(DELIVER_TASK, {"message_id": message_id}) for message_id in message_ids]
    else:
        calls = [
            (DELIVER_BATCH_TASK, {"message_ids": message_ids[start : start + BATCH_IDS]})
            for start in range(0, len(message_ids), BATCH_IDS)
        ]

    def publish() -> None:
        for task, kwargs in calls:
            try:
                current_app.send_task(task, kwargs=kwargs)
            except Exception:
                logger.warning("broker unavailable: the sweep will hand over %d message(s)", len(message_ids))
                return

    transaction.on_commit(publish)


# --- Deliver ----------------------------------------------------------------------------------------


def deliver(*, message_id: int, at: datetime, gateway: Gateway | None = None) -> bool:
    """Claim a due message and send it. False when another worker has it, it is not due, or quiet hours hold it."""
    message = _claim(message_id, at=at)
    if message is None:
        return False
    ours = Q(attempts=message.attempts, claimed_at=at)
    try:
        receipt = (gateway or get_gateway()).send(out_id=message.out_id, mobile=message.mobile, body=message.body)
    except GatewayUncertain as error:
        # It may have gone out. Leave it claimed: the sweep asks the gateway before any resend.
        SmsMessage.objects.filter(ours, pk=message.pk, status=SmsStatus.SENDING).update(error=str(error)[:300])
        logger.warning("SMS %s: uncertain (%s); left for the sweep to check", message.pk, error)
    except GatewayRejected as error:
        _move(message, SmsStatus.FAILED, at=at, only_if=ours, note=str(error), error=str(error))
    except GatewayUnavailable as error:
        _retry_or_give_up(message, at=at, only_if=ours, reason=str(error))
    else:
        _record_sent(message, receipt, at=at, only_if=ours)
    return True


@transaction.atomic
def _claim(message_id: int, *, at: datetime) -> SmsMessage | None:
    """queued → sending for one due message, one worker only; a care text found in quiet hours is held instead.

    The claim is one conditional UPDATE on the row as a claim expects it (queued and due), so of
    two workers handed the same id only one gets it. Quiet hours are checked again here because a
    message can be due before 21:00 and reach a worker after it (a backlog, a broker outage the
    sweep recovered from).
    """
    expected = SmsMessage(pk=message_id, status=SmsStatus.QUEUED)
    due = Q(next_attempt_at__lte=at)
    release = quiet_hours_end(SmsPolicy.current(), at)
    if release and try_transition(
        expected,
        SmsStatus.HELD,
        by=None,
        at=at,
        where=due & Q(is_urgent=False),
        event_note=_("Quiet hours: held until they end."),
        next_attempt_at=release,
    ):
        return None
    return try_transition(
        expected, SmsStatus.SENDING, by=None, at=at, where=due, attempts=F("attempts") + 1, claimed_at=at, error=""
    )


def _record_sent(message: SmsMessage, receipt: Receipt, *, at: datetime, only_if: Q, note: str = "") -> bool:
    return _move(
        message,
        SmsStatus.SENT,
        at=at,
        only_if=only_if,
        note=note,
        sent_at=receipt.accepted_at,
        gateway_message_id=receipt.gateway_message_id[:64],
        error="",
    )


def _retry_or_give_up(
    message: SmsMessage, *, at: datetime, only_if: Q, reason: str, wait: timedelta | None = None
) -> bool:
    """Queue the message for another attempt after `wait` (backoff by default), or fail it for good."""
    policy = SmsPolicy.current()
    if message.attempts >= policy.max_attempts:
        note = _("Gave up after %(attempts)d attempts: %(reason)s") % {"attempts": message.attempts, "reason": reason}
        return _move(message, SmsStatus.FAILED, at=at, only_if=only_if, note=note, error=reason)
    wait = retry_delay(message.attempts) if wait is None else wait
    status, due = _hold_for_quiet_hours(policy, message.is_urgent, at + wait)
    hand_over_now = status == SmsStatus.QUEUED and due <= at
    won = _move(
        message,
        status,
        at=at,
        only_if=only_if,
        note=reason,
        error=reason,
        next_attempt_at=due,
        published_at=at if hand_over_now else None,  # later attempts are handed over by the sweep
    )
    if won and hand_over_now:
        _hand_over_after_commit([message.pk])
    return won


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff from one minute, capped at 30, with ±20% jitter so retries do not bunch."""
    base = min(RETRY_FIRST_S * 2 ** max(attempts - 1, 0), RETRY_MAX_S)
    return timedelta(seconds=base * random.uniform(0.8, 1.2))


def _move(
    message: SmsMessage,
    to_status: SmsStatus,
    *,
    at: datetime,
    by: AbstractBaseUser | None = None,
    only_if: Q | None = None,
    note: str = "",
    **fields,
) -> bool:
    """Move the message on from the status it was read in, if it still is (and still meets `only_if`):
    a compare-and-set with its event row, in one transaction. Returns whether this call won."""
    if "error" in fields:
        fields["error"] = fields["error"][:300]
    with transaction.atomic():
        return try_transition(message, to_status, by=by, at=at, where=only_if, event_note=note, **fields) is not None


# --- Sweep ------------------------------------------------------------------------------------------


def sweep(*, at: datetime, gateway: Gateway | None = None) -> dict[str, int]:
    """Release held messages, hand over due ones again, settle stuck ones. Safe to run anywhere, twice."""
    batch = settings.SMS_SWEEP_BATCH
    counts = {"released": _release_held(at, batch), "handed_over": _hand_over_due(at, batch)}
    # Settling asks the gateway about each message, with its timeout: a small batch per sweep keeps
    # the sweep well inside its time limit even when the gateway is slow.
    counts |= _settle_stuck(at, settings.SMS_SETTLE_BATCH, gateway)
    return counts


def _lock_batch(rows, batch: int) -> list[int]:
    # SKIP LOCKED lets concurrent sweeps (a second beat, a manual run) share the work instead of
    # queueing behind each other; SQLite ignores it and serialises writers anyway.
    return list(
        rows.select_for_update(skip_locked=True, no_key=True, of=("self",))
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:batch]
    )


def _release_held(at: datetime, batch: int) -> int:
    with transaction.atomic():
        ids = _lock_batch(SmsMessage.objects.filter(status=SmsStatus.HELD, next_attempt_at__lte=at), batch)
        released = transition_rows(SmsMessage, ids, SmsStatus.HELD, SmsStatus.QUEUED, at=at, published_at=at)
        _hand_over_after_commit(ids)
    return released


def _hand_over_due(at: datetime, batch: int) -> int:
    """Publish due messages nobody handed over, or whose broker message may be lost."""
    stale = at - timedelta(seconds=settings.SMS_REPUBLISH_AFTER_S)
    with transaction.atomic():
        due = SmsMessage.objects.filter(status=SmsStatus.QUEUED, next_attempt_at__lte=at).filter(
            Q(published_at__isnull=True) | Q(published_at__lt=stale)
        )
        ids = _lock_batch(due, batch)
        SmsMessage.objects.filter(pk__in=ids).update(published_at=at, updated_at=at)
        _hand_over_after_commit(ids)
    return len(ids)


def _settle_stuck(at: datetime, batch: int, gateway: Gateway | None) -> dict[str, int]:
    """Settle messages left in `sending` by a killed worker or a gateway timeout."""
    stuck_before = at - timedelta(seconds=settings.SMS_STUCK_AFTER_S)
    with transaction.atomic():
        ids = _lock_batch(SmsMessage.objects.filter(status=SmsStatus.SENDING, claimed_at__lt=stuck_before), batch)
        # Re-stamp the claim so a concurrent sweep leaves these alone while this one asks the gateway.
        SmsMessage.objects.filter(pk__in=ids).update(claimed_at=at, updated_at=at)
    counts = {"confirmed_sent": 0, "resent": 0, "unknown": 0, "failed": 0}
    if not ids:
        return counts
    gateway = gateway or get_gateway()
    # Still sending: a delivery receipt may have settled one since the batch was stamped.
    for message in SmsMessage.objects.filter(pk__in=ids, claimed_at=at, status=SmsStatus.SENDING).order_by("pk"):
        outcome = _settle_one(message, at=at, gateway=gateway)
        if outcome:
            counts[outcome] += 1
    return counts


def _settle_one(message: SmsMessage, *, at: datetime, gateway: Gateway) -> str | None:
    ours = Q(claimed_at=at)
    if not gateway.can_query:
        note = _("The gateway cannot say whether it received this message. Check, then send again or mark it sent.")
        return "unknown" if _move(message, SmsStatus.UNKNOWN, at=at, only_if=ours, note=note) else None
    try:
        receipt = gateway.query(out_id=message.out_id)
    except GatewayError as error:
        logger.warning("SMS %s: gateway query failed (%s); asking again at the next sweep", message.pk, error)
        return None
    with transaction.atomic():
        if receipt:
            note = _("The gateway confirmed it received the message.")
            return "confirmed_sent" if _record_sent(message, receipt, at=at, only_if=ours, note=note) else None
        # Not at the gateway: safe to send again, at once (it has waited past the stuck threshold).
        reason = _("The gateway never received it.")
        if not _retry_or_give_up(message, at=at, only_if=ours, reason=reason, wait=timedelta(0)):
            return None
    return "failed" if message.status == SmsStatus.FAILED else "resent"


# --- People and receipts ----------------------------------------------------------------------------


@transaction.atomic
def send_again(*, message: SmsMessage, by: AbstractBaseUser, at: datetime) -> SmsMessage:
    """Queue a failed or unknown message again with fresh attempts (quiet hours still apply)."""
    if message.status not in (SmsStatus.FAILED, SmsStatus.UNKNOWN):
        raise TransitionNotAllowed(_("Only a failed or unknown message can be sent again."))
    status, due = _hold_for_quiet_hours(SmsPolicy.current(), message.is_urgent, at)
    hand_over = status == SmsStatus.QUEUED
    transition(
        message,
        status,
        by=by,
        at=at,
        event_note=_("Sent again by a person."),
        attempts=0,
        next_attempt_at=due,
        published_at=at if hand_over else None,
        error="",
        send_token=new_send_token(),  # a new send: the gateway's record of the old one must not count
    )
    if hand_over:
        _hand_over_after_commit([message.pk])
    return message


@transaction.atomic
def mark_sent(*, message: SmsMessage, by: AbstractBaseUser, at: datetime) -> SmsMessage:
    """Record that a person confirmed with the gateway that an unknown message went out."""
    if message.status != SmsStatus.UNKNOWN:
        raise TransitionNotAllowed(_("Only a message whose fate is unknown can be marked as sent."))
    return transition(
        message,
        SmsStatus.SENT,
        by=by,
        at=at,
        event_note=_("Confirmed sent by a person."),
        sent_at=message.claimed_at or at,
    )


_OUT_ID = re.compile(r"^sms-(\d+)-([0-9a-f]{12})$")


@transaction.atomic
def record_receipt(*, out_id: str, delivered: bool, at: datetime, detail: str = "") -> SmsMessage | None:
    """Apply a gateway delivery receipt to the send it names. Returns None for an id that is not ours.

    A receipt is proof the gateway had the message, so it also settles a message still in
    `sending` (a worker slower than the gateway, or one that died) or `unknown`.
    """
    match = _OUT_ID.match(out_id)
    if not match:
        return None
    message = SmsMessage.objects.filter(pk=int(match[1]), send_token=match[2]).first()
    if message is None:
        return None
    if message.status in (SmsStatus.SENDING, SmsStatus.UNKNOWN):
        note = _("Settled by a delivery receipt.")
        if not _move(message, SmsStatus.SENT, at=at, note=note, sent_at=message.claimed_at or at):
            message.refresh_from_db()
    if message.status != SmsStatus.SENT:
        return message
    if delivered:
        SmsMessage.objects.filter(pk=message.pk, delivered_at__isnull=True).update(delivered_at=at, updated_at=at)
    else:
        reason = _("Delivery receipt: not delivered (%(detail)s).") % {"detail": detail or "—"}
        _move(message, SmsStatus.FAILED, at=at, note=reason, error=reason)
    message.refresh_from_db()
    return message
