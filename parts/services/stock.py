"""Stock on hand (PT01, PT05): deliveries, issues to work orders, returns and counted corrections.

Stock moves only through `move_stock`: a conditional UPDATE that refuses to go below zero (unless a
person explicitly allows it, which is recorded) plus an append-only movement row, in one
transaction. Two clerks taking the last unit at once: one succeeds, the other is told it is out of
stock.
"""

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from dealership.errors import DomainError
from parts.models import MovementKind, Part, StockMovement


class OutOfStock(DomainError):
    def __init__(self, part: Part, wanted: int):
        available = Part.objects.values_list("stock_on_hand", flat=True).get(pk=part.pk)
        super().__init__(
            _("Not enough %(name)s in stock: %(wanted)d wanted, %(available)d on hand.")
            % {"name": part.name, "wanted": wanted, "available": available}
        )


def positive(quantity: int) -> int:
    """A quantity of parts or gifts handed over or ordered: a whole number of at least one."""
    if quantity is None or int(quantity) < 1:
        raise ValidationError(_("The quantity must be at least 1."))
    return int(quantity)


def move_stock(
    *,
    part: Part,
    quantity: int,
    kind: MovementKind,
    by: AbstractBaseUser,
    at: datetime,
    reason: str = "",
    reference: str = "",
    allow_negative: bool = False,
) -> StockMovement:
    """Add `quantity` (signed) to the part's stock and record the movement. Raises OutOfStock."""
    if quantity == 0:
        raise ValidationError(_("The quantity cannot be zero."))
    rows = Part.objects.filter(pk=part.pk)
    if quantity < 0 and not allow_negative:
        rows = rows.filter(stock_on_hand__gte=-quantity)
    if not rows.update(stock_on_hand=F("stock_on_hand") + quantity, updated_at=at):
        raise OutOfStock(part, -quantity)
    balance = Part.objects.values_list("stock_on_hand", flat=True).get(pk=part.pk)
    part.stock_on_hand = balance
    return StockMovement.objects.create(
        part=part,
        kind=kind,
        quantity=quantity,
        balance_after=balance,
        reason=reason.strip(),
        reference=reference.strip(),
        went_negative=balance < 0,
        by=by,
        at=at,
    )


@transaction.atomic
def receive_stock(
    *, by: AbstractBaseUser, part: Part, quantity: int, at: datetime, reference: str = ""
) -> StockMovement:
    """Book parts delivered by the supplier into stock."""
    return move_stock(
        part=part, quantity=positive(quantity), kind=MovementKind.RECEIPT, by=by, at=at, reference=reference
    )


@transaction.atomic
def issue_to_work_order(
    *, by: AbstractBaseUser, part: Part, quantity: int, reference: str, at: datetime, allow_negative: bool = False
) -> StockMovement:
    """Take parts out of stock for a work order. Raises OutOfStock unless going negative is allowed."""
    return move_stock(
        part=part,
        quantity=-positive(quantity),
        kind=MovementKind.ISSUE,
        by=by,
        at=at,
        reference=reference,
        allow_negative=allow_negative,
        reason=_("Allowed below zero by %(name)s") % {"name": by.get_username()} if allow_negative else "",
    )


@transaction.atomic
def return_stock(
    *, by: AbstractBaseUser, part: Part, quantity: int, reason: str, at: datetime, reference: str = ""
) -> StockMovement:
    """Take back parts returned by a customer or unused on a work order."""
    if not reason.strip():
        raise ValidationError(_("Say why the part comes back."))
    return move_stock(
        part=part,
        quantity=positive(quantity),
        kind=MovementKind.RETURN,
        by=by,
        at=at,
        reason=reason,
        reference=reference,
    )


@transaction.atomic
def adjust_stock(
    *,
    by: AbstractBaseUser,
    part: Part,
    quantity: int,
    reason: str,
    at: datetime,
    allow_negative: bool = False,
    reference: str = "",
) -> StockMovement:
    """Correct the stock after a count (signed quantity). A reason is required."""
    if not reason.strip():
        raise ValidationError(_("An adjustment needs a reason."))
    return move_stock(
        part=part,
        quantity=int(quantity),
        kind=MovementKind.ADJUSTMENT,
        by=by,
        at=at,
        reason=reason,
        reference=reference,
        allow_negative=allow_negative,
    )
