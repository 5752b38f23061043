"""The jobs on an order and their parts: add, take back, parts from stock or on backorder (SD07-SD09, PT01, PT04)."""

from datetime import datetime
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dealership.errors import DomainError, TransitionNotAllowed
from dealership.money import to_cny
from dealership.transitions import edit
from parts import services as parts
from parts.models import Part
from service_desk.models import (
    Category,
    DeferredWork,
    DeskPolicy,
    ItemStatus,
    LabourOperation,
    OrderStatus,
    PartLine,
    Position,
    RepairItem,
    RepairOrder,
)
from service_desk.services.orders import (
    _lock_for_parts,
    _lock_order,
    _move,
    _note,
    _recompute_totals,
    _release_parts,
    _unconfirmed_beyond_allowance,
)
from service_desk.services.progress import follow_items


def _item_terms(
    *,
    category: str,
    description: str,
    labour_operation: LabourOperation | None,
    position: str,
    labour_price: Decimal | None,
    labour_hours: Decimal | None,
) -> tuple[str, Decimal, Decimal]:
    """The item's description, price and hours, from the operation where not given. Raises ValidationError."""
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
    return description, to_cny(price), hours


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
    description, price, hours = _item_terms(
        category=category,
        description=description,
        labour_operation=labour_operation,
        position=position,
        labour_price=labour_price,
        labour_hours=labour_hours,
    )
    item = RepairItem.objects.create(
        order=order,
        category=category,
        description=description,
        labour_operation=labour_operation,
        position=position,
        labour_hours=hours,
        labour_price=price,
        added_by=by,
        confirmation_round=order.confirmation_round,
        is_confirmed=False,
        created_at=at,
        updated_at=at,
    )
    _note(order, _("Item added: %(item)s") % {"item": item}, at=at, by=by)
    if order.confirmed_at is not None and not order.needs_confirmation and _unconfirmed_beyond_allowance(order):
        edit(order, at=at, needs_confirmation=True)
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


def _part_line(item: RepairItem, part: Part, quantity: int, **fields) -> PartLine:
    """A part on an item at today's retail price, rounded once for the line."""
    return PartLine.objects.create(
        item=item,
        part=part,
        quantity=quantity,
        unit_price=part.retail_price,
        amount=to_cny(part.retail_price * quantity),
        **fields,
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
    line = _part_line(item, part, quantity)
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
    line = _part_line(item, part, quantity, is_backordered=True, backorder=backorder)
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
    if order.confirmed_at is not None and order.needs_confirmation and not _unconfirmed_beyond_allowance(order):
        # Only while too many new items remain does the order need confirming again.
        edit(order, at=at, needs_confirmation=False)
    _recompute_totals(order, at=at)
    follow_items(order=order, at=at, by=by)
