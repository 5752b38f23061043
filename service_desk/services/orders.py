"""Repair orders from arrival to delivery (SD03, SD05-SD10, SD12, SD13).

Every status change goes through `_move` (the table in RepairOrder.TRANSITIONS, a compare-and-set
on `version`, a history row); every change of items or parts recomputes the totals in the same
transaction.
"""

from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from dealership.errors import DomainError, StaleObject, TransitionNotAllowed
from dealership.models import Vehicle
from dealership.money import format_cny, to_cny
from dealership.numbering import next_number
from dealership.outbox import enqueue_sms
from dealership.transitions import transition
from dealership.wording import cn_time
from parts import services as parts
from parts.models import BackorderStatus, Part
from service_desk import capacity, links, signals
from service_desk.models import (
    Appointment,
    AppointmentStatus,
    Category,
    DeferredWork,
    DeskPolicy,
    ItemStatus,
    LabourOperation,
    OrderEvent,
    OrderStatus,
    PartLine,
    Position,
    Rating,
    RepairItem,
    RepairOrder,
)


class VehicleAlreadyInService(DomainError):
    message = _("This car already has an open work order.")


class OrderNotEditable(DomainError):
    message = _("This work order is settled, delivered or cancelled: it cannot be changed.")


# --- Status --------------------------------------------------------------------------------------


def _move(
    order: RepairOrder,
    to: OrderStatus,
    *,
    at: datetime,
    by: AbstractBaseUser | None,
    note: str = "",
    version: int | None = None,
    **fields,
) -> RepairOrder:
    """Check the transition table, compare-and-set on version, write the history row."""
    current = OrderStatus(order.status)
    if to not in RepairOrder.TRANSITIONS[current]:
        raise TransitionNotAllowed(
            _("A work order that is “%(current)s” cannot become “%(next)s”.")
            % {"current": current.label, "next": to.label}
        )
    expected = order.version if version is None else version
    won = RepairOrder.objects.filter(pk=order.pk, version=expected, status=current).update(
        status=to, version=F("version") + 1, updated_at=at, **fields
    )
    if not won:
        raise StaleObject()
    OrderEvent.objects.create(order=order, at=at, by=by, from_status=current, to_status=to, note=note or to.label)
    order.refresh_from_db()
    return order


def _touch(order: RepairOrder, *, at: datetime, version: int | None = None, **fields) -> None:
    """Change fields of an editable order under its version (no status change)."""
    if not order.is_editable:
        raise OrderNotEditable()
    expected = order.version if version is None else version
    if not RepairOrder.objects.filter(pk=order.pk, version=expected, status__in=RepairOrder.EDITABLE).update(
        version=F("version") + 1, updated_at=at, **fields
    ):
        raise StaleObject()
    order.refresh_from_db()


def _note(order: RepairOrder, text: str, *, at: datetime, by: AbstractBaseUser | None) -> None:
    OrderEvent.objects.create(order=order, at=at, by=by, note=text[:300])


# --- Arrival and reception (SD03, SD05) ----------------------------------------------------------------


@transaction.atomic
def receive_vehicle(
    *,
    by: AbstractBaseUser,
    vehicle: Vehicle,
    at: datetime,
    mileage_km: int | None = None,
    appointment: Appointment | None = None,
    customer_requests: str = "",
    advisor: AbstractBaseUser | None = None,
) -> RepairOrder:
    """Open a work order the moment a car arrives (one tap); the reception clock starts now.

    The advisor is the appointment's, else the one named, else whoever receives the car."""
    if appointment is not None and (
        appointment.vehicle_id != vehicle.pk or appointment.status != AppointmentStatus.BOOKED
    ):
        raise DomainError(_("This appointment is not a booking for this car."))
    if RepairOrder.objects.filter(vehicle=vehicle, status__in=RepairOrder.EDITABLE).exists():
        raise VehicleAlreadyInService()
    mileage = vehicle.mileage_km if mileage_km is None else mileage_km
    if mileage < 0 or mileage > 2_000_000:
        raise ValidationError({"mileage_km": _("Mileage must be between 0 and 2,000,000 km.")})
    order = RepairOrder(
        number=next_number("RO", at=at),
        vehicle=vehicle,
        customer=vehicle.customer,
        advisor=appointment.advisor if appointment else (advisor or by),
        appointment=appointment,
        is_green_channel=bool(appointment and appointment.is_green_channel),
        added_value_service=appointment.added_value_service if appointment else "",
        mileage_km=mileage,
        customer_requests=customer_requests.strip(),
        arrived_at=at,
        created_at=at,
        updated_at=at,
    )
    try:
        with transaction.atomic():
            order.save()
    except IntegrityError as race:
        raise VehicleAlreadyInService() from race
    OrderEvent.objects.create(order=order, at=at, by=by, to_status=OrderStatus.OPEN, note=pgettext("visit", "Arrived"))
    if appointment is not None:
        transition(appointment, AppointmentStatus.ARRIVED, by=by, at=at, note=order.number)
    if mileage > vehicle.mileage_km:
        Vehicle.objects.filter(pk=vehicle.pk).update(mileage_km=mileage)
    return order


