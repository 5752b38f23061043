"""Backorders (PT01-PT03): a part ordered for a customer, its dates, its arrival and who is told.

A backorder moves along `Backorder.TRANSITIONS` through `dealership.transitions`, which writes its
history rows (BackorderEvent, named by `Backorder.TRANSITION_EVENTS`).
"""

from datetime import date, datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dealership.errors import StaleObject, TransitionNotAllowed
from dealership.identifiers import normalize_landline, normalize_mobile
from dealership.models import Customer, Role
from dealership.numbering import next_number
from dealership.outbox import enqueue_sms
from dealership.permissions import has_role
from dealership.transitions import edit, record_event, transition
from parts import signals
from parts.models import Backorder, BackorderCall, BackorderStatus, CallReason, Part
from parts.services.stock import positive, receive_stock


@transaction.atomic
def create_backorder(
    *,
    by: AbstractBaseUser,
    customer: Customer,
    quantity: int,
    expected_on: date,
    at: datetime,
    part: Part | None = None,
    description: str = "",
    mobile: str | None = None,
    landline: str | None = None,
    note: str = "",
    repair_order=None,
) -> Backorder:
    """Order a part for a customer (PT01). Refuses a past expected date or no way to reach the customer.

    The backorder's advisor is the advisor of the work order it belongs to (PT02 rev. 2), else the
    person placing it; who typed it is kept in its history.
    """
    mobile = normalize_mobile(customer.mobile if mobile is None else mobile)
    landline = normalize_landline(customer.landline if landline is None else landline)
    errors = {}
    if not description.strip() and part is None:
        errors["description"] = _("Choose a part or describe it.")
    if expected_on < timezone.localdate(at):
        errors["expected_on"] = _("The expected arrival cannot be in the past.")
    if not mobile and not landline:
        errors["mobile"] = _("Give a mobile or a landline so the customer can be told when the part arrives.")
    if errors:
        raise ValidationError(errors)
    backorder = Backorder(
        number=next_number("BO", at=at),
        part=part,
        description=(description.strip() or part.name),
        quantity=positive(quantity),
        customer=customer,
        mobile=mobile,
        landline=landline,
        advisor=repair_order.advisor if repair_order is not None else by,
        expected_on=expected_on,
        note=note.strip(),
        repair_order=repair_order,
        ordered_at=at,
        updated_at=at,
    )
    backorder.full_clean()
    backorder.save()
    placed = _("Expected on %(date)s") % {"date": expected_on.isoformat()}
    record_event(backorder, "", BackorderStatus.ORDERED, by=by, at=at, note=placed)
    return backorder


def _move(
    backorder: Backorder,
    to: BackorderStatus,
    *,
    at: datetime,
    by: AbstractBaseUser | None,
    note: str = "",
    version: int | None = None,
    **fields,
) -> Backorder:
    """Move the backorder along its table; a refusal names both states. Raises TransitionNotAllowed, StaleObject."""
    refused = _("A backorder that is “%(current)s” cannot become “%(next)s”.") % {
        "current": backorder.get_status_display(),
        "next": to.label,
    }
    return transition(backorder, to, by=by, at=at, version=version, event_note=note, refused=refused, **fields)


def _tell_customer(
    backorder: Backorder, kind: str, key: str, at: datetime, *, reason: CallReason, expected_on=None, **context
) -> None:
    """Text the customer; one with a landline only goes on the call list instead (PT02 rev. 2)."""
    if backorder.mobile:
        enqueue_sms(
            mobile=backorder.mobile,
            kind=kind,
            dedupe_key=key,
            at=at,
            context={"customer": backorder.customer.name, "part": backorder.description, **context},
        )
    elif backorder.landline:
        BackorderCall.objects.get_or_create(
            key=key, defaults={"backorder": backorder, "reason": reason, "expected_on": expected_on, "listed_at": at}
        )


def advisor_to_tell(backorder: Backorder) -> AbstractBaseUser | None:
    """The advisor of the work order the backorder belongs to; without one, whoever placed it when
    they are an advisor. Never a parts clerk who only typed it (PT02 rev. 2)."""
    if backorder.repair_order_id:
        return backorder.repair_order.advisor
    return backorder.advisor if has_role(backorder.advisor, Role.ADVISOR) else None


def _tell_advisor(backorder: Backorder, kind: str, key: str, at: datetime, **context) -> None:
    advisor = advisor_to_tell(backorder)
    staff = getattr(advisor, "staff", None)
    if staff and staff.mobile:
        enqueue_sms(
            mobile=staff.mobile,
            kind=kind,
            dedupe_key=key,
            at=at,
            context={
                "advisor": staff.name,
                "customer": backorder.customer.name,
                "part": backorder.description,
                "number": backorder.number,
                **context,
            },
        )


