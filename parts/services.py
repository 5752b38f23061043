"""Every change in the parts department: catalogue, stock, backorders, counter sales, gifts.

Stock moves only through `_move_stock`: a conditional UPDATE that refuses to go below zero
(unless a person explicitly allows it, which is recorded) plus an append-only movement row, in
one transaction. Two clerks taking the last unit at once: one succeeds, the other is told it is
out of stock.
"""

import re
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from pypinyin import Style, lazy_pinyin

from dealership.errors import DomainError, StaleObject, TransitionNotAllowed
from dealership.identifiers import normalize_landline, normalize_mobile
from dealership.models import Customer, Role
from dealership.money import to_cny
from dealership.numbering import next_number
from dealership.outbox import enqueue_sms
from dealership.permissions import has_role
from parts import signals
from parts.models import (
    Backorder,
    BackorderCall,
    BackorderEvent,
    BackorderStatus,
    CallReason,
    CounterSale,
    CounterSaleLine,
    GiftItem,
    GiftMovement,
    GiftReason,
    MovementKind,
    Part,
    SaleKind,
    StockMovement,
)


class OutOfStock(DomainError):
    def __init__(self, part: Part, wanted: int):
        available = Part.objects.values_list("stock_on_hand", flat=True).get(pk=part.pk)
        super().__init__(
            _("Not enough %(name)s in stock: %(wanted)d wanted, %(available)d on hand.")
            % {"name": part.name, "wanted": wanted, "available": available}
        )


# --- Catalogue --------------------------------------------------------------------------------------


def normalize_part_number(value: str) -> str:
    """OEM numbers are printed with spaces or dashes (06H 115 562); store them without."""
    return re.sub(r"[\s\-.]", "", str(value)).upper()