@transaction.atomic
def record_greeting(*, by: AbstractBaseUser, order: RepairOrder, at: datetime) -> RepairOrder:
    """The advisor greeted the customer (SD03: within 5 seconds). Only the first tap counts."""
    if order.greeted_at is None:
        RepairOrder.objects.filter(pk=order.pk, greeted_at__isnull=True).update(greeted_at=at, updated_at=at)
        _note(order, _("Greeted"), at=at, by=by)
        order.refresh_from_db()
    return order


@transaction.atomic
def record_in_bay(*, by: AbstractBaseUser, order: RepairOrder, at: datetime) -> RepairOrder:
    """The car is in a work bay (SD03: within one minute). Only the first tap counts."""
    if order.in_bay_at is None:
        fields = {"in_bay_at": at, "updated_at": at}
        if order.greeted_at is None:
            fields["greeted_at"] = at  # nobody can park the car without having greeted its owner
        RepairOrder.objects.filter(pk=order.pk, in_bay_at__isnull=True).update(**fields)
        _note(order, _("In a work bay"), at=at, by=by)
        order.refresh_from_db()
    return order


@transaction.atomic
def record_walkaround(
    *,
    by: AbstractBaseUser,
    order: RepairOrder,
    at: datetime,
    version: int,
    mileage_km: int,
    fuel_eighths: int,
    damage: str,
    valuables: str,
    covers_fitted: bool,
    signed_by: str,
    signature: str = "",
    customer_requests: str | None = None,
) -> RepairOrder:
    """The walk-around check and the reception sheet the customer signs (SD05, SD06)."""
    errors = {}
    if not 0 <= fuel_eighths <= 8:
        errors["fuel_eighths"] = _("Fuel is between empty (0) and full (8 eighths).")
    if not covers_fitted:
        errors["covers_fitted"] = _("Fit the seat, wheel and floor covers (三件套) before the car goes in.")
    if not signed_by.strip():
        errors["signed_by"] = _("The customer signs the reception sheet.")
    if signature and (not signature.startswith("data:image/png;base64,") or len(signature) > 200_000):
        errors["signature"] = _("The drawn signature could not be read; please sign again.")
    if mileage_km < order.vehicle.mileage_km and mileage_km < order.mileage_km:
        errors["mileage_km"] = _("The mileage is lower than the car's last recorded mileage.")
    if errors:
        raise ValidationError(errors)
    walkaround = {
        "fuel_eighths": fuel_eighths,
        "damage": damage.strip(),
        "valuables": valuables.strip(),
        "covers_fitted": covers_fitted,
    }
    fields = {
        "walkaround": walkaround,
        "mileage_km": mileage_km,
        "reception_signed_by": signed_by.strip(),
        "reception_signed_at": at,
        "reception_signature": signature,
    }
    if customer_requests is not None:
        fields["customer_requests"] = customer_requests.strip()
    _touch(order, at=at, version=version, **fields)
    Vehicle.objects.filter(pk=order.vehicle_id, mileage_km__lt=mileage_km).update(mileage_km=mileage_km)
    _note(order, _("Reception sheet signed by %(name)s") % {"name": signed_by.strip()}, at=at, by=by)
    return order


@transaction.atomic
def update_requests(*, by: AbstractBaseUser, order: RepairOrder, text: str, at: datetime, version: int) -> RepairOrder:
    """Record the customer's requests and instructions, word for word (SD06); the words they
    replace stay in the order's history."""
    before = order.customer_requests
    _touch(order, at=at, version=version, customer_requests=text.strip())
    if before and before != order.customer_requests:
        _note(order, _("Customer's requests updated; before: %(before)s") % {"before": before}, at=at, by=by)
    else:
        _note(order, _("Customer's requests updated"), at=at, by=by)
    return order