@transaction.atomic
def mark_delayed(*, backorder: Backorder, at: datetime) -> bool:
    """Record that a backorder missed its date and tell customer and advisor, once per missed date (PT02)."""
    if backorder.status != BackorderStatus.ORDERED or backorder.expected_on >= timezone.localdate(at):
        return False
    _move(
        backorder,
        BackorderStatus.DELAYED,
        at=at,
        by=None,
        note=_("Not arrived by %(date)s") % {"date": backorder.expected_on.isoformat()},
    )
    key = f"backorder:{backorder.pk}:delayed:{backorder.expected_on.isoformat()}"
    _tell_customer(
        backorder, "backorder_delayed", key, at, reason=CallReason.DELAYED, expected_on=backorder.expected_on
    )
    _tell_advisor(
        backorder, "backorder_delayed_advisor", key + ":advisor", at, expected=backorder.expected_on.strftime("%m-%d")
    )
    return True


def mark_overdue_backorders(*, at: datetime) -> int:
    """The daily job: every ordered backorder past its date becomes delayed, with its notices."""
    overdue = Backorder.objects.filter(status=BackorderStatus.ORDERED, expected_on__lt=timezone.localdate(at))
    count = 0
    related = ("customer", "advisor__staff", "repair_order__advisor__staff")
    for backorder in overdue.select_related(*related).order_by("pk").iterator(chunk_size=200):
        try:
            count += mark_delayed(backorder=backorder, at=at)
        except StaleObject:
            continue  # changed by a clerk while the job ran; the next run sees it again
    return count


@transaction.atomic
def change_expected_date(
    *, by: AbstractBaseUser, backorder: Backorder, expected_on: date, at: datetime, version: int
) -> Backorder:
    """Set a new expected date and tell the customer and the advisor at once (PT02 rev. 2), not only
    when the old date passes. A delayed backorder is ordered again."""
    if not backorder.is_open or backorder.status == BackorderStatus.ARRIVED:
        raise TransitionNotAllowed(_("Only a backorder still on its way can get a new date."))
    if expected_on < timezone.localdate(at):
        raise ValidationError({"expected_on": _("The expected arrival cannot be in the past.")})
    if expected_on == backorder.expected_on:
        return backorder
    old_date = backorder.expected_on
    note = _("New expected date %(new)s (was %(old)s)") % {
        "new": expected_on.isoformat(),
        "old": backorder.expected_on.isoformat(),
    }
    if backorder.status == BackorderStatus.DELAYED:
        _move(backorder, BackorderStatus.ORDERED, at=at, by=by, note=note, version=version, expected_on=expected_on)
    else:
        edit(backorder, at=at, version=version, expected_on=expected_on)
        record_event(backorder, backorder.status, backorder.status, by=by, at=at, note=note)
    # The version makes each change its own notice: a date moved back to an earlier one is told again.
    key = f"backorder:{backorder.pk}:new-date:{expected_on.isoformat()}:v{backorder.version}"
    _tell_customer(
        backorder,
        "backorder_new_date",
        key,
        at,
        reason=CallReason.NEW_DATE,
        expected_on=expected_on,
        expected=expected_on.strftime("%m月%d日"),
    )
    _tell_advisor(
        backorder,
        "backorder_new_date_advisor",
        key + ":advisor",
        at,
        old=old_date.strftime("%m-%d"),
        expected=expected_on.strftime("%m-%d"),
    )
    return backorder


@transaction.atomic
def mark_arrived(*, by: AbstractBaseUser, backorder: Backorder, at: datetime, version: int | None = None) -> Backorder:
    """The part is here: book it into stock, text the customer, tell the advisor, free the work order item (PT03)."""
    _move(backorder, BackorderStatus.ARRIVED, at=at, by=by, version=version, arrived_at=at)
    if backorder.part_id:
        receive_stock(by=by, part=backorder.part, quantity=backorder.quantity, at=at, reference=backorder.number)
    key = f"backorder:{backorder.pk}:arrived"
    _tell_customer(backorder, "backorder_arrived", key, at, reason=CallReason.ARRIVED)
    _tell_advisor(backorder, "backorder_arrived_advisor", key + ":advisor", at)
    # Inside the transaction: whatever waits for the part (a work order's line) is updated with the
    # arrival, or neither happens.
    signals.backorder_arrived.send(sender=Backorder, backorder=backorder, at=at)
    return backorder


@transaction.atomic
def mark_collected(
    *, by: AbstractBaseUser, backorder: Backorder, at: datetime, version: int | None = None
) -> Backorder:
    """The customer took the part, or it was fitted."""
    return _move(backorder, BackorderStatus.COLLECTED, at=at, by=by, version=version, closed_at=at)


@transaction.atomic
def cancel_backorder(
    *, by: AbstractBaseUser, backorder: Backorder, reason: str, at: datetime, version: int | None = None
) -> Backorder:
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the backorder is cancelled.")})
    return _move(backorder, BackorderStatus.CANCELLED, at=at, by=by, note=reason.strip(), version=version, closed_at=at)


@transaction.atomic
def record_call(*, by: AbstractBaseUser, call: BackorderCall, at: datetime, note: str = "") -> BackorderCall:
    """The customer on the call list has been phoned: record who called and when. Raises
    TransitionNotAllowed when the call is already recorded."""
    won = BackorderCall.objects.filter(pk=call.pk, called_at__isnull=True).update(
        called_at=at, called_by=by, note=note.strip()[:200]
    )
    if not won:
        raise TransitionNotAllowed(_("This call is already recorded as made."))
    call.refresh_from_db()
    return call