def pinyin_initials(name: str) -> str:
    """机油滤清器 → jylqq, so a clerk can type the initials on a tablet keyboard."""
    return "".join(lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore")).lower()[:100]


PART_FIELDS = {
    "name",
    "retail_price",
    "wholesale_price",
    "unit",
    "is_positional",
    "is_genuine",
    "is_approved",
    "origin",
}


@transaction.atomic
def create_part(*, by: AbstractBaseUser, part_number: str, **fields) -> Part:
    """Add a part to the catalogue. Raises ValidationError (bad price, known number, ...)."""
    unknown = set(fields) - PART_FIELDS
    if unknown:
        raise TypeError(f"unknown part fields {sorted(unknown)}")
    part = Part(part_number=normalize_part_number(part_number), **fields)
    return _save_part(part, by=by)


@transaction.atomic
def update_part(*, by: AbstractBaseUser, part: Part, **changes) -> Part:
    """Change a part's name, prices or flags; its number and stock stay. Raises ValidationError."""
    unknown = set(changes) - PART_FIELDS
    if unknown:
        raise TypeError(f"cannot change {sorted(unknown)} of a part")
    for name, value in changes.items():
        setattr(part, name, value)
    return _save_part(part, by=by)


def _save_part(part: Part, *, by: AbstractBaseUser) -> Part:
    part.name = part.name.strip()
    part.initials = pinyin_initials(part.name)
    part.full_clean()
    part._history_user = by
    part.save()
    return part


# --- Stock ------------------------------------------------------------------------------------------


def _move_stock(
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


def _positive(quantity: int) -> int:
    if quantity is None or int(quantity) < 1:
        raise ValidationError(_("The quantity must be at least 1."))
    return int(quantity)


@transaction.atomic
def receive_stock(
    *, by: AbstractBaseUser, part: Part, quantity: int, at: datetime, reference: str = ""
) -> StockMovement:
    """Book parts delivered by the supplier into stock."""
    return _move_stock(
        part=part, quantity=_positive(quantity), kind=MovementKind.RECEIPT, by=by, at=at, reference=reference
    )


@transaction.atomic
def issue_to_work_order(
    *, by: AbstractBaseUser, part: Part, quantity: int, reference: str, at: datetime, allow_negative: bool = False
) -> StockMovement:
    """Take parts out of stock for a work order. Raises OutOfStock unless going negative is allowed."""
    return _move_stock(
        part=part,
        quantity=-_positive(quantity),
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
    return _move_stock(
        part=part,
        quantity=_positive(quantity),
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
    return _move_stock(
        part=part,
        quantity=int(quantity),
        kind=MovementKind.ADJUSTMENT,
        by=by,
        at=at,
        reason=reason,
        reference=reference,
        allow_negative=allow_negative,
    )


# --- Backorders -------------------------------------------------------------------------------------


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
        quantity=_positive(quantity),
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
    BackorderEvent.objects.create(
        backorder=backorder,
        at=at,
        by=by,
        to_status=BackorderStatus.ORDERED,
        note=_("Expected on %(date)s") % {"date": expected_on.isoformat()},
    )
    return backorder


def _transition(
    backorder: Backorder,
    to: BackorderStatus,
    *,
    at: datetime,
    by: AbstractBaseUser | None,
    note: str = "",
    version: int | None = None,
    **fields,
) -> Backorder:
    """Check the table, compare-and-set on version, write the history row."""
    if to not in Backorder.TRANSITIONS[BackorderStatus(backorder.status)]:
        raise TransitionNotAllowed(
            _("A backorder that is “%(current)s” cannot become “%(next)s”.")
            % {"current": backorder.get_status_display(), "next": to.label}
        )
    expected_version = backorder.version if version is None else version
    won = Backorder.objects.filter(pk=backorder.pk, version=expected_version, status=backorder.status).update(
        status=to, version=F("version") + 1, updated_at=at, **fields
    )
    if not won:
        raise StaleObject()
    BackorderEvent.objects.create(
        backorder=backorder, at=at, by=by, from_status=backorder.status, to_status=to, note=note
    )
    backorder.refresh_from_db()
    return backorder


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
    _transition(
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
        _transition(
            backorder, BackorderStatus.ORDERED, at=at, by=by, note=note, version=version, expected_on=expected_on
        )
    else:
        won = Backorder.objects.filter(pk=backorder.pk, version=version).update(
            expected_on=expected_on, version=F("version") + 1, updated_at=at
        )
        if not won:
            raise StaleObject()
        BackorderEvent.objects.create(
            backorder=backorder, at=at, by=by, from_status=backorder.status, to_status=backorder.status, note=note
        )
        backorder.refresh_from_db()
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
    _transition(backorder, BackorderStatus.ARRIVED, at=at, by=by, version=version, arrived_at=at)
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
    return _transition(backorder, BackorderStatus.COLLECTED, at=at, by=by, version=version, closed_at=at)


@transaction.atomic
def cancel_backorder(
    *, by: AbstractBaseUser, backorder: Backorder, reason: str, at: datetime, version: int | None = None
) -> Backorder:
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the backorder is cancelled.")})
    return _transition(
        backorder, BackorderStatus.CANCELLED, at=at, by=by, note=reason.strip(), version=version, closed_at=at
    )


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


# --- Counter sales ----------------------------------------------------------------------------------


@transaction.atomic
def sell_over_counter(
    *,
    by: AbstractBaseUser,
    kind: SaleKind,
    buyer_name: str,
    lines: Iterable[tuple[Part, int]],
    at: datetime,
    customer: Customer | None = None,
) -> CounterSale:
    """Sell parts at the retail or wholesale price (PT05). All lines or none: stock is checked per line."""
    lines = [(part, _positive(quantity)) for part, quantity in lines]
    if not lines:
        raise ValidationError(_("A sale needs at least one part."))
    if not buyer_name.strip():
        raise ValidationError({"buyer_name": _("Whose receipt is it?")})
    sale = CounterSale.objects.create(
        number=next_number("CS", at=at),
        kind=kind,
        customer=customer,
        buyer_name=buyer_name.strip(),
        total=Decimal("0"),
        by=by,
        sold_at=at,
    )
    total = Decimal("0")
    # Lock parts in one order, so two sales of the same parts cannot deadlock.
    for part, quantity in sorted(lines, key=lambda line: line[0].pk):
        price = part.wholesale_price if kind == SaleKind.WHOLESALE else part.retail_price
        amount = to_cny(price * quantity)
        _move_stock(part=part, quantity=-quantity, kind=MovementKind.COUNTER_SALE, by=by, at=at, reference=sale.number)
        CounterSaleLine.objects.create(sale=sale, part=part, quantity=quantity, unit_price=price, amount=amount)
        total += amount
    sale.total = to_cny(total)
    sale.save(update_fields=["total"])
    return sale


# --- Gifts ------------------------------------------------------------------------------------------


@transaction.atomic
def restock_gifts(*, by: AbstractBaseUser, gift: GiftItem, quantity: int, at: datetime) -> GiftMovement:
    quantity = _positive(quantity)
    GiftItem.objects.filter(pk=gift.pk).update(stock_on_hand=F("stock_on_hand") + quantity)
    return GiftMovement.objects.create(
        gift=gift, quantity=quantity, unit_cost=gift.unit_cost, reason=GiftReason.RESTOCK, by=by, at=at
    )


@transaction.atomic
def give_gift(
    *,
    by: AbstractBaseUser,
    gift: GiftItem,
    customer: Customer,
    quantity: int,
    reason: GiftReason,
    at: datetime,
    note: str = "",
) -> GiftMovement:
    """Give a gift to a customer for a reason (PT06). Raises OutOfStock when none are left."""
    quantity = _positive(quantity)
    if reason == GiftReason.RESTOCK:
        raise ValidationError({"reason": _("Choose why the customer gets the gift.")})
    if not GiftItem.objects.filter(pk=gift.pk, stock_on_hand__gte=quantity).update(
        stock_on_hand=F("stock_on_hand") - quantity
    ):
        raise DomainError(_("No %(name)s left in the gift stock.") % {"name": gift.name})
    return GiftMovement.objects.create(
        gift=gift,
        quantity=-quantity,
        unit_cost=gift.unit_cost,
        reason=reason,
        customer=customer,
        note=note.strip(),
        by=by,
        at=at,
    )


@transaction.atomic
def save_gift_item(*, by: AbstractBaseUser, gift: GiftItem) -> GiftItem:
    """Add a gift item or change its name, cost or use. Raises ValidationError (cost outside 0.50-100)."""
    gift.full_clean()
    gift._history_user = by
    gift.save()
    return gift