# --- Items and parts (SD07-SD09) ----------------------------------------------------------------------


@transaction.atomic
def add_item(
    *,
    by: AbstractBaseUser,
    order: RepairOrder,
    at: datetime,
    category: str,
    description: str = "",
    labour_operation: LabourOperation | None = None,
    position: str = "",
    labour_price: Decimal | None = None,
    labour_hours: Decimal | None = None,
) -> RepairItem:
    """Add a job to the order. Refuses a positional job without its position (SD08).

    After the customer has confirmed, a fourth new item (more than the policy's three) makes the
    order need confirming again; until then the new items cannot be worked on (SD09).
    """
    _lock_order(order)
    errors = {}
    if category not in Category.values:
        errors["category"] = _("Choose a category.")
    if position and position not in Position.values:
        errors["position"] = _("Unknown position.")
    if labour_operation is not None and labour_operation.is_positional and not position:
        errors["position"] = _("“%(operation)s” is done at a position: say front/rear, left/right.") % {
            "operation": labour_operation.name
        }
    description = (description or (labour_operation.name if labour_operation else "")).strip()
    if not description:
        errors["description"] = _("Say what is to be done.")
    price = labour_operation.price if labour_price is None and labour_operation else labour_price
    if price is None:
        errors["labour_price"] = _("Give the labour price (0 when the work is free).")
    elif price < 0:
        errors["labour_price"] = _("The labour price cannot be negative.")
    hours = labour_operation.hours if labour_hours is None and labour_operation else (labour_hours or Decimal("0"))
    if not Decimal("0") <= hours <= Decimal("99"):
        errors["labour_hours"] = _("Flat-rate hours are between 0 and 99.")
    if errors:
        raise ValidationError(errors)
    item = RepairItem.objects.create(
        order=order,
        category=category,
        description=description,
        labour_operation=labour_operation,
        position=position,
        labour_hours=hours,
        labour_price=to_cny(price),
        added_by=by,
        confirmation_round=order.confirmation_round,
        is_confirmed=False,
        created_at=at,
        updated_at=at,
    )
    _note(order, _("Item added: %(item)s") % {"item": item}, at=at, by=by)
    if order.confirmed_at is not None:
        unconfirmed = order.items.filter(RepairItem.COUNTED, is_confirmed=False).count()
        if unconfirmed > DeskPolicy.current().reconfirm_after_items and not order.needs_confirmation:
            RepairOrder.objects.filter(pk=order.pk).update(needs_confirmation=True)
            _note(
                order,
                _("More than %(count)d items added since the customer confirmed: confirm again.")
                % {"count": DeskPolicy.current().reconfirm_after_items},
                at=at,
                by=by,
            )
    if order.status == OrderStatus.READY:
        _move(order, OrderStatus.IN_PROGRESS, at=at, by=by, note=_("New work after the car was ready"))
    _recompute_totals(order, at=at)
    return item


def _lock_order(order: RepairOrder) -> RepairOrder:
    """Lock an editable order for a change of its items: one change at a time, never on a closed order.

    The caller's object is brought up to date under the lock, so it sees what the change did.
    """
    list(RepairOrder.objects.select_for_update(no_key=True).filter(pk=order.pk).values_list("pk"))
    order.refresh_from_db()
    if not order.is_editable:
        raise OrderNotEditable()
    return order


def _lock_for_parts(item: RepairItem) -> tuple[RepairOrder, RepairItem]:
    order = _lock_order(item.order)
    item.refresh_from_db()
    if item.status in (ItemStatus.DECLINED, ItemStatus.PASSED):
        raise TransitionNotAllowed(
            _("“%(item)s” is declined or has passed QC: add a new item for more work.") % {"item": item}
        )
    return order, item


def _release_parts(item: RepairItem, *, by: AbstractBaseUser, at: datetime, reason: str) -> None:
    """Parts of an item that will not be done: those taken from stock go back, backorders not yet
    arrived are cancelled (an arrived part is already in stock for the parts counter)."""
    for line in item.part_lines.select_related("part", "backorder"):
        if not line.is_backordered:
            parts.return_stock(
                by=by, part=line.part, quantity=line.quantity, at=at, reference=item.order.number, reason=reason
            )
        elif line.backorder is not None and line.backorder.status in (
            BackorderStatus.ORDERED,
            BackorderStatus.DELAYED,
        ):
            parts.cancel_backorder(by=by, backorder=line.backorder, reason=reason, at=at)


@transaction.atomic
def take_up_deferred(*, by: AbstractBaseUser, order: RepairOrder, work: DeferredWork, at: datetime) -> RepairItem:
    """Work the customer declined last time goes on this visit's order, once."""
    if work.vehicle_id != order.vehicle_id:
        raise DomainError(_("This work belongs to another car."))
    if not DeferredWork.objects.filter(pk=work.pk, taken_up_at__isnull=True).update(taken_up_at=at):
        raise DomainError(_("This work is already on an order."))
    return add_item(
        by=by,
        order=order,
        at=at,
        category=work.category,
        description=work.description,
        labour_operation=work.labour_operation,
    )


def _check_part_fits(item: RepairItem, part: Part) -> None:
    """Refuse a part the item cannot take: a positional part without a position (SD08), a part neither
    genuine nor approved on a warranty item (PT04)."""
    if part.is_positional and not item.position:
        raise ValidationError(
            {"part": _("%(part)s is fitted at a position: give the item its position first.") % {"part": part.name}}
        )
    if item.category == Category.WARRANTY and not part.is_genuine_or_approved:
        raise ValidationError(
            {
                "part": _("%(part)s (%(number)s) is neither genuine nor approved: it cannot be fitted under warranty.")
                % {"part": part.name, "number": part.part_number}
            }
        )


@transaction.atomic
def add_part_line(
    *, by: AbstractBaseUser, item: RepairItem, part: Part, quantity: int, at: datetime, allow_negative: bool = False
) -> PartLine:
    """Take a part from stock for an item at today's retail price. Raises OutOfStock (offer a backorder),
    ValidationError (no position for a positional part; not genuine or approved on a warranty item, PT04)."""
    order, item = _lock_for_parts(item)
    _check_part_fits(item, part)
    if quantity is None or quantity < 1:
        raise ValidationError({"quantity": _("The quantity must be at least 1.")})
    parts.issue_to_work_order(
        by=by, part=part, quantity=quantity, reference=order.number, at=at, allow_negative=allow_negative
    )
    line = PartLine.objects.create(
        item=item,
        part=part,
        quantity=quantity,
        unit_price=part.retail_price,
        amount=to_cny(part.retail_price * quantity),
    )
    _recompute_totals(order, at=at)
    return line


@transaction.atomic
def backorder_part(
    *, by: AbstractBaseUser, item: RepairItem, part: Part, quantity: int, expected_on, at: datetime
) -> PartLine:
    """The part is not in stock: order it for this customer and keep the line waiting for it (PT01).
    Refused like `add_part_line` for a part the item cannot take (SD08, PT04)."""
    order, item = _lock_for_parts(item)
    _check_part_fits(item, part)
    backorder = parts.create_backorder(
        by=by,
        customer=order.customer,
        part=part,
        quantity=quantity,
        expected_on=expected_on,
        at=at,
        repair_order=order,
        note=_("For %(order)s") % {"order": order.number},
    )
    line = PartLine.objects.create(
        item=item,
        part=part,
        quantity=quantity,
        unit_price=part.retail_price,
        amount=to_cny(part.retail_price * quantity),
        is_backordered=True,
        backorder=backorder,
    )
    _recompute_totals(order, at=at)
    return line


@transaction.atomic
def fit_arrived_part(*, backorder, at: datetime) -> int:
    """A backordered part arrived: take it from stock for its order; the items waiting are ready to fit."""
    lines = (
        PartLine.objects.select_related("item__order", "part")
        .filter(backorder=backorder, is_backordered=True, item__order__status__in=RepairOrder.EDITABLE)
        .exclude(item__status=ItemStatus.DECLINED)
    )
    fitted = 0
    for line in lines:
        parts.issue_to_work_order(
            by=backorder.advisor,
            part=line.part,
            quantity=line.quantity,
            reference=line.item.order.number,
            at=at,
            allow_negative=True,
        )
        PartLine.objects.filter(pk=line.pk).update(is_backordered=False)
        _note(
            line.item.order,
            _("%(part)s arrived: %(item)s can be fitted") % {"part": line.part.name, "item": line.item},
            at=at,
            by=None,
        )
        fitted += 1
    return fitted


@transaction.atomic
def remove_item(*, by: AbstractBaseUser, item: RepairItem, at: datetime) -> None:
    """Take back an item the customer has not confirmed and nobody has started; its parts go back to stock."""
    order = _lock_order(item.order)
    item.refresh_from_db()  # as it is now, under the lock
    if item.is_confirmed or item.status != ItemStatus.PENDING:
        raise TransitionNotAllowed(_("Only an item not yet confirmed or started can be removed."))
    _release_parts(item, by=by, at=at, reason=_("Item removed from %(order)s") % {"order": order.number})
    _note(order, _("Item removed: %(item)s") % {"item": item}, at=at, by=by)
    item.delete()
    _review_confirmation(order)
    _recompute_totals(order, at=at)
    follow_items(order=order, at=at, by=by)


def _recompute_totals(order: RepairOrder, *, at: datetime) -> None:
    """Totals from the lines, in SQL: labour per item, parts per line, rounded once per line."""
    for item in order.items.all():
        parts_amount = item.part_lines.aggregate(total=Sum("amount"))["total"] or Decimal("0")
        if parts_amount != item.parts_amount:
            RepairItem.objects.filter(pk=item.pk).update(parts_amount=parts_amount)
    counted = order.items.filter(RepairItem.COUNTED)
    labour = counted.aggregate(total=Sum("labour_price"))["total"] or Decimal("0")
    parts_total = counted.aggregate(total=Sum("parts_amount"))["total"] or Decimal("0")
    # A new version: a confirmation signed against the old items and total is refused as stale.
    RepairOrder.objects.filter(pk=order.pk).update(
        labour_total=to_cny(labour),
        parts_total=to_cny(parts_total),
        total=to_cny(labour + parts_total),
        version=F("version") + 1,
        updated_at=at,
    )
    order.refresh_from_db()


def _review_confirmation(order: RepairOrder) -> None:
    """After an item is taken away, the order needs confirming again only while it still has too many new ones."""
    if order.confirmed_at is None or not order.needs_confirmation:
        return
    unconfirmed = order.items.filter(RepairItem.COUNTED, is_confirmed=False).count()
    if unconfirmed <= DeskPolicy.current().reconfirm_after_items:
        RepairOrder.objects.filter(pk=order.pk).update(needs_confirmation=False)
        order.refresh_from_db()


@transaction.atomic
def confirm(
    *,
    order: RepairOrder,
    signed_by: str,
    at: datetime,
    by: AbstractBaseUser | None = None,
    declined: set[int] | None = None,
    version: int | None = None,
) -> RepairOrder:
    """The customer confirms the items, the promised time and the cost (SD09), in the shop or by link.

    Items the customer declines are kept on the car's record as deferred work (offered next visit).
    """
    if not signed_by.strip():
        raise ValidationError({"signed_by": _("The customer signs with their name.")})
    _lock_order(order)
    if version is not None and order.version != version:
        raise StaleObject()  # the items or the total changed since the customer read them
    _check_ready_to_confirm(order)
    declined = declined or set()
    pending = list(order.items.filter(RepairItem.COUNTED, is_confirmed=False))
    unknown = declined - {item.pk for item in pending}
    if unknown:
        raise ValidationError(_("Only items awaiting confirmation can be declined."))
    for item in pending:
        if item.pk in declined:
            _decline(item, at=at, by=by)
    RepairItem.objects.filter(pk__in=[i.pk for i in pending if i.pk not in declined]).update(
        is_confirmed=True, updated_at=at
    )
    _touch(
        order,
        at=at,
        confirmed_at=at,
        confirmed_by=signed_by.strip(),
        confirmation_round=F("confirmation_round") + 1,
        needs_confirmation=False,
    )
    _recompute_totals(order, at=at)
    _note(
        order,
        _("Confirmed by %(name)s: %(count)d items, %(total)s")
        % {"name": signed_by.strip(), "count": len(pending) - len(declined), "total": format_cny(order.total)},
        at=at,
        by=by,
    )
    # Declining the last unfinished item may leave every remaining one passed: the car is ready.
    return follow_items(order=order, at=at, by=by)


def _check_ready_to_confirm(order: RepairOrder) -> None:
    """SD05: the work order is issued only after the walk-around, on a reception sheet the customer
    signed; and there must be something to confirm."""
    if order.reception_signed_at is None:
        raise DomainError(_("First the walk-around check and the reception sheet signed by the customer."))
    if not order.items.filter(RepairItem.COUNTED, is_confirmed=False).exists():
        raise DomainError(_("No item waits for the customer's confirmation."))


def _decline(item: RepairItem, *, at: datetime, by: AbstractBaseUser | None) -> None:
    if not RepairItem.objects.filter(pk=item.pk, status=ItemStatus.PENDING).update(
        status=ItemStatus.DECLINED, version=F("version") + 1, updated_at=at
    ):
        raise TransitionNotAllowed(_("Work on “%(item)s” has started: it can no longer be declined.") % {"item": item})
    _release_parts(item, by=by or item.added_by, at=at, reason=_("Declined by the customer"))
    DeferredWork.objects.create(
        vehicle_id=item.order.vehicle_id,
        source_item=item,
        category=item.category,
        description=str(item),
        labour_operation=item.labour_operation,
        declined_at=at,
    )
    _note(item.order, _("Declined by the customer, kept for the next visit: %(item)s") % {"item": item}, at=at, by=by)


# SD09 written once, as a query: the dispatch board lists exactly these waiting items, and
# `may_start` (dispatch) asks the database the same question.
STARTABLE = (
    Q(order__confirmed_at__isnull=False)
    & RepairItem.COUNTED
    & (Q(is_confirmed=True) | Q(order__needs_confirmation=False))
)


def may_start(item: RepairItem) -> bool:
    """SD09: work starts once the customer confirmed; items beyond the allowance wait for a new confirmation."""
    return RepairItem.objects.filter(STARTABLE, pk=item.pk).exists()


@transaction.atomic
def send_confirmation_link(*, by: AbstractBaseUser, order: RepairOrder, at: datetime) -> str:
    """Text the customer a link to confirm (or decline) the items on their phone. Returns the link."""
    if not order.is_editable:
        raise OrderNotEditable()
    _check_ready_to_confirm(order)
    url = links.order_url(order)
    enqueue_sms(
        mobile=order.customer.mobile,
        kind="order_confirm_link",
        at=at,
        by=by,
        dedupe_key=f"order:{order.pk}:confirm:{order.confirmation_round}:{order.version}",
        context={
            "customer": order.customer.name,
            "plate": order.vehicle.short_label,
            "total": format_cny(order.total),
            "link": url,
        },
    )
    _note(order, _("Confirmation link sent by SMS"), at=at, by=by)
    return url


# --- Promise and overrun (SD10) -------------------------------------------------------------------------


@transaction.atomic
def make_promise(*, by: AbstractBaseUser, order: RepairOrder, at: datetime) -> RepairOrder:
    """Promise a time from the workshop's load: queued hours shared by the technicians, then this car's.

    A green-channel car goes first in the workshop (SD01), so only other green-channel work is ahead of it.
    """
    policy = DeskPolicy.current()
    technicians = (
        policy.technicians_on_shift
        or capacity.technicians_on_shift(timezone.localdate(at))
        or get_user_model().objects.filter(groups__name="technician", is_active=True).count()
    )
    technicians = max(technicians, 1)
    open_work = RepairItem.objects.filter(
        order__status__in=[OrderStatus.OPEN, OrderStatus.IN_PROGRESS],
    ).exclude(status__in=[ItemStatus.PASSED, ItemStatus.DECLINED])
    ahead = open_work.exclude(order=order)
    if order.is_green_channel:
        ahead = ahead.filter(order__is_green_channel=True)
    queued = ahead.aggregate(h=Sum("labour_hours"))["h"] or Decimal("0")
    own = open_work.filter(order=order).aggregate(h=Sum("labour_hours"))["h"] or Decimal("0")
    hours = queued / technicians + own
    promised = add_working_hours(at, hours, start=policy.workday_start, end=policy.workday_end)
    basis = _(
        "%(queued)s h queued ÷ %(technicians)d technicians + %(own)s h for this car = %(hours)s h of "
        "workshop time (%(start)s–%(end)s)"
    ) % {
        "queued": _hours(queued),
        "technicians": technicians,
        "own": _hours(own),
        "hours": _hours(hours),
        "start": policy.workday_start.strftime("%H:%M"),
        "end": policy.workday_end.strftime("%H:%M"),
    }
    _touch(order, at=at, promised_at=promised, promise_basis=basis[:300])
    _note(
        order, _("Promised for %(time)s") % {"time": timezone.localtime(promised).strftime("%m-%d %H:%M")}, at=at, by=by
    )
    return order


def _hours(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.1'))}"


def add_working_hours(start_at: datetime, hours: Decimal, *, start, end) -> datetime:
    """`start_at` plus `hours` of workshop time, counting only opening hours, day after day."""
    remaining = timedelta(hours=float(hours))
    moment = timezone.localtime(start_at)
    while True:
        opens = moment.replace(hour=start.hour, minute=start.minute, second=0, microsecond=0)
        closes = moment.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
        moment = max(moment, opens)
        if moment < closes:
            if moment + remaining <= closes:
                return moment + remaining
            remaining -= closes - moment
        following = (moment + timedelta(days=1)).replace(hour=start.hour, minute=start.minute, second=0, microsecond=0)
        moment = timezone.localtime(following)


@transaction.atomic
def report_overrun(
    *, by: AbstractBaseUser, order: RepairOrder, new_promise: datetime, reason: str, at: datetime
) -> RepairOrder:
    """The workshop says the car will be late (SD10): the advisor sees it at once and tells the customer."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the work will take longer.")})
    if new_promise <= at:
        raise ValidationError({"new_promise": _("The new time must be in the future.")})
    _touch(
        order,
        at=at,
        promised_at=new_promise,
        overrun_reported_at=at,
        overrun_note=reason.strip()[:200],
        customer_told_of_overrun_at=None,
    )
    _note(
        order,
        _("Will be late: %(reason)s; new time %(time)s")
        % {"reason": reason.strip(), "time": timezone.localtime(new_promise).strftime("%m-%d %H:%M")},
        at=at,
        by=by,
    )
    return order


@transaction.atomic
def tell_customer_of_overrun(
    *, by: AbstractBaseUser, order: RepairOrder, at: datetime, by_phone: bool = False
) -> RepairOrder:
    """The advisor tells the customer about the delay: by text, or records that they phoned."""
    if order.overrun_reported_at is None:
        raise DomainError(_("No delay has been reported for this order."))
    if not by_phone:
        enqueue_sms(
            mobile=order.customer.mobile,
            kind="order_overrun",
            at=at,
            by=by,
            dedupe_key=f"order:{order.pk}:overrun:{order.overrun_reported_at.isoformat()}",
            context={
                "customer": order.customer.name,
                "plate": order.vehicle.short_label,
                "time": cn_time(order.promised_at),
                "reason": order.overrun_note,
            },
        )
    _touch(order, at=at, customer_told_of_overrun_at=at)
    _note(
        order,
        _("Customer told of the delay by phone") if by_phone else _("Customer told of the delay by SMS"),
        at=at,
        by=by,
    )
    return order


# --- Workshop progress --------------------------------------------------------------------------------


@transaction.atomic
def move_item(
    *,
    item: RepairItem,
    to: ItemStatus,
    at: datetime,
    by: AbstractBaseUser | None = None,
    version: int | None = None,
    **fields,
) -> RepairItem:
    """Move an item along its arrows (the workshop's assign, start, QC); the order follows its items.

    The order is locked first, as every change of its items does, so a move never crosses the
    advisor removing the item or the customer declining it, and nothing moves on a closed order.
    """
    _lock_order(item.order)
    current = ItemStatus(item.status)
    if to not in RepairItem.TRANSITIONS[current]:
        raise TransitionNotAllowed(
            _("An item that is “%(current)s” cannot become “%(next)s”.") % {"current": current.label, "next": to.label}
        )
    if to == ItemStatus.ASSIGNED and current == ItemStatus.PENDING and not may_start(item):
        raise DomainError(_("The customer has not confirmed this item yet."))
    expected = item.version if version is None else version
    if not RepairItem.objects.filter(pk=item.pk, version=expected, status=current).update(
        status=to, version=F("version") + 1, updated_at=at, **fields
    ):
        raise StaleObject()
    item.refresh_from_db()
    follow_items(order=item.order, at=at, by=by)
    return item


def follow_items(*, order: RepairOrder, at: datetime, by: AbstractBaseUser | None = None) -> RepairOrder:
    """Keep the order's status in step with its items: started, all passed (ready), or back at work."""
    order.refresh_from_db()
    items = order.items.filter(RepairItem.COUNTED)
    if not items.exists() or order.status not in RepairOrder.EDITABLE:
        return order
    all_passed = not items.exclude(status=ItemStatus.PASSED).exists()
    started = items.exclude(status=ItemStatus.PENDING).exists()
    if all_passed and order.status != OrderStatus.READY:
        _move(order, OrderStatus.READY, at=at, by=by, note=_("Every item passed the final check"))
        enqueue_sms(
            mobile=order.customer.mobile,
            kind="order_ready",
            at=at,
            dedupe_key=f"order:{order.pk}:ready:{order.version}",
            context={"customer": order.customer.name, "plate": order.vehicle.short_label},
        )
    elif not all_passed and order.status == OrderStatus.READY:
        _move(order, OrderStatus.IN_PROGRESS, at=at, by=by, note=_("An item is back in the workshop"))
    elif started and order.status == OrderStatus.OPEN:
        _move(order, OrderStatus.IN_PROGRESS, at=at, by=by, note=_("Work started"))
    return order


# --- Checkout and delivery (SD12, SD13) -------------------------------------------------------------------


@transaction.atomic
def settle(
    *, order: RepairOrder, rating: str, at: datetime, by: AbstractBaseUser, version: int | None = None
) -> RepairOrder:
    """Checkout with the customer's own rating, once (SD13); refused until every item passed final QC (WS02).

    `by` is the cashier who settles, recorded with the order (IN03 rev. 2). "refused" is the customer's
    own tap on the rating screen; "missing" an order settled without handing the customer the tablet."""
    if rating not in Rating.values:
        raise ValidationError({"rating": _("Unknown rating.")})
    if order.status in (OrderStatus.SETTLED, OrderStatus.DELIVERED):
        raise TransitionNotAllowed(_("This work order is already settled."))
    if (
        order.items.filter(RepairItem.COUNTED).exclude(status=ItemStatus.PASSED).exists()
        or not order.items.filter(RepairItem.COUNTED).exists()
    ):
        raise TransitionNotAllowed(_("Not every item has passed the final check yet."))
    _move(
        order,
        OrderStatus.SETTLED,
        at=at,
        by=by,
        version=version,
        rating=rating,
        settled_at=at,
        settled_by=by,
        note=_("Settled, rating: %(rating)s") % {"rating": Rating(rating).label},
    )
    signals.order_settled.send(sender=RepairOrder, order=order, at=at)
    return order


@transaction.atomic
def deliver(*, by: AbstractBaseUser, order: RepairOrder, at: datetime, version: int | None = None) -> RepairOrder:
    """The car leaves with its owner; refused until the order is settled."""
    if order.status != OrderStatus.SETTLED:
        raise TransitionNotAllowed(_("Settle the work order before the car leaves."))
    _move(
        order,
        OrderStatus.DELIVERED,
        at=at,
        by=by,
        version=version,
        delivered_at=at,
        note=pgettext("order", "Delivered"),
    )
    signals.order_delivered.send(sender=RepairOrder, order=order, at=at)
    return order


@transaction.atomic
def cancel(*, by: AbstractBaseUser, order: RepairOrder, reason: str, at: datetime) -> RepairOrder:
    """Cancel an order nothing was done on; parts go back to stock."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the order is cancelled.")})
    if order.items.filter(~Q(status__in=[ItemStatus.PENDING, ItemStatus.DECLINED])).exists():
        raise TransitionNotAllowed(_("Work has started on this order: it cannot be cancelled."))
    for item in order.items.filter(status=ItemStatus.PENDING):
        _release_parts(item, by=by, at=at, reason=_("Order cancelled"))
    return _move(order, OrderStatus.CANCELLED, at=at, by=by, cancelled_at=at, note=reason.strip())


# --- WS09 questions for the customer, through the advisor ------------------------------------------------


@transaction.atomic
def ask_customer(*, by: AbstractBaseUser, item: RepairItem, question: str, at: datetime):
    """The workshop asks the customer something; the question goes to the advisor, never to the customer."""
    from service_desk.models import CustomerQuestion

    if not question.strip():
        raise ValidationError({"question": _("Write the question.")})
    if not item.order.is_editable:
        raise OrderNotEditable()
    asked = CustomerQuestion.objects.create(item=item, question=question.strip(), asked_by=by, asked_at=at)
    _note(item.order, _("Question for the customer: %(question)s") % {"question": asked.question}, at=at, by=by)
    return asked


@transaction.atomic
def answer_question(*, by: AbstractBaseUser, question, answer: str, at: datetime):
    """The advisor records what the customer said; the workshop sees it on the board."""
    if not answer.strip():
        raise ValidationError({"answer": _("Write the customer's answer.")})
    if question.answered_at is not None:
        raise TransitionNotAllowed(_("This question has already been answered."))
    type(question).objects.filter(pk=question.pk, answered_at__isnull=True).update(
        answer=answer.strip(), answered_by=by, answered_at=at
    )
    question.refresh_from_db()
    _note(question.item.order, _("The customer answered: %(answer)s") % {"answer": question.answer}, at=at, by=by)
    return question
